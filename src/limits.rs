//! How far each setting may go, written once. The library refuses what lies outside (each
//! config's `validate`), and the settings table ([`crate::settings`]) hands the same bounds to
//! the page's forms and the command line's flags, so that the three never disagree.
//!
//! The upper bounds are not the paper's: they keep a run within what a browser tab can hold
//! and finish.

use std::ops::RangeInclusive;

use crate::{Error, Result};

/// Passes over the data, for every model.
pub const EPOCHS: RangeInclusive<usize> = 1..=1000;
/// Adam's step size, for every optimizer.
pub const LEARNING_RATE: RangeInclusive<f64> = 1e-7..=1.0;
/// Hidden widths of every network.
pub const WIDTH: RangeInclusive<usize> = 1..=4096;
/// The autoencoder's latent dimension k.
pub const LATENT: RangeInclusive<usize> = 1..=256;
/// Images or codes per step where a network normalizes over the batch (BatchNorm needs two).
pub const BATCH: RangeInclusive<usize> = 2..=4096;
/// Codes per step of the flow, which has no BatchNorm.
pub const FLOW_BATCH: RangeInclusive<usize> = 1..=4096;
/// RealNVP's coupling layers.
pub const COUPLING_LAYERS: RangeInclusive<usize> = 1..=32;
/// Critic steps per generator step, n_critic.
pub const CRITIC_STEPS: RangeInclusive<usize> = 1..=1000;
/// The gradient penalty's weight λ.
pub const PENALTY: RangeInclusive<f64> = 0.0..=1e4;
/// Standard deviation of the noise on the codes while the autoencoder trains.
pub const LATENT_NOISE: RangeInclusive<f64> = 0.0..=10.0;
/// Training digits used: MNIST has 60,000 (a run needs two for a batch).
pub const TRAIN_IMAGES: RangeInclusive<usize> = 2..=60_000;
/// A visitor's own images: fewer than 50 are too few to learn a distribution from (a model
/// would copy each one, and one in six is held out to score it: 8 of 50); MNIST's 70,000 at most.
pub const OWN_IMAGES: RangeInclusive<usize> = 50..=70_000;
/// Test digits scored: MNIST has 10,000.
pub const TEST_IMAGES: RangeInclusive<usize> = 1..=10_000;
/// Seeds: what a page's number field and the worker's 32-bit seeds carry.
pub const SEED: RangeInclusive<u64> = 0..=u32::MAX as u64;
/// Runs of `flowae table --seeds`: each trains every model.
pub const SEEDS: RangeInclusive<u64> = 1..=100;
/// Test digits drawn on the latent map.
pub const MAP_DIGITS: RangeInclusive<usize> = 100..=10_000;
/// The 2-D lab's training points: at most the 10,000 digits its MNIST autoencoder trains on.
pub const PLANE_POINTS: RangeInclusive<usize> = 100..=10_000;
/// Points of each kind the 2-D lab's picture draws.
pub const PLANE_DRAWN: RangeInclusive<usize> = 1..=5_000;
/// Generated codes per model laid over the map.
pub const MAP_OVERLAY: RangeInclusive<usize> = 0..=5_000;
/// t-SNE's perplexity (the map also needs more than three points per unit of it).
pub const PERPLEXITY: RangeInclusive<f64> = 2.0..=1_000.0;

/// Samples written or scored at once (the FCD needs two; the paper scored 10,000): at most
/// 100,000 keeps their pixels within a few hundred MB.
pub const SAMPLES: RangeInclusive<usize> = 2..=100_000;

/// Memory a run may need, in MB (see [`crate::memory`]): a browser tab's WebAssembly can address
/// 4 GiB at most, and the page, the digits and the allocator's slack need the rest.
pub const MEMORY_MB: u64 = 3_072;

/// The temperature T of sampling, z0 ~ N(0, T²I).
pub const TEMPERATURE: RangeInclusive<f32> = 0.0..=10.0;

/// The most one Adam step can move a value, as a multiple of its learning rate. Adam moves a
/// value by lr · m̂/(√v̂ + ε), and by Cauchy–Schwarz |m_t| ≤ (1 − β₁)/√(1 − β₂) ·
/// (1 − β₁²/β₂)^(−1/2) · √v_t, with bias corrections that only shrink it: 7.27 at the
/// β = (0.9, 0.999) every model here uses but the WGAN's (0.5, 0.9), which gives 1.86.
pub const ADAM_STEP: f64 = 7.3;

/// The largest magnitude any trained weight can reach, and a file's values are held to (a
/// BatchNorm running mean too, a running variance to its square): every value starts within a
/// few units of zero and moves at most [`ADAM_STEP`] × the largest learning rate per step, over
/// at most [`EPOCHS`] epochs of [`TRAIN_IMAGES`] one at a time with [`CRITIC_STEPS`] steps each
/// (6·10¹⁰ steps, 4.4·10¹¹ in all). A file beyond it was not made by training: 3·10³⁸ in a
/// decoder loads as "finite" and draws solid squares. Within it, absurd weights are caught by
/// their samples ([`crate::sample::Sampler::check`]).
pub const WEIGHT: f64 = 1e3 + ADAM_STEP * *LEARNING_RATE.end() * (*EPOCHS.end() as f64 * *TRAIN_IMAGES.end() as f64 * *CRITIC_STEPS.end() as f64);

/// Refuses `value` outside `range` (NaN included), naming the setting as `what`.
pub fn check<T: PartialOrd + std::fmt::Display + Copy>(what: &str, value: T, range: &RangeInclusive<T>) -> Result<()> {
    within(what, value, *range.start(), *range.end())
}

/// Refuses `value` outside `low..=high` (NaN included), naming the setting as `what`: for the
/// bounds that also depend on the data (a batch no larger than the training set).
pub fn within<T: PartialOrd + std::fmt::Display + Copy>(what: &str, value: T, low: T, high: T) -> Result<()> {
    // NaN fails both comparisons, so it is refused too.
    if value >= low && value <= high {
        Ok(())
    } else {
        Err(Error::Config(format!("{what} must be between {low} and {high}, not {value}")))
    }
}
