//! Resumable trainers: one call runs one bounded chunk of work and reads its results back once.
//!
//! A browser cannot block on the GPU, and a page must answer Pause within a fraction of a second,
//! so no trainer owns a loop over epochs. The caller (the worker, or the native tool) calls
//! `run(units)` again and again; each call takes at most `units` steps, then awaits one batched
//! read-back of the chunk's losses. Every read is asynchronous, which is the only kind WebGPU in
//! wasm allows.

pub mod adam;
pub mod autoencoder;
pub mod classifier;
pub mod codes;
pub mod flow;
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

/// Reads back what one chunk of training produced: the training losses of its steps (one
/// tensor of `[1]` each) and, when the chunk ended an epoch, the held-out loss.
pub(crate) async fn read_chunk(losses: Vec<Tensor<1>>, held_out: Option<Tensor<1>>) -> Result<(Vec<f32>, Option<f32>)> {
    let ([losses], held_out) = read_series([losses], held_out).await?;
    Ok((losses, held_out))
}

/// Like [`read_chunk`] for several series of per-step values, in one transaction; a series
/// may be empty (a phase that records nothing there).
pub(crate) async fn read_series<const N: usize>(series: [Vec<Tensor<1>>; N], held_out: Option<Tensor<1>>) -> Result<([Vec<f32>; N], Option<f32>)> {
    let present: [bool; N] = std::array::from_fn(|i| !series[i].is_empty());
    let mut tensors: Vec<Tensor<1>> = series.into_iter().filter(|s| !s.is_empty()).map(|s| Tensor::cat(s, 0)).collect();
    let has_held_out = held_out.is_some();
    tensors.extend(held_out);
    let mut values = read_all(tensors).await?.into_iter();
    let series = present.map(|p| if p { values.next().unwrap_or_default() } else { Vec::new() });
    let held_out = if has_held_out { values.next().and_then(|v| v.first().copied()) } else { None };
    Ok((series, held_out))
}

/// One number per step that is non-finite when any of the series' values at that step is
/// (series that recorded nothing are left out).
pub(crate) fn per_step_sums(series: &[Vec<f32>]) -> Vec<f32> {
    let steps = series.first().map_or(0, Vec::len);
    (0..steps).map(|i| series.iter().filter_map(|s| s.get(i)).sum()).collect()
}

/// The error for a chunk whose losses were not all finite, or `None` if they were. `kept` is
/// the step the run was rolled back to.
pub(crate) fn non_finite(what: &str, first_step: usize, losses: &[f32], held_out: Option<f32>, kept: usize) -> Option<Error> {
    let when = match losses.iter().position(|l| !l.is_finite()) {
        Some(i) => format!("at step {}", first_step + i + 1),
        None if held_out.is_some_and(|l| !l.is_finite()) => "on the held-out data".to_string(),
        None => return None,
    };
    Some(Error::NonFinite(format!(
        "the {what} became NaN or infinite {when}; the weights after step {kept} were kept. \
         A smaller learning rate usually helps."
    )))
}

/// Reads one tensor back as a flat f32 vector.
pub async fn read(tensor: Tensor<2>) -> Result<Vec<f32>> {
    let flat = tensor.flatten::<1>(0, 1);
    Ok(read_all(vec![flat]).await?.pop().unwrap_or_default())
}

/// Checks a positive setting: a number in `range`, for a message naming `what`.
pub(crate) fn check_range<T: PartialOrd + std::fmt::Display + Copy>(
    what: &str,
    value: T,
    low: T,
    high: T,
) -> Result<()> {
    // NaN fails both comparisons, so it is refused too.
    if value >= low && value <= high {
        Ok(())
    } else {
        Err(Error::Config(format!("{what} must be between {low} and {high}, not {value}")))
    }
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
