//! The dense vector kernels, with AVX2 + FMA where the CPU has them.

/// `y += a·x`, with AVX2 + FMA where the CPU has them (the dense updates are most of the
/// solver's time, and the portable build only uses SSE2).
pub(super) fn axpy(y: &mut [f64], a: f64, x: &[f64]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
        // SAFETY: the CPU supports AVX2 and FMA, checked just above.
        return unsafe { axpy_avx2(y, a, x) };
    }
    axpy_portable(y, a, x);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn axpy_avx2(y: &mut [f64], a: f64, x: &[f64]) {
    axpy_portable(y, a, x);
}

#[inline(always)]
fn axpy_portable(y: &mut [f64], a: f64, x: &[f64]) {
    y.iter_mut().zip(x).for_each(|(yi, xi)| *yi += a * xi);
}

/// `acc += x∘x` (elementwise squares), dispatched like [`axpy`].
pub(super) fn add_squares(acc: &mut [f64], x: &[f64]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
        // SAFETY: the CPU supports AVX2 and FMA, checked just above.
        return unsafe { add_squares_avx2(acc, x) };
    }
    add_squares_portable(acc, x);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn add_squares_avx2(acc: &mut [f64], x: &[f64]) {
    add_squares_portable(acc, x);
}

#[inline(always)]
fn add_squares_portable(acc: &mut [f64], x: &[f64]) {
    acc.iter_mut().zip(x).for_each(|(s, xi)| *s += xi * xi);
}
