//! Drawing digits from a trained model: the one place inference is written, used alike by a
//! run in progress (its pictures each chunk), by the loaded models (the page's grids, the CLI's
//! files, the FCD) and by the preview built from a models file before the digits arrive.
//!
//! Every model of the paper samples the same way: pick codes, decode them. Only the picking
//! differs: the plain autoencoder, the VAE and the AAE decode draws of the prior N(0, I) they
//! were (or were not) pulled to; FlowAE pushes base draws through its flow, z = F(z0); AdvAE
//! through its generator, z = G(z0).

use burn::prelude::*;

use crate::device::{read, rows};
use crate::error::{Error, Result};
use crate::kind::Kind;
use crate::models::autoencoder::Decoder;
use crate::models::realnvp::RealNvp;
use crate::models::wgan::Generator;
use crate::rng::base_draws;

/// Samples drawn to check a model (see [`Sampler::check`]).
pub const CHECK_SAMPLES: usize = 64;
/// Pixel probabilities that are neither background nor ink: a digit's edges.
pub const UNSURE: std::ops::RangeInclusive<f32> = 0.01..=0.99;
/// The least share of a check's pixels in [`UNSURE`]: one pixel in a thousand. The shipped
/// models draw 26–27% of theirs there (a test holds them to 20 times the bar); a decoder
/// blown up to solid squares draws none.
pub const MIN_UNSURE_SHARE: f64 = 0.001;

/// How a model picks the codes it decodes.
#[derive(Clone, Debug)]
pub enum Codes {
    /// z ~ N(0, I), as drawn: the autoencoder and the baselines.
    Prior,
    /// z = F(z0): FlowAE.
    Flow(RealNvp),
    /// z = G(z0): AdvAE.
    Generator(Generator),
}

/// A trained model as a sampler: its decoder and its way of picking codes, in inference mode
/// on a device without autodiff. Cheap to make (burn's modules share their tensors).
#[derive(Clone, Debug)]
pub struct Sampler {
    kind: Kind,
    /// None for codes that no autoencoder made (a toy distribution): they have codes, not digits.
    decoder: Option<Decoder>,
    codes: Codes,
    latent: usize,
    device: Device,
}

impl Sampler {
    /// `kind`'s sampler from its decoder (if its codes have one) and its codes, each put in
    /// inference mode here, with `latent` values per code, on `device`.
    pub fn new(kind: Kind, decoder: Option<&Decoder>, codes: Codes, latent: usize, device: &Device) -> Sampler {
        let codes = match codes {
            Codes::Prior => Codes::Prior,
            Codes::Flow(flow) => Codes::Flow(flow.valid()),
            Codes::Generator(generator) => Codes::Generator(generator.valid()),
        };
        Sampler { kind, decoder: decoder.map(Decoder::valid), codes, latent, device: device.clone().inner() }
    }

    /// Which model this is.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// Values per code.
    pub fn latent(&self) -> usize {
        self.latent
    }

    /// The base draws behind `count` samples from `seed`: N(0, T²I) for the flow and the
    /// generator; the prior's own N(0, I) for the others, which have no temperature.
    pub fn draws(&self, count: usize, temperature: f32, seed: u64) -> Result<Vec<f32>> {
        let temperature = if matches!(self.codes, Codes::Prior) { 1.0 } else { temperature };
        base_draws(count, self.latent, temperature, seed)
    }

    /// The codes of given base draws (`latent` floats each), on the device.
    pub fn codes_of(&self, z0: Vec<f32>) -> Result<Tensor<2>> {
        let z0 = rows(z0, self.latent, "base points", &self.device)?;
        Ok(match &self.codes {
            Codes::Prior => z0,
            Codes::Flow(flow) => flow.forward(z0),
            Codes::Generator(generator) => generator.forward(z0),
        })
    }

    /// `count` samples from `seed` as pixel probabilities, `count × 784`, still on the device:
    /// what a training run draws in the same read-back as its losses.
    pub fn pictures(&self, count: usize, temperature: f32, seed: u64) -> Result<Tensor<2>> {
        Ok(self.decoder()?.probabilities(self.codes_of(self.draws(count, temperature, seed)?)?))
    }

    /// `count` samples from `seed` as pixel probabilities, `count × 784`.
    pub async fn samples(&self, count: usize, temperature: f32, seed: u64) -> Result<Vec<f32>> {
        self.finite(read(self.pictures(count, temperature, seed)?).await?)
    }

    /// The `count × latent` codes behind [`Self::samples`].
    pub async fn codes(&self, count: usize, temperature: f32, seed: u64) -> Result<Vec<f32>> {
        self.finite(read(self.codes_of(self.draws(count, temperature, seed)?)?).await?)
    }

    /// Decodings of given base draws: what the morph strip walks through.
    pub async fn from_base(&self, z0: Vec<f32>) -> Result<Vec<f32>> {
        self.finite(read(self.decoder()?.probabilities(self.codes_of(z0)?)).await?)
    }

    /// The morph strip: `steps` decodings along the path between the first base draws of two
    /// seeds (see [`crate::explore::base_path`]). Only the flow and the generator have a base
    /// to walk through.
    pub async fn morph(&self, seed_a: u64, seed_b: u64, steps: usize, temperature: f32) -> Result<Vec<f32>> {
        if matches!(self.codes, Codes::Prior) {
            return Err(Error::Config(format!("only the flow and the WGAN can morph, not the {}", self.kind)));
        }
        self.from_base(crate::explore::base_path(self.latent, seed_a, seed_b, steps, temperature)?).await
    }

    /// Decodings of given codes (`latent` floats each), whatever picked them: the latent map's
    /// picture of a point.
    pub async fn decode(&self, codes: &[f32]) -> Result<Vec<f32>> {
        let z = rows(codes.to_vec(), self.latent, "codes", &self.device)?;
        self.finite(read(self.decoder()?.probabilities(z)).await?)
    }

    /// The largest |F⁻¹(F(z0)) − z0| over `count` base draws from `seed`, on this sampler's
    /// device: a self-check that the flow is invertible there (WebGPU included).
    pub async fn round_trip_error(&self, count: usize, seed: u64) -> Result<f32> {
        let Codes::Flow(flow) = &self.codes else {
            return Err(Error::Config(format!("only the flow is invertible, not the {}", self.kind)));
        };
        let z0 = rows(base_draws(count, self.latent, 1.0, seed)?, self.latent, "base points", &self.device)?;
        let back = flow.inverse(flow.forward(z0.clone())).0;
        let error = read((back - z0).abs().max().unsqueeze::<2>()).await?;
        Ok(error.first().copied().unwrap_or(f32::NAN))
    }

    /// Whether this model draws digits at all, as a models file is checked before it is trusted:
    /// [`CHECK_SAMPLES`] samples at temperature 1 must be numbers, and not saturated
    /// everywhere. A decoder whose weights are huge but within [`crate::limits::WEIGHT`] draws
    /// every pixel at exactly 0 or 1 (solid squares); a trained one draws a digit's edges in
    /// between, a few percent of its pixels (see [`UNSURE`]).
    pub async fn check(&self) -> Result<()> {
        let pixels = self.samples(CHECK_SAMPLES, 1.0, 1).await?;
        let unsure = pixels.iter().filter(|p| UNSURE.contains(*p)).count();
        if (unsure as f64) < MIN_UNSURE_SHARE * pixels.len() as f64 {
            return Err(Error::Data(format!(
                "the {}'s samples are saturated: {unsure} of {} pixels lie between {} and {}, where a trained model's digits have thousands; its weights are damaged",
                self.kind.description(),
                pixels.len(),
                UNSURE.start(),
                UNSURE.end()
            )));
        }
        Ok(())
    }

    fn decoder(&self) -> Result<&Decoder> {
        self.decoder.as_ref().ok_or_else(|| Error::State("these codes have no decoder".into()))
    }

    /// `values` if every one is a number: weights that are finite but absurd (a running
    /// variance below zero, values near f32's limit) load and then sample NaN, which would be
    /// drawn as black digits, written as zeros or kept as "your models" without a word.
    fn finite(&self, values: Vec<f32>) -> Result<Vec<f32>> {
        if values.iter().all(|v| v.is_finite()) {
            Ok(values)
        } else {
            Err(Error::Data(format!("the {}'s samples are not numbers: its weights are damaged", self.kind.description())))
        }
    }
}
