//! Where a model's first weights come from: drawn on the host from the run's seed, or left
//! for a file to fill.
//!
//! burn draws a layer's weights lazily, from one generator per process, when the weights are
//! first touched. A run's start then depended on the order in which its parameters were first
//! read (a snapshot taken one step earlier changed every later number), on other runs seeding
//! the same generator meanwhile, and on the backend (WebGPU draws with a generator of its own).
//! Drawn here instead, from [`Rng`], a seed gives the same start on every backend and in any
//! order. The distributions are burn's (and PyTorch's) defaults: every weight and bias of a
//! layer with `fan_in` inputs uniform in ±1/√fan_in (Kaiming-uniform with gain 1/√3).

use burn::module::Param;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{Initializer, Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::TensorData;

use crate::rng::Rng;

/// How to fill a new model's weights.
pub enum Init {
    /// Drawn from this generator, layer after layer in the order they are built.
    Drawn(Rng),
    /// Weights a file is about to replace: nothing is drawn or stored for them.
    Loaded,
}

impl Init {
    /// Weights drawn from `seed`.
    pub fn seeded(seed: u64) -> Init {
        Init::Drawn(Rng::new(seed))
    }

    /// A linear layer `d_in → d_out`.
    pub fn linear(&mut self, d_in: usize, d_out: usize, device: &Device) -> Linear {
        let mut layer = LinearConfig::new(d_in, d_out).with_initializer(Initializer::Zeros).init(device);
        if let Init::Drawn(rng) = self {
            layer.weight = uniform(rng, [d_in, d_out], d_in, device);
            layer.bias = Some(uniform(rng, [d_out], d_in, device));
        }
        layer
    }

    /// A 2-d convolution as `config` describes it (its weights `[out, in / groups, kh, kw]`).
    pub fn conv2d(&mut self, config: Conv2dConfig, device: &Device) -> Conv2d {
        let [d_in, d_out] = config.channels;
        let [kh, kw] = config.kernel_size;
        let per_group = d_in / config.groups;
        let has_bias = config.bias;
        let mut layer = config.with_initializer(Initializer::Zeros).init(device);
        if let Init::Drawn(rng) = self {
            let fan_in = per_group * kh * kw;
            layer.weight = uniform(rng, [d_out, per_group, kh, kw], fan_in, device);
            layer.bias = has_bias.then(|| uniform(rng, [d_out], fan_in, device));
        }
        layer
    }
}

/// A parameter of `shape` uniform in ±1/√fan_in.
fn uniform<const D: usize>(rng: &mut Rng, shape: [usize; D], fan_in: usize, device: &Device) -> Param<Tensor<D>> {
    let bound = 1.0 / (fan_in.max(1) as f64).sqrt();
    let values: Vec<f32> = (0..shape.iter().product()).map(|_| ((2.0 * rng.uniform() - 1.0) * bound) as f32).collect();
    Param::from_tensor(Tensor::from_data(TensorData::new(values, shape), device))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drawn_weights_follow_burns_default_and_loaded_ones_draw_nothing() {
        let device = Device::flex();
        let layer = Init::seeded(1).linear(400, 3, &device);
        let weights = layer.weight.val().into_data().try_to_vec::<f32>().unwrap();
        let bound = 1.0 / 20.0;
        assert!(weights.iter().all(|w| w.abs() <= bound), "within ±1/√fan_in");
        let spread = weights.iter().map(|w| w * w).sum::<f32>() / weights.len() as f32;
        assert!((spread / (bound * bound / 3.0) - 1.0).abs() < 0.1, "the variance of U(±b) is b²/3, not {spread}");
        assert_eq!(Init::seeded(1).linear(400, 3, &device).weight.val().into_data(), layer.weight.val().into_data(), "a seed gives the same weights");
        assert!(Init::Loaded.linear(400, 3, &device).weight.val().into_data().try_to_vec::<f32>().unwrap().iter().all(|w| *w == 0.0));
        let conv = Init::seeded(2).conv2d(Conv2dConfig::new([2, 4], [3, 3]), &device);
        assert_eq!(conv.weight.val().dims(), [4, 2, 3, 3]);
        let bias = conv.bias.expect("a bias").val().into_data().try_to_vec::<f32>().unwrap();
        assert!(bias.iter().all(|b| b.abs() <= 1.0 / 18f32.sqrt()) && bias.iter().any(|b| *b != 0.0));
    }
}
