//! A training-mode BatchNorm followed by ELU, as one operation on the CPU backend.
//!
//! burn differentiates BatchNorm as one autodiff operation, but its flex backend computes both
//! directions from generic tensor operations: a transpose, a reshape and a reduction per
//! statistic, a broadcast per scale, about a dozen allocating passes forward and twenty
//! backward, then the ELU on top. Every hidden layer of the encoder, decoder and generator is
//! Linear → BatchNorm → ELU, so after the matrix products this was the largest item of a CPU
//! training step (`./build.sh profile`). Here the statistics are two passes over the rows, the
//! normalization and ELU one more, and the backward step three.

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::NoCheckpointing;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::flex::FlexTensor;
use burn::backend::{Flex, TensorMetadata};
use burn::prelude::*;
use burn::tensor::TensorData;

use super::{CpuAutodiff, OnCpu, contiguous, elu_value};
use crate::wide::{split, wide};

/// What [`batch_norm_elu`] gives: the activations and the batch's statistics (per feature,
/// the mean and the biased variance, as burn's `batch_norm_train` returns them), detached, for
/// the running averages.
pub struct NormElu {
    pub output: Tensor<2>,
    pub mean: Vec<f32>,
    pub variance: Vec<f32>,
}

/// ELU(γ·(x − mean)/√(var + ε) + β) with the batch's own mean and variance per column of `x`
/// (`[batch, features]`), differentiated with respect to x, γ and β, when all three are f32
/// tensors on the CPU backend under autodiff; `Err(x)` (untouched) otherwise.
pub fn batch_norm_elu(x: Tensor<2>, gamma: Tensor<1>, beta: Tensor<1>, epsilon: f64) -> Result<NormElu, Tensor<2>> {
    let [rows, cols] = x.dims();
    if rows == 0 || gamma.dims() != [cols] || beta.dims() != [cols] {
        return Err(x);
    }
    let x = match OnCpu::of(x)? {
        OnCpu::Tracked(x) => x,
        plain => return Err(plain.into_tensor()),
    };
    let (Ok(OnCpu::Tracked(gamma)), Ok(OnCpu::Tracked(beta))) = (OnCpu::of(gamma), OnCpu::of(beta)) else {
        return Err(Tensor::from_primitive::<CpuAutodiff>(x));
    };

    let values = contiguous(x.primitive());
    let stats = wide(#[inline(always)] || Statistics::of(&values, rows, cols, epsilon as f32));
    let gammas = contiguous(gamma.primitive()).into_owned();
    let output = wide(#[inline(always)] || forward(&values, &stats, &gammas, &contiguous(beta.primitive())));
    drop(values);
    let output = FlexTensor::from_data(TensorData::new(output, [rows, cols]));
    let (mean, variance) = (stats.mean.clone(), stats.variance.clone());

    let parents = [x.node(), gamma.node(), beta.node()];
    let tracked = match NormEluOp.prepare::<NoCheckpointing>(parents).compute_bound().stateful() {
        OpsKind::Tracked(prep) => {
            let state = State { x: x.primitive().clone(), output: output.clone(), gamma: gammas, stats };
            prep.finish(state, output)
        }
        OpsKind::UnTracked(prep) => prep.finish(output),
    };
    Ok(NormElu { output: Tensor::from_primitive::<CpuAutodiff>(tracked), mean, variance })
}

/// Per-feature statistics of a batch.
#[derive(Clone, Debug)]
struct Statistics {
    mean: Vec<f32>,
    variance: Vec<f32>,
    /// 1 / √(variance + ε).
    inv_std: Vec<f32>,
}

impl Statistics {
    /// Column means, then the mean squared deviation from them: two passes, as burn computes
    /// them, rather than E[x²] − E[x]², which cancels.
    #[inline(always)]
    fn of(x: &[f32], rows: usize, cols: usize, epsilon: f32) -> Statistics {
        let mut mean = vec![0f32; cols];
        for row in x.chunks_exact(cols) {
            for (m, &v) in mean.iter_mut().zip(row) {
                *m += v;
            }
        }
        mean.iter_mut().for_each(|m| *m /= rows as f32);
        let mut variance = vec![0f32; cols];
        for row in x.chunks_exact(cols) {
            for ((s, &v), &m) in variance.iter_mut().zip(row).zip(&mean) {
                *s += (v - m) * (v - m);
            }
        }
        variance.iter_mut().for_each(|s| *s /= rows as f32);
        let inv_std = variance.iter().map(|&v| 1.0 / (v + epsilon).sqrt()).collect();
        Statistics { mean, variance, inv_std }
    }
}

#[inline(always)]
fn forward(x: &[f32], stats: &Statistics, gamma: &[f32], beta: &[f32]) -> Vec<f32> {
    let cols = gamma.len();
    let scale: Vec<f32> = gamma.iter().zip(&stats.inv_std).map(|(g, s)| g * s).collect();
    let mut output = vec![0f32; x.len()];
    split(x.len(), cols, (&mut output[..], x), #[inline(always)] |_, (output, x)| {
        // Zipped iterators, not indices, so that the loop has no bounds checks and vectorizes.
        for (out, row) in output.chunks_exact_mut(cols).zip(x.chunks_exact(cols)) {
            for ((((out, &x), &mean), &scale), &beta) in out.iter_mut().zip(row).zip(&stats.mean).zip(&scale).zip(beta) {
                *out = elu_value((x - mean) * scale + beta);
            }
        }
    });
    output
}

#[derive(Debug)]
struct NormEluOp;

#[derive(Clone, Debug)]
struct State {
    x: FlexTensor,
    output: FlexTensor,
    gamma: Vec<f32>,
    stats: Statistics,
}

impl Backward<Flex, 3> for NormEluOp {
    type State = State;

    fn backward(self, ops: Ops<Self::State, 3>, grads: &mut Gradients, _: &mut Checkpointer) {
        let [node_x, node_gamma, node_beta] = ops.parents;
        let grad = grads.consume::<Flex>(&ops.node);
        let State { x, output, gamma, stats } = ops.state;
        let shape = x.shape();
        let cols = gamma.len();
        let (dx, dgamma, dbeta) = wide(#[inline(always)] || backward(&contiguous(&x), &contiguous(&output), &contiguous(&grad), &gamma, &stats));
        let tensor = |values: Vec<f32>, shape| FlexTensor::from_data(TensorData::new(values, shape));
        if let Some(node) = node_x {
            grads.register::<Flex>(node.id, tensor(dx, shape));
        }
        if let Some(node) = node_gamma {
            grads.register::<Flex>(node.id, tensor(dgamma, [cols].into()));
        }
        if let Some(node) = node_beta {
            grads.register::<Flex>(node.id, tensor(dbeta, [cols].into()));
        }
    }
}

/// With g the gradient of the output and z = γ·x̂ + β the pre-activation (whose ELU derivative
/// is 1 where the output is positive and output + 1 elsewhere): g_z = g·ELU′, dβ = Σ g_z,
/// dγ = Σ g_z·x̂, and dx = γ/σ · (g_z − (dβ + x̂·dγ)/n), sums over the batch.
#[inline(always)]
fn backward(x: &[f32], output: &[f32], grad: &[f32], gamma: &[f32], stats: &Statistics) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
    let cols = gamma.len();
    let rows = x.len() / cols;
    let (mean, inv_std) = (&stats.mean, &stats.inv_std);
    let mut dz = vec![0f32; x.len()];
    let (mut dgamma, mut dbeta) = (vec![0f32; cols], vec![0f32; cols]);
    for (((dz, x), y), g) in dz.chunks_exact_mut(cols).zip(x.chunks_exact(cols)).zip(output.chunks_exact(cols)).zip(grad.chunks_exact(cols)) {
        let columns = dz.iter_mut().zip(x).zip(y).zip(g).zip(dbeta.iter_mut()).zip(dgamma.iter_mut()).zip(mean).zip(inv_std);
        for (((((((dz, &x), &y), &g), dbeta), dgamma), &mean), &inv_std) in columns {
            let d = if y > 0.0 { g } else { g * (y + 1.0) };
            *dz = d;
            *dbeta += d;
            *dgamma += d * ((x - mean) * inv_std);
        }
    }
    let n = rows as f32;
    let scale: Vec<f32> = gamma.iter().zip(inv_std).map(|(g, s)| g * s).collect();
    let (beta_mean, gamma_mean): (Vec<f32>, Vec<f32>) = (dbeta.iter().map(|d| d / n).collect(), dgamma.iter().map(|d| d / n).collect());
    split(x.len(), cols, (&mut dz[..], x), #[inline(always)] |_, (dz, x)| {
        for (dz, x) in dz.chunks_exact_mut(cols).zip(x.chunks_exact(cols)) {
            let columns = dz.iter_mut().zip(x).zip(mean).zip(inv_std).zip(&scale).zip(&beta_mean).zip(&gamma_mean);
            for ((((((dz, &x), &mean), &inv_std), &scale), &beta_mean), &gamma_mean) in columns {
                let x_hat = (x - mean) * inv_std;
                *dz = scale * (*dz - beta_mean - x_hat * gamma_mean);
            }
        }
    });
    (dz, dgamma, dbeta)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::mlp::elu_composed;
    use crate::rng::Rng;
    use super::super::tests::{close, values};
    use burn::nn::BatchNormConfig;

    /// [`wide`]'s promise: the loops give the same bits on its AVX2 path (taken on this CPU
    /// when it has AVX2) as compiled for the baseline (a direct call from here).
    #[test]
    fn the_wide_path_gives_the_same_bits() {
        let mut rng = Rng::new(12);
        let (rows, cols) = (37, 300);
        let x: Vec<f32> = (0..rows * cols).map(|_| rng.normal() * 2.0 + 0.3).collect();
        let g: Vec<f32> = rng.normals(rows * cols);
        let gamma: Vec<f32> = (0..cols).map(|_| 1.0 + rng.normal() * 0.3).collect();
        let beta: Vec<f32> = rng.normals(cols);
        let stats = Statistics::of(&x, rows, cols, 1e-5);
        let wide_stats = wide(|| Statistics::of(&x, rows, cols, 1e-5));
        let y = forward(&x, &stats, &gamma, &beta);
        let bits = |v: &[f32]| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&wide_stats.inv_std), bits(&stats.inv_std), "statistics");
        assert_eq!(bits(&wide(|| forward(&x, &stats, &gamma, &beta))), bits(&y), "forward");
        let (a, b) = (backward(&x, &y, &g, &gamma, &stats), wide(|| backward(&x, &y, &g, &gamma, &stats)));
        assert_eq!((bits(&b.0), bits(&b.1), bits(&b.2)), (bits(&a.0), bits(&a.1), bits(&a.2)), "backward");
        let targets: Vec<f32> = x.iter().map(|v| (*v > 0.5) as u8 as f32).collect();
        let direct = super::super::bce_sum_of(&x, &targets, 0.01);
        assert_eq!(wide(|| super::super::bce_sum_of(&x, &targets, 0.01)).to_bits(), direct.to_bits(), "cross-entropy");
    }

    /// The fused operation against burn's BatchNorm then the composed ELU: outputs, the
    /// gradients of x, γ and β under a random upstream gradient, and the statistics burn
    /// feeds its running averages.
    #[test]
    fn batch_norm_then_elu_and_their_gradients_are_burns() {
        let device = Device::flex().autodiff();
        let mut rng = Rng::new(11);
        let (rows, cols) = (23, 41);
        // Columns with different offsets and spreads, one constant (variance 0: ε matters).
        let x: Vec<f32> = (0..rows * cols)
            .map(|i| if i % cols == 5 { 2.5 } else { rng.normal() * (1.0 + (i % cols) as f32 * 0.2) + (i % 7) as f32 - 3.0 })
            .collect();
        let upstream = Tensor::<2>::from_data(TensorData::new(rng.normals(rows * cols), [rows, cols]), &device);
        let gamma: Vec<f32> = (0..cols).map(|_| 1.0 + rng.normal() * 0.3).collect();
        let beta: Vec<f32> = (0..cols).map(|_| rng.normal() * 0.5).collect();
        let epsilon = 1e-5;

        let leaf = |v: &[f32], shape: [usize; 1]| Tensor::<1>::from_data(TensorData::new(v.to_vec(), shape), &device).require_grad();
        let input = || Tensor::<2>::from_data(TensorData::new(x.clone(), [rows, cols]), &device).require_grad();

        let (x0, g0, b0) = (input(), leaf(&gamma, [cols]), leaf(&beta, [cols]));
        let reference = burn::tensor::module::batch_norm_train(x0.clone(), g0.clone(), b0.clone(), epsilon);
        let y0 = elu_composed(reference.output);
        let grads0 = (y0.clone() * upstream.clone()).sum().backward();

        let (x1, g1, b1) = (input(), leaf(&gamma, [cols]), leaf(&beta, [cols]));
        let fused = batch_norm_elu(x1.clone(), g1.clone(), b1.clone(), epsilon).unwrap_or_else(|_| panic!("flex under autodiff takes the fused path"));
        let grads1 = (fused.output.clone() * upstream).sum().backward();

        close(&values(fused.output.inner()), &values(y0.inner()), 2e-6, "output");
        close(&fused.mean, &values(reference.mean.inner()), 1e-6, "mean");
        close(&fused.variance, &values(reference.variance.inner()), 1e-5, "variance");
        let grad = |t: &Tensor<2>, g| values(t.grad(g).expect("x gets a gradient"));
        let grad1 = |t: &Tensor<1>, g| values(t.grad(g).expect("γ and β get gradients"));
        close(&grad(&x1, &grads1), &grad(&x0, &grads0), 1e-4, "dx");
        close(&grad1(&g1, &grads1), &grad1(&g0, &grads0), 1e-4, "dγ");
        close(&grad1(&b1, &grads1), &grad1(&b0, &grads0), 1e-5, "dβ");
    }

    #[test]
    fn other_backends_and_inference_are_left_to_burn() {
        let norm = BatchNormConfig::new(3).init(&Device::flex());
        let x = Tensor::<2>::ones([4, 3], &Device::flex());
        assert!(batch_norm_elu(x, norm.gamma.val(), norm.beta.val(), 1e-5).is_err(), "no autodiff: nothing to fuse");
    }
}
