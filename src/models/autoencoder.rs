//! The autoencoder both FlowAE and AdvAE stand on (paper §4.1).
//!
//! Encoder f_φ: 784 → 300 → 300 → 10 and decoder f_θ: 10 → 300 → 300 → 784, hidden layers
//! Linear → BatchNorm → ELU, a linear latent and 784 logits out. It is trained alone on the
//! reconstruction loss and then frozen; the latent codes it induces, p_φ(z), are what the flow and
//! the WGAN learn to sample. On its own it cannot sample: decoding z ~ N(0, I) lands wherever
//! N(0, I) happens to overlap the codes, which is the paper's motivation.

use burn::prelude::*;
use burn::tensor::activation::{relu, sigmoid};

use super::mlp::{Mlp, MlpConfig};
use crate::data::PIXELS;
use crate::error::{Error, Result};

/// Widths of the autoencoder.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AutoencoderConfig {
    /// Width of both hidden layers of the encoder and of the decoder (paper: 300).
    pub hidden: usize,
    /// Dimension k of the latent space (paper: 10).
    pub latent: usize,
}

impl Default for AutoencoderConfig {
    fn default() -> Self {
        AutoencoderConfig { hidden: 300, latent: 10 }
    }
}

/// The encoder f_φ: image → latent code z.
#[derive(Module, Debug)]
pub struct Encoder {
    net: Mlp,
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
        if !(1..=4096).contains(&self.hidden) {
            return Err(Error::Config(format!("hidden width must be 1–4096, not {}", self.hidden)));
        }
        if !(1..=256).contains(&self.latent) {
            return Err(Error::Config(format!("latent size must be 1–256, not {}", self.latent)));
        }
        Ok(())
    }

    /// Builds an untrained autoencoder on `device`.
    pub fn init(&self, device: &Device) -> Result<Autoencoder> {
        self.validate()?;
        let stack = |input, output| MlpConfig {
            input,
            hidden: vec![self.hidden, self.hidden],
            output,
            batch_norm: true,
        };
        Ok(Autoencoder {
            encoder: Encoder { net: stack(PIXELS, self.latent).init(device) },
            decoder: Decoder { net: stack(self.latent, PIXELS).init(device) },
        })
    }
}

impl Encoder {
    /// The latent dimension k.
    pub fn latent(&self) -> usize {
        self.net.outputs()
    }

    /// `[batch, 784]` pixels → `[batch, k]` codes.
    pub fn forward(&self, images: Tensor<2>) -> Tensor<2> {
        self.net.forward(images)
    }
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
/// −100 costs what it should instead of producing ∞ − ∞.
pub fn bce_with_logits(logits: Tensor<2>, targets: Tensor<2>) -> Tensor<1> {
    let [batch, _] = logits.dims();
    let softplus_neg_abs = logits.clone().abs().neg().exp().add_scalar(1.0).log();
    let per_pixel = relu(logits.clone()) - logits * targets + softplus_neg_abs;
    per_pixel.sum().div_scalar(batch as f64)
}
