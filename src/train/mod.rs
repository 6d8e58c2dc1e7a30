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
use burn::prelude::*;
use burn::tensor::{TensorData, Transaction};

use crate::error::{Error, Result};
use crate::rng::Rng;

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

/// Reads tensors back in one transaction, as flat f32 vectors, mapping any device failure to an
/// [`Error::Device`] instead of a panic.
pub async fn read_all(tensors: Vec<Tensor<1>>) -> Result<Vec<Vec<f32>>> {
    if tensors.is_empty() {
        return Ok(Vec::new());
    }
    let transaction = tensors.into_iter().fold(Transaction::default(), |t, x| t.register(x));
    let data = transaction
        .execute_async()
        .await
        .map_err(|e| Error::Device(format!("reading results back from the device failed: {e:?}")))?;
    data.into_iter()
        .map(|d| {
            d.convert::<f32>()
                .try_into_vec::<f32>()
                .map_err(|e| Error::Device(format!("unexpected data from the device: {e:?}")))
        })
        .collect()
}

/// Reads one tensor back as a flat f32 vector.
pub async fn read(tensor: Tensor<2>) -> Result<Vec<f32>> {
    let flat = tensor.flatten::<1>(0, 1);
    Ok(read_all(vec![flat]).await?.pop().unwrap_or_default())
}

/// Refuses a sampling temperature outside [0, 10] (NaN included).
pub(crate) fn check_temperature(temperature: f32) -> Result<()> {
    if (0.0..=10.0).contains(&temperature) {
        Ok(())
    } else {
        Err(Error::Config(format!("temperature must be between 0 and 10, not {temperature}")))
    }
}

/// `count` base draws z0 ~ N(0, T²I) of `k` values from `seed`: what the flow and the generator
/// turn into codes, drawn on the host so that a seed means the same on every backend.
pub(crate) fn base_draws(count: usize, k: usize, temperature: f32, seed: u64) -> Result<Vec<f32>> {
    check_temperature(temperature)?;
    Ok(Rng::new(seed).normals(count * k).into_iter().map(|v| v * temperature).collect())
}

/// `values` as rows of `k` on `device`; refused, with `what` naming them, unless they are
/// whole, finite vectors of `k`.
pub(crate) fn rows(values: Vec<f32>, k: usize, what: &str, device: &Device) -> Result<Tensor<2>> {
    if values.is_empty() || k == 0 || values.len() % k != 0 || values.iter().any(|v| !v.is_finite()) {
        return Err(Error::Config(format!("{what} must be whole, finite vectors of {k}")));
    }
    let count = values.len() / k;
    Ok(Tensor::from_data(TensorData::new(values, [count, k]), device))
}
