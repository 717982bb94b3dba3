//! The exact partition of a 2-D input into convex polygons.
//!
//! Cells are convex polygons (counter-clockwise vertex lists). The range of an affine
//! function over a polygon is attained at its vertices, so each split decision is exact
//! (up to f64 rounding of the vertices) and needs no LP; a split clips the polygon by the line
//! into two polygons. Decisions follow the same rule as the general method (see the
//! [module doc](super)), so both count the same regions.

use super::pattern::{ActivationPattern, AffinePiece, output_pieces};
use super::prune::Pruner;
use super::refine::{Cut, Geometry, cut_from_range, partition};
use super::slice::Slice;
use super::{CountMethod, RegionCount, RegionOptions, RegionsError, StopReason, check_box};
use crate::control::TaskControl;
use crate::network::{InputBox, Network};
use rayon::prelude::*;
use serde::Serialize;
use std::time::Instant;

/// See [`Polygon::parallel_pays`]: a layer is split on both cores from this many cells ×
/// neurons.
const POLYGON_PARALLEL_MIN_CELL_NEURONS: usize = 6000;

/// A convex polygon, counter-clockwise.
#[derive(Debug, Clone)]
pub(crate) struct Polygon {
    pub vertices: Vec<[f64; 2]>,
}

impl Polygon {
    fn of_box(lower: &[f64], upper: &[f64]) -> Self {
        Self {
            vertices: vec![
                [lower[0], lower[1]],
                [upper[0], lower[1]],
                [upper[0], upper[1]],
                [lower[0], upper[1]],
            ],
        }
    }

    /// The two parts `(h ≤ 0, h ≥ 0)` of the polygon cut by `h(p) = w·p + c = 0`.
    ///
    /// Vertices on the line go to both parts; an edge whose ends lie strictly on opposite
    /// sides contributes its crossing point to both. Orientation is preserved.
    fn clip(&self, w: &[f64], c: f64) -> (Polygon, Polygon) {
        let n = self.vertices.len();
        let values: Vec<f64> = self
            .vertices
            .iter()
            .map(|v| w[0] * v[0] + w[1] * v[1] + c)
            .collect();
        let mut below = Vec::with_capacity(n + 1);
        let mut above = Vec::with_capacity(n + 1);
        for i in 0..n {
            let (p, hp) = (self.vertices[i], values[i]);
            let j = (i + 1) % n;
            let (q, hq) = (self.vertices[j], values[j]);
            if hp <= 0.0 {
                below.push(p);
            }
            if hp >= 0.0 {
                above.push(p);
            }
            if (hp < 0.0 && hq > 0.0) || (hp > 0.0 && hq < 0.0) {
                let t = hp / (hp - hq);
                let x = [p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])];
                below.push(x);
                above.push(x);
            }
        }
        (Polygon { vertices: below }, Polygon { vertices: above })
    }
}

/// Area of a polygon by the shoelace formula `½ Σ (x_i y_{i+1} − x_{i+1} y_i)`
/// (positive for counter-clockwise vertices).
fn shoelace(vertices: &[[f64; 2]]) -> f64 {
    let n = vertices.len();
    (0..n)
        .map(|i| {
            let (p, q) = (vertices[i], vertices[(i + 1) % n]);
            p[0] * q[1] - q[0] * p[1]
        })
        .sum::<f64>()
        / 2.0
}

impl Geometry for Polygon {
    type Stored = Polygon;
    type Context = ();

    fn open(stored: Polygon, _: &()) -> Result<Self, RegionsError> {
        Ok(stored)
    }

    fn close(self) -> Polygon {
        self
    }

    fn bytes(&self) -> usize {
        Self::stored_bytes(self)
    }

    fn stored_bytes(stored: &Polygon) -> usize {
        16 * stored.vertices.len() + std::mem::size_of::<Polygon>()
    }

    fn classify(&mut self, _: &(), w: &[f64], c: f64, eps: f64) -> Result<Cut, RegionsError> {
        let (mut min, mut max) = (f64::INFINITY, f64::NEG_INFINITY);
        for v in &self.vertices {
            let h = w[0] * v[0] + w[1] * v[1] + c;
            min = min.min(h);
            max = max.max(h);
        }
        Ok(cut_from_range(min, max, eps))
    }

    fn split(self, _: &(), w: &[f64], c: f64) -> (Self, Self) {
        self.clip(w, c)
    }

    fn affine_range(&self, w: &[f64], c: f64) -> (f64, f64) {
        self.vertices
            .iter()
            .map(|v| w[0] * v[0] + w[1] * v[1] + c)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), h| {
                (lo.min(h), hi.max(h))
            })
    }

    fn representative_point(&self) -> Option<Vec<f64>> {
        // The vertex mean lies in the (convex) polygon.
        let n = self.vertices.len() as f64;
        (n > 0.0).then(|| {
            let (x, y) = self
                .vertices
                .iter()
                .fold((0.0, 0.0), |(x, y), v| (x + v[0], y + v[1]));
            vec![x / n, y / n]
        })
    }

    /// From about 6 000 cells × neurons on. Below, waking rayon's workers (the first time: two
    /// threads and their allocator heaps) costs more than the split work saves: the last layer
    /// of ackley_25x2_l1 (127 cells × 25 neurons) took 0.35 ms on one core and 0.53 ms on two,
    /// peaks_25x2_l1's (237 × 25) 0.74 and 1.07 ms; above, two cores win (himmelblau_25x3's
    /// 244 × 25: 1.56 → 1.34 ms, ackley_25x3's 274 × 25: 1.87 → 1.39, peaks_50x2's 843 × 50:
    /// 6.5 → 3.8).
    fn parallel_pays(cells: usize, neurons: usize) -> bool {
        cells.saturating_mul(neurons) >= POLYGON_PARALLEL_MIN_CELL_NEURONS
    }
}

/// One region of a 2-D partition.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlaneRegion {
    /// Vertices in plane coordinates `(x_i, x_j)`, counter-clockwise.
    pub polygon: Vec<[f64; 2]>,
    /// The phases of every hidden neuron on the region.
    pub pattern: ActivationPattern,
    /// Each network output on the region, `y_k = g·(x_i, x_j) + h` (empty after a stop).
    pub outputs: Vec<AffinePiece>,
}

impl PlaneRegion {
    /// The area `½ Σ (x_k y_{k+1} − x_{k+1} y_k)`.
    pub fn area(&self) -> f64 {
        shoelace(&self.polygon)
    }

    /// The centroid `(1/6A) Σ (p_k + p_{k+1}) (x_k y_{k+1} − x_{k+1} y_k)`; the vertex mean for a
    /// (numerically) degenerate polygon.
    pub fn centroid(&self) -> [f64; 2] {
        let n = self.polygon.len();
        let area = self.area();
        let mean = || {
            let s = self
                .polygon
                .iter()
                .fold([0.0, 0.0], |a, p| [a[0] + p[0], a[1] + p[1]]);
            [s[0] / n.max(1) as f64, s[1] / n.max(1) as f64]
        };
        if area.abs() < 1e-300 {
            return mean();
        }
        // Relative to the first vertex, for accuracy on small polygons far from the origin.
        let o = self.polygon[0];
        let (mut cx, mut cy) = (0.0, 0.0);
        for i in 0..n {
            let p = [self.polygon[i][0] - o[0], self.polygon[i][1] - o[1]];
            let q = [
                self.polygon[(i + 1) % n][0] - o[0],
                self.polygon[(i + 1) % n][1] - o[1],
            ];
            let cross = p[0] * q[1] - q[0] * p[1];
            cx += (p[0] + q[0]) * cross;
            cy += (p[1] + q[1]) * cross;
        }
        [o[0] + cx / (6.0 * area), o[1] + cy / (6.0 * area)]
    }
}

/// The regions of a 2-D input or slice: the data a map of the regions draws.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionMap {
    /// The input axes of the plane (`[0, 1]` for a 2-input network).
    pub axes: [usize; 2],
    /// The full input point the plane passes through (the box centre for 2 inputs).
    pub base_point: Vec<f64>,
    /// The plane box `[[lo_i, hi_i], [lo_j, hi_j]]`.
    pub plane_box: [[f64; 2]; 2],
    /// The regions (cells of the partial partition after a stop).
    pub regions: Vec<PlaneRegion>,
    /// Regions after hidden layer 1, 2, … (see [`RegionCount::per_layer`]).
    pub per_layer: Vec<usize>,
    /// Why the enumeration stopped early, if it did.
    pub stopped: Option<StopReason>,
    /// The absolute interior tolerance `ε`.
    pub tolerance: f64,
    /// Wall-clock time in seconds.
    pub time_s: f64,
}

impl RegionMap {
    /// Number of regions (a lower bound after a stop).
    pub fn count(&self) -> usize {
        self.regions.len()
    }

    /// Whether the partition is complete.
    pub fn exact(&self) -> bool {
        self.stopped.is_none()
    }

    /// The count in the common report form.
    pub fn region_count(&self) -> RegionCount {
        RegionCount {
            count: self.count(),
            exact: self.exact(),
            per_layer: self.per_layer.clone(),
            method: CountMethod::Exact2d,
            time_s: self.time_s,
            samples: None,
            stopped: self.stopped,
            tolerance: Some(self.tolerance),
            lps_solved: 0,
            lp_fallbacks: 0,
        }
    }

    /// The full input point of plane coordinates `uv`.
    pub fn lift(&self, uv: [f64; 2]) -> Vec<f64> {
        let mut x = self.base_point.clone();
        x[self.axes[0]] = uv[0];
        x[self.axes[1]] = uv[1];
        x
    }
}

/// The exact partition of the 2-D input box of `network` (or of the plane `slice` through a
/// higher-dimensional box) into the convex polygons of its linear regions, each with its
/// activation pattern and the affine function of every output on it.
///
/// Polygons are split layer by layer with the rule of the [module doc](super), in f64: a
/// line `h = 0` (unit normal) splits a polygon iff its vertices reach below `−ε` and above
/// `ε`, where `ε = options.tolerance ·` longest side of the plane box. The polygons tile the
/// plane box. After a stop (`options.max_regions`, `options.time_limit`, cancel), the map
/// holds the partial partition, `exact()` is false and outputs are left empty.
pub fn partition_2d(
    network: &Network,
    input_box: &InputBox,
    slice: Option<&Slice>,
    options: &RegionOptions,
    control: &TaskControl,
) -> Result<RegionMap, RegionsError> {
    plane_partition(network, input_box, slice, options, control, None)
}

/// [`partition_2d`], dropping the cells `pruner` proves worse than its incumbent.
pub(crate) fn plane_partition(
    network: &Network,
    input_box: &InputBox,
    slice: Option<&Slice>,
    options: &RegionOptions,
    control: &TaskControl,
    pruner: Option<&Pruner>,
) -> Result<RegionMap, RegionsError> {
    let started = Instant::now();
    options.validate()?;
    let (plane_network, plane_box, axes, base_point) = match slice {
        Some(s) => {
            let base = s.base_point(network, input_box)?;
            let (n, b) = s.restrict(network, input_box)?;
            (n, b, s.axes, base)
        }
        None => {
            if input_box.dim() != network.input_dim() {
                return Err(RegionsError::BoxDimension {
                    expected: network.input_dim(),
                    found: input_box.dim(),
                });
            }
            if network.input_dim() != 2 {
                return Err(RegionsError::NotTwoDimensional {
                    inputs: network.input_dim(),
                });
            }
            (
                network.clone(),
                input_box.clone(),
                [0, 1],
                input_box.center(),
            )
        }
    };
    let eps = check_box(&plane_network, &plane_box, options.tolerance)?;
    let root = Polygon::of_box(plane_box.lower(), plane_box.upper());
    let deadline = options.deadline(std::time::Instant::now(), control);
    let part = partition::<Polygon>(
        &plane_network,
        &plane_box,
        root,
        &(),
        eps,
        options,
        deadline,
        control,
        pruner,
    )?;
    let widths: Vec<usize> = plane_network
        .hidden_layers()
        .iter()
        .map(|l| l.outputs())
        .collect();
    let complete = part.stopped.is_none();
    let make_region = |cell: super::refine::Cell<Polygon>| PlaneRegion {
        pattern: ActivationPattern::from_flat(&cell.phases, &widths),
        // A stopped partition may hold cells with phases of part of a layer only.
        outputs: if complete {
            output_pieces(&plane_network, &cell.phases)
        } else {
            Vec::new()
        },
        polygon: cell.stored.vertices,
    };
    let regions: Vec<PlaneRegion> = if options.parallel && part.cells.len() >= 256 {
        part.cells.into_par_iter().map(make_region).collect()
    } else {
        part.cells.into_iter().map(make_region).collect()
    };
    Ok(RegionMap {
        axes,
        base_point,
        plane_box: [
            [plane_box.lower()[0], plane_box.upper()[0]],
            [plane_box.lower()[1], plane_box.upper()[1]],
        ],
        regions,
        per_layer: part.per_layer,
        stopped: part.stopped,
        tolerance: eps,
        time_s: started.elapsed().as_secs_f64(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clipping_keeps_area_and_orientation() {
        let square = Polygon::of_box(&[0.0, 0.0], &[2.0, 2.0]);
        let s = std::f64::consts::FRAC_1_SQRT_2;
        // x + y = 1 cuts off the triangle at the origin.
        let (below, above) = square.clip(&[s, s], -s);
        assert!((shoelace(&below.vertices) - 0.5).abs() < 1e-12);
        assert!((shoelace(&above.vertices) - 3.5).abs() < 1e-12);
        // A line through two vertices: both halves are triangles.
        let (b, a) = square.clip(&[s, -s], 0.0);
        assert_eq!((b.vertices.len(), a.vertices.len()), (3, 3));
        assert!((shoelace(&b.vertices) - 2.0).abs() < 1e-12);
    }

    #[test]
    fn centroid_of_a_triangle() {
        let r = PlaneRegion {
            polygon: vec![[0.0, 0.0], [3.0, 0.0], [0.0, 3.0]],
            pattern: ActivationPattern::default(),
            outputs: Vec::new(),
        };
        let c = r.centroid();
        assert!((c[0] - 1.0).abs() < 1e-12 && (c[1] - 1.0).abs() < 1e-12);
        assert!((r.area() - 4.5).abs() < 1e-12);
    }
}
