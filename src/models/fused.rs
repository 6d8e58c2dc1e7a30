//! ELU, tanh and the cross-entropy with logits as single passes on the CPU backend.
//!
//! Composed from tensor operations ([`super::mlp::elu_composed`],
//! [`super::autoencoder::bce_composed`]) each is seven to ten passes over its tensor forward and
//! as many backward, every one allocating its result, and two of them calling `expf`/`log1pf`
//! per element. On burn's flex backend in the browser that was 40% of an autoencoder step
//! (`./build.sh profile`; with both replaced by a plain relu the step ran 1.4x faster). Here each
//! is one loop forward and one backward, with an exponential the compiler can vectorize, wired
//! into burn's autodiff as an operation with its own backward step.
//!
//! Only burn's flex backend (plain or under autodiff without checkpointing) takes this path;
//! other backends (WebGPU) get the composed operations, which their fusion compiles into
//! kernels anyway. Results agree with the composed forms to float rounding (tests below).

// Each entry point gives its tensors back in `Err` when it does not apply, so that the caller
// runs the composed form on them: a move of a few hundred bytes, once per layer.
#![allow(clippy::result_large_err)]

pub mod norm;

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::NoCheckpointing;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind, unary};
use burn::backend::flex::FlexTensor;
use burn::backend::tensor::FloatTensor;
use burn::backend::{Autodiff, Flex, TensorMetadata};
use burn::prelude::*;
use burn::tensor::{DType, TensorData};

use crate::wide::{Per, split, wide};

/// The CPU backend as the trainers use it: flex under autodiff, no gradient checkpointing.
type CpuAutodiff = Autodiff<Flex, NoCheckpointing>;

/// A tensor on the CPU backend, as these kernels take it: under autodiff or plain.
enum OnCpu {
    Tracked(FloatTensor<CpuAutodiff>),
    Plain(FlexTensor),
}

impl OnCpu {
    /// `x`'s f32 flex primitive, or `Err(x)` (untouched) on any other backend or dtype. Only a
    /// clone is converted, and `x` dropped after, so the primitive is its buffer's only owner.
    fn of<const D: usize>(x: Tensor<D>) -> Result<Self, Tensor<D>> {
        if let Ok(primitive) = x.clone().try_into_primitive::<CpuAutodiff>() {
            if primitive.primitive().dtype() == DType::F32 {
                drop(x);
                return Ok(OnCpu::Tracked(primitive));
            }
        } else if let Ok(primitive) = x.clone().try_into_primitive::<Flex>()
            && primitive.dtype() == DType::F32
        {
            drop(x);
            return Ok(OnCpu::Plain(primitive));
        }
        Err(x)
    }

    /// Back to the tensor it came from.
    fn into_tensor<const D: usize>(self) -> Tensor<D> {
        match self {
            OnCpu::Tracked(p) => Tensor::from_primitive::<CpuAutodiff>(p),
            OnCpu::Plain(p) => Tensor::from_primitive::<Flex>(p),
        }
    }

    /// The values, without autodiff's bookkeeping.
    fn flex(&self) -> &FlexTensor {
        match self {
            OnCpu::Tracked(p) => p.primitive(),
            OnCpu::Plain(p) => p,
        }
    }
}

/// ELU (α = 1) on the CPU backend in one pass; `Err(x)` (untouched) on any other backend.
pub fn elu<const D: usize>(x: Tensor<D>) -> Result<Tensor<D>, Tensor<D>> {
    pointwise::<Elu, D>(x)
}

/// tanh on the CPU backend in one pass; `Err(x)` (untouched) on any other backend.
pub fn tanh<const D: usize>(x: Tensor<D>) -> Result<Tensor<D>, Tensor<D>> {
    pointwise::<Tanh, D>(x)
}

/// Σ over every element of `max(l, 0) − l·x + log(1 + e^−|l|)`, times `scale`, as a one-element
/// tensor, on the CPU backend; `Err` (both untouched) on any other backend. Only the logits
/// are differentiated.
pub fn bce_with_logits_sum<const D: usize>(
    logits: Tensor<D>,
    targets: Tensor<D>,
    scale: f32,
) -> Result<Tensor<1>, (Tensor<D>, Tensor<D>)> {
    if logits.dims() != targets.dims() {
        return Err((logits, targets));
    }
    let logits = match OnCpu::of(logits) {
        Ok(logits) => logits,
        Err(logits) => return Err((logits, targets)),
    };
    let targets = match OnCpu::of(targets) {
        Ok(targets) => targets.flex().clone(),
        Err(targets) => return Err((logits.into_tensor(), targets)),
    };
    Ok(match logits {
        OnCpu::Tracked(logits) => Tensor::from_primitive::<CpuAutodiff>(bce_tracked(logits, targets, scale)),
        OnCpu::Plain(logits) => Tensor::from_primitive::<Flex>(scalar(bce_sum(&logits, &targets, scale))),
    })
}

/// An elementwise function whose derivative can be read from its output, so that its backward
/// step keeps only the output.
trait Pointwise: std::fmt::Debug + Send + Sync + 'static {
    fn value(x: f32) -> f32;
    /// The incoming gradient `g` times the derivative, at a point whose output is `y`.
    fn backward(g: f32, y: f32) -> f32;
}

/// ELU: the derivative is 1 where the output is positive and `e^x = output + 1` elsewhere.
#[derive(Debug)]
struct Elu;

impl Pointwise for Elu {
    #[inline(always)]
    fn value(x: f32) -> f32 {
        elu_value(x)
    }
    #[inline(always)]
    fn backward(g: f32, y: f32) -> f32 {
        if y > 0.0 { g } else { g * (y + 1.0) }
    }
}

/// tanh: d tanh = 1 − tanh².
#[derive(Debug)]
struct Tanh;

impl Pointwise for Tanh {
    #[inline(always)]
    fn value(x: f32) -> f32 {
        tanh_value(x)
    }
    #[inline(always)]
    fn backward(g: f32, y: f32) -> f32 {
        g * (1.0 - y * y)
    }
}

/// `P` applied in one pass; under autodiff, an operation whose backward step is one pass too.
fn pointwise<P: Pointwise, const D: usize>(x: Tensor<D>) -> Result<Tensor<D>, Tensor<D>> {
    #[derive(Debug)]
    struct Op<P>(std::marker::PhantomData<P>);

    impl<P: Pointwise> Backward<Flex, 1> for Op<P> {
        type State = FlexTensor;

        fn backward(self, ops: Ops<Self::State, 1>, grads: &mut Gradients, _: &mut Checkpointer) {
            let output = ops.state;
            unary::<Flex, _>(ops.parents, ops.node, grads, |grad| zip(&grad, &output, P::backward));
        }
    }

    Ok(match OnCpu::of(x)? {
        OnCpu::Plain(x) => Tensor::from_primitive::<Flex>(map(&x, P::value)),
        OnCpu::Tracked(x) => {
            let output = map(x.primitive(), P::value);
            let tracked = match Op::<P>(std::marker::PhantomData).prepare::<NoCheckpointing>([x.node()]).compute_bound().stateful() {
                OpsKind::Tracked(prep) => prep.finish(output.clone(), output),
                OpsKind::UnTracked(prep) => prep.finish(output),
            };
            Tensor::from_primitive::<CpuAutodiff>(tracked)
        }
    })
}

/// The cross-entropy as an autodiff operation: d/dl = scale · g · (σ(l) − x).
fn bce_tracked(
    logits: FloatTensor<CpuAutodiff>,
    targets: FlexTensor,
    scale: f32,
) -> FloatTensor<CpuAutodiff> {
    #[derive(Debug)]
    struct Bce {
        scale: f32,
    }

    impl Backward<Flex, 1> for Bce {
        type State = (FlexTensor, FlexTensor);

        fn backward(self, ops: Ops<Self::State, 1>, grads: &mut Gradients, _: &mut Checkpointer) {
            let (logits, targets) = ops.state;
            let scale = self.scale;
            unary::<Flex, _>(ops.parents, ops.node, grads, |grad| {
                let g = contiguous(&grad)[0] * scale;
                zip(&logits, &targets, |l, x| g * (sigmoid(l) - x))
            });
        }
    }

    let loss = bce_sum(logits.primitive(), &targets, scale);
    match (Bce { scale }).prepare::<NoCheckpointing>([logits.node()]).compute_bound().stateful() {
        OpsKind::Tracked(prep) => prep.finish((logits.primitive().clone(), targets), scalar(loss)),
        OpsKind::UnTracked(prep) => prep.finish(scalar(loss)),
    }
}

fn bce_sum(logits: &FlexTensor, targets: &FlexTensor, scale: f32) -> f32 {
    let (l, x) = (contiguous(logits), contiguous(targets));
    bce_sum_of(&l, &x, scale)
}

/// Elements per partial sum of the cross-entropy.
const BCE_CHUNK: usize = 1024;

/// Σ softplus-form cross-entropy · scale. One f64 partial sum per 1,024 elements (so that the
/// error does not grow with the tensor's size), the chunks shared among threads, the partial
/// sums then added in order: the same bits on any number of threads.
#[inline(always)]
fn bce_sum_of(l: &[f32], x: &[f32], scale: f32) -> f32 {
    let mut partials = vec![(0f64, 0f64); l.len().div_ceil(BCE_CHUNK)];
    split(l.len(), BCE_CHUNK, (l, x, Per(&mut partials, BCE_CHUNK)), #[inline(always)] |_, (l, x, partials)| {
        for ((l, x), partial) in l.chunks(BCE_CHUNK).zip(x.chunks(BCE_CHUNK)).zip(partials.0.iter_mut()) {
            *partial = bce_chunk_sum(l, x);
        }
    });
    let total = partials.iter().fold(0f64, |total, &(lanes, rest)| total + lanes + rest);
    (total * scale as f64) as f32
}

/// One chunk's cross-entropy: its eight running sums (so the loop vectorizes; one sum would
/// fix the order of additions), and the few elements after the last eight.
#[inline(always)]
fn bce_chunk_sum(l: &[f32], x: &[f32]) -> (f64, f64) {
    let term = |l: f32, x: f32| l.max(0.0) - l * x + ln_1p_unit(exp_nonpositive(-l.abs()));
    const LANES: usize = 8;
    let mut sums = [0f32; LANES];
    let (l8, x8) = (l.chunks_exact(LANES), x.chunks_exact(LANES));
    let (l_rest, x_rest) = (l8.remainder(), x8.remainder());
    for (l, x) in l8.zip(x8) {
        for lane in 0..LANES {
            sums[lane] += term(l[lane], x[lane]);
        }
    }
    (sums.iter().map(|&s| s as f64).sum::<f64>(), l_rest.iter().zip(x_rest).map(|(&l, &x)| term(l, x) as f64).sum::<f64>())
}

/// ELU of one value; NaN stays NaN (`f32::min` would turn it into 0).
#[inline(always)]
fn elu_value(v: f32) -> f32 {
    let e = exp_nonpositive(if v > 0.0 { 0.0 } else { v }) - 1.0;
    if v > 0.0 { v } else { e }
}

/// tanh of one value, −expm1(−2|x|) / (2 + expm1(−2|x|)) with x's sign: no cancellation near
/// zero (where 1 − e^−2|x| would lose all but a few bits), ±1 beyond ±9.
#[inline(always)]
fn tanh_value(x: f32) -> f32 {
    let m = expm1_nonpositive(-2.0 * x.abs());
    (-m / (2.0 + m)).copysign(x)
}

/// σ(l) from e^−|l|, which never overflows.
#[inline(always)]
fn sigmoid(l: f32) -> f32 {
    let e = exp_nonpositive(-l.abs());
    let r = 1.0 / (1.0 + e);
    if l >= 0.0 { r } else { e * r }
}

/// e^x for x ≤ 0 without branches, so a loop of it vectorizes: Cephes' reduction and
/// polynomial as in [`crate::expf::exp`], arguments below −103.97 clamped (e^x < 1.2e−45),
/// NaN kept NaN.
#[inline(always)]
fn exp_nonpositive(x: f32) -> f32 {
    let (q, scale) = reduced(x);
    scale * q + scale
}

/// e^x − 1 for x ≤ 0, accurate near 0 (where e^x − 1 would cancel), without branches.
#[inline(always)]
fn expm1_nonpositive(x: f32) -> f32 {
    let (q, scale) = reduced(x);
    scale * q + (scale - 1.0)
}

/// x = k·ln 2 + r: returns e^r − 1 ([`crate::expf`]'s polynomial) and 2^k, so that
/// e^x = 2^k·(q + 1). For x in [−103.97, 0]; below, clamped; NaN gives a NaN q.
#[inline(always)]
fn reduced(x: f32) -> (f32, f32) {
    use crate::expf::{LN2_HI, LN2_LO, MIN_ARG, expm1_reduced, pow2};
    // Adding 1.5·2²³ rounds x·log₂e to the nearest integer k and leaves k in the low bits: no
    // floor or float-to-int conversion, which baseline x86-64 (SSE2) cannot vectorize.
    const ROUND: f32 = 12_582_912.0;
    let x = if x < MIN_ARG { MIN_ARG } else { x };
    let t = x * std::f32::consts::LOG2_E + ROUND;
    let k = t - ROUND;
    let q = expm1_reduced(x - k * LN2_HI - k * LN2_LO);
    // 2^k (k in [−150, 0]) in two normal factors, so subnormal results are not lost.
    let k = t.to_bits().wrapping_sub(ROUND.to_bits()) as i32;
    let half = k >> 1;
    (q, pow2(half) * pow2(k - half))
}

/// ln(1 + e) for e in [0, 1] without branches: 2·atanh(s) with s = e / (2 + e) ≤ 1/3, its
/// series to s¹⁵ (truncation below 2e−9 relative).
#[inline(always)]
fn ln_1p_unit(e: f32) -> f32 {
    let s = e / (2.0 + e);
    let s2 = s * s;
    let series = ((((((s2 * (1.0 / 15.0) + 1.0 / 13.0) * s2 + 1.0 / 11.0) * s2 + 1.0 / 9.0) * s2 + 1.0 / 7.0) * s2 + 1.0 / 5.0)
        * s2
        + 1.0 / 3.0)
        * s2
        + 1.0;
    2.0 * s * series
}

/// The tensor's elements in order, copied only when its layout is not already contiguous.
fn contiguous(t: &FlexTensor) -> std::borrow::Cow<'_, [f32]> {
    match t.as_slice::<f32>() {
        Some(slice) => std::borrow::Cow::Borrowed(slice),
        None => std::borrow::Cow::Owned(t.to_contiguous().as_slice::<f32>().unwrap_or_default().to_vec()),
    }
}

fn map(t: &FlexTensor, f: impl Fn(f32) -> f32) -> FlexTensor {
    let values: Vec<f32> = wide(#[inline(always)] || contiguous(t).iter().map(|&v| f(v)).collect());
    FlexTensor::from_data(TensorData::new(values, t.shape()))
}

fn zip(a: &FlexTensor, b: &FlexTensor, f: impl Fn(f32, f32) -> f32 + Sync) -> FlexTensor {
    let (a_values, b_values) = (contiguous(a), contiguous(b));
    let mut values = vec![0f32; a_values.len()];
    split(values.len(), 16, (&mut values[..], &a_values[..], &b_values[..]), #[inline(always)] |_, (out, a, b)| {
        for ((out, &a), &b) in out.iter_mut().zip(a).zip(b) {
            *out = f(a, b);
        }
    });
    FlexTensor::from_data(TensorData::new(values, a.shape()))
}

fn scalar(value: f32) -> FlexTensor {
    FlexTensor::from_data(TensorData::new(vec![value], [1]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::autoencoder::bce_composed;
    use crate::models::mlp::elu_composed;
    use crate::rng::Rng;

    pub(super) fn values<const D: usize>(t: Tensor<D>) -> Vec<f32> {
        t.into_data().try_to_vec::<f32>().unwrap()
    }

    /// Each value within `tolerance`, relative to 1 + |want|.
    pub(super) fn close(got: &[f32], want: &[f32], tolerance: f32, what: &str) {
        assert_eq!(got.len(), want.len(), "{what}: lengths");
        for (i, (g, w)) in got.iter().zip(want).enumerate() {
            assert!((g - w).abs() <= tolerance * (1.0 + w.abs()), "{what}[{i}]: {g} vs {w}");
        }
    }

    /// Values over the range the networks see, with exact zeros and large magnitudes mixed in.
    fn inputs(rng: &mut Rng, n: usize, spread: f32) -> Vec<f32> {
        (0..n)
            .map(|i| match i % 17 {
                0 => 0.0,
                1 => -90.0,
                2 => 60.0,
                _ => rng.normal() * spread,
            })
            .collect()
    }

    #[test]
    fn elu_and_its_gradient_are_those_of_the_composed_operations() {
        let device = Device::flex().autodiff();
        let mut rng = Rng::new(7);
        let (rows, cols) = (37, 53);
        let x = inputs(&mut rng, rows * cols, 3.0);
        let upstream = Tensor::<2>::from_data(TensorData::new(rng.normals(rows * cols), [rows, cols]), &device);
        let run = |f: fn(Tensor<2>) -> Tensor<2>| {
            let x = Tensor::<2>::from_data(TensorData::new(x.clone(), [rows, cols]), &device).require_grad();
            let y = f(x.clone());
            let grads = (y.clone() * upstream.clone()).sum().backward();
            (values(y.inner()), values(x.grad(&grads).expect("x gets a gradient")))
        };
        let fused = |x: Tensor<2>| elu(x).unwrap_or_else(|_| panic!("flex under autodiff takes the fused path"));
        let ((y, dx), (y0, dx0)) = (run(fused), run(elu_composed));
        close(&y, &y0, 3e-7, "elu");
        // At exactly zero the composed form's derivative is 0 and the fused one's 1 (burn's elu
        // gives 1 too); everywhere else they agree.
        let away_from_zero = |v: &[f32]| v.iter().zip(&x).filter(|(_, x)| **x != 0.0).map(|(v, _)| *v).collect::<Vec<_>>();
        close(&away_from_zero(&dx), &away_from_zero(&dx0), 3e-7, "elu gradient");

        // Without autodiff (inference), the same values.
        let plain = Tensor::<2>::from_data(TensorData::new(x.clone(), [rows, cols]), &Device::flex());
        close(&values(elu(plain).unwrap_or_else(|_| panic!("plain flex is fused too"))), &y0, 3e-7, "elu, no autodiff");
    }

    #[test]
    fn the_cross_entropy_and_its_gradient_are_those_of_the_composed_operations() {
        let device = Device::flex().autodiff();
        let mut rng = Rng::new(8);
        let (rows, cols) = (29, 784);
        let logits = inputs(&mut rng, rows * cols, 6.0);
        // Binarized and grayscale targets both occur.
        let targets: Vec<f32> = (0..rows * cols).map(|i| if i % 3 == 0 { rng.uniform() as f32 } else { (rng.uniform() < 0.3) as u8 as f32 }).collect();
        let target = Tensor::<2>::from_data(TensorData::new(targets, [rows, cols]), &device);
        let run = |f: &dyn Fn(Tensor<2>, Tensor<2>) -> Tensor<1>| {
            let l = Tensor::<2>::from_data(TensorData::new(logits.clone(), [rows, cols]), &device).require_grad();
            let loss = f(l.clone(), target.clone());
            let grads = loss.clone().mul_scalar(3.0).backward();
            (values(loss.inner()), values(l.grad(&grads).expect("the logits get a gradient")))
        };
        let fused = |l: Tensor<2>, x: Tensor<2>| {
            bce_with_logits_sum(l, x, 1.0 / rows as f32).unwrap_or_else(|_| panic!("flex under autodiff takes the fused path"))
        };
        let ((loss, dl), (loss0, dl0)) = (run(&fused), run(&bce_composed));
        close(&loss, &loss0, 1e-5, "loss");
        assert!(loss[0] > 100.0, "a loss of {} leaves the comparison empty", loss[0]);
        // At a logit of exactly 0 the composed form's |l|' is 0, so its gradient lacks the
        // σ(0) = ½ the fused (and true) derivative has; elsewhere they agree.
        let away_from_zero = |v: &[f32]| v.iter().zip(&logits).filter(|(_, l)| **l != 0.0).map(|(v, _)| *v).collect::<Vec<_>>();
        close(&away_from_zero(&dl), &away_from_zero(&dl0), 1e-6, "loss gradient");
        // No autodiff: the same loss.
        let plain = |v: Vec<f32>| Tensor::<2>::from_data(TensorData::new(v, [rows, cols]), &Device::flex());
        let no_grad = bce_with_logits_sum(plain(logits.clone()), plain(values(target.inner())), 1.0 / rows as f32);
        close(&values(no_grad.unwrap_or_else(|_| panic!("plain flex is fused too"))), &loss0, 1e-5, "loss, no autodiff");
    }

    #[test]
    fn a_nan_logit_makes_the_loss_nan() {
        let device = Device::flex().autodiff();
        let mut l = vec![0.5f32; 20];
        l[7] = f32::NAN;
        let t = |v: Vec<f32>| Tensor::<2>::from_data(TensorData::new(v, [4, 5]), &device);
        let loss = bce_with_logits_sum(t(l), t(vec![1.0; 20]), 0.25).unwrap_or_else(|_| panic!("fused"));
        assert!(values(loss.inner())[0].is_nan());
    }

    #[test]
    fn the_branch_free_exponential_matches_the_accurate_one() {
        for i in 0..200_000 {
            let x = -104.0 * i as f32 / 200_000.0;
            let (got, want) = (exp_nonpositive(x), crate::expf::exp(x));
            assert!((got - want).abs() <= want * 2.5e-7 + 1e-44, "exp({x}): {got} vs {want}");
        }
        assert_eq!(exp_nonpositive(0.0), 1.0);
        assert!(exp_nonpositive(-1e30) < 1e-44);
        assert!(exp_nonpositive(f32::NAN).is_nan());
        assert!(elu_value(f32::NAN).is_nan(), "a NaN must reach the trainer's NaN check");
        assert!(sigmoid(f32::NAN).is_nan());
    }

    #[test]
    fn tanh_matches_std_near_zero_and_far_from_it() {
        for i in -200_000..=200_000 {
            let x = i as f32 * 1e-4 * if i % 2 == 0 { 1.0 } else { 1e-3 };
            let (got, want) = (tanh_value(x), x.tanh());
            assert!((got - want).abs() <= want.abs() * 4e-7 + 1e-30, "tanh({x}): {got} vs {want}");
        }
        assert_eq!(tanh_value(30.0), 1.0);
        assert_eq!(tanh_value(-30.0), -1.0);
        assert!(tanh_value(f32::NAN).is_nan());
        assert_eq!(tanh_value(-0.0).to_bits(), (-0.0f32).to_bits());
    }

    #[test]
    fn tanh_and_its_gradient_are_those_of_burns() {
        let device = Device::flex().autodiff();
        let mut rng = Rng::new(9);
        let (rows, cols) = (31, 47);
        let x = inputs(&mut rng, rows * cols, 2.0);
        let upstream = Tensor::<2>::from_data(TensorData::new(rng.normals(rows * cols), [rows, cols]), &device);
        let run = |f: &dyn Fn(Tensor<2>) -> Tensor<2>| {
            let x = Tensor::<2>::from_data(TensorData::new(x.clone(), [rows, cols]), &device).require_grad();
            let y = f(x.clone());
            let grads = (y.clone() * upstream.clone()).sum().backward();
            (values(y.inner()), values(x.grad(&grads).expect("x gets a gradient")))
        };
        let fused = |x: Tensor<2>| tanh(x).unwrap_or_else(|_| panic!("flex under autodiff takes the fused path"));
        let ((y, dx), (y0, dx0)) = (run(&fused), run(&burn::tensor::activation::tanh));
        close(&y, &y0, 4e-7, "tanh");
        close(&dx, &dx0, 1e-6, "tanh gradient");
    }

    #[test]
    fn ln_1p_on_the_unit_interval_matches_std() {
        for i in 0..=100_000 {
            let e = i as f32 / 100_000.0;
            let (got, want) = (ln_1p_unit(e), e.ln_1p());
            assert!((got - want).abs() <= want * 3e-7 + 1e-45, "ln_1p({e}): {got} vs {want}");
        }
    }
}
