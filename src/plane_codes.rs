//! The 2-D lab on MNIST: an autoencoder with a two-number code trains first (the page's
//! autoencoder and its trainer, at latent dimension 2), then FlowAE's flow and AdvAE's WGAN-GP
//! are fitted to its codes on the plane ([`Plane`]). The real latent space of the digits, seen
//! without a projection, with the flow's density and the critic's values over it: what the
//! latent map (step 7) can only show projected from ten dimensions.

use burn::prelude::*;

use crate::data::Digits;
use crate::error::{Error, Result};
use crate::models::autoencoder::AutoencoderConfig;
use crate::plane::{Plane, PlaneConfig, PlanePicture, PlaneProgress, Trainee, chunks};
use crate::toy::{EXTENT, Toy};
use crate::train::{AeTrainer, AeTrainingConfig};

/// The plane's two numbers.
const LATENT: usize = 2;
/// How many standard deviations of the codes the plane's half-width shows: the codes are
/// centred and scaled (one scale for both axes, so the space keeps its shape) to fit.
const SPREAD: f32 = 3.5;

/// The 2-D autoencoder's settings: the page's autoencoder with a two-number code, on 10,000
/// digits for 2 epochs (a few seconds in a phone's browser; its codes already sort the digits).
pub fn autoencoder_config() -> AeTrainingConfig {
    AeTrainingConfig {
        model: AutoencoderConfig { latent: LATENT, ..AutoencoderConfig::default() },
        epochs: 2,
        train_images: 10_000,
        test_images: 2_000,
        ..AeTrainingConfig::default()
    }
}

/// A run of the 2-D lab: on a shape, its two models from the start; on MNIST, its autoencoder
/// first, then the two models on the codes.
pub enum PlaneRun {
    Encoding { config: Box<PlaneConfig>, autoencoder: Box<AeTrainer> },
    Fitting(Box<Plane>),
}

impl PlaneRun {
    /// A fresh run of `config` on `device`; MNIST needs `digits` (training, test).
    pub fn new(config: PlaneConfig, digits: Option<(&Digits, &Digits)>, device: &Device) -> Result<PlaneRun> {
        if config.data != Toy::Digits {
            return Ok(PlaneRun::Fitting(Box::new(Plane::new(config, device)?)));
        }
        Plane::check(&config)?;
        if config.autoencoder.model.latent != LATENT {
            return Err(Error::Config(format!("the 2-D lab's autoencoder has a {LATENT}-number code, not {}", config.autoencoder.model.latent)));
        }
        let (train, test) = digits.ok_or_else(|| Error::State("MNIST is not loaded yet: the 2-D lab needs the digits for its autoencoder".into()))?;
        let autoencoder = AeTrainer::new(AeTrainingConfig { seed: config.seed, ..config.autoencoder.clone() }, train, test, device)?;
        if autoencoder.train_count() < config.points {
            return Err(Error::Config(format!("{} points asked for, but the autoencoder trains on {} digits", config.points, autoencoder.train_count())));
        }
        Ok(PlaneRun::Encoding { config: Box::new(config), autoencoder: Box::new(autoencoder) })
    }

    /// The settings in force.
    pub fn config(&self) -> &PlaneConfig {
        match self {
            PlaneRun::Encoding { config, .. } => config,
            PlaneRun::Fitting(plane) => plane.config(),
        }
    }

    /// The two models' run, once they train.
    pub fn plane(&self) -> Option<&Plane> {
        match self {
            PlaneRun::Encoding { .. } => None,
            PlaneRun::Fitting(plane) => Some(plane),
        }
    }

    /// At most `units` units of work: of the autoencoder while it trains (whatever `who`
    /// names: nothing else exists yet), then of what `who` names. The chunk that ends the
    /// autoencoder's run puts its codes on the plane and prepares the two models on them.
    pub async fn train(&mut self, who: Trainee, units: usize, device: &Device) -> Result<PlaneProgress> {
        match self {
            PlaneRun::Fitting(plane) => plane.train(who, units).await,
            PlaneRun::Encoding { config, autoencoder } => {
                let progress = chunks(autoencoder.as_mut(), units).await?;
                if autoencoder.is_done() {
                    let held_out = Plane::held_out(config.points).min(autoencoder.test_count());
                    let (train, labels) = autoencoder.train_codes(config.points).await?;
                    let (test, _) = autoencoder.test_codes(held_out).await?;
                    let (centre, scale) = frame(&train);
                    let plane = Plane::with_points((**config).clone(), place(&train, centre, scale), place(&test, centre, scale), labels, device)?;
                    *self = PlaneRun::Fitting(Box::new(plane));
                }
                Ok(PlaneProgress { autoencoder: Some(progress), ..PlaneProgress::default() })
            }
        }
    }

    /// The lab's picture (see [`Plane::picture`]); while the autoencoder trains, the codes of
    /// `count` test digits as they stand, framed on their own centre and spread.
    pub async fn picture(&self, grid: usize, count: usize, seed: u64) -> Result<PlanePicture> {
        match self {
            PlaneRun::Fitting(plane) => plane.picture(grid, count, seed).await,
            PlaneRun::Encoding { autoencoder, .. } => {
                crate::limits::check("points drawn", count, &crate::limits::PLANE_DRAWN)?;
                let (codes, labels) = autoencoder.test_codes(count).await?;
                let (centre, scale) = frame(&codes);
                let real = place(&codes, centre, scale);
                Ok(PlanePicture { grid: 0, log_density: Vec::new(), critic: Vec::new(), real, flow_samples: Vec::new(), wgan_samples: Vec::new(), labels })
            }
        }
    }

    /// The flow's held-out NLL in nats per point, once it trains.
    pub async fn held_out_nll(&self) -> Result<Option<f32>> {
        match self {
            PlaneRun::Fitting(plane) => plane.held_out_nll().await.map(Some),
            PlaneRun::Encoding { .. } => Ok(None),
        }
    }
}

/// The codes' centre and one scale for both axes: [`SPREAD`] of their larger standard
/// deviation reaches the plane's edge.
fn frame(codes: &[f32]) -> ([f32; 2], f32) {
    let n = (codes.len() / 2).max(1) as f32;
    let mean = |axis: usize| codes.iter().skip(axis).step_by(2).sum::<f32>() / n;
    let centre = [mean(0), mean(1)];
    let sd = |axis: usize| (codes.iter().skip(axis).step_by(2).map(|v| (v - centre[axis]).powi(2)).sum::<f32>() / n).sqrt();
    let spread = sd(0).max(sd(1));
    let scale = if spread.is_finite() && spread > 0.0 { EXTENT / (SPREAD * spread) } else { 1.0 };
    (centre, scale)
}

/// Codes moved onto the plane: centred, scaled, and kept within it.
fn place(codes: &[f32], centre: [f32; 2], scale: f32) -> Vec<f32> {
    codes.iter().enumerate().map(|(i, v)| ((v - centre[i % 2]) * scale).clamp(-EXTENT, EXTENT)).collect()
}
