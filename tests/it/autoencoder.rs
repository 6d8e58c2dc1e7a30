//! The autoencoder and its trainer on the CPU backend.

use crate::common;

use burn::prelude::*;
use burn::tensor::TensorData;
use flowae::Error;
use flowae::data::{Digits, Pixels};
use flowae::models::{AutoencoderConfig, Init};
use flowae::models::autoencoder::{bce_with_logits, negative_elbo};
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
    train_in_chunks(config, train, test, 7)
}

/// Every training loss and test loss of a run driven `units` at a time.
fn train_in_chunks(config: AeTrainingConfig, train: &Digits, test: &Digits, units: usize) -> (Vec<f32>, Vec<(usize, f32)>) {
    let mut trainer = AeTrainer::new(config, train, test, &Device::flex()).unwrap();
    let (mut losses, mut tests) = (Vec::new(), Vec::new());
    while !trainer.is_done() {
        let p = pollster::block_on(trainer.run(units)).unwrap();
        assert!(p.losses.len() <= units);
        assert_eq!(p.first_step + p.losses.len(), p.step);
        losses.extend(p.losses);
        tests.extend(p.test_loss);
    }
    (losses, tests)
}

#[test]
fn networks_have_the_papers_shapes() {
    let device = Device::flex();
    let model = AutoencoderConfig::default().init(&mut Init::seeded(1), &device).unwrap();
    let x = Tensor::<2>::zeros([3, 784], &device);
    let z = model.encoder.forward(x.clone());
    assert_eq!(z.dims(), [3, 10]);
    assert_eq!(model.decoder.forward(z).dims(), [3, 784]);
    assert_eq!(model.forward(x).dims(), [3, 784]);
    let wide = AutoencoderConfig { hidden: 64, latent: 2, ..AutoencoderConfig::default() }.init(&mut Init::seeded(2), &device).unwrap();
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

/// The page sizes its chunks by the clock, so where they fall must not change a number: the
/// test pass once scored the model as it stood at the start of the chunk its epoch ended in.
#[test]
fn how_the_run_is_chunked_changes_no_loss() {
    let (train, test) = common::mnist();
    let config = AeTrainingConfig { epochs: 2, train_images: 400, test_images: 100, ..small(13) };
    let one_at_a_time = train_in_chunks(config.clone(), &train, &test, 1);
    assert_eq!(one_at_a_time.1.len(), 2, "a test loss per epoch");
    for units in [3, 50] {
        assert_eq!(train_in_chunks(config.clone(), &train, &test, units), one_at_a_time, "chunks of {units}");
    }
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
fn the_page_s_packed_digits_train_exactly_as_the_originals() {
    let (train, test) = common::mnist();
    let (train, test) = (train.take(300), test.take(100));
    let packed = |d: &Digits, name| Digits::from_packed(&common::packed_by_the_tool(d, name)).unwrap();
    let (train_bits, test_bits) = (packed(&train, "train"), packed(&test, "test"));
    let config = AeTrainingConfig { epochs: 1, train_images: 300, test_images: 100, ..small(11) };
    assert_eq!(train_all(config.clone(), &train_bits, &test_bits), train_all(config.clone(), &train, &test));
    let grayscale = AeTrainingConfig { pixels: Pixels::Grayscale, ..config };
    match AeTrainer::new(grayscale, &train_bits, &test_bits, &Device::flex()) {
        Err(Error::State(message)) => assert!(message.contains("grayscale"), "{message}"),
        Err(other) => panic!("expected a state error, got {other}"),
        Ok(_) => panic!("grayscale training on binarized digits must be refused"),
    }
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
        AeTrainingConfig { model: AutoencoderConfig { hidden: 0, ..AutoencoderConfig::default() }, ..base.clone() },
        AeTrainingConfig { model: AutoencoderConfig { latent: 0, ..AutoencoderConfig::default() }, ..base.clone() },
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
    let s = pollster::block_on(trainer.sampler().samples(5, 1.0, 9)).unwrap();
    assert_eq!(s.len(), 5 * 784);
    assert!(s.iter().all(|p| (0.0..=1.0).contains(p)));
    assert_eq!(s, pollster::block_on(trainer.sampler().samples(5, 1.0, 9)).unwrap(), "same seed, same samples");
}

#[test]
fn the_negative_elbo_follows_its_formula() {
    let device = Device::flex();
    let model = AutoencoderConfig { variational: true, ..AutoencoderConfig::default() }.init(&mut Init::seeded(3), &device).unwrap();
    let t = |v: Vec<f32>, rows: usize| Tensor::<2>::from_data(TensorData::new(v.clone(), [rows, v.len() / rows]), &device);
    let images = t(vec![0.0; 784 * 2], 2);
    let k = 10;
    let mean: Vec<f32> = (0..2 * k).map(|i| i as f32 * 0.1 - 1.0).collect();
    let log_var: Vec<f32> = (0..2 * k).map(|i| (i % 5) as f32 * 0.3 - 0.6).collect();
    let noise = vec![0.0; 2 * k]; // z = μ: the reconstruction term is then the BCE of decoding μ
    let got = negative_elbo(&model.decoder, images.clone(), t(mean.clone(), 2), t(log_var.clone(), 2), t(noise, 2));
    let bce = bce_with_logits(model.decoder.forward(t(mean.clone(), 2)), images);
    let kl: f64 = mean.iter().zip(&log_var).map(|(&m, &l)| 0.5 * f64::from(m * m + l.exp() - l - 1.0)).sum::<f64>() / 2.0;
    let expected = f64::from(bce.into_data().try_to_vec::<f32>().unwrap()[0]) + kl;
    let got = f64::from(got.into_data().try_to_vec::<f32>().unwrap()[0]);
    assert!((got - expected).abs() < 1e-3 * expected.abs(), "{got} vs {expected}");
    assert_eq!(model.encoder.latent(), 10, "a VAE's code is the posterior mean, k wide");
}

#[test]
fn the_vae_baseline_learns_and_samples() {
    let (train, test) = common::mnist();
    let mut config = small(13);
    config.model.variational = true;
    let (losses, tests) = train_all(config.clone(), &train, &test);
    let first = losses[..5].iter().sum::<f32>() / 5.0;
    let last = losses[losses.len() - 5..].iter().sum::<f32>() / 5.0;
    assert!(last < 0.5 * first, "−ELBO should at least halve: {first} → {last}");
    assert!(tests[2].1 < tests[0].1, "held-out −ELBO should fall: {tests:?}");
    let mut trainer = AeTrainer::new(AeTrainingConfig { epochs: 2, ..config }, &train, &test, &Device::flex()).unwrap();
    while !trainer.is_done() {
        pollster::block_on(trainer.run(50)).unwrap();
    }
    let samples = pollster::block_on(trainer.sampler().samples(16, 1.0, 3)).unwrap();
    let ink = samples.iter().filter(|&&p| p > 0.5).count() as f64 / 16.0;
    assert!((20.0..300.0).contains(&ink), "VAE samples should have digit-like ink, got {ink} pixels per sample");
    let codes = pollster::block_on(trainer.reconstructions(4)).unwrap();
    assert_eq!(codes.outputs.len(), 4 * 784);
}

/// The Fréchet distance between a trained model's codes of the test digits and N(0, I).
fn distance_to_prior(trainer: &AeTrainer, test: &Digits) -> f64 {
    use flowae::fcd::{Gaussian, frechet_distance};
    let mut codes = flowae::train::LatentCodes::encode(trainer.model(), &test.take(2), &test.take(1000), trainer.config().pixels).unwrap();
    while !codes.is_ready() {
        pollster::block_on(codes.encode_some(10, &Device::flex())).unwrap();
    }
    let prior = Gaussian { dim: 10, mean: vec![0.0; 10], cov: (0..100).map(|i| if i % 11 == 0 { 1.0 } else { 0.0 }).collect() };
    frechet_distance(&Gaussian::fit(codes.test(), 10).unwrap(), &prior).unwrap()
}

#[test]
fn the_aae_baseline_pulls_its_codes_toward_the_prior_and_samples() {
    let (train, test) = common::mnist();
    let base = AeTrainingConfig { epochs: 10, train_images: 2000, latent_noise: 0.2, ..small(17) };
    let aae = AeTrainingConfig { adversarial: Some(flowae::train::autoencoder::AdversaryConfig::default()), ..base.clone() };
    let trained = |config: AeTrainingConfig| {
        let mut trainer = AeTrainer::new(config, &train, &test, &Device::flex()).unwrap();
        let mut progress = Vec::new();
        while !trainer.is_done() {
            progress.push(pollster::block_on(trainer.run(25)).unwrap());
        }
        (trainer, progress)
    };
    let (plain, _) = trained(base);
    let (adversarial, progress) = trained(aae);
    let losses: Vec<f32> = progress.iter().flat_map(|p| p.losses.clone()).collect();
    let encoder: Vec<f32> = progress.iter().flat_map(|p| p.generator_losses.clone()).collect();
    assert_eq!(encoder.len(), losses.len(), "one adversarial record per batch");
    assert!(losses.iter().chain(&encoder).all(|l| l.is_finite()));
    assert!(losses[losses.len() - 5..].iter().sum::<f32>() < 0.5 * losses[..5].iter().sum::<f32>(), "reconstruction improves");
    let (d_plain, d_aae) = (distance_to_prior(&plain, &test), distance_to_prior(&adversarial, &test));
    assert!(d_aae < 0.5 * d_plain, "codes vs N(0, I): plain {d_plain:.2}, AAE {d_aae:.2}");
    let samples = pollster::block_on(adversarial.sampler().samples(16, 1.0, 3)).unwrap();
    let ink = samples.iter().filter(|&&p| p > 0.5).count() as f64 / 16.0;
    assert!((20.0..300.0).contains(&ink), "AAE samples should have digit-like ink, got {ink} pixels per sample");
    let both = AeTrainingConfig {
        model: AutoencoderConfig { variational: true, ..AutoencoderConfig::default() },
        adversarial: Some(Default::default()),
        ..small(1)
    };
    assert!(matches!(AeTrainer::new(both, &train, &test, &Device::flex()), Err(Error::Config(_))));
}
