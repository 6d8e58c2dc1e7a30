//! The critic's hand-built input gradient and the exact gradient penalty, against finite
//! differences (CPU backend).

use burn::prelude::*;
use burn::tensor::TensorData;
use flowae::models::Critic;
use flowae::rng::Rng;

const K: usize = 10;

fn random_critic(seed: u64, device: &Device) -> (Critic, Vec<(Vec<f32>, Vec<f32>)>) {
    let mut rng = Rng::new(seed);
    let widths = [K, 20, 20, 1];
    let weights: Vec<(Vec<f32>, Vec<f32>)> = widths
        .windows(2)
        .map(|w| {
            let scale = 1.2 / (w[0] as f32).sqrt();
            (rng.normals(w[0] * w[1]).iter().map(|v| v * scale).collect(), rng.normals(w[1]).iter().map(|v| v * 0.3).collect())
        })
        .collect();
    (Critic::from_weights(&weights, device).unwrap(), weights)
}

fn tensor(values: Vec<f32>, rows: usize) -> Tensor<2> {
    let cols = values.len() / rows;
    Tensor::from_data(TensorData::new(values, [rows, cols]), &Device::flex())
}

fn values<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().convert::<f32>().try_into_vec::<f32>().unwrap()
}

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

#[test]
fn the_hand_built_input_gradient_matches_finite_differences() {
    let device = Device::flex();
    let (critic, _) = random_critic(1, &device);
    let mut rng = Rng::new(2);
    for point in 0..8 {
        let z = rng.normals(K);
        let exact: Vec<f64> = values(critic.input_gradient(tensor(z.clone(), 1))).into_iter().map(f64::from).collect();
        let eps = 1e-2f32;
        let mut rows = Vec::new();
        for j in 0..K {
            for sign in [1.0, -1.0] {
                let mut p = z.clone();
                p[j] += sign * eps;
                rows.extend(p);
            }
        }
        let scores = values(critic.forward(tensor(rows, 2 * K)));
        let numeric: Vec<f64> = (0..K).map(|j| (f64::from(scores[2 * j]) - f64::from(scores[2 * j + 1])) / (2.0 * f64::from(eps))).collect();
        let diff: Vec<f64> = exact.iter().zip(&numeric).map(|(a, b)| a - b).collect();
        assert!(norm(&diff) <= 1e-3 * norm(&exact), "point {point}: exact {exact:?}, finite differences {numeric:?}");
        assert!(norm(&exact) > 1e-2, "a vanishing gradient would make the check empty");
    }
}

#[test]
fn the_penalty_gradient_reaches_every_critic_weight_exactly() {
    let device = Device::flex();
    let ad = device.clone().autodiff();
    let mut rng = Rng::new(3);
    let (batch, lambda) = (6, 10.0);
    let real = rng.normals(batch * K);
    let fake: Vec<f32> = rng.normals(batch * K).iter().map(|v| v * 1.5 + 0.7).collect();
    let mix: Vec<f32> = (0..batch).map(|_| rng.uniform() as f32).collect();
    let penalty = |critic: &Critic, dev: &Device| {
        let t = |v: &[f32], rows: usize| Tensor::<2>::from_data(TensorData::new(v.to_vec(), [rows, v.len() / rows]), dev);
        critic.gradient_penalty(t(&real, batch), t(&fake, batch), t(&mix, batch), lambda)
    };

    let (_, weights) = random_critic(4, &device);
    let critic = Critic::from_weights(&weights, &ad).unwrap();
    let loss = penalty(&critic, &ad);
    assert!(values(loss.clone().inner())[0] > 1e-3, "the penalty should not be zero at random weights");
    let grads = loss.backward();
    let params = critic.parameters();

    let eps = 1e-2f32;
    for (layer, (w, b)) in weights.iter().enumerate() {
        let exact_w: Vec<f32> = values(params[layer].0.grad(&grads).expect("weights get a gradient"));
        // The output bias shifts D but not ∇D, so the penalty does not depend on it at all.
        let exact_b: Vec<f32> = match params[layer].1.grad(&grads) {
            Some(g) => values(g),
            None => {
                assert_eq!(layer, weights.len() - 1, "only the output bias may lack a gradient");
                vec![0.0; b.len()]
            }
        };
        // A few entries of each weight matrix and bias, each perturbed both ways.
        for (which, index) in [(0usize, 0usize), (0, w.len() / 2), (0, w.len() - 1), (1, 0), (1, b.len() - 1)] {
            let at = |delta: f32| {
                let mut changed = weights.clone();
                if which == 0 { changed[layer].0[index] += delta } else { changed[layer].1[index] += delta }
                f64::from(values(penalty(&Critic::from_weights(&changed, &device).unwrap(), &device))[0])
            };
            let numeric = (at(eps) - at(-eps)) / (2.0 * f64::from(eps));
            let exact = f64::from(if which == 0 { exact_w[index] } else { exact_b[index] });
            assert!((exact - numeric).abs() <= 2e-3 * exact.abs().max(0.05),
                "layer {layer} {} {index}: backward {exact}, finite differences {numeric}", if which == 0 { "weight" } else { "bias" });
        }
    }
}
