//! NumPy's `.npy` format for generated digits, so samples can be scored by other tools.

/// How many samples a `.npy` holds unless told otherwise: the command line's default, and what
/// the page saves (the paper scored 10,000).
pub const SAMPLES_SAVED: usize = 10_000;

/// Encodes `count` digits of 784 probabilities as a `uint8 [count, 28, 28]` array, each pixel
/// round(255·p) (threshold at 128 for the binarized view).
pub fn digits_to_npy(probabilities: &[f32]) -> Vec<u8> {
    let count = probabilities.len() / 784;
    let dict = format!("{{'descr': '|u1', 'fortran_order': False, 'shape': ({count}, 28, 28), }}");
    // Magic (6) + version (2) + length (2) + dict + padding + newline: a multiple of 64.
    let unpadded = 10 + dict.len() + 1;
    let header_len = dict.len() + 1 + (64 - unpadded % 64) % 64;
    let mut out = Vec::with_capacity(10 + header_len + count * 784);
    out.extend_from_slice(b"\x93NUMPY\x01\x00");
    out.extend_from_slice(&(header_len as u16).to_le_bytes());
    out.extend_from_slice(dict.as_bytes());
    out.resize(10 + header_len - 1, b' ');
    out.push(b'\n');
    out.extend(probabilities[..count * 784].iter().map(|p| (p.clamp(0.0, 1.0) * 255.0).round() as u8));
    out
}
