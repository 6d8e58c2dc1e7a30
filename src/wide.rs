//! Hot loops compiled for the widest vectors the CPU running them has.
//!
//! A native build targets baseline x86-64, whose vectors are SSE2's 4 lanes; the matrix
//! products (gemm) pick AVX2 and FMA at run time, but the fused kernels' loops
//! ([`crate::models`]'s `fused`, [`crate::train::adam`]) stayed at 4 lanes and took a fifth of a
//! native training step (perf). [`wide`] runs its closure in a function compiled with AVX2 and
//! FMA where the CPU has both, so that the closure, inlined there, vectorizes 8 wide. Rust never
//! contracts `a * b + c` into a fused multiply-add by itself, and these loops keep their order
//! of operations whatever the vector width, so the results are the same bits either way
//! (`the_wide_path_gives_the_same_bits` in src/models/fused/norm.rs compares both). In wasm, and
//! elsewhere, the closure just runs.

/// Runs `work`, on x86-64 compiled for AVX2 and FMA where the CPU supports them.
#[inline(always)]
pub(crate) fn wide<R>(work: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    {
        #[target_feature(enable = "avx2,fma")]
        fn avx2<R>(work: impl FnOnce() -> R) -> R {
            work()
        }
        if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
            // SAFETY: the CPU has just been found to support both features.
            return unsafe { avx2(work) };
        }
    }
    work()
}
