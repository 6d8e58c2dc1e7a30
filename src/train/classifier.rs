//! Training the FCD classifier, a chunk at a time like every trainer here, and scoring it.
//!
//! It is trained once, natively (`flowae train-classifier`), and its weights ship with the page;
//! the page only runs it forward. Adam 1e-3, batch 100, cross-entropy on binarized digits.

use burn::module::Module;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::{GradientsParams, ModuleOptimizer};

use super::adam::Adam;
use burn::prelude::*;
use burn::tensor::{Int, TensorData};

use super::phase::{Phase, Record, Standing};
use super::{Progress, snapshot};
use crate::device::read_all;
use crate::limits;
use crate::data::{Batches, Digits, PIXELS, Pixels};
use crate::error::{Error, Result};
use crate::models::Init;
use crate::models::classifier::{Classifier, binarized};
use crate::rng::Rng;

/// Digits scored per unit of work when measuring accuracy: a convolution's activations for
/// 10,000 digits at once would take half a gigabyte.
const SCORE_BATCH: usize = 500;

/// Everything that decides a classifier run.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClassifierTrainingConfig {
    /// Passes over the training digits.
    pub epochs: usize,
    /// Digits per step.
    pub batch_size: usize,
    /// Adam's step size.
    pub learning_rate: f64,
    /// Seeds the weights, dropout and the batch order.
    pub seed: u64,
}

impl Default for ClassifierTrainingConfig {
    fn default() -> Self {
        ClassifierTrainingConfig { epochs: 10, batch_size: 100, learning_rate: 1e-3, seed: 1 }
    }
}

/// Where a run stands; copied before each chunk so a NaN can roll it back.
#[derive(Clone, Debug)]
pub struct Position {
    batches: Batches,
    step: usize,
    /// Dropout's masks.
    dropout: Rng,
}

/// A classifier being trained on binarized digits.
pub struct ClassifierTrainer {
    config: ClassifierTrainingConfig,
    device: Device,
    train: Digits,
    model: Classifier,
    optim: ModuleOptimizer,
    at: Position,
}

impl ClassifierTrainer {
    /// Prepares a run on `train`.
    pub fn new(config: ClassifierTrainingConfig, train: &Digits, device: &Device) -> Result<Self> {
        limits::check("classifier epochs", config.epochs, &limits::EPOCHS)?;
        limits::within("classifier batch size", config.batch_size, 1, train.len().clamp(1, *limits::FLOW_BATCH.end()))?;
        limits::check("classifier learning rate", config.learning_rate, &limits::LEARNING_RATE)?;
        let device = device.clone().autodiff();
        let model = Classifier::new(&mut Init::seeded(config.seed ^ 0xC1A), &device);
        let batches = Batches::new(train.len(), config.batch_size, Rng::new(config.seed ^ 0xC1A5));
        Ok(ClassifierTrainer {
            model,
            optim: Adam::new(0.9, 0.999, 1e-5).optimizer(),
            at: Position { batches, step: 0, dropout: Rng::new(config.seed ^ 0xD509) },
            train: train.clone(),
            config,
            device,
        })
    }

    /// Whether every epoch is done.
    pub fn is_done(&self) -> bool {
        self.standing().done()
    }

    /// Steps in one epoch.
    pub fn steps_per_epoch(&self) -> usize {
        self.at.batches.per_epoch()
    }

    /// The classifier in inference mode (no dropout), on the plain device.
    pub fn model(&self) -> Classifier {
        self.model.valid()
    }

    /// Runs at most `units` steps; an epoch's end ends the chunk.
    pub async fn run(&mut self, units: usize) -> Result<Progress> {
        super::run::chunk(self, units).await
    }
}

impl Phase for ClassifierTrainer {
    type Saved = (Classifier, ModuleOptimizer, Position);
    const LOSS: &'static str = "classifier's loss";

    fn save(&self) -> Self::Saved {
        (snapshot(&self.model), self.optim.clone(), self.at.clone())
    }

    fn restore(&mut self, saved: Self::Saved) {
        (self.model, self.optim, self.at) = saved;
    }

    fn unit(&mut self, record: &mut Record) -> Result<bool> {
        let indices = self.at.batches.current();
        let x = Tensor::<2>::from_data(TensorData::new(self.train.batch(indices, Pixels::Binarized), [indices.len(), PIXELS]), &self.device);
        let labels: Vec<i64> = indices.iter().map(|&i| i64::from(self.train.labels()[i])).collect();
        let y = Tensor::<1, Int>::from_data(TensorData::new(labels, [indices.len()]), &self.device);
        let loss = CrossEntropyLossConfig::new().init(&self.device).forward(self.model.forward_training(x, &mut self.at.dropout), y);
        let grads = GradientsParams::from_grads(loss.backward(), &self.model);
        self.model = self.optim.step(self.config.learning_rate, self.model.clone(), grads);
        record.step(loss.detach().inner());
        self.at.step += 1;
        let epoch_over = self.at.batches.advance();
        if epoch_over {
            self.at.batches.next_epoch(self.config.epochs);
        }
        Ok(epoch_over)
    }

    fn standing(&self) -> Standing {
        Standing::new(&self.at.batches, self.config.epochs, self.at.step, self.steps_per_epoch())
    }
}

/// How the classifier reads one image: the digit it finds most likely, and its probability.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Reading {
    pub digit: u8,
    pub confidence: f32,
}

/// A reading at least this sure counts as a digit in a caption ("read as digits: 27 of 32").
/// Measured with the shipped models (tests/it/classifier.rs): 197 of the first 200 test digits
/// read this surely, 213 of 256 of the pretrained FlowAE's samples, and only 110 of 256 of the
/// plain autoencoder's decodings of z ~ N(0, I), whose smudges half resemble several digits.
pub const SURE: f32 = 0.9;

/// How `classifier` reads `images` (`count × 784` pixel values in [0, 1], binarized here as
/// for the FCD): what a sample grid's caption says to a reader who cannot see it, and how many
/// of its samples look like a digit at all.
pub async fn read(classifier: &Classifier, images: &[f32], device: &Device) -> Result<Vec<Reading>> {
    if images.is_empty() || images.len() % PIXELS != 0 {
        return Err(Error::Data(format!("images must come in whole rows of {PIXELS} pixels")));
    }
    let mut pending = Vec::new();
    for chunk in images.chunks(SCORE_BATCH * PIXELS) {
        pending.push(burn::tensor::activation::softmax(classifier.forward(binarized(chunk, device)), 1).flatten::<1>(0, 1));
    }
    let probabilities = read_all(pending).await?.concat();
    Ok(probabilities
        .chunks_exact(10)
        .map(|p| {
            let (digit, confidence) = p.iter().enumerate().fold((0, f32::NEG_INFINITY), |best, (d, &q)| if q > best.1 { (d, q) } else { best });
            Reading { digit: digit as u8, confidence }
        })
        .collect())
}

/// The fraction of `digits` (binarized) that `classifier` labels correctly.
pub async fn accuracy(classifier: &Classifier, digits: &Digits, device: &Device) -> Result<f32> {
    if digits.is_empty() {
        return Err(Error::Data("no digits to score".into()));
    }
    let mut correct = 0usize;
    let all: Vec<usize> = (0..digits.len()).collect();
    for indices in all.chunks(SCORE_BATCH) {
        let x = Tensor::<2>::from_data(TensorData::new(digits.batch(indices, Pixels::Binarized), [indices.len(), PIXELS]), device);
        let predicted = classifier.forward(x).argmax(1).float().flatten::<1>(0, 1);
        let predicted = read_all(vec![predicted]).await?.pop().unwrap_or_default();
        correct += predicted.iter().zip(indices).filter(|(p, i)| **p as u8 == digits.labels()[**i]).count();
    }
    Ok(correct as f32 / digits.len() as f32)
}
