//! A drawing (or any picture of one digit) made into a 28 × 28 input the way MNIST's digits
//! were made (LeCun et al.): the ink's bounding box scaled, aspect kept, to fit a 20 × 20 box
//! with anti-aliasing, then placed in the 28 × 28 field so that its centre of mass sits at the
//! centre. A digit drawn large or small, anywhere on a pad, reaches the models as MNIST's do.
//! A visitor's picture (any size, colour or grey, dark on light or light on dark, or drawn on a
//! transparent background) first becomes ink on paper ([`ink_of`]), then goes the same way
//! ([`picture`]).

use crate::data::{PIXELS, SIDE};
use crate::error::{Error, Result};

/// The side of the box the ink is scaled to fit (MNIST: 20 of 28).
pub const BOX: usize = 20;

/// Ink below this (of 1) is paper: the bounding box ignores it.
const PAPER: f32 = 0.05;

/// `ink` (`width × height` values in [0, 1], row by row, 1 the darkest ink) as 784 pixels the
/// MNIST way. A picture with no ink, of the wrong length, or with values that are not numbers
/// is refused.
pub fn mnist_way(ink: &[f32], width: usize, height: usize) -> Result<Vec<f32>> {
    if width == 0 || height == 0 || width.checked_mul(height) != Some(ink.len()) {
        return Err(Error::Data(format!("a {width} × {height} picture needs {} values, not {}", width.saturating_mul(height), ink.len())));
    }
    if ink.iter().any(|v| !v.is_finite()) {
        return Err(Error::Data("the picture has values that are not numbers".into()));
    }
    let inked = |x: usize, y: usize| ink[y * width + x] > PAPER;
    let rows: Vec<usize> = (0..height).filter(|&y| (0..width).any(|x| inked(x, y))).collect();
    let cols: Vec<usize> = (0..width).filter(|&x| (0..height).any(|y| inked(x, y))).collect();
    let (Some(&top), Some(&bottom), Some(&left), Some(&right)) = (rows.first(), rows.last(), cols.first(), cols.last()) else {
        return Err(Error::Data("nothing is drawn".into()));
    };
    let (w, h) = (right - left + 1, bottom - top + 1);
    // The longer side becomes BOX pixels; the shorter keeps the aspect (at least one pixel).
    let scale = BOX as f64 / w.max(h) as f64;
    let (out_w, out_h) = (((w as f64 * scale).round() as usize).clamp(1, BOX), ((h as f64 * scale).round() as usize).clamp(1, BOX));
    let boxed = resample(ink, width, (left, top, w, h), out_w, out_h);
    // The centre of mass of the boxed ink goes to the field's centre, (14, 14) in pixel
    // centres' coordinates, shifted by whole pixels as MNIST's were.
    let mass: f64 = boxed.iter().map(|&v| f64::from(v)).sum();
    if mass <= 0.0 {
        return Err(Error::Data("nothing is drawn".into()));
    }
    let (mut cx, mut cy) = (0.0, 0.0);
    for y in 0..out_h {
        for x in 0..out_w {
            let v = f64::from(boxed[y * out_w + x]);
            cx += v * (x as f64 + 0.5);
            cy += v * (y as f64 + 0.5);
        }
    }
    let centre = SIDE as f64 / 2.0;
    let (dx, dy) = ((centre - cx / mass).round() as i64, (centre - cy / mass).round() as i64);
    let mut field = vec![0.0f32; PIXELS];
    for y in 0..out_h {
        for x in 0..out_w {
            let (fx, fy) = (x as i64 + dx, y as i64 + dy);
            if (0..SIDE as i64).contains(&fx) && (0..SIDE as i64).contains(&fy) {
                field[fy as usize * SIDE + fx as usize] = boxed[y * out_w + x];
            }
        }
    }
    Ok(field)
}

/// A picture's colours as ink in [0, 1] (1 the strongest), from `rgba` (`width × height`
/// pixels of four bytes, as a canvas gives them). The paper is what the picture's edge is: a
/// transparent edge makes the ink the opacity (strokes of any colour on nothing); otherwise
/// the grey (over white where partly transparent) of an edge lighter than mid-grey makes dark
/// the ink (pen on paper), of a darker one light (MNIST's own white on black). The ink is then
/// stretched so that the paper's grey (the edge's median) is 0 and the strongest ink 1: a
/// photographed page's grey paper is paper. A picture in which nothing stands out from its
/// edge is refused.
pub fn ink_of(rgba: &[u8], width: usize, height: usize) -> Result<Vec<f32>> {
    if width == 0 || height == 0 || width.checked_mul(height).and_then(|n| n.checked_mul(4)) != Some(rgba.len()) {
        return Err(Error::Data(format!("a {width} × {height} picture needs {} bytes, not {}", width.saturating_mul(height).saturating_mul(4), rgba.len())));
    }
    let pixel = |i: usize| {
        let p = &rgba[i * 4..i * 4 + 4];
        let alpha = f32::from(p[3]) / 255.0;
        let grey = (0.299 * f32::from(p[0]) + 0.587 * f32::from(p[1]) + 0.114 * f32::from(p[2])) / 255.0;
        (alpha * grey + (1.0 - alpha), alpha)
    };
    let edge: Vec<usize> = (0..width * height).filter(|&i| i % width == 0 || i % width == width - 1 || i / width == 0 || i / width == height - 1).collect();
    let transparent = edge.iter().map(|&i| pixel(i).1).sum::<f32>() / edge.len() as f32 <= 0.5;
    let mut grey_edge: Vec<f32> = edge.iter().map(|&i| pixel(i).0).collect();
    grey_edge.sort_by(f32::total_cmp);
    let paper_grey = grey_edge[grey_edge.len() / 2];
    let raw: Vec<f32> = (0..width * height)
        .map(|i| {
            let (grey, alpha) = pixel(i);
            if transparent { alpha } else if paper_grey > 0.5 { 1.0 - grey } else { grey }
        })
        .collect();
    let paper = if transparent { 0.0 } else if paper_grey > 0.5 { 1.0 - paper_grey } else { paper_grey };
    let strongest = raw.iter().copied().fold(0.0f32, f32::max);
    if strongest - paper < 0.1 {
        return Err(Error::Data("nothing in it stands out from its background".into()));
    }
    Ok(raw.into_iter().map(|v| ((v - paper) / (strongest - paper)).clamp(0.0, 1.0)).collect())
}

/// A visitor's picture (`rgba`, see [`ink_of`]) as one 28 × 28 input the MNIST way, in bytes
/// (0–255, 255 the strongest ink) as MNIST's IDX files hold them.
pub fn picture(rgba: &[u8], width: usize, height: usize) -> Result<Vec<u8>> {
    let field = mnist_way(&ink_of(rgba, width, height)?, width, height)?;
    Ok(field.into_iter().map(|v| (v.clamp(0.0, 1.0) * 255.0).round() as u8).collect())
}

/// The `(left, top, w, h)` region of `ink` (rows of `width`) resampled to `out_w × out_h` by
/// area: each output pixel is the mean of the input it covers, partial pixels weighted by the
/// share covered (the anti-aliasing of a box filter). Values are clamped to [0, 1].
fn resample(ink: &[f32], width: usize, (left, top, w, h): (usize, usize, usize, usize), out_w: usize, out_h: usize) -> Vec<f32> {
    // Per output column (row): the input columns (rows) it covers and how much of each.
    let weights = |inputs: usize, outputs: usize| -> Vec<Vec<(usize, f64)>> {
        let step = inputs as f64 / outputs as f64;
        (0..outputs)
            .map(|o| {
                let (from, to) = (o as f64 * step, (o + 1) as f64 * step);
                let mut cover = Vec::new();
                let mut i = from.floor() as usize;
                while (i as f64) < to && i < inputs {
                    let share = (to.min(i as f64 + 1.0) - from.max(i as f64)) / step;
                    if share > 0.0 {
                        cover.push((i, share));
                    }
                    i += 1;
                }
                cover
            })
            .collect()
    };
    let (across, down) = (weights(w, out_w), weights(h, out_h));
    let mut out = vec![0.0f32; out_w * out_h];
    for (oy, rows) in down.iter().enumerate() {
        for (ox, cols) in across.iter().enumerate() {
            let mut sum = 0.0;
            for &(y, wy) in rows {
                for &(x, wx) in cols {
                    sum += wy * wx * f64::from(ink[(top + y) * width + left + x].clamp(0.0, 1.0));
                }
            }
            out[oy * out_w + ox] = sum as f32;
        }
    }
    out
}

/// A stroke drawn with a round pen `pen` pixels wide through `points` (x, y), onto `ink`
/// (`width × height`), full ink inside the pen and a one-pixel soft edge: what a pad's canvas
/// draws, for tests and for digits drawn from a list of points.
pub fn stroke(ink: &mut [f32], width: usize, height: usize, points: &[(f32, f32)], pen: f32) {
    let radius = pen / 2.0;
    let mut paint = |px: f32, py: f32| {
        let (x0, x1) = ((px - radius - 1.0).floor().max(0.0) as usize, ((px + radius + 1.0).ceil() as usize).min(width));
        let (y0, y1) = ((py - radius - 1.0).floor().max(0.0) as usize, ((py + radius + 1.0).ceil() as usize).min(height));
        for y in y0..y1 {
            for x in x0..x1 {
                let d = ((x as f32 + 0.5 - px).powi(2) + (y as f32 + 0.5 - py).powi(2)).sqrt();
                let v = (radius + 0.5 - d).clamp(0.0, 1.0);
                let cell = &mut ink[y * width + x];
                *cell = cell.max(v);
            }
        }
    };
    for pair in points.windows(2) {
        let ((ax, ay), (bx, by)) = (pair[0], pair[1]);
        let steps = ((bx - ax).hypot(by - ay) / 1.0).ceil().max(1.0) as usize;
        for i in 0..=steps {
            let t = i as f32 / steps as f32;
            paint(ax + t * (bx - ax), ay + t * (by - ay));
        }
    }
    if let [(x, y)] = points {
        paint(*x, *y);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(width: usize, height: usize, (x0, y0, x1, y1): (usize, usize, usize, usize)) -> Vec<f32> {
        let mut ink = vec![0.0; width * height];
        for y in y0..y1 {
            for x in x0..x1 {
                ink[y * width + x] = 1.0;
            }
        }
        ink
    }

    fn centre_of_mass(field: &[f32]) -> (f64, f64) {
        let mass: f64 = field.iter().map(|&v| f64::from(v)).sum();
        let (mut cx, mut cy) = (0.0, 0.0);
        for (i, &v) in field.iter().enumerate() {
            cx += f64::from(v) * ((i % SIDE) as f64 + 0.5);
            cy += f64::from(v) * ((i / SIDE) as f64 + 0.5);
        }
        (cx / mass, cy / mass)
    }

    #[test]
    fn a_square_anywhere_fills_the_box_at_the_centre() {
        for at in [(0, 0), (150, 30), (200, 200)] {
            let ink = bar(280, 280, (at.0, at.1, at.0 + 80, at.1 + 80));
            let field = mnist_way(&ink, 280, 280).unwrap();
            let full = field.iter().filter(|&&v| v > 0.99).count();
            assert_eq!(full, BOX * BOX, "{at:?}");
            let (cx, cy) = centre_of_mass(&field);
            assert!((cx - 14.0).abs() < 0.01 && (cy - 14.0).abs() < 0.01, "{cx} {cy}");
        }
    }

    #[test]
    fn a_tall_stroke_keeps_its_aspect_and_mass_is_kept_by_area() {
        // 40 wide, 200 tall: 4 × 20 after scaling by 0.1, every covered pixel full.
        let field = mnist_way(&bar(300, 300, (100, 50, 140, 250)), 300, 300).unwrap();
        assert_eq!(field.iter().filter(|&&v| v > 0.99).count(), 4 * 20);
        assert!(field.iter().all(|&v| v < 0.01 || v > 0.99));
        // Two bars, 100–110 and 125–140, make a 40-wide box: its four columns cover 100–110
        // (full), 110–120 (empty), 120–130 (half inked) and 130–140 (full).
        let mut ink = bar(300, 300, (100, 50, 110, 250));
        for (a, b) in ink.iter_mut().zip(bar(300, 300, (125, 50, 140, 250))) {
            *a = a.max(b);
        }
        let field = mnist_way(&ink, 300, 300).unwrap();
        let row: Vec<f32> = field[14 * SIDE..15 * SIDE].iter().copied().filter(|&v| v > 0.0).collect();
        assert_eq!(row, [1.0, 0.5, 1.0], "anti-aliased by area: {row:?}");
    }

    #[test]
    fn bad_pictures_are_refused() {
        assert!(mnist_way(&[0.0; 100], 10, 10).unwrap_err().to_string().contains("nothing is drawn"));
        assert!(mnist_way(&[0.0; 99], 10, 10).unwrap_err().to_string().contains("needs 100 values"));
        assert!(mnist_way(&[f32::NAN; 100], 10, 10).is_err());
        assert!(mnist_way(&[], 0, 0).is_err());
        let mut dot = vec![0.0; 100];
        dot[55] = 1.0;
        let field = mnist_way(&dot, 10, 10).unwrap();
        assert_eq!(field.iter().filter(|&&v| v > 0.99).count(), BOX * BOX, "one dot fills the box, as MNIST would scale it");
    }

    /// A `width × height` picture of `paper` with a `pen`-coloured bar, as RGBA.
    fn painted(width: usize, height: usize, paper: [u8; 4], pen: [u8; 4], (x0, y0, x1, y1): (usize, usize, usize, usize)) -> Vec<u8> {
        (0..width * height).flat_map(|i| if (x0..x1).contains(&(i % width)) && (y0..y1).contains(&(i / width)) { pen } else { paper }).collect()
    }

    #[test]
    fn a_picture_is_the_same_input_whatever_its_colours() {
        let bar = (30, 10, 45, 70);
        let white_on_black = picture(&painted(80, 90, [0, 0, 0, 255], [255, 255, 255, 255], bar), 80, 90).unwrap();
        assert_eq!(white_on_black.iter().filter(|&&v| v == 255).count(), 5 * 20, "15 × 60 scaled by 1/3");
        for (paper, pen) in [
            ([255, 255, 255, 255], [0, 0, 0, 255]),     // pen on paper
            ([200, 190, 180, 255], [20, 40, 160, 255]), // blue ink on a grey photographed page
            ([0, 0, 0, 0], [255, 0, 0, 255]),           // red strokes on nothing
            ([0, 60, 0, 255], [250, 250, 0, 255]),      // yellow on dark green
        ] {
            assert_eq!(picture(&painted(80, 90, paper, pen, bar), 80, 90).unwrap(), white_on_black, "{paper:?} {pen:?}");
        }
        let flat = painted(40, 40, [120, 120, 120, 255], [125, 125, 125, 255], (10, 10, 20, 20));
        assert!(picture(&flat, 40, 40).unwrap_err().to_string().contains("stands out"));
        assert!(picture(&[0; 15], 2, 2).unwrap_err().to_string().contains("needs 16 bytes"));
        assert!(picture(&[], 0, 3).is_err());
    }

    #[test]
    fn a_stroke_is_inked_along_its_path() {
        let mut ink = vec![0.0; 100 * 100];
        stroke(&mut ink, 100, 100, &[(10.0, 50.0), (90.0, 50.0)], 10.0);
        assert!(ink[50 * 100 + 50] > 0.99 && ink[46 * 100 + 50] > 0.99);
        assert_eq!(ink[40 * 100 + 50], 0.0);
        assert_eq!(ink[50 * 100 + 97], 0.0, "the round cap ends a radius past the end");
    }
}
