//! The autoencoder and its trainer on the CPU backend.

mod common;

use burn::prelude::*;
use burn::tensor::TensorData;
use flowae::Error;
use flowae::data::{Digits, Pixels};
use flowae::models::AutoencoderConfig;
use flowae::models::autoencoder::bce_with_logits;
use flowae::train::{AeTrainer, AeTrainingConfig};

fn small(seed: u64) -> AeTrainingConfig {
    AeTrainingConfig {
        epochs: 3,
        batch_size: 50,
        train_images: 1000,
        test_images: 500,
        seed,
        ..AeTrainingConfig::default()
    }
}

fn train_all(config: AeTrainingConfig, train: &Digits, test: &Digits) -> (Vec<f32>, Vec<(usize, f32)>) {
    let mut trainer = AeTrainer::new(config, train, test, &Device::flex()).unwrap();
    let (mut losses, mut tests) = (Vec::new(), Vec::new());
    while !trainer.is_done() {
        let p = pollster::block_on(trainer.run(7)).unwrap();
        assert!(p.losses.len() <= 7);
        assert_eq!(p.first_step + p.losses.len(), p.step);
        losses.extend(p.losses);
        tests.extend(p.test_loss);
    }
    (losses, tests)
}

#[test]
fn networks_have_the_papers_shapes() {
    let device = Device::flex();
    let model = AutoencoderConfig::default().init(&device).unwrap();
    let x = Tensor::<2>::zeros([3, 784], &device);
    let z = model.encoder.forward(x.clone());
    assert_eq!(z.dims(), [3, 10]);
    assert_eq!(model.decoder.forward(z).dims(), [3, 784]);
    assert_eq!(model.forward(x).dims(), [3, 784]);
    let wide = AutoencoderConfig { hidden: 64, latent: 2 }.init(&device).unwrap();
    assert_eq!(wide.encoder.forward(Tensor::zeros([2, 784], &device)).dims(), [2, 2]);
}

#[test]
fn bce_matches_the_textbook_formula_and_survives_large_logits() {
    let device = Device::flex();
    let logits = [-3.0f32, -0.5, 0.0, 2.0];
    let targets = [0.0f32, 1.0, 1.0, 0.3];
    let expected: f32 = logits
        .iter()
        .zip(targets)
        .map(|(&l, x)| {
            let p = 1.0 / (1.0 + (-l).exp());
            -(x * p.ln() + (1.0 - x) * (1.0 - p).ln())
        })
        .sum::<f32>()
        / 2.0;
    let tensor = |v: &[f32]| Tensor::<2>::from_data(TensorData::new(v.to_vec(), [2, 2]), &device);
    let got: f32 = bce_with_logits(tensor(&logits), tensor(&targets)).into_scalar();
    assert!((got - expected).abs() < 1e-5, "{got} vs {expected}");

    let extreme: f32 = bce_with_logits(tensor(&[100.0, -100.0, 100.0, -100.0]), tensor(&[1.0, 0.0, 0.0, 1.0]))
        .into_scalar();
    assert!((extreme - 100.0).abs() < 1e-3, "two wrong pixels at |logit| 100 cost 200 over 2 images, got {extreme}");
}

#[test]
fn loss_falls_on_a_small_subset() {
    let (train, test) = common::mnist();
    let (losses, tests) = train_all(small(7), &train, &test);
    assert_eq!(losses.len(), 3 * 20);
    assert_eq!(tests.iter().map(|t| t.0).collect::<Vec<_>>(), [1, 2, 3]);
    let first = losses[..5].iter().sum::<f32>() / 5.0;
    let last = losses[losses.len() - 5..].iter().sum::<f32>() / 5.0;
    assert!(first > 400.0, "an untrained model costs about 784·ln 2 = 543 nats, got {first}");
    assert!(last < 0.5 * first, "training loss should at least halve: {first} → {last}");
    assert!(tests[2].1 < tests[0].1, "test loss should fall: {tests:?}");
    assert!(tests[2].1 < 250.0, "test loss after 3 small epochs: {tests:?}");
}

#[test]
fn the_same_seed_gives_the_same_losses() {
    let (train, test) = common::mnist();
    let config = AeTrainingConfig { epochs: 1, train_images: 300, test_images: 100, ..small(11) };
    let a = train_all(config.clone(), &train, &test);
    let b = train_all(config.clone(), &train, &test);
    assert_eq!(a, b);
    let c = train_all(AeTrainingConfig { seed: 12, ..config }, &train, &test);
    assert_ne!(a.0, c.0, "another seed should give other losses");
}

#[test]
fn grayscale_inputs_train_too() {
    let (train, test) = common::mnist();
    let config = AeTrainingConfig { epochs: 1, pixels: Pixels::Grayscale, ..small(3) };
    let (losses, tests) = train_all(config, &train, &test);
    assert!(losses.iter().all(|l| l.is_finite()));
    assert!(losses[losses.len() - 1] < losses[0]);
    assert_eq!(tests.len(), 1);
}

#[test]
fn refuses_settings_that_cannot_train() {
    let digits = common::random_digits(200, 1);
    let device = Device::flex();
    let base = AeTrainingConfig { train_images: 200, test_images: 50, ..small(1) };
    assert!(AeTrainer::new(base.clone(), &digits, &digits, &device).is_ok(), "the base settings are valid");
    let cases = [
        AeTrainingConfig { epochs: 0, ..base.clone() },
        AeTrainingConfig { batch_size: 1, ..base.clone() },
        AeTrainingConfig { learning_rate: -1e-3, ..base.clone() },
        AeTrainingConfig { learning_rate: f64::NAN, ..base.clone() },
        AeTrainingConfig { learning_rate: 5.0, ..base.clone() },
        AeTrainingConfig { train_images: 100_000, ..base.clone() },
        AeTrainingConfig { train_images: 100, batch_size: 150, ..base.clone() },
        AeTrainingConfig { model: AutoencoderConfig { hidden: 0, latent: 10 }, ..base.clone() },
        AeTrainingConfig { model: AutoencoderConfig { hidden: 300, latent: 0 }, ..base.clone() },
    ];
    for config in cases {
        match AeTrainer::new(config.clone(), &digits, &digits, &device) {
            Err(Error::Config(message)) => assert!(!message.is_empty()),
            Err(other) => panic!("{config:?}: expected a config error, got {other}"),
            Ok(_) => panic!("{config:?} should be refused"),
        }
    }
}

#[test]
fn reconstructions_and_samples_are_pixel_probabilities() {
    let (train, test) = common::mnist();
    let config = AeTrainingConfig { epochs: 1, train_images: 200, test_images: 50, ..small(5) };
    let mut trainer = AeTrainer::new(config, &train, &test, &Device::flex()).unwrap();
    pollster::block_on(trainer.run(100)).unwrap();
    let r = pollster::block_on(trainer.reconstructions(6)).unwrap();
    assert_eq!((r.inputs.len(), r.outputs.len()), (6 * 784, 6 * 784));
    assert!(r.outputs.iter().all(|p| (0.0..=1.0).contains(p)));
    let s = pollster::block_on(trainer.prior_samples(5, 9)).unwrap();
    assert_eq!(s.len(), 5 * 784);
    assert!(s.iter().all(|p| (0.0..=1.0).contains(p)));
    assert_eq!(s, pollster::block_on(trainer.prior_samples(5, 9)).unwrap(), "same seed, same samples");
}
