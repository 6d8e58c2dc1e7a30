//! AdvAE's adversarial pair (paper §4.3): a generator of latent codes and a critic that tells
//! them from the frozen encoder's codes, trained with WGAN-GP (paper eqs. 7–8).
//!
//! The gradient penalty λ·E[(‖∇_ẑ D(ẑ)‖₂ − 1)²] must itself be differentiated with respect to
//! the critic's weights. burn has no second-order autodiff, so ∇_ẑ D(ẑ) is not taken from a
//! backward pass: [`Critic::input_gradient`] builds it from tensor operations, backpropagating
//! through the critic's layers by hand. The ordinary backward pass then reaches the weights
//! through that expression, which makes the penalty's gradient exact (no weight clipping).
//!
//! The original GAN's non-saturating losses (paper eqs. 5–6) are here too, as the alternative
//! the page offers: the same critic then outputs a logit.

use burn::module::Param;
use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::TensorData;
use burn::tensor::activation::relu;

use super::init::Init;
use super::mlp::{Mlp, MlpConfig, elu};
use crate::error::{Error, Result};

/// The generator G: z0 ~ N(0, I) → latent code; 10→300→300→10 with BatchNorm and ELU, as the
/// reference code had it.
#[derive(Module, Debug)]
pub struct Generator {
    net: Mlp,
}

impl Generator {
    /// Builds a generator from `latent`-d noise to `latent`-d codes with two hidden layers.
    pub fn new(latent: usize, hidden: usize, init: &mut Init, device: &Device) -> Generator {
        Generator { net: MlpConfig { input: latent, hidden: vec![hidden, hidden], output: latent, batch_norm: true }.init(init, device) }
    }

    /// `[batch, k]` noise → `[batch, k]` codes.
    pub fn forward(&self, z0: Tensor<2>) -> Tensor<2> {
        self.net.forward(z0)
    }
}

/// The critic D: latent code → score; Linear → ELU hidden layers (no BatchNorm: the penalty is
/// per sample, and BatchNorm would couple the samples of a batch) and a linear output.
#[derive(Module, Debug)]
pub struct Critic {
    layers: Vec<Linear>,
}

impl Critic {
    /// A critic `input → hidden… → 1` (reference: 10→20→20→1).
    pub fn new(input: usize, hidden: &[usize], init: &mut Init, device: &Device) -> Result<Critic> {
        if input == 0 || hidden.iter().any(|&h| h == 0) {
            return Err(Error::Config("critic widths must be positive".into()));
        }
        let widths: Vec<usize> = std::iter::once(input).chain(hidden.iter().copied()).chain([1]).collect();
        let layers = widths.windows(2).map(|w| init.linear(w[0], w[1], device)).collect();
        Ok(Critic { layers })
    }

    /// A critic with the given weights (`[d_in, d_out]` row-major, and biases), for tests.
    pub fn from_weights(weights: &[(Vec<f32>, Vec<f32>)], device: &Device) -> Result<Critic> {
        let layers = weights
            .iter()
            .map(|(w, b)| {
                if b.is_empty() || w.len() % b.len() != 0 {
                    return Err(Error::Config("each weight matrix must have d_in × d_out values".into()));
                }
                let (d_in, d_out) = (w.len() / b.len(), b.len());
                let mut linear = LinearConfig::new(d_in, d_out).init(device);
                linear.weight = Param::from_tensor(Tensor::from_data(TensorData::new(w.clone(), [d_in, d_out]), device));
                linear.bias = Some(Param::from_tensor(Tensor::from_data(TensorData::new(b.clone(), [d_out]), device)));
                Ok(linear)
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Critic { layers })
    }

    /// The weight matrix and bias of every layer, in order, as tensors.
    pub fn parameters(&self) -> Vec<(Tensor<2>, Tensor<1>)> {
        self.layers
            .iter()
            .map(|l| (l.weight.val(), l.bias.as_ref().map(|b| b.val()).unwrap_or_else(|| Tensor::zeros([l.weight.dims()[1]], &l.weight.device()))))
            .collect()
    }

    /// Scores `[batch, k]` codes: `[batch, 1]`.
    pub fn forward(&self, z: Tensor<2>) -> Tensor<2> {
        let last = self.layers.len() - 1;
        self.layers.iter().enumerate().fold(z, |x, (i, layer)| {
            let a = layer.forward(x);
            if i < last { elu(a) } else { a }
        })
    }

    /// ∇_z D(z) for each row of `z`, `[batch, k]`, written with ordinary tensor operations so
    /// that it can itself be differentiated with respect to the weights.
    ///
    /// Forward, keeping each hidden pre-activation a_i; then backward by hand: the output layer
    /// contributes W_out; each hidden layer multiplies by elu'(a_i) = exp(min(a_i, 0)) (1 above
    /// zero, e^a below) and by its weight matrix transposed.
    pub fn input_gradient(&self, z: Tensor<2>) -> Tensor<2> {
        let [batch, _] = z.dims();
        let last = self.layers.len() - 1;
        let mut pre_activations = Vec::with_capacity(last);
        let mut x = z;
        for layer in &self.layers[..last] {
            let a = layer.forward(x);
            x = elu(a.clone());
            pre_activations.push(a);
        }
        let w_out = self.layers[last].weight.val(); // [d, 1]
        let mut grad = Tensor::<2>::ones([batch, 1], &w_out.device()).matmul(w_out.transpose());
        for (layer, a) in self.layers[..last].iter().zip(pre_activations).rev() {
            grad = grad * a.clamp_max(0.0).exp();
            grad = grad.matmul(layer.weight.val().transpose());
        }
        grad
    }

    /// The gradient penalty λ·mean over the batch of (‖∇_ẑ D(ẑ)‖₂ − 1)² at interpolates
    /// ẑ = a·fake + (1 − a)·real, one a ~ U(0, 1) per row (given, so callers control the seed).
    pub fn gradient_penalty(&self, real: Tensor<2>, fake: Tensor<2>, mix: Tensor<2>, lambda: f64) -> Tensor<1> {
        let interpolates = fake * mix.clone() + real * (mix.neg().add_scalar(1.0));
        let grad = self.input_gradient(interpolates);
        let norm = grad.powi_scalar(2).sum_dim(1).add_scalar(1e-12).sqrt();
        norm.sub_scalar(1.0).powi_scalar(2).mean().mul_scalar(lambda)
    }
}

/// Which adversarial objective trains the pair.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GanLoss {
    /// WGAN-GP (paper eqs. 7–8): the critic estimates the Wasserstein-1 distance, kept
    /// 1-Lipschitz by the gradient penalty.
    #[default]
    Wasserstein,
    /// The original GAN with the non-saturating generator loss (paper eqs. 5–6): the critic is
    /// a discriminator whose output is the logit of "real".
    NonSaturating,
}

impl GanLoss {
    /// The critic's loss, without the penalty, from its scores of real and generated codes
    /// (`[batch, 1]` each): E[D(fake)] − E[D(real)], or the discriminator's cross-entropy
    /// −E[log σ(D(real))] − E[log(1 − σ(D(fake)))].
    pub fn critic_loss(self, d_real: Tensor<2>, d_fake: Tensor<2>) -> Tensor<1> {
        match self {
            GanLoss::Wasserstein => d_fake.mean() - d_real.mean(),
            GanLoss::NonSaturating => softplus(d_real.neg()).mean() + softplus(d_fake).mean(),
        }
    }

    /// The generator's loss from the critic's scores of generated codes: −E[D(fake)], or the
    /// non-saturating −E[log σ(D(fake))].
    pub fn generator_loss(self, d_fake: Tensor<2>) -> Tensor<1> {
        match self {
            GanLoss::Wasserstein => d_fake.mean().neg(),
            GanLoss::NonSaturating => softplus(d_fake.neg()).mean(),
        }
    }

    /// Whether the gradient penalty belongs to this objective.
    pub fn penalized(self) -> bool {
        self == GanLoss::Wasserstein
    }
}

/// log(1 + eˣ), written so that large |x| neither overflows nor loses the small term.
pub fn softplus(x: Tensor<2>) -> Tensor<2> {
    relu(x.clone()) + x.abs().neg().exp().add_scalar(1.0).log()
}
