//! The latent map: pictures of ten-dimensional codes on a plane (the paper's Figure 7).
//!
//! [`Pca`] is the instant preview: a linear projection onto the two directions of largest
//! variance, which also places codes it was not fitted on (generated ones) in the same frame.
//! [`Tsne`] is the slow, faithful one: it keeps each code's neighbours near it, so clusters of
//! digits show as islands. [`neighbour_agreement`] puts a number on how well a map keeps labels
//! together; [`LatentMap`] puts digits and generated codes on one map.

mod latent;
mod quadtree;
mod tsne;

pub use latent::{LatentMap, LatentMapConfig, Overlay};
pub use tsne::{Tsne, TsneConfig};

use crate::fcd::{symmetric_eigen, Gaussian};
use crate::{Error, Result};

/// A projection onto the first two principal components of the points it was fitted on.
#[derive(Clone, Debug)]
pub struct Pca {
    dim: usize,
    mean: Vec<f64>,
    /// The two directions, largest variance first, `dim` values each.
    axes: [Vec<f64>; 2],
    /// The share of the total variance each direction carries.
    pub explained: [f64; 2],
}

impl Pca {
    /// Fits the mean and the two leading eigenvectors of the covariance of `points`.
    pub fn fit(points: &[f32], dim: usize) -> Result<Pca> {
        if dim < 2 {
            return Err(Error::Data(format!("a map needs points of at least 2 dimensions (got {dim})")));
        }
        let gaussian = Gaussian::fit(points, dim)?;
        let (values, vectors) = symmetric_eigen(&gaussian.cov, dim);
        let mut order: Vec<usize> = (0..dim).collect();
        order.sort_by(|&a, &b| values[b].total_cmp(&values[a]));
        let total: f64 = values.iter().map(|v| v.max(0.0)).sum();
        let axis = |k: usize| (0..dim).map(|i| vectors[i * dim + k]).collect::<Vec<f64>>();
        let share = |k: usize| if total > 0.0 { values[k].max(0.0) / total } else { 0.0 };
        Ok(Pca { dim, mean: gaussian.mean, axes: [axis(order[0]), axis(order[1])], explained: [share(order[0]), share(order[1])] })
    }

    /// The code on the plane at 2-D position (`x`, `y`): mean + x·first axis + y·second axis.
    pub fn unproject(&self, x: f32, y: f32) -> Vec<f32> {
        (0..self.dim).map(|i| (self.mean[i] + f64::from(x) * self.axes[0][i] + f64::from(y) * self.axes[1][i]) as f32).collect()
    }

    /// The 2-D coordinates (x, y interleaved) of `points` in this projection.
    pub fn project(&self, points: &[f32]) -> Result<Vec<f32>> {
        if points.len() % self.dim != 0 {
            return Err(Error::Data(format!("{} values are not whole points of {}", points.len(), self.dim)));
        }
        let mut out = Vec::with_capacity(points.len() / self.dim * 2);
        for row in points.chunks_exact(self.dim) {
            for axis in &self.axes {
                let v: f64 = row.iter().zip(&self.mean).zip(axis).map(|((&x, m), a)| (f64::from(x) - m) * a).sum();
                out.push(v as f32);
            }
        }
        Ok(out)
    }
}

/// The share of points whose `k` nearest neighbours (among `points`, `dim` floats each) mostly
/// carry the point's own label: 1 when every neighbourhood is pure, about 1/classes when labels
/// are scattered. It measures a map (dim 2) or the codes themselves, on the same scale.
pub fn neighbour_agreement(points: &[f32], dim: usize, labels: &[u8], k: usize) -> Result<f64> {
    if dim == 0 || points.len() != labels.len() * dim {
        return Err(Error::Data(format!("{} values do not fit {} labelled points of {dim}", points.len(), labels.len())));
    }
    let n = labels.len();
    if k == 0 || k >= n {
        return Err(Error::Config(format!("k must be between 1 and {} (got {k})", n.saturating_sub(1))));
    }
    let mut agree = 0usize;
    let mut scratch = Vec::with_capacity(n);
    for i in 0..n {
        let same = nearest(points, dim, i, k, &mut scratch).iter().filter(|&&(_, j)| labels[j as usize] == labels[i]).count();
        if 2 * same > k {
            agree += 1;
        }
    }
    Ok(agree as f64 / n as f64)
}

/// The `k` points of `points` (`dim` floats each) nearest to point `i`, itself left out, as
/// (squared distance, index) in no particular order; `scratch` is reused between calls. Brute
/// force: a few thousand ten-dimensional codes take well under a second.
pub(crate) fn nearest<'a>(points: &[f32], dim: usize, i: usize, k: usize, scratch: &'a mut Vec<(f64, u32)>) -> &'a mut [(f64, u32)] {
    let n = points.len() / dim;
    let xi = &points[i * dim..(i + 1) * dim];
    scratch.clear();
    scratch.extend((0..n).filter(|&j| j != i).map(|j| {
        let d: f64 = xi.iter().zip(&points[j * dim..(j + 1) * dim]).map(|(a, b)| f64::from(a - b).powi(2)).sum();
        (d, j as u32)
    }));
    scratch.select_nth_unstable_by(k - 1, |a, b| a.0.total_cmp(&b.0));
    &mut scratch[..k]
}

/// The `k` points of `points` (`dim` floats each) nearest to `point`, a point not among them
/// (a drawn digit's code), nearest first. Brute force, as [`nearest`].
pub fn nearest_to(points: &[f32], dim: usize, point: &[f32], k: usize) -> Vec<usize> {
    let mut distances: Vec<(f32, usize)> =
        points.chunks_exact(dim).enumerate().map(|(j, p)| (p.iter().zip(point).map(|(a, b)| (a - b) * (a - b)).sum::<f32>(), j)).collect();
    let k = k.min(distances.len());
    if k == 0 {
        return Vec::new();
    }
    distances.select_nth_unstable_by(k - 1, |a, b| a.0.total_cmp(&b.0));
    let mut nearest = distances[..k].to_vec();
    nearest.sort_by(|a, b| a.0.total_cmp(&b.0));
    nearest.into_iter().map(|(_, j)| j).collect()
}
