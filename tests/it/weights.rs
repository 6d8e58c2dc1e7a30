//! The weights file: round trips, and every kind of damage refused with a message.

use crate::common;

use burn::module::Module;
use burn::prelude::*;
use burn::tensor::TensorData;
use flowae::models::{AutoencoderConfig, Init};
use flowae::rng::Rng;
use flowae::train::{AeTrainer, AeTrainingConfig};
use flowae::weights::{NamedTensor, WeightsFile, load_module, read_module};

fn sample_file() -> WeightsFile {
    WeightsFile {
        kind: "test".into(),
        meta: serde_json::json!({ "answer": 42 }),
        tensors: vec![
            NamedTensor { name: "a.weight".into(), shape: vec![2, 3], values: vec![1.0, -2.0, 3.5, 0.0, 1e-8, -7.25] },
            NamedTensor { name: "a.bias".into(), shape: vec![3], values: vec![0.5, 0.25, -0.125] },
        ],
    }
}

#[test]
fn a_file_survives_the_round_trip() {
    let file = sample_file();
    assert_eq!(WeightsFile::from_bytes(&file.to_bytes()).unwrap(), file);
}

#[test]
fn damaged_or_foreign_files_are_refused_with_a_message() {
    let bytes = sample_file().to_bytes();
    for len in 0..bytes.len() {
        let error = WeightsFile::from_bytes(&bytes[..len]).unwrap_err().to_string();
        assert!(error.contains("not a usable weights file"), "truncated at {len}: {error}");
    }
    let mut rng = Rng::new(1);
    for _ in 0..200 {
        let mut damaged = bytes.clone();
        let at = rng.below(damaged.len());
        damaged[at] ^= 1 << rng.below(8);
        assert!(WeightsFile::from_bytes(&damaged).is_err(), "a flipped bit at byte {at} went unnoticed");
    }
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    assert!(WeightsFile::from_bytes(png).unwrap_err().to_string().contains("does not start like"));
    // A file from another format version, intact otherwise.
    let mut future = bytes[..bytes.len() - 4].to_vec();
    future[8] = 99;
    let crc = crc32fast::hash(&future);
    future.extend_from_slice(&crc.to_le_bytes());
    assert!(WeightsFile::from_bytes(&future).unwrap_err().to_string().contains("format version 99"));
    assert!(sample_file().expect_kind("classifier").is_err());
}

#[test]
fn a_trained_autoencoder_reloads_exactly_running_statistics_included() {
    let (train, test) = (common::random_digits(400, 1), common::random_digits(50, 2));
    let device = Device::flex();
    let config = AeTrainingConfig { epochs: 1, train_images: 400, test_images: 50, batch_size: 50, ..AeTrainingConfig::default() };
    let mut trainer = AeTrainer::new(config.clone(), &train, &test, &device).unwrap();
    while !trainer.is_done() {
        pollster::block_on(trainer.run(20)).unwrap();
    }
    let trained = trainer.model().valid();
    let tensors = pollster::block_on(read_module(&trained, "ae")).unwrap();
    assert!(tensors.iter().any(|t| t.name.contains("running_mean")), "running statistics are saved: {:?}",
        tensors.iter().map(|t| &t.name).collect::<Vec<_>>());
    let bytes = WeightsFile { kind: "ae".into(), meta: serde_json::Value::Null, tensors }.to_bytes();

    let fresh = config.model.init(&mut Init::seeded(5), &device).unwrap();
    let loaded = load_module(fresh, "ae", &WeightsFile::from_bytes(&bytes).unwrap().tensors).unwrap().valid();
    let x = Tensor::<2>::from_data(TensorData::new(train.batch(&[0, 1, 2], flowae::data::Pixels::Binarized), [3, 784]), &device);
    let out = |m: &flowae::models::Autoencoder| m.forward(x.clone()).into_data().try_to_vec::<f32>().unwrap();
    assert_eq!(out(&loaded), out(&trained));
}

#[test]
fn a_file_that_does_not_fit_the_model_is_refused_before_anything_changes() {
    let device = Device::flex();
    let model = AutoencoderConfig::default().init(&mut Init::seeded(6), &device).unwrap();
    let mut tensors = pollster::block_on(read_module(&model, "ae")).unwrap();
    let missing = load_module(model.clone(), "ae", &tensors[1..]).unwrap_err().to_string();
    assert!(missing.contains("lacks"), "{missing}");
    let smaller = AutoencoderConfig { hidden: 100, ..AutoencoderConfig::default() }.init(&mut Init::seeded(7), &device).unwrap();
    let shape = load_module(smaller, "ae", &tensors).unwrap_err().to_string();
    assert!(shape.contains("shape"), "{shape}");
    tensors[0].values[0] = f32::NAN;
    assert!(load_module(model, "ae", &tensors).unwrap_err().to_string().contains("NaN"));
}

#[test]
fn a_half_file_keeps_every_value_within_its_tolerance_and_the_rest_exact() {
    let mut rng = Rng::new(4);
    let weights: Vec<f32> = (0..3000).map(|_| rng.normal() * 0.3).collect();
    let file = WeightsFile {
        kind: "test".into(),
        meta: serde_json::json!({}),
        tensors: vec![
            NamedTensor { name: "w".into(), shape: vec![3000], values: weights.clone() },
            // 1e6 is beyond f16 (65504): this tensor stays f32, 0.5 with it.
            NamedTensor { name: "big".into(), shape: vec![2], values: vec![1e6, 0.5] },
            NamedTensor { name: "tiny".into(), shape: vec![3], values: vec![0.0, 1e-9, -3e-6] },
        ],
    };
    let exact = file.to_bytes();
    let half = file.to_bytes_half();
    assert!(half.len() < exact.len() * 11 / 20, "{} bytes against {}", half.len(), exact.len());
    let read = WeightsFile::from_bytes(&half).unwrap();
    assert_eq!((read.kind.as_str(), read.tensors.len()), ("test", 3));
    for (before, after) in file.tensors.iter().zip(&read.tensors) {
        assert_eq!((&before.name, &before.shape), (&after.name, &after.shape));
        for (&b, &a) in before.values.iter().zip(&after.values) {
            assert!((a - b).abs() <= flowae::weights::HALF_TOLERANCE * b.abs().max(1e-4), "{}: {b} became {a}", before.name);
        }
    }
    assert_eq!(read.tensors[1].values, [1e6, 0.5], "out of f16's range: exact");
    assert_ne!(read.tensors[0].values, weights, "the weights did go through f16");
    // A half file is checked like any other: every truncation and flipped bit is refused.
    for len in 0..half.len() {
        assert!(WeightsFile::from_bytes(&half[..len]).is_err(), "truncated at {len}");
    }
    for _ in 0..200 {
        let mut damaged = half.clone();
        let at = rng.below(damaged.len());
        damaged[at] ^= 1 << rng.below(8);
        assert!(WeightsFile::from_bytes(&damaged).is_err(), "a flipped bit at byte {at} went unnoticed");
    }
}
