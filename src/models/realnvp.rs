//! RealNVP (Dinh et al.), the flow of FlowAE (paper §4.2), written for this project.
//!
//! The flow F maps base noise z0 ~ N(0, I) to latent codes z = F(z0). It is a stack of affine
//! coupling layers: each keeps one half of the coordinates and scales and shifts the other half
//! by amounts computed from the kept half, so both directions and the log-determinant are exact
//! and cheap. The halves alternate from layer to layer so every coordinate is transformed.
//!
//! Two choices beyond the paper, both for stability on raw autoencoder codes:
//! - the log-scale of every coupling is bounded, s = a ⊙ tanh(ŝ) with a learned a (initially
//!   1), so one step can never multiply by e^1000 and overflow (the reference code's unbounded
//!   exp(s) could);
//! - an ActNorm layer, initialized from the data to standardize each coordinate, sits on the
//!   latent side: autoencoder codes are not centred or of unit scale, and without it the bounded
//!   couplings would spend their range on a global shift and scale.

use burn::module::Param;
use burn::nn::{Linear, LinearConfig};

use super::init::Init;
use burn::prelude::*;
use burn::tensor::TensorData;

use crate::error::{Error, Result};
use crate::limits;

/// The shape of a [`RealNvp`].
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RealNvpConfig {
    /// Number of affine coupling layers (paper: 5).
    pub layers: usize,
    /// Width of the single hidden layer of each scale and shift network.
    pub hidden: usize,
}

impl Default for RealNvpConfig {
    fn default() -> Self {
        RealNvpConfig { layers: 5, hidden: 64 }
    }
}

/// tanh: one pass forward and one backward on the CPU backend (`super::fused`), burn's elsewhere.
fn tanh(x: Tensor<2>) -> Tensor<2> {
    super::fused::tanh(x).unwrap_or_else(burn::tensor::activation::tanh)
}

/// One affine coupling layer: the `keep` half conditions the other half.
#[derive(Module, Debug)]
pub struct Coupling {
    scale_hidden: Linear,
    scale_out: Linear,
    scale_bound: Param<Tensor<1>>,
    shift_hidden: Linear,
    shift_out: Linear,
    /// Whether the first half (true) or the second half (false) is kept.
    keep_first: bool,
}

/// Per-coordinate affine standardization: u = (z − bias) ⊙ exp(−log_scale).
#[derive(Module, Debug)]
pub struct ActNorm {
    bias: Param<Tensor<1>>,
    log_scale: Param<Tensor<1>>,
}

/// The flow: ActNorm on the latent side, then the couplings.
#[derive(Module, Debug)]
pub struct RealNvp {
    norm: ActNorm,
    couplings: Vec<Coupling>,
    dim: usize,
}

impl RealNvpConfig {
    /// Refuses shapes that cannot make a flow.
    pub fn validate(&self) -> Result<()> {
        limits::check("coupling layers", self.layers, &limits::COUPLING_LAYERS)?;
        limits::check("flow hidden width", self.hidden, &limits::WIDTH)
    }

    /// Builds a flow over `dim`-dimensional codes whose ActNorm standardizes data with the
    /// given per-coordinate `mean` and `std`. Starts close to the identity after the ActNorm:
    /// the output layers of the coupling networks start at zero.
    pub fn init(&self, dim: usize, mean: &[f32], std: &[f32], init: &mut Init, device: &Device) -> Result<RealNvp> {
        self.validate()?;
        if dim < 2 || mean.len() != dim || std.len() != dim {
            return Err(Error::Config(format!("a flow needs at least 2 dimensions and one mean and std per dimension (got {dim})")));
        }
        if std.iter().any(|s| !(s.is_finite() && *s > 0.0)) || mean.iter().any(|m| !m.is_finite()) {
            return Err(Error::Data("the latent codes have a non-finite or zero spread".into()));
        }
        let vector = |v: Vec<f32>| Param::from_tensor(Tensor::<1>::from_data(TensorData::new(v, [dim]), device));
        let norm = ActNorm {
            bias: vector(mean.to_vec()),
            log_scale: vector(std.iter().map(|s| s.ln()).collect()),
        };
        let couplings = (0..self.layers)
            .map(|i| {
                let keep_first = i % 2 == 0;
                let (kept, changed) = halves(dim, keep_first);
                let zeroed = |d_in, d_out| {
                    LinearConfig::new(d_in, d_out)
                        .with_initializer(burn::nn::Initializer::Zeros)
                        .init(device)
                };
                Coupling {
                    scale_hidden: init.linear(kept, self.hidden, device),
                    scale_out: zeroed(self.hidden, changed),
                    scale_bound: Param::from_tensor(Tensor::ones([changed], device)),
                    shift_hidden: init.linear(kept, self.hidden, device),
                    shift_out: zeroed(self.hidden, changed),
                    keep_first,
                }
            })
            .collect();
        Ok(RealNvp { norm, couplings, dim })
    }
}

/// Sizes of the kept and changed halves of a `dim`-vector.
fn halves(dim: usize, keep_first: bool) -> (usize, usize) {
    let first = dim / 2;
    if keep_first { (first, dim - first) } else { (dim - first, first) }
}

impl Coupling {
    /// Splits `x` into its (kept, changed) halves.
    fn split(&self, x: Tensor<2>) -> (Tensor<2>, Tensor<2>) {
        let [_, dim] = x.dims();
        let first = dim / 2;
        let a = x.clone().narrow(1, 0, first);
        let b = x.narrow(1, first, dim - first);
        if self.keep_first { (a, b) } else { (b, a) }
    }

    fn join(&self, kept: Tensor<2>, changed: Tensor<2>) -> Tensor<2> {
        if self.keep_first { Tensor::cat(vec![kept, changed], 1) } else { Tensor::cat(vec![changed, kept], 1) }
    }

    /// Log-scale and shift for the changed half, from the kept half.
    fn scale_shift(&self, kept: Tensor<2>) -> (Tensor<2>, Tensor<2>) {
        let s = self.scale_out.forward(tanh(self.scale_hidden.forward(kept.clone())));
        let s = tanh(s) * self.scale_bound.val().unsqueeze::<2>();
        let t = self.shift_out.forward(tanh(self.shift_hidden.forward(kept)));
        (s, t)
    }

    /// Base side → latent side: y = x ⊙ exp(s) + t on the changed half.
    fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        self.forward_log_det(x).0
    }

    /// [`Coupling::forward`], with log|det ∂y/∂x| per sample: Σ s.
    fn forward_log_det(&self, x: Tensor<2>) -> (Tensor<2>, Tensor<1>) {
        let (kept, changed) = self.split(x);
        let (s, t) = self.scale_shift(kept.clone());
        let log_det = s.clone().sum_dim(1).squeeze_dim::<1>(1);
        (self.join(kept, changed * s.exp() + t), log_det)
    }

    /// Latent side → base side, with log|det| of this inverse per sample: −Σ s.
    fn inverse(&self, y: Tensor<2>) -> (Tensor<2>, Tensor<1>) {
        let (kept, changed) = self.split(y);
        let (s, t) = self.scale_shift(kept.clone());
        let log_det = s.clone().sum_dim(1).neg().squeeze_dim::<1>(1);
        (self.join(kept, (changed - t) * s.neg().exp()), log_det)
    }
}

impl ActNorm {
    fn forward(&self, u: Tensor<2>) -> Tensor<2> {
        u * self.log_scale.val().exp().unsqueeze::<2>() + self.bias.val().unsqueeze::<2>()
    }

    fn inverse(&self, z: Tensor<2>) -> (Tensor<2>, Tensor<1>) {
        let [batch, _] = z.dims();
        let u = (z - self.bias.val().unsqueeze::<2>()) * self.log_scale.val().neg().exp().unsqueeze::<2>();
        let log_det = self.log_scale.val().sum().neg().expand([batch]);
        (u, log_det)
    }
}

impl RealNvp {
    /// The dimension of the codes it models.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// F: base noise `[batch, k]` → latent codes `[batch, k]` (sampling).
    pub fn forward(&self, z0: Tensor<2>) -> Tensor<2> {
        let u = self.couplings.iter().rev().fold(z0, |x, c| c.forward(x));
        self.norm.forward(u)
    }

    /// F⁻¹: latent codes → base noise, with log|det ∂F⁻¹/∂z| per sample (density).
    pub fn inverse(&self, z: Tensor<2>) -> (Tensor<2>, Tensor<1>) {
        let (u, log_det) = self.norm.inverse(z);
        self.couplings.iter().fold((u, log_det), |(x, total), c| {
            let (x, ld) = c.inverse(x);
            (x, total + ld)
        })
    }

    /// The transforms of F one at a time, for showing the flow layer by layer: the points
    /// before and after each (base draws, then after each coupling layer in the order F applies
    /// them, then after the ActNorm: the codes, `layers + 2` stages), and each transform's
    /// log|det ∂y/∂x| per point. The last stage is [`RealNvp::forward`]'s codes, computed the
    /// same way.
    pub fn forward_stages(&self, z0: Tensor<2>) -> (Vec<Tensor<2>>, Vec<Tensor<1>>) {
        let mut stages = vec![z0.clone()];
        let mut log_dets = Vec::with_capacity(self.couplings.len() + 1);
        let x = self.couplings.iter().rev().fold(z0, |x, c| {
            let (y, log_det) = c.forward_log_det(x);
            stages.push(y.clone());
            log_dets.push(log_det);
            y
        });
        let [batch, _] = x.dims();
        log_dets.push(self.norm.log_scale.val().sum().expand([batch]));
        stages.push(self.norm.forward(x));
        (stages, log_dets)
    }

    /// The same stages reached from the codes' side, F⁻¹ one transform at a time (a drawn
    /// digit's code pulled back to the Gaussian), in F's order (base side first), with each
    /// transform's log|det| in F's direction (minus F⁻¹'s).
    pub fn inverse_stages(&self, z: Tensor<2>) -> (Vec<Tensor<2>>, Vec<Tensor<1>>) {
        let (u, norm_log_det) = self.norm.inverse(z.clone());
        let mut stages = vec![z, u.clone()];
        let mut log_dets = vec![norm_log_det.neg()];
        self.couplings.iter().fold(u, |y, c| {
            let (x, log_det) = c.inverse(y);
            stages.push(x.clone());
            log_dets.push(log_det.neg());
            x
        });
        stages.reverse();
        log_dets.reverse();
        (stages, log_dets)
    }

    /// Coupling layers, for naming the stages.
    pub fn layers(&self) -> usize {
        self.couplings.len()
    }

    /// −log q(z) per sample, in nats: −log N(F⁻¹(z); 0, I) − log|det ∂F⁻¹/∂z| (paper eq. 4).
    pub fn negative_log_likelihood(&self, z: Tensor<2>) -> Tensor<1> {
        let (z0, log_det) = self.inverse(z);
        let half_log_two_pi = 0.5 * (2.0 * std::f64::consts::PI).ln();
        let log_base = z0.powi_scalar(2).sum_dim(1).squeeze_dim::<1>(1).mul_scalar(-0.5)
            .sub_scalar(half_log_two_pi * self.dim as f64);
        (log_base + log_det).neg()
    }
}
