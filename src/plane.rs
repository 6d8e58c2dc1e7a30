//! The 2-D lab: FlowAE's flow and AdvAE's WGAN-GP trained side by side on points of the plane,
//! with the very trainers that fit the digits' codes ([`FlowTrainer`], [`WganTrainer`] on
//! [`LatentCodes::given`]): no second copy of either model. What a plane can show and ten
//! numbers cannot: the flow's density and the critic's values everywhere, as heat maps, with the
//! generated points over the real ones.

use burn::prelude::*;
use burn::tensor::TensorData;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::device::read_all;
use crate::error::{Error, Result};
use crate::models::realnvp::RealNvpConfig;
use crate::toy::{EXTENT, Toy};
use crate::train::phase::{Look, Phase};
use crate::train::run::chunk_looking;
use crate::train::wgan::Networks;
use crate::train::{AeTrainingConfig, FlowTrainer, FlowTrainingConfig, LatentCodes, Progress, WganTrainer, WganTrainingConfig};

/// What the 2-D lab trains on, and how.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PlaneConfig {
    /// The data set.
    pub data: Toy,
    /// Training points (a quarter as many more are held out).
    pub points: usize,
    /// Seeds the points, both models' weights and their noise.
    pub seed: u64,
    pub flow: FlowTrainingConfig,
    pub wgan: WganTrainingConfig,
    /// On MNIST ([`Toy::Digits`]): the autoencoder whose codes are the points (latent 2).
    pub autoencoder: AeTrainingConfig,
}

/// Held-out points per training point.
const HELD_OUT_SHARE: usize = 4;

impl Default for PlaneConfig {
    /// Sized to fit recognisably in seconds on a phone's CPU: small networks, large steps, and
    /// as many epochs as a run may have (the visitor stops it). The WGAN's: 2 critic steps per
    /// generator step at 1e-3 and λ = 1 put the most samples on the eight Gaussians' modes in a
    /// few seconds of the alternatives tried (5 steps at 1e-4 or 3e-4, λ = 0.1: 17–28% of the
    /// samples within 0.5 of a mode after 5,000 generator steps, against 44% after 10,000 here;
    /// tests/it/plane.rs).
    fn default() -> Self {
        PlaneConfig {
            data: Toy::TwoMoons,
            // 25 steps an epoch at a batch of 200: a run's 1,000 epochs are 25,000 flow steps
            // and as many critic and generator steps, far past a recognisable fit.
            points: 5_000,
            seed: 1,
            flow: FlowTrainingConfig {
                flow: RealNvpConfig { layers: 8, hidden: 32 },
                epochs: *crate::limits::EPOCHS.end(),
                batch_size: 200,
                learning_rate: 5e-3,
                seed: 1,
            },
            wgan: WganTrainingConfig {
                generator_hidden: 64,
                critic_hidden: 64,
                critic_steps: 2,
                lambda: 1.0,
                generator_learning_rate: 1e-3,
                critic_learning_rate: 1e-3,
                epochs: *crate::limits::EPOCHS.end(),
                batch_size: 200,
                seed: 1,
                ..WganTrainingConfig::default()
            },
            autoencoder: crate::plane_codes::autoencoder_config(),
        }
    }
}

impl PlaneConfig {
    /// Settings as the page sends them (any subset, nested as here) over the lab's defaults.
    /// Not serde's `default`: that would fill a nested config from its own `Default` (the
    /// paper's flow), not from the lab's.
    pub fn from_json(given: Value) -> Result<PlaneConfig> {
        let mut config = serde_json::to_value(PlaneConfig::default()).map_err(|e| Error::Data(e.to_string()))?;
        overlay(&mut config, given);
        serde_json::from_value(config).map_err(|e| Error::Config(format!("the 2-D lab's settings are not understood: {e}")))
    }
}

/// `over`'s values in `base`, object by object; anything else replaces what was there.
fn overlay(base: &mut Value, over: Value) {
    match (base, over) {
        (Value::Object(base), Value::Object(over)) => {
            for (key, value) in over {
                match base.get_mut(&key) {
                    Some(slot) => overlay(slot, value),
                    None => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (slot, value) => *slot = value,
    }
}

/// What a press of a step button trains.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Trainee {
    /// The flow and the pair, side by side.
    All,
    Flow,
    /// The critic and the generator in the paper's alternation.
    Wgan,
    Critic,
    Generator,
}

/// A chunk's progress for each model it trained.
#[derive(Clone, Debug, Default, Serialize)]
pub struct PlaneProgress {
    pub flow: Option<Progress>,
    pub wgan: Option<Progress>,
    /// On MNIST, the 2-D autoencoder's, while it trains (before the two models).
    pub autoencoder: Option<Progress>,
}

/// The picture of the lab: heat maps on a `grid × grid` raster of the plane (row by row, top
/// row first: y = +EXTENT), and points (x, y interleaved). While MNIST's autoencoder trains,
/// its codes alone: no heat maps (`grid` 0) and no samples.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PlanePicture {
    pub grid: usize,
    /// The flow's log-density log q(x) at each cell's centre, in nats.
    pub log_density: Vec<f32>,
    /// The critic's value D(x) at each cell's centre.
    pub critic: Vec<f32>,
    /// Real training points, the flow's samples and the generator's.
    pub real: Vec<f32>,
    pub flow_samples: Vec<f32>,
    pub wgan_samples: Vec<f32>,
    /// The digit each real point is the code of (MNIST); empty for the shapes.
    pub labels: Vec<u8>,
}

/// `units` units of `phase` in as many chunks as they take (each ends at most at an epoch's
/// end), reported as one: every step's losses, the units done, the last held-out loss and
/// where the run stands after the last chunk.
pub(crate) async fn chunks<P: Phase>(phase: &mut P, units: usize) -> Result<Progress> {
    let mut all = chunk_looking(phase, units, None::<&Look>).await?;
    while all.units < units && !all.done && all.units > 0 {
        let next = chunk_looking(phase, units - all.units, None::<&Look>).await?;
        if next.units == 0 {
            break;
        }
        all.losses.extend(next.losses);
        all.generator_losses.extend(next.generator_losses);
        all.wasserstein.extend(next.wasserstein);
        all = Progress {
            losses: all.losses,
            generator_losses: all.generator_losses,
            wasserstein: all.wasserstein,
            first_step: all.first_step,
            units: all.units + next.units,
            test_loss: next.test_loss.or(all.test_loss),
            ..next
        };
    }
    Ok(all)
}

/// The 2-D lab's two models on one data set.
pub struct Plane {
    config: PlaneConfig,
    train: Vec<f32>,
    /// The digit of each training point (MNIST's codes); empty for the shapes.
    labels: Vec<u8>,
    flow: FlowTrainer,
    wgan: WganTrainer,
    device: Device,
}

impl Plane {
    /// Samples the data and prepares both models on `device`.
    pub fn new(config: PlaneConfig, device: &Device) -> Result<Plane> {
        Plane::check(&config)?;
        let all = config.data.sample(config.points + Plane::held_out(config.points), config.seed)?;
        let (train, test) = all.split_at(2 * config.points);
        Plane::with_points(config, train.to_vec(), test.to_vec(), Vec::new(), device)
    }

    /// The settings a run may have.
    pub(crate) fn check(config: &PlaneConfig) -> Result<()> {
        crate::limits::check("points", config.points, &crate::limits::PLANE_POINTS)
    }

    /// Held-out points for `points` training points.
    pub(crate) fn held_out(points: usize) -> usize {
        points / HELD_OUT_SHARE
    }

    /// Both models prepared on `device` for given training and held-out points (x, y
    /// interleaved), and the digit each training point stands for, if any.
    pub(crate) fn with_points(config: PlaneConfig, train: Vec<f32>, test: Vec<f32>, labels: Vec<u8>, device: &Device) -> Result<Plane> {
        let codes = LatentCodes::given(2, train.clone(), test)?;
        let flow_config = FlowTrainingConfig { seed: config.seed, ..config.flow.clone() };
        let wgan_config = WganTrainingConfig { seed: config.seed, ..config.wgan.clone() };
        let flow = FlowTrainer::with_codes(flow_config, codes.clone(), device)?;
        let wgan = WganTrainer::with_codes(wgan_config, codes, device)?;
        Ok(Plane { config, train, labels, flow, wgan, device: device.clone().inner() })
    }

    /// The settings in force.
    pub fn config(&self) -> &PlaneConfig {
        &self.config
    }

    /// The flow's run.
    pub fn flow(&self) -> &FlowTrainer {
        &self.flow
    }

    /// The generator's and critic's run.
    pub fn wgan(&self) -> &WganTrainer {
        &self.wgan
    }

    /// At most `units` units of work of what `who` names, through the one run loop. An epoch
    /// of the lab's points is a few steps, and the run loop ends a chunk at each epoch's end, so
    /// the units are run as as many chunks as they take (one request of the page, one
    /// read-back per epoch).
    pub async fn train(&mut self, who: Trainee, units: usize) -> Result<PlaneProgress> {
        let mut progress = PlaneProgress::default();
        if matches!(who, Trainee::All | Trainee::Flow) {
            progress.flow = Some(chunks(&mut self.flow, units).await?);
        }
        let networks = match who {
            Trainee::All | Trainee::Wgan => Some(Networks::Both),
            Trainee::Critic => Some(Networks::Critic),
            Trainee::Generator => Some(Networks::Generator),
            Trainee::Flow => None,
        };
        if let Some(networks) = networks {
            self.wgan.train_only(networks);
            let chunked = chunks(&mut self.wgan, units).await;
            self.wgan.train_only(Networks::Both);
            progress.wgan = Some(chunked?);
        }
        Ok(progress)
    }

    /// The flow's negative log-likelihood of the held-out points, in nats per point.
    pub async fn held_out_nll(&self) -> Result<f32> {
        let flow = self.flow.flow().ok_or_else(|| Error::State("the flow has not started".into()))?.valid();
        let z = self.flow.codes().test_batch(&self.device);
        let nll = read_all(vec![flow.negative_log_likelihood(z).mean()]).await?;
        nll.first().and_then(|v| v.first().copied()).ok_or_else(|| Error::State("no held-out points".into()))
    }

    /// The heat maps on a `grid × grid` raster and `count` points of each kind, the models'
    /// drawn from `seed`.
    pub async fn picture(&self, grid: usize, count: usize, seed: u64) -> Result<PlanePicture> {
        crate::limits::check("heat map cells per side", grid, &(2..=256))?;
        crate::limits::check("points drawn", count, &crate::limits::PLANE_DRAWN)?;
        let cell = 2.0 * EXTENT / grid as f32;
        let raster: Vec<f32> = (0..grid * grid)
            .flat_map(|i| {
                let (row, column) = (i / grid, i % grid);
                [-EXTENT + (column as f32 + 0.5) * cell, EXTENT - (row as f32 + 0.5) * cell]
            })
            .collect();
        let points = Tensor::<2>::from_data(TensorData::new(raster, [grid * grid, 2]), &self.device);
        let flow = self.flow.flow().ok_or_else(|| Error::State("the flow has not started".into()))?.valid();
        let (_, critic) = self.wgan.models().ok_or_else(|| Error::State("the critic has not started".into()))?;
        let pending = vec![
            flow.negative_log_likelihood(points.clone()).neg(),
            critic.valid().forward(points).flatten::<1>(0, 1),
            self.flow.sampler()?.codes_of(self.flow.sampler()?.draws(count, 1.0, seed)?)?.flatten::<1>(0, 1),
            self.wgan.sampler()?.codes_of(self.wgan.sampler()?.draws(count, 1.0, seed)?)?.flatten::<1>(0, 1),
        ];
        let mut values = read_all(pending).await?.into_iter();
        let mut next = || values.next().unwrap_or_default();
        let (log_density, critic, flow_samples, wgan_samples) = (next(), next(), next(), next());
        if log_density.iter().chain(&critic).chain(&flow_samples).chain(&wgan_samples).any(|v| !v.is_finite()) {
            return Err(Error::NonFinite("a model gives values that are not numbers: train again with a smaller learning rate".into()));
        }
        let real = self.train[..(2 * count).min(self.train.len())].to_vec();
        let labels = self.labels[..count.min(self.labels.len())].to_vec();
        Ok(PlanePicture { grid, log_density, critic, real, flow_samples, wgan_samples, labels })
    }
}
