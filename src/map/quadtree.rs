//! The Barnes–Hut quadtree: t-SNE's repulsion between every pair of points, in O(n log n).
//!
//! Every point pushes every other away with force w²·(yᵢ − yⱼ), w = 1/(1 + ‖yᵢ − yⱼ‖²), and the
//! normalisation Z sums w over all pairs. Far from a point, a whole cell of the tree acts like its
//! points gathered at their centre of mass; θ says how far is far enough (cell side < θ·distance).

/// One square of the tree. Its four children, when it has any, sit at `first_child..+4`.
#[derive(Clone, Copy, Debug, Default)]
struct Cell {
    com_x: f64,
    com_y: f64,
    count: u32,
    side: f64,
    first_child: u32,
}

/// A quadtree over 2-D points, rebuilt every iteration into the same allocations.
#[derive(Debug, Default)]
pub struct QuadTree {
    cells: Vec<Cell>,
    order: Vec<u32>,
    scratch: Vec<u32>,
    stack: Vec<u32>,
}

/// Points closer than this after so many halvings are kept together in one leaf, so duplicate
/// points cannot make the recursion endless.
const MAX_DEPTH: usize = 48;

impl QuadTree {
    /// Builds the tree over `points` (x, y interleaved).
    pub fn build(&mut self, points: &[f64]) {
        let n = points.len() / 2;
        self.cells.clear();
        self.order.clear();
        self.order.extend(0..n as u32);
        self.scratch.resize(n, 0);
        let (mut min_x, mut min_y, mut max_x, mut max_y) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for p in points.chunks_exact(2) {
            min_x = min_x.min(p[0]);
            max_x = max_x.max(p[0]);
            min_y = min_y.min(p[1]);
            max_y = max_y.max(p[1]);
        }
        let side = ((max_x - min_x).max(max_y - min_y) * (1.0 + 1e-9)).max(1e-12);
        self.cells.push(Cell::default());
        if n > 0 {
            self.split(points, 0, 0, n, min_x, min_y, side, 0);
        }
    }

    /// Fills cell `cell` from the points `order[start..end]`, which lie in the square at
    /// (`x0`, `y0`) of side `side`, and splits it into quadrants while it holds more than one.
    #[allow(clippy::too_many_arguments)]
    fn split(&mut self, points: &[f64], cell: usize, start: usize, end: usize, x0: f64, y0: f64, side: f64, depth: usize) {
        let (mut sx, mut sy) = (0.0, 0.0);
        for &i in &self.order[start..end] {
            sx += points[2 * i as usize];
            sy += points[2 * i as usize + 1];
        }
        let count = end - start;
        self.cells[cell] = Cell { com_x: sx / count as f64, com_y: sy / count as f64, count: count as u32, side, first_child: 0 };
        if count <= 1 || depth >= MAX_DEPTH {
            return;
        }
        let half = side / 2.0;
        let quadrant = |i: u32| {
            let (x, y) = (points[2 * i as usize], points[2 * i as usize + 1]);
            usize::from(x >= x0 + half) + 2 * usize::from(y >= y0 + half)
        };
        // Counting sort of this range by quadrant, through the scratch buffer.
        let mut bounds = [0usize; 5];
        for &i in &self.order[start..end] {
            bounds[quadrant(i) + 1] += 1;
        }
        for q in 0..4 {
            bounds[q + 1] += bounds[q];
        }
        let mut fill = bounds;
        for k in start..end {
            let i = self.order[k];
            let q = quadrant(i);
            self.scratch[start + fill[q]] = i;
            fill[q] += 1;
        }
        self.order[start..end].copy_from_slice(&self.scratch[start..end]);
        let first = self.cells.len();
        self.cells[cell].first_child = first as u32;
        self.cells.extend([Cell::default(); 4]);
        for q in 0..4 {
            let (a, b) = (start + bounds[q], start + bounds[q + 1]);
            if a < b {
                let (qx, qy) = (x0 + half * (q & 1) as f64, y0 + half * (q >> 1) as f64);
                self.split(points, first + q, a, b, qx, qy, half, depth + 1);
            }
        }
    }

    /// The repulsive force on a point at (`x`, `y`), Σⱼ wⱼ²·(y − yⱼ), and its share of Z, Σⱼ wⱼ,
    /// over all points of the tree, the point itself included (its own term is w = 1 with no
    /// force; the caller subtracts it from Z).
    pub fn repulsion(&mut self, x: f64, y: f64, theta: f64) -> (f64, f64, f64) {
        let (mut fx, mut fy, mut z) = (0.0, 0.0, 0.0);
        self.stack.clear();
        self.stack.push(0);
        let theta2 = theta * theta;
        while let Some(c) = self.stack.pop() {
            let cell = self.cells[c as usize];
            if cell.count == 0 {
                continue;
            }
            let (dx, dy) = (x - cell.com_x, y - cell.com_y);
            let d2 = dx * dx + dy * dy;
            if cell.first_child == 0 || cell.side * cell.side < theta2 * d2 {
                let w = 1.0 / (1.0 + d2);
                let m = f64::from(cell.count);
                z += m * w;
                fx += m * w * w * dx;
                fy += m * w * w * dy;
            } else {
                self.stack.extend(cell.first_child..cell.first_child + 4);
            }
        }
        (fx, fy, z)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// With θ = 0 the tree must give the exact sums over all pairs.
    #[test]
    fn theta_zero_is_exact() {
        let mut rng = crate::rng::Rng::new(3);
        let points: Vec<f64> = (0..200).map(|_| f64::from(rng.normal()) * 3.0).collect();
        let mut tree = QuadTree::default();
        tree.build(&points);
        for i in [0usize, 17, 99] {
            let (x, y) = (points[2 * i], points[2 * i + 1]);
            let (fx, fy, z) = tree.repulsion(x, y, 0.0);
            let (mut ex, mut ey, mut ez) = (0.0, 0.0, 0.0);
            for p in points.chunks_exact(2) {
                let (dx, dy) = (x - p[0], y - p[1]);
                let w = 1.0 / (1.0 + dx * dx + dy * dy);
                ez += w;
                ex += w * w * dx;
                ey += w * w * dy;
            }
            assert!((fx - ex).abs() < 1e-9 && (fy - ey).abs() < 1e-9 && (z - ez).abs() < 1e-9, "{fx} {ex} {fy} {ey} {z} {ez}");
        }
        // θ = 0.5 stays close to the exact sums: Z within 2%, the force within 5% of the sum of
        // the magnitudes it adds up (the net force is a small difference of large pushes).
        let (x, y) = (points[0], points[1]);
        let (fx, fy, z) = tree.repulsion(x, y, 0.5);
        let (ex, ey, ez) = tree.repulsion(x, y, 0.0);
        let magnitude: f64 = points.chunks_exact(2).map(|p| {
            let d2 = (x - p[0]).powi(2) + (y - p[1]).powi(2);
            d2.sqrt() / (1.0 + d2).powi(2)
        }).sum();
        assert!((z - ez).abs() < 0.02 * ez, "{z} {ez}");
        assert!(((fx - ex).powi(2) + (fy - ey).powi(2)).sqrt() < 0.05 * magnitude, "{fx} {ex} {fy} {ey} {magnitude}");
    }

    /// Identical points end in one leaf instead of recursing without end.
    #[test]
    fn duplicates_terminate() {
        let points = vec![1.0; 2 * 100];
        let mut tree = QuadTree::default();
        tree.build(&points);
        let (fx, fy, z) = tree.repulsion(1.0, 1.0, 0.5);
        assert_eq!((fx, fy, z), (0.0, 0.0, 100.0));
    }
}
