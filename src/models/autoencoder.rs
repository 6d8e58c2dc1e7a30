//! The autoencoder both FlowAE and AdvAE stand on (paper §4.1).
//!
//! Encoder f_φ: 784 → 300 → 300 → 10 and decoder f_θ: 10 → 300 → 300 → 784, hidden layers
//! Linear → BatchNorm → ELU, a linear latent and 784 logits out. It is trained alone on the
//! reconstruction loss and then frozen; the latent codes it induces, p_φ(z), are what the flow and
//! the WGAN learn to sample. On its own it cannot sample: decoding z ~ N(0, I) lands wherever
//! N(0, I) happens to overlap the codes, which is the paper's motivation.
//!
//! The same networks make the paper's VAE baseline: its encoder outputs a mean and a
//! log-variance for each latent dimension (2k outputs), and [`Encoder::forward`] then gives the
//! mean, which is the VAE's code for a digit.

use burn::prelude::*;
use burn::tensor::activation::{relu, sigmoid};

use super::init::Init;
use super::mlp::{Mlp, MlpConfig};
use crate::data::PIXELS;
use crate::error::Result;
use crate::limits;

/// Widths of the autoencoder.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AutoencoderConfig {
    /// Width of both hidden layers of the encoder and of the decoder (paper: 300).
    pub hidden: usize,
    /// Dimension k of the latent space (paper: 10).
    pub latent: usize,
    /// A VAE's encoder: a mean and a log-variance per latent dimension.
    pub variational: bool,
}

impl Default for AutoencoderConfig {
    fn default() -> Self {
        AutoencoderConfig { hidden: 300, latent: 10, variational: false }
    }
}

/// The encoder f_φ: image → latent code z.
#[derive(Module, Debug)]
pub struct Encoder {
    net: Mlp,
    variational: bool,
}

/// The decoder f_θ: latent code → 784 pixel logits (sigmoid gives Bernoulli means).
#[derive(Module, Debug)]
pub struct Decoder {
    net: Mlp,
}

/// Encoder and decoder, trained together on reconstruction.
#[derive(Module, Debug)]
pub struct Autoencoder {
    /// f_φ.
    pub encoder: Encoder,
    /// f_θ.
    pub decoder: Decoder,
}

impl AutoencoderConfig {
    /// Refuses widths that cannot make a network, before anything is allocated.
    pub fn validate(&self) -> Result<()> {
        limits::check("hidden width", self.hidden, &limits::WIDTH)?;
        limits::check("latent size", self.latent, &limits::LATENT)
    }

    /// Builds an untrained autoencoder on `device`, its weights from `init` (the encoder's
    /// first).
    pub fn init(&self, init: &mut Init, device: &Device) -> Result<Autoencoder> {
        self.validate()?;
        let stack = |input, output| MlpConfig {
            input,
            hidden: vec![self.hidden, self.hidden],
            output,
            batch_norm: true,
        };
        Ok(Autoencoder {
            encoder: Encoder {
                net: stack(PIXELS, if self.variational { 2 * self.latent } else { self.latent }).init(init, device),
                variational: self.variational,
            },
            decoder: Decoder { net: stack(self.latent, PIXELS).init(init, device) },
        })
    }
}

impl Encoder {
    /// The latent dimension k.
    pub fn latent(&self) -> usize {
        if self.variational { self.net.outputs() / 2 } else { self.net.outputs() }
    }

    /// Whether this is a VAE's encoder.
    pub fn is_variational(&self) -> bool {
        self.variational
    }

    /// `[batch, 784]` pixels → `[batch, k]` codes (for a VAE, the posterior means).
    pub fn forward(&self, images: Tensor<2>) -> Tensor<2> {
        let out = self.net.forward(images);
        if self.variational { out.narrow(1, 0, self.latent()) } else { out }
    }

    /// A VAE encoder's posterior q(z | x) = N(μ, diag(exp(log σ²))): `([batch, k] μ,
    /// [batch, k] log σ²)`. A plain encoder's code with log σ² = −∞ would be the same thing, but
    /// only the VAE calls this.
    pub fn posterior(&self, images: Tensor<2>) -> (Tensor<2>, Tensor<2>) {
        let k = self.latent();
        let out = self.net.forward(images);
        (out.clone().narrow(1, 0, k), out.narrow(1, k, k))
    }
}

/// The VAE's loss for a batch: the negative evidence lower bound, in nats per image, from the
/// posterior (μ, log σ²), the noise ε ~ N(0, I) that draws z = μ + σ·ε from it, and the
/// decoder. −ELBO = E_q[−log p(x | z)] (one draw, Bernoulli decoder) + KL(q(z | x) ‖ N(0, I)),
/// with KL = ½ Σ (μ² + σ² − log σ² − 1).
pub fn negative_elbo(decoder: &Decoder, images: Tensor<2>, mean: Tensor<2>, log_var: Tensor<2>, noise: Tensor<2>) -> Tensor<1> {
    let [batch, _] = mean.dims();
    let z = mean.clone() + log_var.clone().mul_scalar(0.5).exp() * noise;
    let reconstruction = bce_with_logits(decoder.forward(z), images);
    let kl = (mean.powi_scalar(2) + log_var.clone().exp() - log_var).sub_scalar(1.0).sum().mul_scalar(0.5).div_scalar(batch as f64);
    reconstruction + kl
}

impl Decoder {
    /// `[batch, k]` codes → `[batch, 784]` logits.
    pub fn forward(&self, codes: Tensor<2>) -> Tensor<2> {
        self.net.forward(codes)
    }

    /// `[batch, k]` codes → `[batch, 784]` pixel probabilities.
    pub fn probabilities(&self, codes: Tensor<2>) -> Tensor<2> {
        sigmoid(self.forward(codes))
    }
}

impl Autoencoder {
    /// Reconstruction logits of `[batch, 784]` images.
    pub fn forward(&self, images: Tensor<2>) -> Tensor<2> {
        self.decoder.forward(self.encoder.forward(images))
    }
}

/// Binary cross-entropy between pixel targets in [0, 1] and logits, summed over the pixels of
/// each image and averaged over the batch (paper eq. 3, as the reference code computed it).
///
/// Written as max(l, 0) − l·x + log(1 + e^−|l|), which never overflows: a logit of 100 or
/// −100 costs what it should instead of producing ∞ − ∞. One pass forward and one backward on
/// the CPU backend ([`super::fused`]), [`bce_composed`] elsewhere.
pub fn bce_with_logits(logits: Tensor<2>, targets: Tensor<2>) -> Tensor<1> {
    let [batch, _] = logits.dims();
    match super::fused::bce_with_logits_sum(logits, targets, 1.0 / batch as f32) {
        Ok(loss) => loss,
        Err((logits, targets)) => bce_composed(logits, targets),
    }
}

/// [`bce_with_logits`] from tensor operations: what WebGPU runs.
pub fn bce_composed(logits: Tensor<2>, targets: Tensor<2>) -> Tensor<1> {
    let [batch, _] = logits.dims();
    let softplus_neg_abs = logits.clone().abs().neg().exp().add_scalar(1.0).log();
    let per_pixel = relu(logits.clone()) - logits * targets + softplus_neg_abs;
    per_pixel.sum().div_scalar(batch as f64)
}
