//! `e^x` in single precision, for the wasm build's CPU backend.
//!
//! In the browser every `f32::exp` the CPU backend computes (ELU's negative side, the
//! cross-entropy's `log(1 + e^-|l|)`) is a call into the `expf` that Rust's `compiler_builtins`
//! carries for wasm32, a port of the portable libm routine: 14% of an autoencoder step in
//! Chromium (`./build.sh profile`). This module's routine, Cephes' `expf` (Cody–Waite reduction
//! by ln 2 and a degree-7 polynomial, ≤ 2 ulp against the correctly rounded result), replaces
//! that symbol in the wasm build only; native builds keep the platform's libm.

/// ln 2 split in two, so that `x - k·ln 2` is exact for the `k` that occur (Cody–Waite).
pub(crate) const LN2_HI: f32 = 0.693_359_4;
pub(crate) const LN2_LO: f32 = -2.121_944_4e-4;
/// Above this `e^x` overflows f32; below the other it rounds to zero.
const MAX_ARG: f32 = 88.722_84;
pub(crate) const MIN_ARG: f32 = -103.972_08;

/// `e^x`: NaN for NaN, `+∞` above ~88.72, `0` below ~−103.97, within 2 ulp elsewhere.
#[inline]
pub fn exp(x: f32) -> f32 {
    if x.is_nan() {
        return x;
    }
    if x > MAX_ARG {
        return f32::INFINITY;
    }
    if x < MIN_ARG {
        return 0.0;
    }
    // x = k·ln 2 + r with |r| ≤ ln 2 / 2.
    let k = (x * std::f32::consts::LOG2_E + 0.5).floor();
    let p = expm1_reduced(x - k * LN2_HI - k * LN2_LO) + 1.0;
    // 2^k in two factors, each a normal float, so results near the overflow and in the
    // subnormal range are scaled without an intermediate infinity or zero.
    let k = k as i32;
    let half = k / 2;
    p * pow2(half) * pow2(k - half)
}

/// e^r − 1 for the reduced argument |r| ≤ ln 2 / 2: Cephes' degree-7 polynomial without its
/// final + 1 (so that e^x − 1 near 0 does not cancel). Also what the CPU backend's fused
/// kernels (`models/fused.rs`) evaluate, there in vectorized loops.
#[inline(always)]
pub(crate) fn expm1_reduced(r: f32) -> f32 {
    (((((1.987_569_2e-4 * r + 1.398_199_9e-3) * r + 8.333_452e-3) * r + 4.166_579_6e-2) * r + 1.666_666_5e-1) * r + 0.5)
        * (r * r)
        + r
}

/// `2^n` for `n` in [−126, 127], built from its exponent bits.
#[inline(always)]
pub(crate) fn pow2(n: i32) -> f32 {
    f32::from_bits(((n + 127) as u32) << 23)
}

/// The symbol the wasm build's `f32::exp` calls: this module's routine instead of
/// `compiler_builtins`' (whose math symbols are weak, so this definition wins at link time).
#[cfg(all(target_arch = "wasm32", not(test)))]
#[unsafe(no_mangle)]
pub extern "C" fn expf(x: f32) -> f32 {
    exp(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Distance in units in the last place between two finite floats of the same sign.
    fn ulps(a: f32, b: f32) -> u32 {
        (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs() as u32
    }

    #[test]
    fn agrees_with_libm_within_two_ulp_over_the_whole_range() {
        // Every 97th float from the underflow to the overflow threshold, both signs: ~20 M
        // arguments, the correctly rounded value taken from f64.
        let mut worst = (0, 0.0f32);
        let mut checked = 0u64;
        for bits in (0u32..0x42b2_0000).step_by(97).chain((0x8000_0000u32..0xc2cf_0000).step_by(97)) {
            let x = f32::from_bits(bits);
            let want = (x as f64).exp() as f32;
            let got = exp(x);
            checked += 1;
            if want.is_infinite() {
                assert_eq!(got, want, "exp({x})");
                continue;
            }
            if want == 0.0 || !want.is_normal() {
                assert!(got.abs() <= f32::MIN_POSITIVE, "exp({x}) = {got}, want {want}");
                continue;
            }
            let d = ulps(got, want);
            if d > worst.0 {
                worst = (d, x);
            }
        }
        assert!(checked > 10_000_000);
        assert!(worst.0 <= 2, "{} ulp at x = {}", worst.0, worst.1);
    }

    #[test]
    fn edges_are_those_of_expf() {
        assert!(exp(f32::NAN).is_nan());
        assert_eq!(exp(f32::INFINITY), f32::INFINITY);
        assert_eq!(exp(f32::NEG_INFINITY), 0.0);
        assert_eq!(exp(89.0), f32::INFINITY);
        assert_eq!(exp(-104.0), 0.0);
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(exp(-0.0), 1.0);
        assert!(exp(88.7).is_finite() && exp(88.7) > 3.0e38);
        assert!(exp(-100.0) > 0.0, "subnormal results are not flushed to zero");
        assert!(ulps(exp(1.0), std::f32::consts::E) <= 1);
    }
}
