//! The one training loop: a chunk of any [`Phase`], then one read-back.
//!
//! A browser cannot block on the GPU, and a page must answer Pause within a fraction of a
//! second, so nothing here loops over epochs. The caller (the worker, or the native tool) asks
//! for chunks again and again; each takes at most `units` units of work, then awaits one
//! transaction that reads back everything the chunk recorded. A loss that is NaN or infinite, or
//! a device that fails, rolls the phase back to where the chunk began.

use burn::prelude::*;

use super::phase::{Look, Phase, Record};
use super::Progress;
use crate::device::read_all;
use crate::error::{Error, Result};

/// Runs at most `units` units (at least one) of `phase`, then reads the chunk's records back in
/// one transaction. A chunk ends early at an epoch's end.
pub async fn chunk<P: Phase>(phase: &mut P, units: usize) -> Result<Progress> {
    chunk_looking(phase, units, None).await
}

/// [`chunk`], and what `look` asks to draw of the model in the same read-back, when it is due
/// or the chunk ended an epoch (the page redraws at every epoch's end).
pub async fn chunk_looking<P: Phase>(phase: &mut P, units: usize, look: Option<&Look>) -> Result<Progress> {
    if let Some(preparing) = phase.prepare(units).await? {
        let at = phase.standing();
        return Ok(Progress { preparing: Some(preparing), ..progress(&at, at.step) });
    }
    let first_step = phase.standing().step;
    let saved = phase.save();
    let checked = match work(phase, units, look).await {
        Ok(values) => non_finite(P::LOSS, first_step, &values).map_or(Ok(values), Err),
        Err(error) => Err(error),
    };
    let values = match checked {
        Ok(values) => values,
        Err(error) => {
            phase.restore(saved);
            return Err(error);
        }
    };
    let at = phase.standing();
    Ok(Progress {
        losses: values.losses,
        generator_losses: values.generator_losses,
        wasserstein: values.wasserstein,
        test_loss: values.held_out.map(|l| (at.epoch, l)),
        pictures: values.pictures,
        units: values.units,
        ..progress(&at, first_step)
    })
}

/// The units of one chunk, then what `look` asks to draw when it is due, then the one read-back.
async fn work<P: Phase>(phase: &mut P, units: usize, look: Option<&Look>) -> Result<Values> {
    let mut record = Record::default();
    let mut epoch_end = false;
    let mut done = 0;
    for _ in 0..units.max(1) {
        if epoch_end || phase.standing().done() {
            break;
        }
        epoch_end = phase.unit(&mut record)?;
        done += 1;
    }
    let pictures = match look {
        Some(look) if look.due || epoch_end || phase.standing().done() => phase.look(look)?,
        _ => Vec::new(),
    };
    Ok(Values { units: done, ..read(record, pictures).await? })
}

/// Progress with no records.
fn progress(at: &super::phase::Standing, first_step: usize) -> Progress {
    Progress {
        epoch: at.epoch,
        epochs: at.epochs,
        step: at.step,
        steps_per_epoch: at.steps_per_epoch,
        first_step,
        evaluating: at.evaluating,
        done: at.done(),
        ..Progress::default()
    }
}

/// A chunk's records as numbers.
struct Values {
    units: usize,
    losses: Vec<f32>,
    generator_losses: Vec<f32>,
    wasserstein: Vec<f32>,
    held_out: Option<f32>,
    pictures: Vec<Vec<f32>>,
}

/// Reads a chunk's records and `pictures` back in one transaction; a series that recorded
/// nothing stays empty.
async fn read(record: Record, pictures: Vec<Tensor<2>>) -> Result<Values> {
    let Record { losses, generator_losses, wasserstein, held_out } = record;
    let series = [losses, generator_losses, wasserstein];
    let present: [bool; 3] = std::array::from_fn(|i| !series[i].is_empty());
    let mut tensors: Vec<Tensor<1>> = series.into_iter().filter(|s| !s.is_empty()).map(|s| Tensor::cat(s, 0)).collect();
    let has_held_out = held_out.is_some();
    tensors.extend(held_out);
    tensors.extend(pictures.into_iter().map(|p| p.flatten::<1>(0, 1)));
    let mut values = read_all(tensors).await?.into_iter();
    let [losses, generator_losses, wasserstein] = present.map(|p| if p { values.next().unwrap_or_default() } else { Vec::new() });
    let held_out = if has_held_out { values.next().and_then(|v| v.first().copied()) } else { None };
    Ok(Values { units: 0, losses, generator_losses, wasserstein, held_out, pictures: values.collect() })
}

/// A loss beyond this size means the run has diverged: no model here is ever near it while it
/// learns (an untrained autoencoder costs ~543 nats per image, a flow a few nats per
/// dimension), while a flow at learning rate 1 ran on to an NLL of 10¹² and ended "Done".
pub const DIVERGED: f32 = 1e6;

/// The error for a chunk whose records were not all finite or had diverged (beyond
/// [`DIVERGED`]), or `None` if they were fine. The run is rolled back to `first_step`, the step
/// the chunk began at.
fn non_finite(what: &str, first_step: usize, values: &Values) -> Option<Error> {
    let bad = |v: &f32| !v.is_finite() || v.abs() > DIVERGED;
    let series = [&values.losses, &values.generator_losses, &values.wasserstein];
    let bad_step = (0..values.losses.len()).find_map(|i| series.iter().filter_map(|s| s.get(i)).find(|v| bad(v)).map(|v| (i, *v)));
    let (value, when) = match bad_step {
        Some((i, v)) => (v, format!("at step {}", first_step + i + 1)),
        None => match values.held_out.filter(bad) {
            Some(v) => (v, "on the held-out data".to_string()),
            None => return None,
        },
    };
    let became = if value.is_finite() { format!("reached {value:.1e} (the run diverged)") } else { "became NaN or infinite".to_string() };
    Some(Error::NonFinite(format!(
        "the {what} {became} {when}; the weights after step {first_step} were kept. \
         A smaller learning rate usually helps."
    )))
}
