//! MNIST as the paper used it: 28×28 digits, binarized at 0.5 by default.
//!
//! The IDX files are parsed here, from bytes, so that the browser (which fetches them) and the
//! native tool (which reads them from disk) share one reader. The page downloads the digits
//! binarized and packed 8 pixels a byte (`tools/pack-mnist.mjs` writes them; 1.6 MB gzipped
//! instead of 9.7 MB) and the grayscale IDX files only when a model asks for grayscale. Every
//! header field is checked against the file's length before anything is sliced: a truncated or
//! foreign file is an [`Error::Data`], never a panic.

use crate::dataset::DataSet;
use crate::error::{Error, Result};
use crate::rng::Rng;

/// Pixels in one digit.
pub const PIXELS: usize = 28 * 28;
/// Side of one digit in pixels.
pub const SIDE: usize = 28;

const IMAGES_MAGIC: u32 = 0x0000_0803;
const LABELS_MAGIC: u32 = 0x0000_0801;
/// The packed, binarized format's magic.
const PACKED_MAGIC: &[u8; 8] = b"MNISTBIT";

/// A set of digits with their labels, kept as the original bytes (0–255) so that a whole
/// training set costs 47 MB rather than four times that as floats.
#[derive(Clone, Debug, PartialEq)]
pub struct Digits {
    pixels: Vec<u8>,
    labels: Vec<u8>,
    /// Whether the bytes are the original intensities; false for digits read binarized (then
    /// every byte is 0 or 255, which [`Pixels::Binarized`] reads exactly as it reads the
    /// originals, and [`Pixels::Grayscale`] must refuse).
    grayscale: bool,
    /// The data set they are from (MNIST unless [`Digits::of_set`] says otherwise): what the
    /// models that learn them record, and what the classifier that scores them must have
    /// learned.
    set: DataSet,
}

/// How pixel intensities become model inputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Pixels {
    /// 1 where the intensity is at least half, else 0: the paper's binarized MNIST.
    Binarized,
    /// Intensity / 255 in [0, 1], as the reference code trained.
    Grayscale,
}

impl Pixels {
    /// Parses the name used in settings and on the command line.
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "binarized" | "binary" => Ok(Pixels::Binarized),
            "grayscale" | "gray" => Ok(Pixels::Grayscale),
            other => Err(Error::Config(format!(
                "pixels must be \"binarized\" or \"grayscale\", not {other:?}"
            ))),
        }
    }

    /// An image given as values in [0, 1] (a drawing), as a model trained on these pixels is
    /// shown its digits: rounded at one half, or as it is.
    pub fn of(self, values: &[f32]) -> Vec<f32> {
        match self {
            Pixels::Binarized => values.iter().map(|&p| if p >= 0.5 { 1.0 } else { 0.0 }).collect(),
            Pixels::Grayscale => values.iter().map(|p| p.clamp(0.0, 1.0)).collect(),
        }
    }

    fn convert(self, byte: u8) -> f32 {
        match self {
            Pixels::Binarized => f32::from(u8::from(byte >= 128)),
            Pixels::Grayscale => f32::from(byte) / 255.0,
        }
    }
}

impl Digits {
    /// Pairs an IDX image file with its IDX label file, both given as bytes.
    pub fn from_idx(images: &[u8], labels: &[u8]) -> Result<Self> {
        let (count, rows, cols, pixels) = parse_images(images)?;
        if rows != SIDE || cols != SIDE {
            return Err(Error::Data(format!(
                "images are {rows}×{cols}; MNIST digits are {SIDE}×{SIDE}"
            )));
        }
        let labels = parse_labels(labels)?;
        if labels.len() != count {
            return Err(Error::Data(format!(
                "the image file holds {count} digits but the label file holds {} labels",
                labels.len()
            )));
        }
        Ok(Digits { pixels: pixels.to_vec(), labels: labels.to_vec(), grayscale: true, set: DataSet::Mnist })
    }

    /// Reads digits packed by `tools/pack-mnist.mjs`: binarized at 128, one bit a pixel (see
    /// that file for the layout). They train exactly as the IDX originals do with
    /// [`Pixels::Binarized`]; [`Self::has_grayscale`] is false.
    pub fn from_packed(bytes: &[u8]) -> Result<Self> {
        if bytes.get(..8) != Some(&PACKED_MAGIC[..]) {
            return Err(Error::Data("not a packed MNIST file (it does not start with MNISTBIT)".into()));
        }
        let count = read_u32(bytes, 8)? as usize;
        let (rows, cols) = (read_u32(bytes, 12)? as usize, read_u32(bytes, 16)? as usize);
        if rows != SIDE || cols != SIDE {
            return Err(Error::Data(format!("images are {rows}×{cols}; MNIST digits are {SIDE}×{SIDE}")));
        }
        let overflow = || Error::Data("the packed header's sizes overflow".into());
        let pixels = count.checked_mul(PIXELS).ok_or_else(overflow)?;
        let body = checked_body(bytes, 20, count.checked_add(pixels.div_ceil(8)).ok_or_else(overflow)?, "packed")?;
        let (labels, bits) = body.split_at(count);
        check_labels(labels)?;
        let pixels = (0..pixels).map(|i| if bits[i >> 3] & (0x80 >> (i & 7)) != 0 { 255 } else { 0 }).collect();
        Ok(Digits { pixels, labels: labels.to_vec(), grayscale: false, set: DataSet::Mnist })
    }

    /// The same images, as images of `set`.
    pub fn of_set(mut self, set: DataSet) -> Digits {
        self.set = set;
        self
    }

    /// The data set they are from.
    pub fn set(&self) -> DataSet {
        self.set
    }

    /// Whether these are the original intensities (IDX files), which grayscale training needs,
    /// rather than digits read binarized.
    pub fn has_grayscale(&self) -> bool {
        self.grayscale
    }

    /// Refuses `mode` on digits that cannot give it: grayscale from digits read binarized.
    pub fn check_pixels(&self, mode: Pixels) -> Result<()> {
        if mode == Pixels::Grayscale && !self.grayscale {
            return Err(Error::State("grayscale pixels need the grayscale digits, and only the binarized ones are loaded".into()));
        }
        Ok(())
    }

    /// Builds a set from raw pixels (`len × 784` bytes) and labels, for tests and generated data.
    pub fn from_parts(pixels: Vec<u8>, labels: Vec<u8>) -> Result<Self> {
        if pixels.len() != labels.len() * PIXELS {
            return Err(Error::Data(format!(
                "{} pixel bytes do not make {} digits of {PIXELS} pixels",
                pixels.len(),
                labels.len()
            )));
        }
        Ok(Digits { pixels, labels, grayscale: true, set: DataSet::Mnist })
    }

    /// Number of digits.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether the set holds no digit.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The digits' labels (0–9).
    pub fn labels(&self) -> &[u8] {
        &self.labels
    }

    /// The raw intensities of digit `index`.
    pub fn image(&self, index: usize) -> &[u8] {
        &self.pixels[index * PIXELS..(index + 1) * PIXELS]
    }

    /// The first `count` digits (all of them if there are fewer).
    pub fn take(&self, count: usize) -> Digits {
        let count = count.min(self.len());
        Digits {
            pixels: self.pixels[..count * PIXELS].to_vec(),
            labels: self.labels[..count].to_vec(),
            grayscale: self.grayscale,
            set: self.set,
        }
    }

    /// Model inputs for the digits at `indices`, row after row, converted by `mode`.
    ///
    /// Batches are assembled on the host and uploaded whole: the full training set as floats
    /// (188 MB) would not fit in one WebGPU storage binding (128 MB by default), and one
    /// upload of 100 digits (313 kB) per step costs far less than the step itself.
    pub fn batch(&self, indices: &[usize], mode: Pixels) -> Vec<f32> {
        let mut out = Vec::with_capacity(indices.len() * PIXELS);
        for &i in indices {
            out.extend(self.image(i).iter().map(|&b| mode.convert(b)));
        }
        out
    }
}

/// The order in which one epoch visits the training digits: a fresh shuffle per epoch, cut into
/// batches; the last, short batch is dropped so every step sees the same batch size.
pub fn epoch_batches(len: usize, batch_size: usize, rng: &mut Rng) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..len).collect();
    rng.shuffle(&mut order);
    order.chunks_exact(batch_size).map(<[usize]>::to_vec).collect()
}

/// Where a run stands in its passes over the training set: which epoch, which batch next, and
/// the seeded shuffle that orders the next epoch. Every trainer walks its data with one, and
/// copies it with the rest of its position so a rollback also rewinds the order.
#[derive(Clone, Debug)]
pub struct Batches {
    /// Epochs completed.
    pub epoch: usize,
    order: Vec<Vec<usize>>,
    next: usize,
    len: usize,
    size: usize,
    rng: Rng,
}

impl Batches {
    /// The first epoch's batches of `size` over `len` examples, shuffled by `rng`.
    pub fn new(len: usize, size: usize, mut rng: Rng) -> Batches {
        let order = epoch_batches(len, size, &mut rng);
        Batches { epoch: 0, order, next: 0, len, size, rng }
    }

    /// Batches in one epoch.
    pub fn per_epoch(&self) -> usize {
        self.order.len()
    }

    /// The indices of the next batch (call only while [`Self::epoch_over`] is false).
    pub fn current(&self) -> &[usize] {
        &self.order[self.next]
    }

    /// Moves past the current batch; returns whether that was the epoch's last.
    pub fn advance(&mut self) -> bool {
        self.next += 1;
        self.epoch_over()
    }

    /// Whether every batch of this epoch has been taken.
    pub fn epoch_over(&self) -> bool {
        self.next == self.order.len()
    }

    /// Counts the epoch as done and, unless it was the last of `epochs`, shuffles the next.
    pub fn next_epoch(&mut self, epochs: usize) {
        self.epoch += 1;
        self.next = 0;
        if self.epoch < epochs {
            self.order = epoch_batches(self.len, self.size, &mut self.rng);
        }
    }
}

fn read_u32(bytes: &[u8], at: usize) -> Result<u32> {
    bytes
        .get(at..at + 4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
        .ok_or_else(|| Error::Data(format!("file ends at byte {} inside its header", bytes.len())))
}

fn checked_body<'a>(bytes: &'a [u8], header: usize, expected: usize, what: &str) -> Result<&'a [u8]> {
    let body = &bytes[header.min(bytes.len())..];
    if body.len() != expected {
        return Err(Error::Data(format!(
            "the {what} header announces {expected} bytes of data but the file holds {}{}",
            body.len(),
            if body.len() < expected { " (truncated download?)" } else { "" }
        )));
    }
    Ok(body)
}

/// Parses an IDX3 image file: returns (count, rows, cols, pixel bytes).
pub fn parse_images(bytes: &[u8]) -> Result<(usize, usize, usize, &[u8])> {
    let magic = read_u32(bytes, 0)?;
    if magic != IMAGES_MAGIC {
        return Err(Error::Data(format!(
            "not an IDX image file (magic number {magic:#010x}, expected {IMAGES_MAGIC:#010x}; \
             a gzip file starts with 0x1f8b and must be decompressed first)"
        )));
    }
    let count = read_u32(bytes, 4)? as usize;
    let rows = read_u32(bytes, 8)? as usize;
    let cols = read_u32(bytes, 12)? as usize;
    let expected = count
        .checked_mul(rows)
        .and_then(|n| n.checked_mul(cols))
        .ok_or_else(|| Error::Data("the IDX header's sizes overflow".into()))?;
    let body = checked_body(bytes, 16, expected, "image")?;
    Ok((count, rows, cols, body))
}

/// Parses an IDX1 label file and checks every label is a digit.
pub fn parse_labels(bytes: &[u8]) -> Result<&[u8]> {
    let magic = read_u32(bytes, 0)?;
    if magic != LABELS_MAGIC {
        return Err(Error::Data(format!(
            "not an IDX label file (magic number {magic:#010x}, expected {LABELS_MAGIC:#010x})"
        )));
    }
    let count = read_u32(bytes, 4)? as usize;
    let body = checked_body(bytes, 8, count, "label")?;
    check_labels(body)?;
    Ok(body)
}

/// A visitor's own images (`count × 784` bytes made by [`crate::digitize::picture`]) as a
/// training and a test set: one in six is held out for testing (MNIST holds out one in seven),
/// spread through the set so that every folder is in both. `labels` are their folders' (0–9),
/// or empty when they have none (all 0). Too few or too many are refused with the reason.
pub fn own_images(pixels: &[u8], labels: &[u8]) -> Result<(Digits, Digits)> {
    let count = pixels.len() / PIXELS;
    if pixels.len() % PIXELS != 0 {
        return Err(Error::Data(format!("{} bytes are not whole images of {PIXELS} pixels", pixels.len())));
    }
    let range = &crate::limits::OWN_IMAGES;
    if count < *range.start() {
        return Err(Error::Data(format!(
            "{count} images are too few: at least {} are needed, so that a model learns what they share rather than copying each one (and one in six is held out to score it)",
            range.start()
        )));
    }
    if count > *range.end() {
        return Err(Error::Data(format!("{count} images are more than the {} this page takes (MNIST's size)", crate::memory::thousands(*range.end() as u64))));
    }
    let labels = if labels.is_empty() { vec![0; count] } else { labels.to_vec() };
    if labels.len() != count {
        return Err(Error::Data(format!("{} labels for {count} images", labels.len())));
    }
    check_labels(&labels)?;
    let held_out = |i: usize| i % 6 == 5;
    let part = |test: bool| {
        let chosen: Vec<usize> = (0..count).filter(|&i| held_out(i) == test).collect();
        Digits {
            pixels: chosen.iter().flat_map(|&i| pixels[i * PIXELS..(i + 1) * PIXELS].iter().copied()).collect(),
            labels: chosen.iter().map(|&i| labels[i]).collect(),
            grayscale: true,
            set: DataSet::Own,
        }
    };
    Ok((part(false), part(true)))
}

fn check_labels(labels: &[u8]) -> Result<()> {
    match labels.iter().position(|&l| l > 9) {
        Some(pos) => Err(Error::Data(format!("label {pos} is {}, not a digit 0–9", labels[pos]))),
        None => Ok(()),
    }
}

/// Encodes digits as IDX files again (images, labels): used by tests and by tools that cut
/// subsets, so that the reader is exercised on exactly the format it must accept.
pub fn to_idx(digits: &Digits) -> (Vec<u8>, Vec<u8>) {
    let n = digits.len() as u32;
    let mut images = Vec::with_capacity(16 + digits.pixels.len());
    for v in [IMAGES_MAGIC, n, SIDE as u32, SIDE as u32] {
        images.extend_from_slice(&v.to_be_bytes());
    }
    images.extend_from_slice(&digits.pixels);
    let mut labels = Vec::with_capacity(8 + digits.labels.len());
    for v in [LABELS_MAGIC, n] {
        labels.extend_from_slice(&v.to_be_bytes());
    }
    labels.extend_from_slice(&digits.labels);
    (images, labels)
}
