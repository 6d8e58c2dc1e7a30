//! Trained weights as one file: the classifier shipped with the page, and models a visitor saves.
//!
//! The layout is ours and small, so that every way a file can be wrong gets its own message:
//!
//! ```text
//! b"FLOWAEW\0"   magic
//! u32 LE         format version
//! u32 LE         header length h
//! h bytes        JSON header: {"kind", "meta", "tensors": [{"name", "shape", "dtype"?}...]}
//! f32 LE ...     every tensor's values, in header order (f16 LE where "dtype" is "f16")
//! u32 LE         CRC-32 of everything before it
//! ```
//!
//! Tensors are named by their path in the module tree ("encoder.net.hidden.0.linear.weight"),
//! BatchNorm's running statistics included. Loading checks every name and shape before it
//! changes anything, so a file that does not fit leaves the model as it was.
//!
//! Files a visitor saves are exact (f32). The pretrained models shipped with the page are
//! written by [`WeightsFile::to_bytes_half`]: half the bytes on every first visit, each tensor
//! in f16 where that changes no value by more than [`HALF_TOLERANCE`] of itself.

use std::collections::BTreeMap;

use burn::module::{Module, ModuleMapper, ModuleVisitor, Param};
use burn::prelude::*;
use burn::tensor::TensorData;

use crate::error::{Error, Result};
use crate::device::read_all;
use crate::limits;

const MAGIC: &[u8; 8] = b"FLOWAEW\0";
/// Bumped whenever a model's layout changes in a way old files cannot follow.
pub const FORMAT_VERSION: u32 = 1;

/// One named tensor.
#[derive(Clone, Debug, PartialEq)]
pub struct NamedTensor {
    /// Path in the module tree, with a prefix naming the model.
    pub name: String,
    /// Dimensions.
    pub shape: Vec<usize>,
    /// Values, row-major.
    pub values: Vec<f32>,
}

/// The contents of a weights file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WeightsFile {
    /// What the file holds ("classifier", "models", ...), checked by whoever loads it.
    pub kind: String,
    /// Settings needed to rebuild the models before loading their weights.
    pub meta: serde_json::Value,
    /// Every tensor.
    pub tensors: Vec<NamedTensor>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Header {
    kind: String,
    #[serde(default)]
    meta: serde_json::Value,
    tensors: Vec<TensorHeader>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct TensorHeader {
    name: String,
    shape: Vec<usize>,
    /// How the values are stored: f32 unless the header says "f16".
    #[serde(default, skip_serializing_if = "Dtype::is_f32")]
    dtype: Dtype,
}

/// How a tensor's values are stored in the file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
enum Dtype {
    #[default]
    F32,
    F16,
}

impl Dtype {
    fn is_f32(&self) -> bool {
        *self == Dtype::F32
    }

    fn width(self) -> usize {
        match self {
            Dtype::F32 => 4,
            Dtype::F16 => 2,
        }
    }
}

/// The largest change, relative to a value (or to 1e-4 for smaller values), that storing it
/// as f16 may make; f16 keeps 11 significant bits, so weights in its range change by at most
/// 2^-11 ≈ 4.9e-4 of themselves.
pub const HALF_TOLERANCE: f32 = 1e-3;

/// Whether every value of `values` survives f16 within [`HALF_TOLERANCE`].
fn fits_half(values: &[f32]) -> bool {
    values.iter().all(|&v| (half::f16::from_f32(v).to_f32() - v).abs() <= HALF_TOLERANCE * v.abs().max(1e-4))
}

impl WeightsFile {
    /// Encodes the file, every value exact (f32).
    pub fn to_bytes(&self) -> Vec<u8> {
        self.encode(|_| Dtype::F32)
    }

    /// Encodes the file with each tensor in f16 where that moves no value by more than
    /// [`HALF_TOLERANCE`] of itself (see [`fits_half`]), else in f32: about half the size.
    pub fn to_bytes_half(&self) -> Vec<u8> {
        self.encode(|t| if fits_half(&t.values) { Dtype::F16 } else { Dtype::F32 })
    }

    fn encode(&self, dtype: impl Fn(&NamedTensor) -> Dtype) -> Vec<u8> {
        let dtypes: Vec<Dtype> = self.tensors.iter().map(dtype).collect();
        let header = Header {
            kind: self.kind.clone(),
            meta: self.meta.clone(),
            tensors: self.tensors.iter().zip(&dtypes).map(|(t, &dtype)| TensorHeader { name: t.name.clone(), shape: t.shape.clone(), dtype }).collect(),
        };
        let header = serde_json::to_vec(&header).unwrap_or_default();
        let values: usize = self.tensors.iter().map(|t| t.values.len()).sum();
        let mut bytes = Vec::with_capacity(20 + header.len() + 4 * values);
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        bytes.extend_from_slice(&(header.len() as u32).to_le_bytes());
        bytes.extend_from_slice(&header);
        for (t, dtype) in self.tensors.iter().zip(dtypes) {
            for &v in &t.values {
                match dtype {
                    Dtype::F32 => bytes.extend_from_slice(&v.to_le_bytes()),
                    Dtype::F16 => bytes.extend_from_slice(&half::f16::from_f32(v).to_le_bytes()),
                }
            }
        }
        let crc = crc32fast::hash(&bytes);
        bytes.extend_from_slice(&crc.to_le_bytes());
        bytes
    }

    /// Decodes a file, refusing anything that is not a whole, intact file of this version.
    pub fn from_bytes(bytes: &[u8]) -> Result<WeightsFile> {
        let bad = |why: &str| Err(Error::Data(format!("not a usable weights file: {why}")));
        if bytes.len() < 8 || &bytes[..8] != MAGIC {
            return bad("it does not start like one of this page's weights files");
        }
        if bytes.len() < 20 {
            return bad("it is truncated");
        }
        let word = |at: usize| u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
        let version = word(8);
        if version != FORMAT_VERSION {
            return Err(Error::Data(format!(
                "this weights file has format version {version}; this page reads version {FORMAT_VERSION}"
            )));
        }
        let header_len = word(12) as usize;
        let Some(data_start) = 16usize.checked_add(header_len).filter(|&end| end + 4 <= bytes.len()) else {
            return bad("it is truncated");
        };
        let body = &bytes[..bytes.len() - 4];
        if crc32fast::hash(body) != word(bytes.len() - 4) {
            return bad("it is truncated or corrupt (checksum mismatch)");
        }
        let header: Header = serde_json::from_slice(&bytes[16..data_start]).map_err(|e| Error::Data(format!("not a usable weights file: bad header ({e})")))?;
        let mut at = data_start;
        let mut tensors = Vec::with_capacity(header.tensors.len());
        for t in header.tensors {
            let count = t.shape.iter().try_fold(1usize, |n, &d| n.checked_mul(d));
            let width = t.dtype.width();
            let Some(end) = count.and_then(|n| n.checked_mul(width)).and_then(|n| at.checked_add(n)).filter(|&end| end <= body.len()) else {
                return bad(&format!("tensor {} does not fit in the file", t.name));
            };
            let values = match t.dtype {
                Dtype::F32 => body[at..end].chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect(),
                Dtype::F16 => body[at..end].chunks_exact(2).map(|c| half::f16::from_le_bytes([c[0], c[1]]).to_f32()).collect(),
            };
            tensors.push(NamedTensor { name: t.name, shape: t.shape, values });
            at = end;
        }
        if at != body.len() {
            return bad("it has data after its last tensor");
        }
        let mut names: Vec<&str> = tensors.iter().map(|t| t.name.as_str()).collect();
        names.sort_unstable();
        if let Some(twice) = names.windows(2).find(|pair| pair[0] == pair[1]) {
            return bad(&format!("it holds {} twice", twice[0]));
        }
        Ok(WeightsFile { kind: header.kind, meta: header.meta, tensors })
    }

    /// Checks that this file holds `kind`.
    pub fn expect_kind(&self, kind: &str) -> Result<()> {
        if self.kind == kind {
            Ok(())
        } else {
            Err(Error::Data(format!("this file holds {:?}, not {kind:?}", self.kind)))
        }
    }
}

/// Collects the float tensors of a module with their paths.
struct Collector {
    path: Vec<String>,
    found: Vec<(String, Tensor<1>, Vec<usize>)>,
}

impl ModuleVisitor for Collector {
    fn enter_module(&mut self, name: &str, _container_type: &str) {
        self.path.push(name.to_string());
    }

    fn exit_module(&mut self, _name: &str, _container_type: &str) {
        self.path.pop();
    }

    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let tensor = param.val();
        let shape = tensor.dims().to_vec();
        let count: usize = shape.iter().product();
        self.found.push((self.path.join("."), tensor.reshape([count]), shape));
    }
}

/// Reads every float tensor of `module` (weights and running statistics) back from its device,
/// named `prefix.path`. Asynchronous: the only read WebGPU allows.
pub async fn read_module<M: Module>(module: &M, prefix: &str) -> Result<Vec<NamedTensor>> {
    let mut collector = Collector { path: vec![prefix.to_string()], found: Vec::new() };
    module.visit(&mut collector);
    let (names, tensors): (Vec<_>, Vec<_>) = collector.found.into_iter().map(|(n, t, s)| ((n, s), t)).unzip();
    let values = read_all(tensors).await?;
    Ok(names.into_iter().zip(values).map(|((name, shape), values)| NamedTensor { name, shape, values }).collect())
}

/// Replaces each float tensor of a module with the one of the same name.
struct Loader<'a> {
    path: Vec<String>,
    tensors: &'a BTreeMap<&'a str, &'a NamedTensor>,
}

impl ModuleMapper for Loader<'_> {
    fn enter_module(&mut self, name: &str, _container_type: &str) {
        self.path.push(name.to_string());
    }

    fn exit_module(&mut self, _name: &str, _container_type: &str) {
        self.path.pop();
    }

    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let name = self.path.join(".");
        let Some(saved) = self.tensors.get(name.as_str()) else {
            return param; // checked before mapping: cannot happen
        };
        let (id, tensor, mapper) = param.consume();
        let device = tensor.device();
        let shape: [usize; D] = std::array::from_fn(|i| saved.shape[i]);
        let loaded = Tensor::<D>::from_data(TensorData::new(saved.values.clone(), shape), &device);
        Param::from_mapped_value(id, loaded.set_require_grad(tensor.is_require_grad()), mapper)
    }
}

/// Refuses values that no training run can have made (see [`limits::WEIGHT`]): NaN or infinite
/// ones, magnitudes beyond the bound, and BatchNorm running variances below zero or beyond the
/// bound's square (a variance is an average of squares).
fn check_values(t: &NamedTensor) -> Result<()> {
    if t.values.iter().any(|v| !v.is_finite()) {
        return Err(Error::Data(format!("{} holds NaN or infinite values", t.name)));
    }
    let variance = t.name.ends_with("running_var");
    let (low, high) = if variance { (0.0, limits::WEIGHT * limits::WEIGHT) } else { (-limits::WEIGHT, limits::WEIGHT) };
    if let Some(v) = t.values.iter().map(|&v| f64::from(v)).find(|v| !(low..=high).contains(v)) {
        let what = if variance { "a running variance of" } else { "a value of" };
        return Err(Error::Data(format!(
            "{} holds {what} {}, which no training can make (trained values lie between {} and {})",
            t.name,
            readable(v),
            readable(low),
            readable(high)
        )));
    }
    Ok(())
}

/// A number as a person reads it: as is when small, in powers of ten when huge.
fn readable(v: f64) -> String {
    if v.abs() < 1e6 { format!("{v}") } else { format!("{v:.1e}") }
}

/// `module` with its tensors replaced by those named `prefix.path` in `tensors`. Every name and
/// shape is checked first: on any mismatch the error names it and nothing is loaded.
pub fn load_module<M: Module>(module: M, prefix: &str, tensors: &[NamedTensor]) -> Result<M> {
    let by_name: BTreeMap<&str, &NamedTensor> = tensors.iter().map(|t| (t.name.as_str(), t)).collect();
    let mut expected = Collector { path: vec![prefix.to_string()], found: Vec::new() };
    module.visit(&mut expected);
    for (name, _, shape) in &expected.found {
        match by_name.get(name.as_str()) {
            None => return Err(Error::Data(format!("the weights file lacks {name}"))),
            Some(t) if &t.shape != shape => {
                return Err(Error::Data(format!("{name} has shape {:?} in the file but {shape:?} in the model", t.shape)));
            }
            Some(t) => check_values(t)?,
        }
    }
    // A tensor under this prefix that the model has no place for means the settings and the
    // weights disagree (a header saying 1 coupling layer beside 5 layers' tensors): refused,
    // not half-loaded.
    let under = format!("{prefix}.");
    if let Some(extra) = tensors.iter().find(|t| t.name.starts_with(&under) && !expected.found.iter().any(|(name, _, _)| *name == t.name)) {
        return Err(Error::Data(format!("the weights file has {}, which the model its settings describe has no place for", extra.name)));
    }
    let mut loader = Loader { path: vec![prefix.to_string()], tensors: &by_name };
    Ok(module.map(&mut loader))
}
