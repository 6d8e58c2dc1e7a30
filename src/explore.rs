//! Walking between two samples: the base draws z0 of two seeds, and the points between them,
//! for the page's morph strip.
//!
//! The path is spherical (Shoemake's slerp, as White (2016) suggests for generative models):
//! in ten dimensions almost all of N(0, I) lies near the sphere of radius √10, and the straight
//! line between two draws dips through the thin middle, where the flow and the generator were
//! rarely asked to go. Here the direction turns along the great circle and the length moves
//! evenly from one draw's to the other's, so the path stays where the draws live.

use crate::error::{Error, Result};
use crate::limits;
use crate::rng::base_draws;

/// `steps` base points (`k` floats each) from the first draw of `seed_a` to the first draw of
/// `seed_b`, both scaled by `temperature`, along the great circle between them.
pub fn base_path(k: usize, seed_a: u64, seed_b: u64, steps: usize, temperature: f32) -> Result<Vec<f32>> {
    if !(2..=64).contains(&steps) {
        return Err(Error::Config(format!("a path needs 2 to 64 steps (got {steps})")));
    }
    limits::check("temperature", temperature, &limits::TEMPERATURE)?;
    // The first sample of each seed, as the sample panels draw it at temperature 1.
    let a: Vec<f64> = base_draws(1, k, 1.0, seed_a)?.into_iter().map(f64::from).collect();
    let b: Vec<f64> = base_draws(1, k, 1.0, seed_b)?.into_iter().map(f64::from).collect();
    let norm = |v: &[f64]| v.iter().map(|x| x * x).sum::<f64>().sqrt();
    let (ra, rb) = (norm(&a).max(f64::MIN_POSITIVE), norm(&b).max(f64::MIN_POSITIVE));
    let cos = (a.iter().zip(&b).map(|(x, y)| x * y).sum::<f64>() / (ra * rb)).clamp(-1.0, 1.0);
    let omega = cos.acos();
    let mut path = Vec::with_capacity(steps * k);
    for s in 0..steps {
        let t = s as f64 / (steps - 1) as f64;
        // Weights of the two unit directions; nearly parallel draws turn along a line.
        let (wa, wb) = if omega.sin().abs() < 1e-6 {
            (1.0 - t, t)
        } else {
            (((1.0 - t) * omega).sin() / omega.sin(), (t * omega).sin() / omega.sin())
        };
        let direction: Vec<f64> = a.iter().zip(&b).map(|(x, y)| wa * x / ra + wb * y / rb).collect();
        let length = ((1.0 - t) * ra + t * rb) / norm(&direction).max(f64::MIN_POSITIVE);
        path.extend(direction.iter().map(|d| (d * length * f64::from(temperature)) as f32));
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    #[test]
    fn the_path_starts_and_ends_at_the_two_draws_and_keeps_their_norm() {
        let path = base_path(10, 3, 4, 9, 1.0).unwrap();
        assert_eq!(path.len(), 90);
        let a = Rng::new(3).normals(10);
        let b = Rng::new(4).normals(10);
        for (x, y) in path[..10].iter().zip(&a).chain(path[80..].iter().zip(&b)) {
            assert!((x - y).abs() < 1e-5);
        }
        let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt();
        let (na, nb) = (norm(&a), norm(&b));
        for (s, point) in path.chunks(10).enumerate() {
            // The length moves evenly from one draw's to the other's.
            let t = s as f32 / 8.0;
            assert!((norm(point) - ((1.0 - t) * na + t * nb)).abs() < 1e-4);
        }
        // At half temperature the path is the same, half as long.
        let half = base_path(10, 3, 4, 9, 0.5).unwrap();
        assert!(half.iter().zip(&path).all(|(h, p)| (2.0 * h - p).abs() < 1e-5));
        assert!(base_path(10, 3, 4, 1, 1.0).is_err() && base_path(10, 3, 4, 9, f32::NAN).is_err());
    }
}
