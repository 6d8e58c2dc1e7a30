//! Adam (Kingma & Ba), every trainer's optimizer, with its update as one pass on the CPU backend.
//!
//! burn's `Adam` updates each parameter with a dozen tensor operations (the two moments, their
//! bias corrections, the square root, the division, the step), each a pass over the parameter
//! that allocates its result: 17% of an autoencoder step on the CPU backend in Chromium
//! (`./build.sh profile`), where the network has 656,000 weights and a batch only 100 images.
//! Here, when the parameter, its gradient and both moments are flex tensors, one loop reads and
//! writes each element once, in place. Everywhere else (WebGPU) burn's `Adam` runs unchanged,
//! and the state is burn's own [`AdamState`] either way, so the two paths can alternate.

use burn::backend::{Flex, TensorMetadata};
use burn::backend::flex::FlexTensor;
use burn::optim::{AdaptiveMomentumState, AdamConfig, AdamState, LearningRate, ModuleOptimizer, Optimizer};
use burn::prelude::*;
use burn::tensor::{DType, TensorData};

/// Adam's hyper-parameters; [`Adam::optimizer`] builds the whole-module optimizer.
#[derive(Clone)]
pub struct Adam {
    beta_1: f32,
    beta_2: f32,
    epsilon: f32,
    /// burn's implementation of the same settings: what runs off the CPU backend.
    composed: burn::optim::Adam,
}

impl Adam {
    /// β₁, β₂ and ε as in the paper's notation (no weight decay, no AMSGrad).
    pub fn new(beta_1: f32, beta_2: f32, epsilon: f32) -> Self {
        let composed = AdamConfig::new().with_beta_1(beta_1).with_beta_2(beta_2).with_epsilon(epsilon).build();
        Adam { beta_1, beta_2, epsilon, composed }
    }

    /// The optimizer for a whole module.
    pub fn optimizer(self) -> ModuleOptimizer {
        ModuleOptimizer::from(self)
    }

    /// Whether the parameter, its gradient and its moments are all f32 flex tensors, so that
    /// [`Adam::fused`] applies. Only clones are converted, and dropped at once, so that the
    /// tensors stay their buffers' only owners and are updated in place.
    fn fusable<const D: usize>(tensor: &Tensor<D>, grad: &Tensor<D>, state: Option<&AdamState<D>>) -> bool {
        let flex = |t: &Tensor<D>| t.clone().try_into_primitive::<Flex>().is_ok_and(|p| p.dtype() == DType::F32);
        let moments = match state {
            Some(s) => s.momentum.max_moment_2.is_none() && flex(&s.momentum.moment_1) && flex(&s.momentum.moment_2),
            None => true,
        };
        moments && flex(tensor) && flex(grad) && tensor.shape() == grad.shape()
    }

    /// One update in a single pass over the parameter, with burn's `Adam` arithmetic:
    /// m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², θ ← θ − lr·(√(1−β₂ᵗ)/(1−β₁ᵗ))·m / (√v + ε√(1−β₂ᵗ)).
    fn fused<const D: usize>(&self, lr: LearningRate, tensor: Tensor<D>, grad: Tensor<D>, state: Option<AdamState<D>>) -> (Tensor<D>, AdamState<D>) {
        let flex = |t: Tensor<D>| t.try_into_primitive::<Flex>().expect("checked by Adam::fusable");
        let mut param = flex(tensor);
        let shape = param.shape();
        let n = shape.num_elements();
        let (time, mut m, mut v) = match state {
            Some(s) => (s.momentum.time + 1, flex(s.momentum.moment_1), flex(s.momentum.moment_2)),
            None => {
                let zeros = || FlexTensor::from_data(TensorData::new(vec![0f32; n], shape.clone()));
                (1, zeros(), zeros())
            }
        };
        let (b1, b2) = (self.beta_1, self.beta_2);
        let bias_correction2_sqrt = (1.0 - b2.powi(time as i32)).sqrt();
        let factor = (lr as f32) * bias_correction2_sqrt / (1.0 - b1.powi(time as i32));
        let epsilon = self.epsilon * bias_correction2_sqrt;
        let g = flex(grad).to_contiguous();
        let g = &g.storage::<f32>()[..n];
        let (p, m_, v_) = (contiguous_mut(&mut param), contiguous_mut(&mut m), contiguous_mut(&mut v));
        crate::wide::split(n, 16, (p, m_, v_, g), #[inline(always)] |_, (p, m, v, g)| {
            for (((p, m), v), &g) in p.iter_mut().zip(m.iter_mut()).zip(v.iter_mut()).zip(g) {
                *m = b1 * *m + (1.0 - b1) * g;
                *v = b2 * *v + (1.0 - b2) * (g * g);
                *p -= factor * *m / (v.sqrt() + epsilon);
            }
        });
        let wrap = |t: FlexTensor| Tensor::<D>::from_primitive::<Flex>(t);
        (wrap(param), AdamState::new(AdaptiveMomentumState::new(time, wrap(m), wrap(v))))
    }
}

/// The tensor's elements as one mutable slice: in place when it is contiguous and its only
/// owner, else after a copy.
fn contiguous_mut(t: &mut FlexTensor) -> &mut [f32] {
    if t.layout().contiguous_offsets() != Some((0, t.shape().num_elements())) {
        *t = t.to_contiguous();
    }
    let n = t.shape().num_elements();
    &mut t.storage_mut::<f32>()[..n]
}

impl Optimizer for Adam {
    type State<const D: usize> = AdamState<D>;

    fn step<const D: usize>(
        &self,
        lr: LearningRate,
        tensor: Tensor<D>,
        grad: Tensor<D>,
        state: Option<Self::State<D>>,
    ) -> (Tensor<D>, Option<Self::State<D>>) {
        if Self::fusable(&tensor, &grad, state.as_ref()) {
            let (tensor, state) = self.fused(lr, tensor, grad, state);
            return (tensor, Some(state));
        }
        self.composed.step(lr, tensor, grad, state)
    }

    fn to_device<const D: usize>(state: Self::State<D>, device: &Device) -> Self::State<D> {
        burn::optim::Adam::to_device(state, device)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    fn values<const D: usize>(t: &Tensor<D>) -> Vec<f32> {
        t.clone().into_data().try_to_vec::<f32>().unwrap()
    }

    #[test]
    fn the_fused_update_is_burns_adam_step_for_step() {
        let device = Device::flex();
        let mut rng = Rng::new(11);
        let (rows, cols) = (13, 29);
        let tensor = |v: Vec<f32>| Tensor::<2>::from_data(TensorData::new(v, [rows, cols]), &device);
        let ours = Adam::new(0.5, 0.9, 1e-8);
        let theirs = AdamConfig::new().with_beta_1(0.5).with_beta_2(0.9).with_epsilon(1e-8).build();
        let start = rng.normals(rows * cols);
        let (mut a, mut b) = (tensor(start.clone()), tensor(start));
        let (mut state_a, mut state_b) = (None, None);
        for step in 0..6 {
            assert!(Adam::fusable(&a, &tensor(vec![0.0; rows * cols]), state_a.as_ref()), "step {step} takes the fused path");
            let grad: Vec<f32> = rng.normals(rows * cols).iter().map(|g| g * 10f32.powi(step - 3)).collect();
            (a, state_a) = ours.step(1e-2, a, tensor(grad.clone()), state_a);
            (b, state_b) = theirs.step(1e-2, b, tensor(grad), state_b);
            let (sa, sb) = (state_a.as_ref().unwrap(), state_b.as_ref().unwrap());
            assert_eq!(sa.momentum.time, sb.momentum.time);
            for (what, x, y) in [("parameter", &a, &b), ("m", &sa.momentum.moment_1, &sb.momentum.moment_1), ("v", &sa.momentum.moment_2, &sb.momentum.moment_2)] {
                for (i, (x, y)) in values(x).iter().zip(values(y)).enumerate() {
                    assert!((x - y).abs() <= 2e-6 * (1.0 + y.abs()), "step {step}, {what}[{i}]: {x} vs {y}");
                }
            }
        }
        assert!(values(&a).iter().zip(values(&tensor(vec![0.0; rows * cols]))).any(|(x, _)| x.abs() > 0.1), "the parameters moved");
    }

    #[test]
    fn a_state_from_burns_adam_carries_over() {
        // The two paths share one state type: a run may begin on one and continue on the other.
        let device = Device::flex();
        let t = |v: f32| Tensor::<1>::from_data(TensorData::new(vec![v; 8], [8]), &device);
        let theirs = AdamConfig::new().with_epsilon(1e-8).build();
        let (p, state) = theirs.step(0.1, t(1.0), t(0.5), None);
        let (p, state) = Adam::new(0.9, 0.999, 1e-8).step(0.1, p, t(0.5), state);
        let (q, _) = theirs.step(0.1, theirs.step(0.1, t(1.0), t(0.5), None).0, t(0.5), theirs.step(0.1, t(1.0), t(0.5), None).1);
        assert_eq!(state.unwrap().momentum.time, 2);
        for (x, y) in values(&p).iter().zip(values(&q)) {
            assert!((x - y).abs() < 1e-6, "{x} vs {y}");
        }
    }
}
