//! The flow layer by layer (issue 28's layer walk), on the shipped models: its first stage is
//! the base draws and its last the flow's samples; the log-determinants add up to the density;
//! a drawn digit walked backwards reaches the Gaussian and comes back.

use crate::common;

use burn::prelude::*;
use burn::tensor::TensorData;
use flowae::Kind;
use flowae::digitize::stroke;
use flowae::lab::Lab;
use flowae::session::Preview;
use flowae::weights::WeightsFile;

fn pretrained() -> (Lab, Preview) {
    let bytes = std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("www/models/pretrained.bin")).unwrap();
    let lab = Lab::new();
    lab.open_preview(&bytes).unwrap();
    let (train, test) = common::mnist();
    lab.load_digits(train, test);
    (lab, Preview::from_file(&WeightsFile::from_bytes(&bytes).unwrap(), &Device::flex()).unwrap())
}

#[test]
fn the_walk_starts_at_the_base_draws_and_ends_at_the_flows_samples() {
    let (lab, preview) = pretrained();
    let (count, temperature, seed) = (64, 0.9, 5);
    let walk = pollster::block_on(lab.flow_walk(count, temperature, seed)).unwrap();
    let flow = preview.readers().flow.clone().unwrap();
    let layers = flow.layers();
    assert_eq!((walk.stages.len(), walk.log_dets.len(), walk.names.len()), (layers + 2, layers + 1, layers + 2));
    assert_eq!(walk.names[1], format!("after coupling layer 1 of {layers}"));
    let sampler = preview.sampler(Kind::Flow).unwrap();
    assert_eq!(walk.stages[0], sampler.draws(count, temperature, seed).unwrap(), "the first stage is the base draws");
    let codes = pollster::block_on(sampler.codes(count, temperature, seed)).unwrap();
    assert_eq!(walk.stages[layers + 1], codes, "the last is the flow's samples, bit for bit");
    let samples = pollster::block_on(sampler.samples(1, temperature, seed)).unwrap();
    let last = &walk.tracked[(layers + 1) * 784..];
    assert!(last.iter().zip(&samples).all(|(a, b)| (a - b).abs() < 1e-5), "the tracked point decodes to the first sample");
    assert_eq!(walk.planes[0].len(), 2 * count);
    assert_eq!((walk.digits.len(), walk.labels.len()), (2 * flowae::walk::WALK_DIGITS, flowae::walk::WALK_DIGITS));

    // Change of variables: log q(z) = log N(z0; 0, T²I)… at T = 1 the base density is N(0, I),
    // and the mean log q(z) of the codes is the mean log N(z0) minus every transform's mean
    // log|det|.
    let walk = pollster::block_on(lab.flow_walk(count, 1.0, seed)).unwrap();
    let k = flow.dim();
    let log_normal = |z: &[f32]| -0.5 * z.iter().map(|v| v * v).sum::<f32>() - 0.5 * k as f32 * (2.0 * std::f32::consts::PI).ln();
    let base: f32 = walk.stages[0].chunks(k).map(log_normal).sum::<f32>() / count as f32;
    let z = Tensor::<2>::from_data(TensorData::new(walk.stages[layers + 1].clone(), [count, k]), &Device::flex());
    let nll = flow.negative_log_likelihood(z).into_data().try_to_vec::<f32>().unwrap();
    let log_q = -nll.iter().sum::<f32>() / count as f32;
    let stretch: f32 = walk.log_dets.iter().sum();
    assert!((base - stretch - log_q).abs() < 1e-3, "{base} − {stretch} vs {log_q}");
}

#[test]
fn a_drawn_digit_walks_back_to_the_gaussian_and_forward_again() {
    let (lab, preview) = pretrained();
    let mut ink = vec![0.0; 280 * 280];
    stroke(&mut ink, 280, 280, &[(150.0, 40.0), (130.0, 240.0)], 22.0);
    let walk = pollster::block_on(lab.flow_walk_back(&ink, 280, 280)).unwrap();
    assert!(walk.backwards);
    let flow = preview.readers().flow.clone().unwrap();
    let (k, n, last) = (flow.dim(), 1 + flowae::walk::BACK_CLOUD, flow.layers() + 1);
    assert_eq!(walk.stages[0].len(), n * k);
    let drawn = pollster::block_on(lab.inspect(&ink, 280, 280)).unwrap();
    assert!(walk.stages[last][..k].iter().zip(&drawn.reading.code).all(|(a, b)| (a - b).abs() < 1e-4), "the tracked point is the drawing's code");
    // The real codes, pulled back, are the Gaussian the flow learned to start from.
    let real = &walk.stages[0][k..];
    let mean = real.iter().sum::<f32>() / real.len() as f32;
    let var = real.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / real.len() as f32;
    assert!(mean.abs() < 0.2 && (0.6..1.5).contains(&var), "mean {mean}, variance {var}");
    // And forward again, the walk comes back to the codes.
    let z0 = Tensor::<2>::from_data(TensorData::new(walk.stages[0].clone(), [n, k]), &Device::flex());
    let again = flow.forward(z0).into_data().try_to_vec::<f32>().unwrap();
    let error = again.iter().zip(&walk.stages[last]).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
    assert!(error < 1e-3, "round trip {error}");
    // Without a flow there is nothing to walk.
    pollster::block_on(lab.select_backend("cpu")).unwrap();
    lab.start(Kind::Autoencoder, serde_json::json!({ "train_images": 200, "test_images": 100, "epochs": 1, "batch_size": 50, "model": { "hidden": 32 } })).unwrap();
    let refused = pollster::block_on(lab.flow_walk(8, 1.0, 1)).unwrap_err().to_string();
    assert!(refused.contains("there is no flow yet"), "{refused}");
}
