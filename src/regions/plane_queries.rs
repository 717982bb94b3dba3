//! Questions asked of a finished 2-D partition: which region holds a point, and what the
//! objective `c·f` is on a region or over the whole map.
//!
//! The network is affine on every region, so these answers are exact (up to f64 rounding):
//! the objective on a region is one affine function of the plane coordinates, and its range
//! over the plane is attained at polygon vertices.

use super::polygon::{PlaneRegion, RegionMap};

impl PlaneRegion {
    /// Whether the point `p` (plane coordinates) lies in the region's convex
    /// counter-clockwise polygon, boundary included.
    ///
    /// `p` is inside iff it lies left of (or on) every edge `a → b`:
    /// `(b − a) × (p − a) ≥ 0`. The test allows a slack of `1e-12` relative to the edge length
    /// and to `|p|`, so that a point on an edge shared by two regions finds one of them despite
    /// rounding of the vertices. A polygon with fewer than three vertices contains nothing.
    pub fn contains(&self, p: [f64; 2]) -> bool {
        let polygon = &self.polygon;
        let n = polygon.len();
        if n < 3 {
            return false;
        }
        (0..n).all(|i| {
            let (a, b) = (polygon[i], polygon[(i + 1) % n]);
            let cross = (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]);
            let scale = (b[0] - a[0]).abs() + (b[1] - a[1]).abs();
            cross >= -1e-12 * scale.max(1e-300) * (1.0 + p[0].abs() + p[1].abs())
        })
    }

    /// The objective `c·f(u, v) = Σ_k c_k (g_k·(u, v) + h_k)` at the plane point `uv`, from the
    /// region's affine output pieces `y_k = g_k·(u, v) + h_k`.
    ///
    /// `None` when `weights` does not have one entry per output, or when the pieces are not
    /// known (after a stopped enumeration).
    pub fn objective_at(&self, weights: &[f64], uv: [f64; 2]) -> Option<f64> {
        if self.outputs.len() != weights.len() || self.outputs.is_empty() {
            return None;
        }
        Some(
            self.outputs
                .iter()
                .zip(weights)
                .map(|(piece, c)| c * piece.at(&uv))
                .sum(),
        )
    }

    /// The objective as one affine function of the plane coordinates on the region:
    /// `(g, h)` with `c·f(u, v) = g₀u + g₁v + h`, where `g = Σ_k c_k g_k` and
    /// `h = Σ_k c_k h_k` over the output pieces.
    ///
    /// `None` in the cases of [`PlaneRegion::objective_at`].
    pub fn objective_piece(&self, weights: &[f64]) -> Option<([f64; 2], f64)> {
        if self.outputs.len() != weights.len() || self.outputs.is_empty() {
            return None;
        }
        let mut g = [0.0; 2];
        let mut h = 0.0;
        for (piece, c) in self.outputs.iter().zip(weights) {
            g[0] += c * piece.gradient.first().copied().unwrap_or(0.0);
            g[1] += c * piece.gradient.get(1).copied().unwrap_or(0.0);
            h += c * piece.offset;
        }
        Some((g, h))
    }

    /// The axis-aligned box around the polygon, `[[lo_u, hi_u], [lo_v, hi_v]]` (the layout of
    /// [`RegionMap::plane_box`]); infinite bounds with the wrong sign for an empty polygon.
    pub fn bounding_box(&self) -> [[f64; 2]; 2] {
        let mut b = [[f64::INFINITY, f64::NEG_INFINITY]; 2];
        for v in &self.polygon {
            for (side, &x) in b.iter_mut().zip(v) {
                side[0] = side[0].min(x);
                side[1] = side[1].max(x);
            }
        }
        b
    }
}

impl RegionMap {
    /// The index of the first region containing the plane point `p` (see
    /// [`PlaneRegion::contains`]); `None` outside the plane box.
    pub fn region_at(&self, p: [f64; 2]) -> Option<usize> {
        self.regions.iter().position(|r| r.contains(p))
    }

    /// The smallest and largest objective `c·f` over the plane, as the extremes over every
    /// region's vertices: the objective is affine on each region, so its extremes over a
    /// polygon lie at vertices. Non-finite values are skipped; `None` when no region has its
    /// pieces (after a stopped enumeration) or `weights` does not fit the outputs.
    pub fn objective_range(&self, weights: &[f64]) -> Option<(f64, f64)> {
        let mut range: Option<(f64, f64)> = None;
        for region in &self.regions {
            for v in &region.polygon {
                if let Some(y) = region.objective_at(weights, *v).filter(|y| y.is_finite()) {
                    range = Some(match range {
                        Some((lo, hi)) => (lo.min(y), hi.max(y)),
                        None => (y, y),
                    });
                }
            }
        }
        range
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::control::TaskControl;
    use crate::formats::json;
    use crate::network::Network;
    use crate::regions::{ActivationPattern, RegionOptions, partition_2d};

    /// The app's default sample: Peaks on `[-2, 2]²`, two hidden layers of 25 ReLUs.
    const PEAKS: &[u8] = include_bytes!("../../sample_networks/peaks_25x2.json");

    fn sample_map() -> (Network, RegionMap) {
        let network = json::from_bytes(PEAKS).unwrap();
        let input_box = network.input_box().unwrap().clone();
        let map = partition_2d(
            &network,
            &input_box,
            None,
            &RegionOptions::default(),
            &TaskControl::default(),
        )
        .unwrap();
        (network, map)
    }

    #[test]
    fn lookup_and_affine_pieces_agree_with_forward_passes() {
        let (network, map) = sample_map();
        let weights = vec![1.0];
        // Points on a grid: the region found must contain the point, and its affine piece
        // must give the network's output there.
        for i in 0..23 {
            for j in 0..23 {
                let p = [-2.0 + 4.0 * i as f64 / 22.0, -2.0 + 4.0 * j as f64 / 22.0];
                let k = map.region_at(p).expect("the regions tile the box");
                let y = map.regions[k].objective_at(&weights, p).unwrap();
                let forward = network.forward(&map.lift(p))[0];
                assert!(
                    (y - forward).abs() < 1e-9 * (1.0 + forward.abs()),
                    "{y} vs {forward}"
                );
                let (g, h) = map.regions[k].objective_piece(&weights).unwrap();
                assert!((g[0] * p[0] + g[1] * p[1] + h - y).abs() < 1e-9 * (1.0 + y.abs()));
            }
        }
    }

    #[test]
    fn objective_range_matches_sampled_extremes() {
        let (network, map) = sample_map();
        let (lo, hi) = map.objective_range(&[1.0]).unwrap();
        // Vertices include the extremes of a piecewise-linear function: samples stay inside.
        for i in 0..41 {
            for j in 0..41 {
                let p = [-2.0 + 0.1 * i as f64, -2.0 + 0.1 * j as f64];
                let y = network.forward(&p)[0];
                assert!(y >= lo - 1e-9 && y <= hi + 1e-9, "{y} outside [{lo}, {hi}]");
            }
        }
    }

    fn region(polygon: &[[f64; 2]]) -> PlaneRegion {
        PlaneRegion {
            polygon: polygon.to_vec(),
            pattern: ActivationPattern::default(),
            outputs: Vec::new(),
        }
    }

    #[test]
    fn containment_includes_edges_and_excludes_outside() {
        let square = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]];
        assert!(region(&square).contains([0.5, 0.5]));
        assert!(region(&square).contains([1.0, 0.3]));
        assert!(!region(&square).contains([1.01, 0.3]));
        assert!(!region(&square[..2]).contains([0.5, 0.0]));
    }

    #[test]
    fn the_bounding_box_encloses_every_vertex() {
        let triangle = region(&[[0.0, -1.0], [2.0, 0.5], [-0.5, 3.0]]);
        assert_eq!(triangle.bounding_box(), [[-0.5, 2.0], [-1.0, 3.0]]);
    }
}
