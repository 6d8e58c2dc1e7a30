//! Two-dimensional data sets for the 2-D lab: the classic toy distributions of the flow and GAN
//! literature (FFJORD's, GAN Lab's), and points a visitor draws. Each is sampled here, from a
//! seed, so that a link names a data set and the same picture comes back.

use crate::error::{Error, Result};
use crate::rng::Rng;

/// A 2-D data set: a preset, or points drawn on the plane.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Toy {
    /// Two interleaved half circles.
    TwoMoons,
    /// Two concentric rings.
    Rings,
    /// Two arms of a spiral.
    Spiral,
    /// Eight Gaussians on a circle: the mode-collapse test.
    EightGaussians,
    /// Alternate squares of a 4 × 4 board.
    Checkerboard,
    /// Points drawn by a visitor (x, y in [−[`EXTENT`], [`EXTENT`]], interleaved): each sample is
    /// one of them, jittered by [`DRAWN_SPREAD`].
    Drawn(Vec<f32>),
    /// MNIST's digits as the codes of an autoencoder with a two-number code: not sampled here,
    /// but made by the lab, which trains that autoencoder first ([`crate::plane_codes`]).
    #[serde(rename = "mnist")]
    Digits,
}

/// The plane the lab shows: [−EXTENT, EXTENT]² (every preset lies inside it).
pub const EXTENT: f32 = 3.0;
/// How far a drawn point's samples spread (standard deviation).
pub const DRAWN_SPREAD: f32 = 0.08;
/// The most points a visitor may draw (what a link carries).
pub const MAX_DRAWN: usize = 2_000;

impl Toy {
    /// The presets, in the order the page lists them.
    pub const PRESETS: [Toy; 5] = [Toy::TwoMoons, Toy::Rings, Toy::Spiral, Toy::EightGaussians, Toy::Checkerboard];

    /// The name a link and the page use.
    pub fn name(&self) -> &'static str {
        match self {
            Toy::TwoMoons => "two-moons",
            Toy::Rings => "rings",
            Toy::Spiral => "spiral",
            Toy::EightGaussians => "eight-gaussians",
            Toy::Checkerboard => "checkerboard",
            Toy::Drawn(_) => "drawn",
            Toy::Digits => "mnist",
        }
    }

    /// What the page calls it.
    pub fn label(&self) -> &'static str {
        match self {
            Toy::TwoMoons => "Two moons",
            Toy::Rings => "Rings",
            Toy::Spiral => "A spiral",
            Toy::EightGaussians => "Eight Gaussians",
            Toy::Checkerboard => "A checkerboard",
            Toy::Drawn(_) => "Draw your own",
            Toy::Digits => "MNIST: a 2-D autoencoder's codes",
        }
    }

    /// The data sets the page offers, in order, for its menus (written to www/pkg/tables.js):
    /// the presets, points drawn by the visitor, then MNIST; the first is the default. `digits`:
    /// whether it needs MNIST loaded (an embed without the digits leaves it out).
    pub fn described() -> serde_json::Value {
        let all = Toy::PRESETS.into_iter().chain([Toy::Drawn(Vec::new()), Toy::Digits]);
        serde_json::Value::Array(
            all.map(|t| serde_json::json!({ "name": t.name(), "label": t.label(), "digits": t == Toy::Digits })).collect(),
        )
    }

    /// A preset by its name.
    pub fn preset(name: &str) -> Result<Toy> {
        Toy::PRESETS.into_iter().find(|t| t.name() == name).ok_or_else(|| {
            let names: Vec<&str> = Toy::PRESETS.iter().map(Toy::name).collect();
            Error::Config(format!("no data set {name:?} (the presets are {})", names.join(", ")))
        })
    }

    /// Drawn points, checked: whole pairs of finite numbers on the plane, at least one point and
    /// at most [`MAX_DRAWN`].
    pub fn drawn(points: Vec<f32>) -> Result<Toy> {
        if points.is_empty() || points.len() % 2 != 0 || points.len() / 2 > MAX_DRAWN {
            return Err(Error::Data(format!("draw 1 to {MAX_DRAWN} points (x, y pairs), not {} numbers", points.len())));
        }
        if points.iter().any(|v| !v.is_finite() || v.abs() > EXTENT) {
            return Err(Error::Data(format!("drawn points must lie on the plane, within ±{EXTENT}")));
        }
        Ok(Toy::Drawn(points))
    }

    /// `count` points from `seed`, x and y interleaved. MNIST's are not sampled (an
    /// autoencoder makes them), and drawn points are checked first ([`Toy::drawn`]): a link or
    /// a file may hold anything.
    pub fn sample(&self, count: usize, seed: u64) -> Result<Vec<f32>> {
        match self {
            Toy::Digits => return Err(Error::Config("MNIST's points are an autoencoder's codes: the 2-D lab trains it first".into())),
            Toy::Drawn(points) => {
                Toy::drawn(points.clone())?;
            }
            _ => {}
        }
        let mut rng = Rng::new(seed ^ 0x2D1A);
        let mut points = Vec::with_capacity(2 * count);
        let tau = std::f32::consts::TAU;
        for i in 0..count {
            let u = rng.uniform() as f32;
            let (x, y) = match self {
                Toy::TwoMoons => {
                    let t = u * std::f32::consts::PI;
                    let (x, y) = if i % 2 == 0 { (t.cos(), t.sin()) } else { (1.0 - t.cos(), 0.5 - t.sin()) };
                    (1.6 * (x - 0.5 + 0.1 * rng.normal()), 1.6 * (y - 0.25 + 0.1 * rng.normal()))
                }
                Toy::Rings => {
                    let r = if i % 2 == 0 { 1.0 } else { 2.2 };
                    ((r + 0.08 * rng.normal()) * (tau * u).cos(), (r + 0.08 * rng.normal()) * (tau * u).sin())
                }
                Toy::Spiral => {
                    let n = u.sqrt() * 3.0 * std::f32::consts::PI;
                    let sign = if i % 2 == 0 { 1.0 } else { -1.0 };
                    let x = -n.cos() * n + 0.5 * rng.uniform() as f32;
                    let y = n.sin() * n + 0.5 * rng.uniform() as f32;
                    (sign * x / 3.5, sign * y / 3.5)
                }
                Toy::EightGaussians => {
                    let a = tau * (i % 8) as f32 / 8.0;
                    (2.0 * a.cos() + 0.1 * rng.normal(), 2.0 * a.sin() + 0.1 * rng.normal())
                }
                Toy::Checkerboard => {
                    // A square of the board: x in one of four columns, y in a row of the other parity.
                    let x = 4.0 * u - 2.0;
                    let column = (x + 2.0).floor() as i32;
                    let row = 2 * rng.below(2) as i32 + (column % 2);
                    (x, row as f32 - 2.0 + rng.uniform() as f32)
                }
                Toy::Drawn(drawn) => {
                    let j = rng.below(drawn.len() / 2);
                    (drawn[2 * j] + DRAWN_SPREAD * rng.normal(), drawn[2 * j + 1] + DRAWN_SPREAD * rng.normal())
                }
                Toy::Digits => (0.0, 0.0), // refused above
            };
            points.push(x.clamp(-EXTENT, EXTENT));
            points.push(y.clamp(-EXTENT, EXTENT));
        }
        Ok(points)
    }

    /// The eight Gaussians' centres (the modes a generator should cover).
    pub fn eight_modes() -> [(f32, f32); 8] {
        std::array::from_fn(|k| {
            let a = std::f32::consts::TAU * k as f32 / 8.0;
            (2.0 * a.cos(), 2.0 * a.sin())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_samples_inside_the_plane_and_the_same_from_a_seed() {
        for toy in Toy::PRESETS {
            let points = toy.sample(1000, 3).unwrap();
            assert_eq!(points.len(), 2000);
            assert!(points.iter().all(|v| v.abs() <= EXTENT), "{}", toy.name());
            assert_eq!(points, toy.sample(1000, 3).unwrap());
            assert_ne!(points, toy.sample(1000, 4).unwrap());
            assert_eq!(Toy::preset(toy.name()).unwrap(), toy);
        }
        assert!(Toy::preset("moon").unwrap_err().to_string().contains("two-moons"));
    }

    #[test]
    fn the_checkerboard_fills_alternate_squares_and_the_gaussians_their_modes() {
        let points = Toy::Checkerboard.sample(2000, 1).unwrap();
        for p in points.chunks(2) {
            let (c, r) = ((p[0] + 2.0).floor() as i32, (p[1] + 2.0).floor() as i32);
            assert_eq!((c + r).rem_euclid(2), 0, "{p:?}");
        }
        let points = Toy::EightGaussians.sample(800, 1).unwrap();
        for (i, p) in points.chunks(2).enumerate() {
            let (mx, my) = Toy::eight_modes()[i % 8];
            assert!((p[0] - mx).hypot(p[1] - my) < 0.6);
        }
    }

    #[test]
    fn drawn_points_are_checked_and_sampled_around() {
        assert!(Toy::drawn(vec![]).is_err());
        assert!(Toy::drawn(vec![1.0]).is_err());
        assert!(Toy::drawn(vec![f32::NAN, 0.0]).is_err());
        assert!(Toy::drawn(vec![4.0, 0.0]).is_err());
        let toy = Toy::drawn(vec![1.0, 1.0, -1.0, -1.0]).unwrap();
        let points = toy.sample(400, 1).unwrap();
        assert!(points.chunks(2).all(|p| (p[0] - p[1]).abs() < 0.6 && (p[0].abs() - 1.0).abs() < 0.4));
        // What a link or a settings object may carry unchecked is checked before sampling.
        let empty: Toy = serde_json::from_value(serde_json::json!({ "drawn": [] })).unwrap();
        assert!(empty.sample(10, 1).is_err());
        assert!(Toy::Digits.sample(10, 1).is_err());
    }
}
