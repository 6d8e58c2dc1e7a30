//! t-SNE (van der Maaten & Hinton, 2008) with Barnes–Hut repulsion (van der Maaten, 2014): the
//! 2-D map of the paper's Figure 7.
//!
//! Written here rather than taken from a crate because the page needs a run it can advance a few
//! iterations at a time between the worker's messages, drawing the map as it unfolds, on one
//! thread; the optimisation is the usual one: early exaggeration, momentum, per-coordinate gains.

use super::quadtree::QuadTree;
use super::{Pca, nearest};
use crate::{Error, Result};

/// How a map is made. The defaults are the common ones (perplexity 30; the paper used 70).
#[derive(Clone, Debug, PartialEq)]
pub struct TsneConfig {
    /// The effective number of neighbours each point keeps: larger keeps more global structure.
    pub perplexity: f64,
    /// Barnes–Hut accuracy: 0 is exact and slow; 0.5 is the usual trade.
    pub theta: f64,
    /// Gradient steps in all.
    pub iterations: usize,
    /// How strongly neighbours attract in the first iterations, so clusters form before they
    /// settle (early exaggeration).
    pub exaggeration: f64,
    /// How many of the iterations are exaggerated.
    pub exaggeration_iterations: usize,
    /// Step size; `None` picks max(200, n / exaggeration) (Belkina et al., 2019).
    pub learning_rate: Option<f64>,
}

impl Default for TsneConfig {
    fn default() -> Self {
        TsneConfig { perplexity: 30.0, theta: 0.5, iterations: 1000, exaggeration: 12.0, exaggeration_iterations: 250, learning_rate: None }
    }
}

impl TsneConfig {
    /// Refuses settings that cannot make a map of `n` points.
    pub fn validate(&self, n: usize) -> Result<()> {
        if !(self.perplexity.is_finite() && self.perplexity >= 2.0) {
            return Err(Error::Config(format!("perplexity must be at least 2 (got {})", self.perplexity)));
        }
        if n as f64 <= 3.0 * self.perplexity {
            return Err(Error::Config(format!(
                "perplexity {} needs more than {} points (got {n})",
                self.perplexity,
                (3.0 * self.perplexity) as usize
            )));
        }
        if !(self.theta.is_finite() && (0.0..=1.5).contains(&self.theta)) {
            return Err(Error::Config(format!("theta must be between 0 and 1.5 (got {})", self.theta)));
        }
        if self.iterations == 0 || self.iterations > 100_000 {
            return Err(Error::Config(format!("iterations must be between 1 and 100000 (got {})", self.iterations)));
        }
        if !(self.exaggeration.is_finite() && self.exaggeration >= 1.0 && self.exaggeration <= 100.0) {
            return Err(Error::Config(format!("exaggeration must be between 1 and 100 (got {})", self.exaggeration)));
        }
        if let Some(lr) = self.learning_rate.filter(|lr| !(lr.is_finite() && *lr > 0.0)) {
            return Err(Error::Config(format!("learning rate must be positive (got {lr})")));
        }
        Ok(())
    }
}

/// A t-SNE run in progress over `n` points.
#[derive(Debug)]
pub struct Tsne {
    config: TsneConfig,
    learning_rate: f64,
    /// The joint probabilities P as a sparse symmetric matrix (rows of CSR), summing to 1.
    row_start: Vec<usize>,
    columns: Vec<u32>,
    p: Vec<f64>,
    /// The map, x and y interleaved, and the optimiser's state per coordinate.
    y: Vec<f64>,
    update: Vec<f64>,
    gains: Vec<f64>,
    gradient: Vec<f64>,
    repulsion: Vec<f64>,
    tree: QuadTree,
    iteration: usize,
}

impl Tsne {
    /// Prepares a map of `points` (`dim` floats each): finds each point's neighbours and the
    /// affinities that give it the chosen perplexity, and starts from the points' first two
    /// principal components, scaled down, so the same input always unfolds the same way.
    pub fn new(points: &[f32], dim: usize, config: TsneConfig) -> Result<Tsne> {
        if dim == 0 || points.len() % dim != 0 {
            return Err(Error::Data(format!("{} values are not whole points of {dim}", points.len())));
        }
        if points.iter().any(|v| !v.is_finite()) {
            return Err(Error::NonFinite("the points to map hold NaN or infinite values".into()));
        }
        let n = points.len() / dim;
        config.validate(n)?;
        let (row_start, columns, p) = joint_probabilities(points, dim, config.perplexity);
        let start = Pca::fit(points, dim)?.project(points)?;
        let scale = {
            let sd = (start.iter().step_by(2).map(|&v| f64::from(v).powi(2)).sum::<f64>() / n as f64).sqrt();
            if sd > 0.0 { 1e-4 / sd } else { 0.0 }
        };
        let y: Vec<f64> = start.iter().map(|&v| f64::from(v) * scale).collect();
        let learning_rate = config.learning_rate.unwrap_or((n as f64 / config.exaggeration).max(200.0));
        Ok(Tsne {
            learning_rate,
            row_start,
            columns,
            p,
            update: vec![0.0; 2 * n],
            gains: vec![1.0; 2 * n],
            gradient: vec![0.0; 2 * n],
            repulsion: vec![0.0; 2 * n],
            y,
            tree: QuadTree::default(),
            iteration: 0,
            config,
        })
    }

    /// How many points are mapped.
    pub fn len(&self) -> usize {
        self.y.len() / 2
    }

    /// Whether there are no points (never true of a constructed map).
    pub fn is_empty(&self) -> bool {
        self.y.is_empty()
    }

    /// Gradient steps taken so far.
    pub fn iteration(&self) -> usize {
        self.iteration
    }

    /// Whether all the configured iterations have run.
    pub fn is_done(&self) -> bool {
        self.iteration >= self.config.iterations
    }

    /// The map so far, x and y interleaved.
    pub fn embedding(&self) -> Vec<f32> {
        self.y.iter().map(|&v| v as f32).collect()
    }

    /// Runs up to `count` more iterations (fewer at the end); returns whether the map is done.
    pub fn run(&mut self, count: usize) -> Result<bool> {
        for _ in 0..count {
            if self.is_done() {
                break;
            }
            self.step()?;
        }
        Ok(self.is_done())
    }

    /// One gradient step of the Kullback–Leibler divergence KL(P ‖ Q):
    /// ∂C/∂yᵢ = 4 (α Σⱼ pᵢⱼ wᵢⱼ (yᵢ − yⱼ) − Σⱼ wᵢⱼ² (yᵢ − yⱼ) / Z), wᵢⱼ = 1/(1 + ‖yᵢ − yⱼ‖²).
    fn step(&mut self) -> Result<()> {
        let early = self.iteration < self.config.exaggeration_iterations;
        let alpha = if early { self.config.exaggeration } else { 1.0 };
        let momentum = if early { 0.5 } else { 0.8 };
        let n = self.len();
        let y = &self.y;
        for i in 0..n {
            let (xi, yi) = (y[2 * i], y[2 * i + 1]);
            let (mut ax, mut ay) = (0.0, 0.0);
            for e in self.row_start[i]..self.row_start[i + 1] {
                let j = self.columns[e] as usize;
                let (dx, dy) = (xi - y[2 * j], yi - y[2 * j + 1]);
                let f = self.p[e] / (1.0 + dx * dx + dy * dy);
                ax += f * dx;
                ay += f * dy;
            }
            self.gradient[2 * i] = alpha * ax;
            self.gradient[2 * i + 1] = alpha * ay;
        }
        self.tree.build(y);
        let mut z = 0.0;
        for i in 0..n {
            let (fx, fy, zi) = self.tree.repulsion(y[2 * i], y[2 * i + 1], self.config.theta);
            self.repulsion[2 * i] = fx;
            self.repulsion[2 * i + 1] = fy;
            z += zi - 1.0; // a point's own term
        }
        let z = z.max(f64::MIN_POSITIVE);
        for (g, r) in self.gradient.iter_mut().zip(&self.repulsion) {
            *g = 4.0 * (*g - r / z);
        }
        for d in 0..2 * n {
            let (g, u) = (self.gradient[d], self.update[d]);
            // A coordinate speeds up while its steps keep going the way the gradient says (the
            // gradient and the last step have opposite signs) and slows down once it overshoots
            // (Jacobs, 1988), as in the reference t-SNE.
            self.gains[d] = if (g > 0.0) != (u > 0.0) { self.gains[d] + 0.2 } else { (self.gains[d] * 0.8).max(0.01) };
            self.update[d] = momentum * u - self.learning_rate * self.gains[d] * g;
            self.y[d] += self.update[d];
        }
        let (mut mx, mut my) = (0.0, 0.0);
        for p in self.y.chunks_exact(2) {
            mx += p[0];
            my += p[1];
        }
        let (mx, my) = (mx / n as f64, my / n as f64);
        for p in self.y.chunks_exact_mut(2) {
            p[0] -= mx;
            p[1] -= my;
        }
        if !(mx.is_finite() && my.is_finite()) {
            return Err(Error::NonFinite("the t-SNE map diverged (try a smaller learning rate)".into()));
        }
        self.iteration += 1;
        Ok(())
    }
}

/// The symmetric affinities pᵢⱼ = (pⱼ|ᵢ + pᵢ|ⱼ) / 2n over each point's ⌊3·perplexity⌋ nearest
/// neighbours, where pⱼ|ᵢ ∝ exp(−βᵢ‖xᵢ − xⱼ‖²) with βᵢ found by bisection so that the entropy of
/// pᵢ is log(perplexity).
fn joint_probabilities(points: &[f32], dim: usize, perplexity: f64) -> (Vec<usize>, Vec<u32>, Vec<f64>) {
    let n = points.len() / dim;
    let k = ((3.0 * perplexity) as usize).min(n - 1);
    let target = perplexity.ln();
    let mut entries: Vec<(u32, u32, f64)> = Vec::with_capacity(2 * n * k);
    let mut scratch: Vec<(f64, u32)> = Vec::with_capacity(n);
    let mut weights = vec![0.0; k];
    for i in 0..n {
        let neighbours = nearest(points, dim, i, k, &mut scratch);
        let nearest = neighbours.iter().map(|d| d.0).fold(f64::MAX, f64::min);
        let (mut beta, mut low, mut high) = (1.0, 0.0, f64::INFINITY);
        for _ in 0..200 {
            let mut sum = 0.0;
            let mut weighted = 0.0;
            for (w, &(d, _)) in weights.iter_mut().zip(neighbours.iter()) {
                *w = (-beta * (d - nearest)).exp();
                sum += *w;
                weighted += (d - nearest) * *w;
            }
            let entropy = sum.ln() + beta * weighted / sum;
            if (entropy - target).abs() < 1e-6 {
                break;
            }
            if entropy > target {
                low = beta;
                beta = if high.is_finite() { (beta + high) / 2.0 } else { beta * 2.0 };
            } else {
                high = beta;
                beta = (beta + low) / 2.0;
            }
        }
        let sum: f64 = weights.iter().sum();
        for (w, &(_, j)) in weights.iter().zip(neighbours.iter()) {
            let p = w / sum / (2.0 * n as f64);
            entries.push((i as u32, j, p));
            entries.push((j, i as u32, p));
        }
    }
    entries.sort_unstable_by_key(|e| (e.0, e.1));
    let mut row_start = vec![0usize; n + 1];
    let mut columns = Vec::with_capacity(entries.len());
    let mut p: Vec<f64> = Vec::with_capacity(entries.len());
    let mut last = None;
    for (i, j, v) in entries {
        if last == Some((i, j)) {
            *p.last_mut().expect("a previous entry exists") += v;
        } else {
            columns.push(j);
            p.push(v);
            row_start[i as usize + 1] += 1;
            last = Some((i, j));
        }
    }
    for i in 0..n {
        row_start[i + 1] += row_start[i];
    }
    (row_start, columns, p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probabilities_are_symmetric_and_sum_to_one() {
        let mut rng = crate::rng::Rng::new(5);
        let points = rng.normals(100 * 3);
        let (rows, cols, p) = joint_probabilities(&points, 3, 10.0);
        let total: f64 = p.iter().sum();
        assert!((total - 1.0).abs() < 1e-9, "{total}");
        let lookup = |i: usize, j: u32| (rows[i]..rows[i + 1]).find(|&e| cols[e] == j).map(|e| p[e]);
        for i in 0..100 {
            for e in rows[i]..rows[i + 1] {
                let back = lookup(cols[e] as usize, i as u32).expect("the transposed entry exists");
                assert!((back - p[e]).abs() < 1e-15);
            }
        }
    }
}
