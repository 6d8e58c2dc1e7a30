//! The Fréchet distance against closed forms, and the eigen-decomposition under it.

use flowae::fcd::{Gaussian, frechet_distance, sqrt_psd, symmetric_eigen};
use flowae::rng::Rng;

/// A random symmetric positive definite `n × n` matrix: A Aᵀ + 0.1 I.
fn spd(n: usize, seed: u64) -> Vec<f64> {
    let mut rng = Rng::new(seed);
    let a: Vec<f64> = rng.normals(n * n).into_iter().map(f64::from).collect();
    let mut m = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            m[i * n + j] = (0..n).map(|k| a[i * n + k] * a[j * n + k]).sum::<f64>() + if i == j { 0.1 } else { 0.0 };
        }
    }
    m
}

fn gaussian(mean: Vec<f64>, cov: Vec<f64>) -> Gaussian {
    Gaussian { dim: mean.len(), mean, cov }
}

#[test]
fn eigenvectors_rebuild_the_matrix_and_are_orthonormal() {
    let n = 30;
    let m = spd(n, 1);
    let (values, v) = symmetric_eigen(&m, n);
    for i in 0..n {
        for j in 0..n {
            let rebuilt: f64 = (0..n).map(|k| v[i * n + k] * values[k] * v[j * n + k]).sum();
            assert!((rebuilt - m[i * n + j]).abs() < 1e-9 * m[i * n + i].abs().max(1.0), "entry ({i}, {j})");
            let dot: f64 = (0..n).map(|k| v[k * n + i] * v[k * n + j]).sum();
            assert!((dot - if i == j { 1.0 } else { 0.0 }).abs() < 1e-9, "columns {i} and {j}");
        }
    }
    let root = sqrt_psd(&m, n);
    for i in 0..n {
        for j in 0..n {
            let squared: f64 = (0..n).map(|k| root[i * n + k] * root[k * n + j]).sum();
            assert!((squared - m[i * n + j]).abs() < 1e-8 * m[i * n + i].max(1.0));
        }
    }
}

#[test]
fn matches_the_closed_form_for_diagonal_covariances() {
    let a = gaussian(vec![1.0, -2.0, 0.5], vec![4.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.25]);
    let b = gaussian(vec![0.0, 0.0, 0.0], vec![1.0, 0.0, 0.0, 0.0, 9.0, 0.0, 0.0, 0.0, 0.25]);
    // ‖μ₁ − μ₂‖² + Σ (√a_i − √b_i)²
    let expected = (1.0 + 4.0 + 0.25) + (2.0f64 - 1.0).powi(2) + (1.0f64 - 3.0).powi(2) + 0.0;
    assert!((frechet_distance(&a, &b).unwrap() - expected).abs() < 1e-9);
}

#[test]
fn matches_the_closed_form_for_non_commuting_2x2_covariances() {
    // For 2 × 2, Tr (Σ₁Σ₂)^½ = √(Tr Σ₁Σ₂ + 2√(det Σ₁ det Σ₂)).
    for seed in 0..20 {
        let (s1, s2) = (spd(2, 100 + seed), spd(2, 200 + seed));
        let det = |m: &[f64]| m[0] * m[3] - m[1] * m[2];
        let tr_prod = s1[0] * s2[0] + s1[1] * s2[2] + s1[2] * s2[1] + s1[3] * s2[3];
        let cross = (tr_prod + 2.0 * (det(&s1) * det(&s2)).sqrt()).sqrt();
        let expected = (0.3f64 - -1.0).powi(2) + (2.0f64 - 0.5).powi(2) + s1[0] + s1[3] + s2[0] + s2[3] - 2.0 * cross;
        let got = frechet_distance(&gaussian(vec![0.3, 2.0], s1.clone()), &gaussian(vec![-1.0, 0.5], s2.clone())).unwrap();
        assert!((got - expected).abs() < 1e-8 * expected.max(1.0), "seed {seed}: {got} vs {expected}");
    }
}

#[test]
fn a_set_against_itself_is_zero_and_the_distance_is_symmetric() {
    let mut rng = Rng::new(3);
    let dim = 16;
    let a: Vec<f32> = rng.normals(2000 * dim).iter().enumerate().map(|(i, v)| v * (1.0 + (i % dim) as f32 * 0.1)).collect();
    let b: Vec<f32> = rng.normals(2000 * dim).iter().map(|v| v * 0.8 + 0.3).collect();
    let (ga, gb) = (Gaussian::fit(&a, dim).unwrap(), Gaussian::fit(&b, dim).unwrap());
    assert!(frechet_distance(&ga, &ga).unwrap() < 1e-9);
    let (ab, ba) = (frechet_distance(&ga, &gb).unwrap(), frechet_distance(&gb, &ga).unwrap());
    assert!(ab > 1.0, "different sets must be far apart, got {ab}");
    assert!((ab - ba).abs() < 1e-9 * ab);
}

#[test]
fn sample_estimates_approach_the_true_distance() {
    // N(0, I) against N(μ, I): the distance is ‖μ‖².
    let mut rng = Rng::new(4);
    let dim = 4;
    let shift = [1.0f32, -1.0, 0.5, 0.0];
    let a = rng.normals(20_000 * dim);
    let b: Vec<f32> = rng.normals(20_000 * dim).iter().enumerate().map(|(i, v)| v + shift[i % dim]).collect();
    let d = frechet_distance(&Gaussian::fit(&a, dim).unwrap(), &Gaussian::fit(&b, dim).unwrap()).unwrap();
    assert!((d - 2.25).abs() < 0.1, "expected about 2.25, got {d}");
}

#[test]
fn refuses_what_cannot_be_fitted_or_compared() {
    assert!(Gaussian::fit(&[1.0, 2.0], 2).is_err(), "one vector has no covariance");
    assert!(Gaussian::fit(&[1.0, 2.0, 3.0], 2).is_err(), "not whole vectors");
    assert!(Gaussian::fit(&[1.0, f32::NAN, 3.0, 4.0], 2).is_err(), "NaN");
    let two = Gaussian::fit(&[0.0, 1.0, 2.0, 3.0], 2).unwrap();
    let one = Gaussian::fit(&[0.0, 1.0, 2.0], 1).unwrap();
    assert!(frechet_distance(&two, &one).is_err());
}
