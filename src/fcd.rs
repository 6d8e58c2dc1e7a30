//! The Fréchet distance between two sets of vectors, each summarized by a Gaussian: the core of
//! the paper's Fréchet Classifier Distance (FCD), and a direct measure of how well generated
//! latent codes match the encoder's.
//!
//! d² = ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2(Σ₁Σ₂)^½), with full covariances. Σ₁Σ₂ is not symmetric, so
//! its square root is not taken directly: Tr (Σ₁Σ₂)^½ = Tr (Σ₁^½ Σ₂ Σ₁^½)^½, and the inner
//! matrix is symmetric positive semi-definite, so both roots come from symmetric
//! eigen-decompositions (cyclic Jacobi, in f64), which stay real and stable where a general
//! matrix square root can turn complex from round-off.
//!
//! FCD compares like with like: every image, generated or real, is binarized (p ≥ ½ → 1) before
//! the classifier sees it. (The paper's code compared binary samples with grayscale digits, which
//! inflates every score.)

use burn::prelude::*;

use crate::data::PIXELS;
use crate::error::{Error, Result};
use crate::models::classifier::{Classifier, FEATURES, binarized};
use crate::device::read_all;

/// Images per forward pass of the classifier: its activations for thousands at once would
/// take gigabytes.
const FEATURE_BATCH: usize = 500;

/// The classifier's penultimate features of `images` (`count × 784` pixel values in [0, 1],
/// binarized here), `count × 64`.
pub async fn classifier_features(classifier: &Classifier, images: &[f32], device: &Device) -> Result<Vec<f32>> {
    if images.is_empty() || images.len() % PIXELS != 0 {
        return Err(Error::Data(format!("images must come in whole rows of {PIXELS} pixels")));
    }
    let mut pending = Vec::new();
    for chunk in images.chunks(FEATURE_BATCH * PIXELS) {
        pending.push(classifier.features(binarized(chunk, device)).flatten::<1>(0, 1));
    }
    Ok(read_all(pending).await?.concat())
}

/// The Gaussian fitted to the classifier's features of `images`: one side of an FCD, worth
/// keeping when many sets are compared with the same reference.
pub async fn feature_gaussian(classifier: &Classifier, images: &[f32], device: &Device) -> Result<Gaussian> {
    Gaussian::fit(&classifier_features(classifier, images, device).await?, FEATURES)
}

/// The Fréchet Classifier Distance between two sets of images (`count × 784` each).
pub async fn fcd(classifier: &Classifier, a: &[f32], b: &[f32], device: &Device) -> Result<f64> {
    let a = feature_gaussian(classifier, a, device).await?;
    frechet_distance(&a, &feature_gaussian(classifier, b, device).await?)
}

/// The mean and full covariance of a set of vectors.
#[derive(Clone, Debug, PartialEq)]
pub struct Gaussian {
    /// Length of each vector.
    pub dim: usize,
    /// The mean, `dim` values.
    pub mean: Vec<f64>,
    /// The covariance (divided by n − 1), `dim × dim`, row-major.
    pub cov: Vec<f64>,
}

impl Gaussian {
    /// Fits the mean and covariance of `rows` (`dim` floats each; at least two rows).
    pub fn fit(rows: &[f32], dim: usize) -> Result<Gaussian> {
        if dim == 0 || rows.len() % dim != 0 || rows.len() / dim < 2 {
            return Err(Error::Data(format!("need at least 2 whole vectors of {dim} values to fit a Gaussian")));
        }
        if rows.iter().any(|v| !v.is_finite()) {
            return Err(Error::NonFinite("the vectors hold NaN or infinite values".into()));
        }
        let n = rows.len() / dim;
        let mut mean = vec![0.0; dim];
        for row in rows.chunks(dim) {
            for (m, &v) in mean.iter_mut().zip(row) {
                *m += f64::from(v);
            }
        }
        mean.iter_mut().for_each(|m| *m /= n as f64);
        let mut cov = vec![0.0; dim * dim];
        let mut centred = vec![0.0; dim];
        for row in rows.chunks(dim) {
            for ((c, &v), m) in centred.iter_mut().zip(row).zip(&mean) {
                *c = f64::from(v) - m;
            }
            for i in 0..dim {
                let ci = centred[i];
                for j in i..dim {
                    cov[i * dim + j] += ci * centred[j];
                }
            }
        }
        for i in 0..dim {
            for j in i..dim {
                let v = cov[i * dim + j] / (n - 1) as f64;
                cov[i * dim + j] = v;
                cov[j * dim + i] = v;
            }
        }
        Ok(Gaussian { dim, mean, cov })
    }
}

/// The squared Fréchet distance between two Gaussians of the same dimension.
pub fn frechet_distance(a: &Gaussian, b: &Gaussian) -> Result<f64> {
    if a.dim != b.dim {
        return Err(Error::Data(format!("cannot compare {}-d with {}-d features", a.dim, b.dim)));
    }
    let n = a.dim;
    let mean_term: f64 = a.mean.iter().zip(&b.mean).map(|(x, y)| (x - y).powi(2)).sum();
    let trace = |m: &[f64]| (0..n).map(|i| m[i * n + i]).sum::<f64>();
    let root_a = sqrt_psd(&a.cov, n);
    let inner = matmul(&matmul(&root_a, &b.cov, n), &root_a, n);
    let (values, _) = symmetric_eigen(&inner, n);
    let cross: f64 = values.iter().map(|v| v.max(0.0).sqrt()).sum();
    Ok((mean_term + trace(&a.cov) + trace(&b.cov) - 2.0 * cross).max(0.0))
}

/// The square root of a symmetric positive semi-definite matrix; negative eigenvalues from
/// round-off are treated as zero.
pub fn sqrt_psd(matrix: &[f64], n: usize) -> Vec<f64> {
    let (values, vectors) = symmetric_eigen(matrix, n);
    let mut root = vec![0.0; n * n];
    for (k, value) in values.iter().enumerate() {
        let s = value.max(0.0).sqrt();
        for i in 0..n {
            let vik = vectors[i * n + k] * s;
            for j in 0..n {
                root[i * n + j] += vik * vectors[j * n + k];
            }
        }
    }
    root
}

/// Eigenvalues and eigenvectors (as the columns of a row-major `n × n` matrix) of a symmetric
/// matrix, by cyclic Jacobi rotations: slow for large n, but exact to round-off and simple.
pub fn symmetric_eigen(matrix: &[f64], n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut a = matrix.to_vec();
    let mut v = vec![0.0; n * n];
    (0..n).for_each(|i| v[i * n + i] = 1.0);
    let scale: f64 = a.iter().map(|x| x * x).sum::<f64>().max(f64::MIN_POSITIVE);
    for _sweep in 0..100 {
        let off: f64 = (0..n).flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j))).map(|(i, j)| a[i * n + j].powi(2)).sum();
        if off <= 1e-30 * scale {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = a[p * n + q];
                if apq == 0.0 {
                    continue;
                }
                // The rotation that zeroes a[p][q] (Golub & Van Loan, Algorithm 8.4.1).
                let theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let (akp, akq) = (a[k * n + p], a[k * n + q]);
                    a[k * n + p] = c * akp - s * akq;
                    a[k * n + q] = s * akp + c * akq;
                }
                for k in 0..n {
                    let (apk, aqk) = (a[p * n + k], a[q * n + k]);
                    a[p * n + k] = c * apk - s * aqk;
                    a[q * n + k] = s * apk + c * aqk;
                }
                for k in 0..n {
                    let (vkp, vkq) = (v[k * n + p], v[k * n + q]);
                    v[k * n + p] = c * vkp - s * vkq;
                    v[k * n + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    ((0..n).map(|i| a[i * n + i]).collect(), v)
}

fn matmul(a: &[f64], b: &[f64], n: usize) -> Vec<f64> {
    let mut out = vec![0.0; n * n];
    for i in 0..n {
        for k in 0..n {
            let aik = a[i * n + k];
            for j in 0..n {
                out[i * n + j] += aik * b[k * n + j];
            }
        }
    }
    out
}
