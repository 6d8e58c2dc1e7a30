//! Resumable trainers: each model's [`phase::Phase`] (what its unit of work is), driven a
//! bounded chunk at a time by the one loop, [`run::chunk`], which reads the chunk's results back
//! once. Every read is asynchronous, which is the only kind WebGPU in wasm allows.

pub mod adam;
pub mod autoencoder;
pub mod classifier;
pub mod codes;
pub mod flow;
pub mod phase;
pub mod run;
pub mod wgan;

use burn::module::Module;


pub use autoencoder::{AeTrainer, AeTrainingConfig};
pub use classifier::{ClassifierTrainer, ClassifierTrainingConfig};
pub use codes::LatentCodes;
pub use flow::{FlowTrainer, FlowTrainingConfig};
pub use wgan::{WganTrainer, WganTrainingConfig};

/// What a chunk of training did, for plots and progress bars.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Progress {
    /// Epochs completed (including their test-loss pass).
    pub epoch: usize,
    /// Epochs the phase will run.
    pub epochs: usize,
    /// Optimizer steps taken since the phase began.
    pub step: usize,
    /// Optimizer steps in one epoch.
    pub steps_per_epoch: usize,
    /// The step number of `losses[0]`.
    pub first_step: usize,
    /// The training loss of each step taken in this chunk.
    pub losses: Vec<f32>,
    /// The test loss, when this chunk finished an epoch: (epoch number from 1, loss).
    pub test_loss: Option<(usize, f32)>,
    /// Whether the chunk ended inside an end-of-epoch test pass.
    pub evaluating: bool,
    /// Whether the phase has finished all its epochs.
    pub done: bool,
    /// While a phase prepares its data (encoding the digits): (done, total).
    pub preparing: Option<(usize, usize)>,
    /// Units of work the chunk did ([`phase::Phase::unit`]: a training step, a critic step, a
    /// batch of the held-out pass). The reported steps do not measure a chunk's work: a WGAN's
    /// chunk of a few critic steps reports none, the one that ends on a generator step reports
    /// one, so a speed or a time left must be judged by units.
    pub units: usize,
    /// Adversarial phases: the generator's loss at each generator step of the chunk (`losses`
    /// then holds the critic's loss before that step).
    pub generator_losses: Vec<f32>,
    /// Adversarial phases: the critic's score gap E[D(real)] − E[D(fake)] before each generator
    /// step; with the Wasserstein loss, the critic's estimate of the Wasserstein-1 distance.
    pub wasserstein: Vec<f32>,
    /// What [`phase::Look`] asked for, read back with the losses: each picture's pixel
    /// probabilities, in the order the phase's `look` gives them. Handed to the page as typed
    /// arrays, not in the serialized progress.
    #[serde(skip)]
    pub pictures: Vec<Vec<f32>>,
}

/// A copy of `module` to roll back to, sharing nothing with it. A plain clone shares BatchNorm's
/// running statistics (burn keeps them behind a shared pointer), so rolling back to a clone would
/// keep the statistics a failed chunk had already updated; a round trip through inference mode
/// copies them out.
pub(crate) fn snapshot<M: Module>(module: &M) -> M {
    module.valid().train()
}

