//! The fully connected stack every network in the paper is built from.
//!
//! Each hidden layer is Linear → (BatchNorm) → ELU and the output layer is linear, as in the
//! reference code: the encoder, decoder and generator use BatchNorm; the critic and the AAE's
//! discriminator do not.

use burn::nn::{BatchNorm, BatchNormConfig, Linear};

use super::init::Init;
use burn::prelude::*;
use burn::tensor::TensorData;
use burn::tensor::activation::relu;

/// ELU (α = 1): x above zero, eˣ − 1 at or below. One pass forward and one backward on the
/// CPU backend ([`super::fused`]); [`elu_composed`] elsewhere.
pub fn elu(x: Tensor<2>) -> Tensor<2> {
    super::fused::elu(x).unwrap_or_else(elu_composed)
}

/// ELU from tensor operations, relu(x) + (e^−relu(−x) − 1): what WebGPU runs.
///
/// The same values as burn's `elu`, which selects between the two branches with `mask_where`;
/// on the CPU backend that select and its backward took 13% of a training step (perf, native),
/// where relu, its backward and exp are single passes. Above zero the second term is exactly
/// 0 (e⁰ − 1) and below it the first is, so no rounding is added. The gradient is 1 above zero
/// and eˣ below (0 at exactly 0, where burn's gives 1).
pub fn elu_composed(x: Tensor<2>) -> Tensor<2> {
    relu(x.clone()) + relu(x.neg()).neg().exp().sub_scalar(1.0)
}

/// ELU(BatchNorm(x)). While training on the CPU backend, one operation
/// ([`super::fused::norm`]) whose batch statistics then feed the running averages as burn's
/// `BatchNorm::forward` would; otherwise burn's BatchNorm, then [`elu`].
fn norm_elu(norm: &BatchNorm, x: Tensor<2>) -> Tensor<2> {
    if !(x.device().is_autodiff() && norm.training.is_enabled()) {
        return elu(norm.forward(x));
    }
    match super::fused::norm::batch_norm_elu(x, norm.gamma.val(), norm.beta.val(), norm.epsilon) {
        Ok(fused) => {
            let device = fused.output.device();
            let update = |state: &burn::module::RunningState<Tensor<1>>, batch: Vec<f32>| {
                let features = batch.len();
                let batch = Tensor::<1>::from_data(TensorData::new(batch, [features]), &device);
                let running = state.value_sync().to_device(&device).mul_scalar(1.0 - norm.momentum);
                state.update(running.add(batch.mul_scalar(norm.momentum)).detach());
            };
            update(&norm.running_mean, fused.mean);
            update(&norm.running_var, fused.variance);
            fused.output
        }
        Err(x) => elu(norm.forward(x)),
    }
}

/// The shape of an [`Mlp`].
#[derive(Clone, Debug, PartialEq)]
pub struct MlpConfig {
    /// Width of the input.
    pub input: usize,
    /// Width of each hidden layer, in order.
    pub hidden: Vec<usize>,
    /// Width of the (linear) output.
    pub output: usize,
    /// Whether each hidden layer is batch-normalized before its ELU.
    pub batch_norm: bool,
}

/// One hidden layer: Linear → (BatchNorm) → ELU.
#[derive(Module, Debug)]
pub struct Hidden {
    linear: Linear,
    norm: Option<BatchNorm>,
}

/// A multi-layer perceptron with ELU hidden layers and a linear output.
#[derive(Module, Debug)]
pub struct Mlp {
    hidden: Vec<Hidden>,
    output: Linear,
    outputs: usize,
}

impl MlpConfig {
    /// Builds the network on `device`, its weights from `init`. Widths must be positive;
    /// callers validate user settings.
    pub fn init(&self, init: &mut Init, device: &Device) -> Mlp {
        let mut width = self.input;
        let hidden = self
            .hidden
            .iter()
            .map(|&next| {
                let layer = Hidden {
                    linear: init.linear(width, next, device),
                    norm: self.batch_norm.then(|| BatchNormConfig::new(next).init(device)),
                };
                width = next;
                layer
            })
            .collect();
        Mlp { hidden, output: init.linear(width, self.output, device), outputs: self.output }
    }
}

impl Mlp {
    /// Width of the output.
    pub fn outputs(&self) -> usize {
        self.outputs
    }

    /// Maps `[batch, input]` to `[batch, output]`.
    pub fn forward(&self, input: Tensor<2>) -> Tensor<2> {
        let x = self.hidden.iter().fold(input, |x, layer| {
            let x = layer.linear.forward(x);
            match &layer.norm {
                Some(norm) => norm_elu(norm, x),
                None => elu(x),
            }
        });
        self.output.forward(x)
    }
}
