//! FlowAE's flow, one layer at a time: what only an invertible model can show, the
//! transformation that turns a Gaussian into the codes of the digits.
//!
//! A cloud of base draws z0 ~ N(0, T²I) is pushed through the flow's transforms one by one
//! (each coupling layer in the order F applies them, then the ActNorm), beside each
//! transform's mean log|det J| (how much it stretches or squeezes volume, in nats). One tracked
//! point is decoded at every stage. Backwards, a drawn digit's code and the real digits' codes
//! are pulled through F⁻¹ to the Gaussian.
//!
//! Every stage is drawn on one plane: the two principal directions of the real codes in the
//! flow's standardized units (the codes after the ActNorm's inverse, where the couplings work),
//! with the encoded test digits behind. The codes themselves are 10⁴ times wider than the
//! Gaussian (the ActNorm's stretch: +9.5 nats on the shipped flow), which on the codes' own
//! scale shrank every coupling layer's work to a dot; the ActNorm only rescales each number, so
//! its stage is drawn where the last coupling layer's is.

use burn::prelude::*;
use burn::tensor::TensorData;

use crate::data::{Digits, PIXELS};
use crate::device::read_all;
use crate::error::{Error, Result};
use crate::inspect::Readers;
use crate::map::Pca;
use crate::rng::base_draws;

/// Test digits encoded to draw behind the walk (and to fit its plane).
pub const WALK_DIGITS: usize = 1_000;
/// Real codes pulled back with a drawn digit's.
pub const BACK_CLOUD: usize = 500;

/// The flow walked (see the module's documentation). Stages run from the base side (z0) to the
/// codes, whichever way the walk was made.
#[derive(Clone, Debug, PartialEq)]
pub struct Walk {
    /// What each stage is: "z0 ~ N(0, I)", "after coupling layer 3 of 10", "the codes z".
    pub names: Vec<String>,
    /// Each stage's points, `count × k`; the first point is the tracked one.
    pub stages: Vec<Vec<f32>>,
    /// Each stage's points on the plane (x, y per point): the standardized codes' principal
    /// plane (the last stage drawn as the one before it, see the module's documentation).
    pub planes: Vec<Vec<f32>>,
    /// Per transform (between stage i and i + 1): log|det ∂y/∂x| averaged over the points.
    pub log_dets: Vec<f32>,
    /// The tracked point decoded at every stage, 784 pixel probabilities each.
    pub tracked: Vec<f32>,
    /// The encoded test digits, standardized, on the same plane (x, y each), and their labels.
    pub digits: Vec<f32>,
    pub labels: Vec<u8>,
    /// Whether it was made backwards, from a drawn digit's code.
    pub backwards: bool,
}

/// `count` base draws at `temperature` from `seed` walked forward through `readers`' flow;
/// `reference`: the test digits drawn behind.
pub async fn forward(readers: &Readers, reference: &Digits, count: usize, temperature: f32, seed: u64) -> Result<Walk> {
    crate::limits::check("points to walk", count, &crate::limits::MAP_OVERLAY)?;
    if count == 0 {
        return Err(Error::Config("a walk needs at least one point".into()));
    }
    let flow = flow(readers)?;
    let k = flow.dim();
    let z0 = Tensor::<2>::from_data(TensorData::new(base_draws(count, k, temperature, seed)?, [count, k]), &readers.device);
    let (stages, log_dets) = flow.forward_stages(z0);
    finish(readers, reference, stages, log_dets, temperature, false).await
}

/// `digit` (784 pixels, an MNIST input) encoded and walked backwards through the flow to the
/// Gaussian, with the first [`BACK_CLOUD`] reference digits' codes around it.
pub async fn backward(readers: &Readers, reference: &Digits, digit: &[f32]) -> Result<Walk> {
    if digit.len() != PIXELS {
        return Err(Error::Data(format!("a digit is {PIXELS} pixels")));
    }
    let flow = flow(readers)?;
    let cloud = reference.take(BACK_CLOUD.min(reference.len()));
    let all: Vec<usize> = (0..cloud.len()).collect();
    let mut images = readers.pixels.of(digit);
    images.extend(cloud.batch(&all, readers.pixels));
    let x = Tensor::<2>::from_data(TensorData::new(images, [1 + cloud.len(), PIXELS]), &readers.device);
    let (stages, log_dets) = flow.inverse_stages(readers.autoencoder.encoder.forward(x));
    finish(readers, reference, stages, log_dets, 1.0, true).await
}

fn flow(readers: &Readers) -> Result<&crate::models::realnvp::RealNvp> {
    readers.flow.as_ref().ok_or_else(|| Error::State("there is no flow yet: train it first (step 2)".into()))
}

/// Reads the stages back with the tracked point's decodings and the reference digits' codes,
/// and puts every stage on the codes' plane.
async fn finish(readers: &Readers, reference: &Digits, stages: Vec<Tensor<2>>, log_dets: Vec<Tensor<1>>, temperature: f32, backwards: bool) -> Result<Walk> {
    let layers = stages.len() - 2;
    let shown = reference.take(WALK_DIGITS.min(reference.len()));
    let all: Vec<usize> = (0..shown.len()).collect();
    let x = Tensor::<2>::from_data(TensorData::new(shown.batch(&all, readers.pixels), [shown.len(), PIXELS]), &readers.device);
    let flow = flow(readers)?;
    // The reference digits' codes in the flow's standardized units (see the module's documentation).
    let codes = flow.inverse_stages(readers.autoencoder.encoder.forward(x)).0.swap_remove(layers);
    let tracked = Tensor::cat(stages.iter().map(|s| s.clone().narrow(0, 0, 1)).collect(), 0);
    let decoded = readers.autoencoder.decoder.probabilities(tracked);
    let count = stages.len();
    let mut pending: Vec<Tensor<1>> = stages.into_iter().map(|s| s.flatten::<1>(0, 1)).collect();
    pending.extend(log_dets.into_iter().map(|d| d.mean()));
    pending.push(decoded.flatten::<1>(0, 1));
    pending.push(codes.flatten::<1>(0, 1));
    let mut values = read_all(pending).await?;
    let codes = values.pop().unwrap_or_default();
    let tracked = values.pop().unwrap_or_default();
    let log_dets: Vec<f32> = values.split_off(count).into_iter().map(|v| v.first().copied().unwrap_or(f32::NAN)).collect();
    let stages = values;
    if stages.iter().chain([&codes, &tracked]).flatten().chain(&log_dets).any(|v| !v.is_finite()) {
        return Err(Error::NonFinite("the flow gives values that are not numbers".into()));
    }
    let k = readers.autoencoder.encoder.latent();
    let pca = Pca::fit(&codes, k)?;
    let mut planes = stages[..=layers].iter().map(|s| pca.project(s)).collect::<Result<Vec<_>>>()?;
    planes.push(planes[layers].clone()); // the ActNorm's stage: the same points, rescaled
    let mut names = vec![if temperature == 1.0 { "z0 ~ N(0, I)".to_string() } else { format!("z0 ~ N(0, {temperature}² I)") }];
    names.extend((1..=layers).map(|i| format!("after coupling layer {i} of {layers}")));
    names.push("after the ActNorm, which rescales each number: the codes z".into());
    Ok(Walk { names, stages, planes, log_dets, tracked, digits: pca.project(&codes)?, labels: shown.labels().to_vec(), backwards })
}
