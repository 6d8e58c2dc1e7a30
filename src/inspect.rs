//! One digit read by the trained models: what only a flow can say of it, an exact likelihood,
//! beside what the autoencoder and the critic say.
//!
//! A drawn digit x (made an MNIST input by [`crate::digitize`]) is encoded, z = f(x). Three
//! numbers, each placed among those of real test digits (a percentile: "more typical than 83%
//! of real digits"):
//! - the code's log-density under FlowAE's flow, log q(z) = log N(F⁻¹(z); 0, I) +
//!   log|det ∂F⁻¹/∂z|, exact;
//! - the pixels' log-likelihood given the code, log p(x | z), the decoder's Bernoulli
//!   likelihood (how well the autoencoder can draw it back);
//! - their sum, FlowAE's score of the drawing as a whole.
//!
//! The sum is the one to read: the encoder sends any picture to some code, and a scribble's or
//! a letter's code can look as likely to the flow as a digit's (measured: a drawn "A" at the
//! 34th percentile of codes), but the decoder cannot draw it back (its log p(x | z) is far
//! below every real digit's). AdvAE's critic score D(z) is shown for comparison: the critic
//! was trained only to tell real codes from generated ones and has no density. The training
//! digits with the nearest codes say what the autoencoder took the drawing for.

use burn::prelude::*;
use burn::tensor::TensorData;
use serde::Serialize;

use crate::data::{Digits, PIXELS, Pixels};
use crate::device::read_all;
use crate::error::{Error, Result};
use crate::models::autoencoder::Autoencoder;
use crate::models::realnvp::RealNvp;
use crate::models::wgan::{Critic, softplus};
use crate::train::LatentCodes;

/// Test digits whose codes the percentiles rank a digit among.
pub const REFERENCE_DIGITS: usize = 2_000;
/// Training digits searched for the nearest codes.
pub const NEIGHBOUR_POOL: usize = 10_000;
/// Nearest training digits shown.
pub const NEAREST: usize = 5;

/// The models a digit is read by: an autoencoder and, when fitted to its codes, a flow and a
/// critic; on the device they live on.
#[derive(Clone, Debug)]
pub struct Readers {
    pub autoencoder: Autoencoder,
    /// How the autoencoder saw its digits (a drawing is shown to it the same way).
    pub pixels: Pixels,
    pub flow: Option<RealNvp>,
    pub critic: Option<Critic>,
    pub device: Device,
}

/// [`Readers`] with the real digits' codes, log-densities and critic scores they are compared
/// with, computed once (see [`Inspector::new`]).
pub struct Inspector {
    autoencoder: Autoencoder,
    pixels: Pixels,
    flow: Option<RealNvp>,
    critic: Option<Critic>,
    device: Device,
    latent: usize,
    /// The reference digits' log-densities, reconstruction log-likelihoods, their sums and
    /// critic scores, each sorted.
    densities: Vec<f32>,
    reconstructions: Vec<f32>,
    joints: Vec<f32>,
    scores: Vec<f32>,
    /// The neighbour pool's codes and labels.
    train_codes: Vec<f32>,
    train_labels: Vec<u8>,
}

/// What the models make of one digit.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Inspection {
    /// The 784 pixels the autoencoder was shown.
    pub input: Vec<f32>,
    /// Its code.
    pub code: Vec<f32>,
    /// The decoder's picture of that code, 784 pixel probabilities.
    pub reconstruction: Vec<f32>,
    /// log q(z) under the flow, in nats (none without a flow).
    pub log_density: Option<f32>,
    /// The share (0–100) of the reference digits whose codes the flow finds less likely.
    pub density_percentile: Option<f64>,
    /// log p(x | z), in nats: the decoder's likelihood of the pixels given the code.
    pub reconstruction_log_likelihood: f32,
    /// The share (0–100) of the reference digits the decoder draws back less well.
    pub reconstruction_percentile: f64,
    /// log q(z) + log p(x | z), in nats: FlowAE's score of the whole drawing (none without a flow).
    pub joint: Option<f32>,
    /// The share (0–100) of the reference digits FlowAE scores lower.
    pub joint_percentile: Option<f64>,
    /// The critic's score D(z) (none without a critic).
    pub critic: Option<f32>,
    /// The share (0–100) of the reference digits the critic scores lower.
    pub critic_percentile: Option<f64>,
    /// The training digits with the nearest codes, nearest first (indices into the training set).
    pub nearest: Vec<usize>,
    /// Their labels.
    pub nearest_labels: Vec<u8>,
}

/// log p(x | z) per image, in nats: the decoder's Bernoulli likelihood of `images` (`[n, 784]`
/// in [0, 1]) from `codes`, Σ x·l − log(1 + eˡ) over the pixels' logits l (the negative of the
/// training loss, [`crate::models::autoencoder::bce_with_logits`], per image).
fn log_likelihood(autoencoder: &Autoencoder, codes: Tensor<2>, images: Tensor<2>) -> Tensor<1> {
    let logits = autoencoder.decoder.forward(codes);
    (images * logits.clone() - softplus(logits)).sum_dim(1).squeeze_dim::<1>(1)
}

/// The share (0–100) of `sorted` below `value`.
fn percentile(sorted: &[f32], value: f32) -> f64 {
    100.0 * sorted.partition_point(|&v| v < value) as f64 / sorted.len().max(1) as f64
}

impl Inspector {
    /// Encodes `pool` (training digits, searched for the nearest; [`NEIGHBOUR_POOL`] in the
    /// page) and `reference` (test digits, ranked against; [`REFERENCE_DIGITS`]) with
    /// `readers`' autoencoder, and scores the reference codes with its flow and critic.
    pub async fn new(readers: Readers, pool: &Digits, reference: &Digits) -> Result<Inspector> {
        let Readers { autoencoder, pixels, flow, critic, device } = readers;
        let mut codes = LatentCodes::encode(&autoencoder, pool, reference, pixels)?;
        while !codes.is_ready() {
            codes.encode_some(8, &device).await?;
        }
        let latent = codes.latent();
        let test_codes = codes.test_batch(&device);
        let all: Vec<usize> = (0..reference.len()).collect();
        let images = Tensor::<2>::from_data(TensorData::new(reference.batch(&all, pixels), [all.len(), PIXELS]), &device);
        let mut pending = vec![log_likelihood(&autoencoder, test_codes.clone(), images)];
        if let Some(flow) = &flow {
            pending.push(flow.negative_log_likelihood(test_codes.clone()).neg());
        }
        if let Some(critic) = &critic {
            pending.push(critic.forward(test_codes).flatten::<1>(0, 1));
        }
        let mut values = read_all(pending).await?.into_iter();
        let reconstructions = values.next().unwrap_or_default();
        let densities = values.next().filter(|_| flow.is_some()).unwrap_or_default();
        let joints = densities.iter().zip(&reconstructions).map(|(d, r)| d + r).collect();
        let sorted = |v: Vec<f32>| -> Result<Vec<f32>> {
            let mut v = v;
            if v.iter().any(|x| !x.is_finite()) {
                return Err(Error::NonFinite("the models give the real digits non-finite scores".into()));
            }
            v.sort_by(f32::total_cmp);
            Ok(v)
        };
        let (densities, reconstructions, joints) = (sorted(densities)?, sorted(reconstructions)?, sorted(joints)?);
        let scores = sorted(values.next().filter(|_| critic.is_some()).unwrap_or_default())?;
        Ok(Inspector {
            autoencoder,
            pixels,
            flow,
            critic,
            device,
            latent,
            densities,
            reconstructions,
            joints,
            scores,
            train_codes: codes.train().to_vec(),
            train_labels: pool.labels().to_vec(),
        })
    }

    /// Whether a flow and a critic read the digits too.
    pub fn has_flow(&self) -> bool {
        self.flow.is_some()
    }

    pub fn has_critic(&self) -> bool {
        self.critic.is_some()
    }

    /// What the models make of `digit` (784 pixels in [0, 1], an MNIST input).
    pub async fn read(&self, digit: &[f32]) -> Result<Inspection> {
        if digit.len() != PIXELS || digit.iter().any(|p| !p.is_finite()) {
            return Err(Error::Data(format!("a digit is {PIXELS} pixels that are numbers")));
        }
        let input = self.pixels.of(digit);
        let x = Tensor::<2>::from_data(TensorData::new(input.clone(), [1, PIXELS]), &self.device);
        let code = self.autoencoder.encoder.forward(x.clone());
        let mut pending = vec![
            code.clone().flatten::<1>(0, 1),
            self.autoencoder.decoder.probabilities(code.clone()).flatten::<1>(0, 1),
            log_likelihood(&self.autoencoder, code.clone(), x),
        ];
        if let Some(flow) = &self.flow {
            pending.push(flow.negative_log_likelihood(code.clone()).neg());
        }
        if let Some(critic) = &self.critic {
            pending.push(critic.forward(code).flatten::<1>(0, 1));
        }
        let mut values = read_all(pending).await?.into_iter();
        let (code, reconstruction, fit) = (values.next().unwrap_or_default(), values.next().unwrap_or_default(), values.next().unwrap_or_default());
        let reconstruction_log_likelihood = fit.first().copied().unwrap_or(f32::NAN);
        if code.iter().chain(&reconstruction).chain([&reconstruction_log_likelihood]).any(|v| !v.is_finite()) {
            return Err(Error::NonFinite("the autoencoder gives this digit a code that is not a number".into()));
        }
        let mut scalar = |present: bool| if present { values.next().and_then(|v| v.first().copied()).filter(|v| v.is_finite()) } else { None };
        let log_density = scalar(self.flow.is_some());
        let critic = scalar(self.critic.is_some());
        let nearest = self.nearest(&code);
        let joint = log_density.map(|d| d + reconstruction_log_likelihood);
        Ok(Inspection {
            input,
            reconstruction,
            reconstruction_percentile: percentile(&self.reconstructions, reconstruction_log_likelihood),
            reconstruction_log_likelihood,
            joint_percentile: joint.map(|j| percentile(&self.joints, j)),
            joint,
            density_percentile: log_density.map(|d| percentile(&self.densities, d)),
            log_density,
            critic_percentile: critic.map(|s| percentile(&self.scores, s)),
            critic,
            nearest_labels: nearest.iter().map(|&i| self.train_labels[i]).collect(),
            nearest,
            code,
        })
    }

    /// The [`NEAREST`] training digits whose codes are nearest `code`, nearest first.
    fn nearest(&self, code: &[f32]) -> Vec<usize> {
        crate::map::nearest_to(&self.train_codes, self.latent, code, NEAREST)
    }
}
