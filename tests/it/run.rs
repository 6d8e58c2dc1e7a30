//! The one training loop (flowae::train::run): what the page asks to see of a model comes back
//! with the chunk's losses, in the same read-back, and is exactly what the model draws alone.

use crate::common;

use burn::prelude::*;
use flowae::train::phase::Look;
use flowae::train::run::chunk_looking;
use flowae::train::{AeTrainer, AeTrainingConfig, FlowTrainer, FlowTrainingConfig, WganTrainer, WganTrainingConfig};

fn look(due: bool) -> Look {
    Look { count: 3, temperature: 0.7, seed: 11, reconstructions: 2, due }
}

fn autoencoder() -> AeTrainer {
    let digits = common::random_digits(120, 1);
    let config = AeTrainingConfig { epochs: 2, batch_size: 20, train_images: 100, test_images: 20, ..AeTrainingConfig::default() };
    AeTrainer::new(config, &digits.take(100), &digits, &Device::flex()).unwrap()
}

#[test]
fn pictures_come_when_due_or_at_an_epoch_end_and_match_the_models_own() {
    let mut ae = autoencoder();
    let quiet = pollster::block_on(chunk_looking(&mut ae, 2, Some(&look(false)))).unwrap();
    assert_eq!((quiet.losses.len(), quiet.pictures.len()), (2, 0), "not due, no epoch's end: nothing drawn");
    let due = pollster::block_on(chunk_looking(&mut ae, 1, Some(&look(true)))).unwrap();
    assert_eq!(due.pictures.len(), 2, "reconstructions, then samples");
    assert_eq!(due.pictures[0], pollster::block_on(ae.reconstructions(2)).unwrap().outputs);
    assert_eq!(due.pictures[1], pollster::block_on(ae.sampler().samples(3, 1.0, 11)).unwrap());
    // Two more steps end the epoch and the test pass follows in the same chunk.
    let epoch = pollster::block_on(chunk_looking(&mut ae, 10, Some(&look(false)))).unwrap();
    assert!(epoch.test_loss.is_some());
    assert_eq!(epoch.pictures.len(), 2, "an epoch's end is always drawn");
    assert_eq!(epoch.pictures[1], pollster::block_on(ae.sampler().samples(3, 1.0, 11)).unwrap());
    let without = pollster::block_on(chunk_looking(&mut ae, 1, None)).unwrap();
    assert!(without.pictures.is_empty(), "no look, no pictures");

    let codes = ae.frozen_codes().unwrap();
    let mut flow = FlowTrainer::with_codes(FlowTrainingConfig { epochs: 1, batch_size: 20, ..FlowTrainingConfig::default() }, codes.clone(), &Device::flex()).unwrap();
    let preparing = pollster::block_on(chunk_looking(&mut flow, 5, Some(&look(true)))).unwrap();
    assert!(preparing.preparing.is_some() && preparing.pictures.is_empty(), "nothing to draw while encoding");
    let drawn = pollster::block_on(chunk_looking(&mut flow, 1, Some(&look(true)))).unwrap();
    assert_eq!(drawn.pictures, vec![pollster::block_on(flow.sampler().unwrap().samples(3, 0.7, 11)).unwrap()]);

    let mut wgan = WganTrainer::with_codes(WganTrainingConfig { epochs: 1, batch_size: 20, ..WganTrainingConfig::default() }, codes, &Device::flex()).unwrap();
    pollster::block_on(chunk_looking(&mut wgan, 5, None)).unwrap();
    let drawn = pollster::block_on(chunk_looking(&mut wgan, 1, Some(&look(true)))).unwrap();
    assert_eq!(drawn.pictures, vec![pollster::block_on(wgan.sampler().unwrap().samples(3, 1.0, 11)).unwrap()], "AdvAE samples at temperature 1");
}

#[test]
fn a_look_that_is_refused_rolls_the_chunk_back_and_says_why() {
    let ae = autoencoder();
    let config = FlowTrainingConfig { epochs: 1, batch_size: 20, ..FlowTrainingConfig::default() };
    let mut flow = FlowTrainer::with_codes(config, ae.frozen_codes().unwrap(), &Device::flex()).unwrap();
    pollster::block_on(chunk_looking(&mut flow, 5, None)).unwrap(); // encodes the codes
    pollster::block_on(chunk_looking(&mut flow, 1, None)).unwrap();
    let before = pollster::block_on(flow.sampler().unwrap().samples(3, 1.0, 2)).unwrap();
    let hot = Look { temperature: 20.0, ..look(true) };
    let error = pollster::block_on(chunk_looking(&mut flow, 2, Some(&hot))).unwrap_err();
    assert!(error.to_string().contains("temperature"), "{error}");
    assert_eq!(pollster::block_on(flow.sampler().unwrap().samples(3, 1.0, 2)).unwrap(), before, "the chunk's steps were rolled back");
    let next = pollster::block_on(chunk_looking(&mut flow, 1, Some(&look(true)))).unwrap();
    assert_eq!((next.first_step, next.step), (1, 2), "training goes on from where the failed chunk began");
}

/// A run whose loss runs away without becoming NaN (a flow at learning rate 1 reached an NLL of
/// 10¹² and ended "Done": issue 12) is stopped as a NaN one is: rolled back, with a message.
#[test]
fn a_diverging_run_is_stopped_not_finished() {
    let ae = autoencoder();
    let config = FlowTrainingConfig { epochs: 50, batch_size: 20, learning_rate: 1.0, ..FlowTrainingConfig::default() };
    let mut flow = FlowTrainer::with_codes(config, ae.frozen_codes().unwrap(), &Device::flex()).unwrap();
    let mut worst = 0.0f32;
    let error = loop {
        match pollster::block_on(chunk_looking(&mut flow, 50, None)) {
            Ok(progress) => {
                worst = progress.losses.iter().fold(worst, |w, l| w.max(l.abs()));
                assert!(!progress.done, "a flow at learning rate 1 finished, its worst NLL {worst}");
            }
            Err(error) => break error,
        }
    };
    let message = error.to_string();
    assert!(message.contains("diverged") || message.contains("NaN or infinite"), "{message}");
    assert!(worst <= flowae::train::run::DIVERGED, "no loss past the bound was handed on: {worst}");
}
