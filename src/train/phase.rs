//! What one model's training is, apart from the loop that runs it.
//!
//! Each model (the autoencoder and its VAE and AAE variants, the flow, the WGAN, the FCD
//! classifier) says here only what is particular to it: what a unit of work does, what it
//! records, where the run stands, and how to copy and restore itself. Chunking, the single
//! read-back, the NaN rollback and the progress report are [`super::run::chunk`]'s, written
//! once. In the spirit of burn-train's `TrainStep`, but a unit of work rather than a whole step:
//! a WGAN critic step or a slice of a test pass is a unit too, so that a chunk stays short.

use burn::prelude::*;

use crate::data::Batches;
use crate::error::Result;

/// Where a run stands, between chunks.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Standing {
    /// Epochs completed (including their held-out pass).
    pub epoch: usize,
    /// Epochs the run will take.
    pub epochs: usize,
    /// Optimizer steps reported so far (a WGAN's generator steps).
    pub step: usize,
    /// Reported steps in one epoch.
    pub steps_per_epoch: usize,
    /// Whether the run is inside an end-of-epoch held-out pass.
    pub evaluating: bool,
}

impl Standing {
    /// Where a run walking `batches` for `epochs` epochs stands after `step` reported steps,
    /// outside any held-out pass.
    pub fn new(batches: &Batches, epochs: usize, step: usize, steps_per_epoch: usize) -> Standing {
        Standing { epoch: batches.epoch, epochs, step, steps_per_epoch, evaluating: false }
    }

    /// Whether every epoch is done.
    pub fn done(&self) -> bool {
        self.epoch >= self.epochs
    }
}

/// What the units of one chunk recorded, still on the device: read back once, together, when
/// the chunk ends.
#[derive(Default)]
pub struct Record {
    /// Per reported step: its loss (a WGAN's critic loss, an AAE's reconstruction loss).
    pub(super) losses: Vec<Tensor<1>>,
    /// Adversarial runs, per reported step: the generator's (or the AAE encoder's) loss.
    pub(super) generator_losses: Vec<Tensor<1>>,
    /// Adversarial runs, per reported step: the critic's score gap E[D(real)] − E[D(fake)].
    pub(super) wasserstein: Vec<Tensor<1>>,
    /// The held-out loss of the epoch this chunk ended.
    pub(super) held_out: Option<Tensor<1>>,
}

impl Record {
    /// A reported step and its loss.
    pub fn step(&mut self, loss: Tensor<1>) {
        self.losses.push(loss);
    }

    /// A reported step of an adversarial run: the first network's loss, the generator's loss
    /// and the critic's score gap.
    pub fn adversarial_step(&mut self, loss: Tensor<1>, generator_loss: Tensor<1>, gap: Tensor<1>) {
        self.losses.push(loss);
        self.generator_losses.push(generator_loss);
        self.wasserstein.push(gap);
    }

    /// The held-out loss of the epoch just finished.
    pub fn held_out(&mut self, loss: Tensor<1>) {
        self.held_out = Some(loss);
    }
}

/// What the page draws of a model while it trains, asked for with a chunk so that it is read
/// back in the chunk's one transaction (on WebGPU each read-back is a round trip).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Look {
    /// Samples to draw.
    pub count: usize,
    /// The flow's sampling temperature (the others sample at 1).
    pub temperature: f32,
    /// Seeds the draws, so that the same samples are redrawn as the model learns.
    pub seed: u64,
    /// Test digits to reconstruct (autoencoders only).
    pub reconstructions: usize,
    /// Whether to draw even when the chunk ends no epoch: a redraw the page wants now.
    pub due: bool,
}

/// One model's training, driven by [`super::run::chunk`].
// No `Send` bound is wanted: in the browser every future runs on the worker's one thread.
#[allow(async_fn_in_trait)]
pub trait Phase {
    /// Everything a chunk may change (weights, optimizer state, position), copied before it so
    /// that a NaN rolls the run back. BatchNorm's running statistics must be copied, not shared
    /// (see [`super::snapshot`]).
    type Saved;

    /// What the loss is called in messages ("the flow's loss became NaN …").
    const LOSS: &'static str;

    /// A copy to roll back to.
    fn save(&self) -> Self::Saved;

    /// Rolls back to `saved`.
    fn restore(&mut self, saved: Self::Saved);

    /// Work due before the first step (encoding digits into codes), at most `units` units of
    /// it: `Some((done, total))` when there was any, which makes the whole chunk.
    async fn prepare(&mut self, _units: usize) -> Result<Option<(usize, usize)>> {
        Ok(None)
    }

    /// One unit of work: an optimizer step, or a slice of a held-out pass. Returns whether it
    /// ended an epoch, which ends the chunk so that every epoch's held-out loss is reported.
    fn unit(&mut self, record: &mut Record) -> Result<bool>;

    /// Where the run stands.
    fn standing(&self) -> Standing;

    /// What the page draws of the model as it stands (samples, reconstructions), as pixel
    /// probabilities still on the device; nothing for a model that is not drawn, or cannot be
    /// yet.
    fn look(&self, _look: &Look) -> Result<Vec<Tensor<2>>> {
        Ok(Vec::new())
    }
}
