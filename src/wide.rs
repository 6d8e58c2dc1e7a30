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
//!
//! Natively, [`split`] also cuts a pass into one run per thread (the pool `flowae --threads`
//! sets up), so that the passes around the matrix products, which gemm already splits, do not
//! leave the second core idle. The cut never changes an element's arithmetic, so the results
//! stay the same bits on any number of threads.

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

/// Elements below which a pass is not worth splitting across threads: waking a second thread
/// costs a few microseconds, what 16,384 floats take one thread to update.
#[cfg(not(target_arch = "wasm32"))]
const SPLIT_MIN: usize = 16_384;

/// Runs `work` over `len` elements of `parts` (a slice, or a tuple of slices of that length)
/// cut, at multiples of `unit` (a row's length, or 16 for a vector boundary), into one run per thread of the current rayon pool (natively; `flowae
/// --threads N` sizes it), each run [`wide`]. `work` gets the run's first index and every
/// buffer's run, so each element is computed by exactly the arithmetic it would be in one pass:
/// the results are the same bits on any number of threads. In wasm (one thread), and for short
/// passes, it is one call.
#[inline(always)]
pub(crate) fn split<P: Parts>(len: usize, unit: usize, parts: P, work: impl Fn(usize, P) + Sync) {
    #[cfg(not(target_arch = "wasm32"))]
    {
        let threads = rayon::current_num_threads().min(len / SPLIT_MIN);
        if threads > 1 {
            let run = len.div_ceil(threads).next_multiple_of(unit.max(1));
            return halves(0, len, run, parts, &work);
        }
    }
    #[cfg(target_arch = "wasm32")]
    let _ = (len, unit);
    wide(#[inline(always)] || work(0, parts))
}

/// Splits `parts` (elements `start..start + len`) in two at a multiple of `run` until each piece
/// is one run, the pieces on rayon's threads.
#[cfg(not(target_arch = "wasm32"))]
fn halves<P: Parts>(start: usize, len: usize, run: usize, parts: P, work: &(impl Fn(usize, P) + Sync)) {
    if len <= run {
        return wide(#[inline(always)] || work(start, parts));
    }
    let at = len.div_ceil(run).div_ceil(2) * run;
    let (left, right) = parts.split_at(at);
    rayon::join(|| halves(start, at, run, left, work), || halves(start + at, len - at, run, right, work));
}

/// Buffers [`split`] can cut at the same index: a slice, or a tuple of them.
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
pub(crate) trait Parts: Send + Sized {
    fn split_at(self, at: usize) -> (Self, Self);
}

impl<T: Send> Parts for &mut [T] {
    fn split_at(self, at: usize) -> (Self, Self) {
        self.split_at_mut(at)
    }
}

impl<T: Sync> Parts for &[T] {
    fn split_at(self, at: usize) -> (Self, Self) {
        <[T]>::split_at(self, at)
    }
}

/// A buffer of one slot per `.1` elements (a partial sum per chunk, say): cut where the
/// elements are, which must be at a multiple of `.1` (the `unit` given to [`split`]).
pub(crate) struct Per<'a, T>(pub &'a mut [T], pub usize);

impl<T: Send> Parts for Per<'_, T> {
    fn split_at(self, at: usize) -> (Self, Self) {
        debug_assert_eq!(at % self.1, 0, "cut inside a slot");
        let (a, b) = self.0.split_at_mut(at / self.1);
        (Per(a, self.1), Per(b, self.1))
    }
}

impl<A: Parts, B: Parts> Parts for (A, B) {
    fn split_at(self, at: usize) -> (Self, Self) {
        let ((a0, a1), (b0, b1)) = (self.0.split_at(at), self.1.split_at(at));
        ((a0, b0), (a1, b1))
    }
}

impl<A: Parts, B: Parts, C: Parts> Parts for (A, B, C) {
    fn split_at(self, at: usize) -> (Self, Self) {
        let ((a0, a1), (b0, b1), (c0, c1)) = (self.0.split_at(at), self.1.split_at(at), self.2.split_at(at));
        ((a0, b0, c0), (a1, b1, c1))
    }
}

impl<A: Parts, B: Parts, C: Parts, D: Parts> Parts for (A, B, C, D) {
    fn split_at(self, at: usize) -> (Self, Self) {
        let ((a0, a1), (b0, b1), (c0, c1), (d0, d1)) = (self.0.split_at(at), self.1.split_at(at), self.2.split_at(at), self.3.split_at(at));
        ((a0, b0, c0, d0), (a1, b1, c1, d1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every element is visited once, by a run that knows where it starts, and the runs are cut
    /// at the unit, on any number of threads.
    #[test]
    fn split_visits_every_element_once_at_its_index() {
        for threads in [1, 2, 3, 7] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            for (len, unit) in [(10, 16), (100_000, 16), (30_000, 300), (SPLIT_MIN * 2 + 5, 16)] {
                let source: Vec<u32> = (0..len as u32).collect();
                let mut seen = vec![0u32; len];
                let mut starts = vec![false; len];
                pool.install(|| {
                    split(len, unit, (&mut seen[..], &mut starts[..], &source[..]), |start, (seen, starts, source)| {
                        starts[0] = true;
                        for (i, (s, &v)) in seen.iter_mut().zip(source).enumerate() {
                            assert_eq!(v as usize, start + i, "{threads} threads: the run's index");
                            *s += v + 1;
                        }
                    })
                });
                assert!(seen.iter().enumerate().all(|(i, &s)| s as usize == i + 1), "{threads} threads, {len}: each element once");
                let runs: Vec<usize> = (0..len).filter(|&i| starts[i]).collect();
                assert!(runs.iter().all(|&i| i % unit == 0), "{threads} threads, {len}: runs start at a unit: {runs:?}");
                let expected = if threads > 1 && len >= 2 * SPLIT_MIN { threads.min(len / SPLIT_MIN) } else { 1 };
                assert_eq!(runs.len(), expected, "{threads} threads, {len}: one run per thread");
            }
        }
    }
}
