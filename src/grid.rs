//! Digits laid out side by side as one grayscale image.

use crate::data::SIDE;

/// A grayscale picture, one byte a pixel, row after row.
#[derive(Clone, Debug, PartialEq)]
pub struct Gray {
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// `width × height` intensities, 0 black to 255 white.
    pub pixels: Vec<u8>,
}

/// Lays out `values` (digits of 784 values in [0, 1], one after another) in rows of `columns`,
/// white digits on black with a 2-pixel gap, the way MNIST is usually shown.
pub fn digit_grid(values: &[f32], columns: usize) -> Gray {
    const GAP: usize = 2;
    let count = values.len() / (SIDE * SIDE);
    let columns = columns.clamp(1, count.max(1));
    let rows = count.div_ceil(columns).max(1);
    let width = columns * (SIDE + GAP) + GAP;
    let height = rows * (SIDE + GAP) + GAP;
    let mut pixels = vec![40u8; width * height];
    for (n, digit) in values.chunks_exact(SIDE * SIDE).enumerate() {
        let (top, left) = (GAP + (n / columns) * (SIDE + GAP), GAP + (n % columns) * (SIDE + GAP));
        for (i, v) in digit.iter().enumerate() {
            let v = if v.is_finite() { v.clamp(0.0, 1.0) } else { 0.0 };
            pixels[(top + i / SIDE) * width + left + i % SIDE] = (v * 255.0).round() as u8;
        }
    }
    Gray { width, height, pixels }
}
