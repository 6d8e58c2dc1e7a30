//! RealNVP and FlowAE's flow phase on the CPU backend.

use crate::common;

use burn::prelude::*;
use burn::tensor::TensorData;
use flowae::Error;
use flowae::models::realnvp::{RealNvp, RealNvpConfig};
use flowae::rng::Rng;
use flowae::train::{AeTrainer, AeTrainingConfig, FlowTrainer, FlowTrainingConfig};

const K: usize = 10;

/// A 10-d toy density: a mixture of three well-separated Gaussians.
fn mixture(count: usize, seed: u64) -> Vec<f32> {
    let mut rng = Rng::new(seed);
    let mut out = Vec::with_capacity(count * K);
    for _ in 0..count {
        let c = rng.below(3) as f32;
        for j in 0..K {
            out.push(3.0 * (c - 1.0) * if j % 2 == 0 { 1.0 } else { -0.5 } + 0.4 * rng.normal() + j as f32);
        }
    }
    out
}

/// A flow with non-trivial weights: trained briefly, with a large step, on the toy mixture.
fn trained_flow(config: FlowTrainingConfig) -> FlowTrainer {
    let mut trainer = FlowTrainer::from_codes(config, K, mixture(2000, 1), mixture(200, 2), &Device::flex()).unwrap();
    while !trainer.is_done() {
        pollster::block_on(trainer.run(50)).unwrap();
    }
    trainer
}

fn tensor(values: Vec<f32>, rows: usize) -> Tensor<2> {
    let cols = values.len() / rows;
    Tensor::from_data(TensorData::new(values, [rows, cols]), &Device::flex())
}

fn rows(t: Tensor<2>) -> Vec<f32> {
    t.into_data().try_to_vec::<f32>().unwrap()
}

fn flow_of(trainer: &FlowTrainer) -> RealNvp {
    burn::module::Module::valid(trainer.flow().unwrap())
}

fn quick() -> FlowTrainingConfig {
    FlowTrainingConfig { epochs: 2, learning_rate: 1e-2, ..FlowTrainingConfig::default() }
}

#[test]
fn sampling_and_density_directions_invert_each_other() {
    let trainer = trained_flow(quick());
    let flow = flow_of(&trainer);
    let mut rng = Rng::new(5);
    let z0 = rng.normals(64 * K);
    let there_and_back = rows(flow.inverse(flow.forward(tensor(z0.clone(), 64))).0);
    let z = mixture(64, 6);
    let back_and_there = rows(flow.forward(flow.inverse(tensor(z.clone(), 64)).0));
    let max_err = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0f32, f32::max);
    assert!(max_err(&z0, &there_and_back) <= 1e-4, "F⁻¹(F(z0)) error {}", max_err(&z0, &there_and_back));
    assert!(max_err(&z, &back_and_there) <= 1e-4, "F(F⁻¹(z)) error {}", max_err(&z, &back_and_there));
    // The flow is not the identity: the test would be empty otherwise.
    let moved = rows(flow.inverse(tensor(z.clone(), 64)).0);
    assert!(max_err(&z, &moved) > 0.5);
}

/// log|det| of a k×k matrix (row-major, f64) by Gaussian elimination with partial pivoting.
fn log_abs_det(mut a: Vec<f64>, k: usize) -> f64 {
    let mut total = 0.0;
    for col in 0..k {
        let pivot = (col..k).max_by(|&i, &j| a[i * k + col].abs().total_cmp(&a[j * k + col].abs())).unwrap();
        for j in 0..k {
            a.swap(col * k + j, pivot * k + j);
        }
        let p = a[col * k + col];
        total += p.abs().ln();
        for row in col + 1..k {
            let f = a[row * k + col] / p;
            for j in col..k {
                a[row * k + j] -= f * a[col * k + j];
            }
        }
    }
    total
}

#[test]
fn the_log_determinant_matches_a_finite_difference_jacobian() {
    let trainer = trained_flow(quick());
    let flow = flow_of(&trainer);
    for (n, z) in mixture(3, 8).chunks(K).enumerate() {
        let eps = 1e-2f32;
        // Rows: z + eps·e_j, then z − eps·e_j, for every j, then z itself.
        let mut batch = Vec::new();
        for sign in [1.0, -1.0] {
            for j in 0..K {
                let mut p = z.to_vec();
                p[j] += sign * eps;
                batch.extend(p);
            }
        }
        batch.extend_from_slice(z);
        let (out, log_det) = flow.inverse(tensor(batch, 2 * K + 1));
        let out = rows(out);
        let log_det: Vec<f32> = log_det.into_data().try_to_vec().unwrap();
        let mut jacobian = vec![0.0f64; K * K];
        for j in 0..K {
            for i in 0..K {
                let d = f64::from(out[j * K + i]) - f64::from(out[(K + j) * K + i]);
                jacobian[i * K + j] = d / (2.0 * f64::from(eps));
            }
        }
        let numeric = log_abs_det(jacobian, K);
        let exact = f64::from(log_det[2 * K]);
        assert!((numeric - exact).abs() <= 1e-3 * exact.abs().max(1.0),
            "point {n}: finite differences {numeric}, flow {exact}");
    }
}

#[test]
fn fits_a_known_2d_density_close_to_its_entropy() {
    // Two Gaussians, N((±2, 0), 0.5² I), well separated: entropy ≈ log 2 + 2·(½ log(2πe·0.25)).
    let sample = |count: usize, seed: u64| {
        let mut rng = Rng::new(seed);
        (0..count).flat_map(|_| {
            let c = if rng.below(2) == 0 { -2.0 } else { 2.0 };
            [c + 0.5 * rng.normal(), 0.5 * rng.normal()]
        }).collect::<Vec<f32>>()
    };
    let entropy = 2f64.ln() + (2.0 * std::f64::consts::PI * std::f64::consts::E * 0.25).ln();
    let config = FlowTrainingConfig { epochs: 30, learning_rate: 3e-3, batch_size: 100, ..FlowTrainingConfig::default() };
    let mut trainer = FlowTrainer::from_codes(config, 2, sample(4000, 1), sample(2000, 2), &Device::flex()).unwrap();
    let mut held_out = Vec::new();
    while !trainer.is_done() {
        held_out.extend(pollster::block_on(trainer.run(100)).unwrap().test_loss);
    }
    let last = f64::from(held_out.last().unwrap().1) * 2.0; // per dimension → per sample
    let first = f64::from(held_out[0].1) * 2.0;
    assert!(last < first, "held-out NLL should fall: {held_out:?}");
    assert!((last - entropy).abs() < 0.15, "held-out NLL {last:.3} nats vs true entropy {entropy:.3}");
    // A single Gaussian fitted to the same data would cost much more: the flow found the modes.
    let gaussian = 0.5 * (2.0 * std::f64::consts::PI * std::f64::consts::E).ln() * 2.0 + 0.5 * (4.0f64 + 0.25).ln() + 0.5 * 0.25f64.ln();
    assert!(last < gaussian - 0.3, "{last} vs a Gaussian's {gaussian}");
}

#[test]
fn the_nll_of_encoded_mnist_falls_and_samples_are_digits_shaped() {
    let (train, test) = common::mnist();
    let ae_config = AeTrainingConfig { epochs: 2, batch_size: 50, train_images: 2000, test_images: 500, ..AeTrainingConfig::default() };
    let mut ae = AeTrainer::new(ae_config.clone(), &train, &test, &Device::flex()).unwrap();
    while !ae.is_done() {
        pollster::block_on(ae.run(100)).unwrap();
    }
    let config = FlowTrainingConfig { epochs: 4, ..FlowTrainingConfig::default() };
    let mut flow = FlowTrainer::new(config, ae.model(), &train.take(2000), &test.take(500), ae_config.pixels, &Device::flex()).unwrap();
    let mut held_out = Vec::new();
    let mut prepared = false;
    while !flow.is_done() {
        let p = pollster::block_on(flow.run(100)).unwrap();
        prepared |= p.preparing == Some((2500, 2500));
        held_out.extend(p.test_loss);
    }
    assert!(prepared, "the encoding stage reports its progress");
    assert_eq!(held_out.len(), 4);
    assert!(held_out[3].1 < held_out[0].1, "held-out NLL should fall: {held_out:?}");
    let pixels = pollster::block_on(flow.sampler().unwrap().samples(8, 1.0, 3)).unwrap();
    assert_eq!(pixels.len(), 8 * 784);
    assert!(pixels.iter().all(|p| (0.0..=1.0).contains(p)));
    assert_eq!(pixels, pollster::block_on(flow.sampler().unwrap().samples(8, 1.0, 3)).unwrap(), "same seed, same samples");
    // Temperature 0 sends every sample to F(0): all eight are the same image.
    let cold = pollster::block_on(flow.sampler().unwrap().samples(8, 0.0, 3)).unwrap();
    assert!(cold.chunks(784).all(|d| d == &cold[..784]));
}

#[test]
fn refuses_bad_settings_and_bad_codes() {
    let device = Device::flex();
    let codes = mixture(100, 1);
    let bad = [
        FlowTrainingConfig { flow: RealNvpConfig { layers: 0, hidden: 64 }, ..quick() },
        FlowTrainingConfig { flow: RealNvpConfig { layers: 5, hidden: 0 }, ..quick() },
        FlowTrainingConfig { learning_rate: -1.0, ..quick() },
        FlowTrainingConfig { learning_rate: f64::NAN, ..quick() },
        FlowTrainingConfig { epochs: 0, ..quick() },
        FlowTrainingConfig { batch_size: 0, ..quick() },
    ];
    for config in bad {
        assert!(matches!(FlowTrainer::from_codes(config.clone(), K, codes.clone(), codes.clone(), &device), Err(Error::Config(_))), "{config:?}");
    }
    let mut nan = codes.clone();
    nan[3] = f32::NAN;
    assert!(matches!(FlowTrainer::from_codes(quick(), K, nan, codes.clone(), &device), Err(Error::Data(_))));
    let trainer = FlowTrainer::from_codes(quick(), K, codes.clone(), codes, &device).unwrap();
    for t in [f32::NAN, -1.0, 11.0] {
        assert!(matches!(pollster::block_on(trainer.sampler().unwrap().codes(4, t, 1)), Err(Error::Config(_))), "temperature {t}");
    }
}
