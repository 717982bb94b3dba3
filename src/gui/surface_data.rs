//! The data behind the Surface view: the objective sampled over a 2-D slice of the box, its
//! colours and its contour lines. Pure functions, run on a worker.

use super::contour::{SampledGrid, contour_lines, even_levels};
use eframe::egui::{Color32, ColorImage};
use ndarray::Array2;
use reluscope::network::{InputBox, Network};
use reluscope::problem::Problem;
use reluscope::regions::{RegionsError, Slice};

/// Points evaluated per batch, so that a wide input layer never needs a huge matrix and a
/// cancel is seen quickly.
const BATCH: usize = 2048;

/// Contour levels drawn.
pub const CONTOUR_LEVELS: usize = 8;

/// The sampled slice with its contours.
#[derive(Debug, Clone)]
pub struct Surface {
    /// The samples (`ny = 1` for a 1-D curve).
    pub grid: SampledGrid,
    /// `(level, polylines)` for each contour level.
    pub contours: Vec<(f64, Vec<Vec<[f64; 2]>>)>,
    /// With a problem attached: whether each grid point is feasible (grid order).
    pub feasible: Option<Vec<bool>>,
}

/// Samples `cᵀ f(x)` (`weights` is `c`) on a grid of `resolution` points per axis: over the
/// plane `slice` of `input_box`, or along input 0 with the other inputs at the box centre when
/// `slice` is `None` (the curve of a one-input network).
///
/// `Ok(None)` if `cancelled` turned true; an error if the slice does not fit the network and
/// box (see `Slice::base_point`).
pub fn sample_surface(
    network: &Network,
    input_box: &InputBox,
    slice: Option<&Slice>,
    weights: &[f64],
    resolution: usize,
    cancelled: &dyn Fn() -> bool,
) -> Result<Option<Surface>, RegionsError> {
    let dim = network.input_dim();
    let (fixed, [x_axis, y_axis], one_d) = match slice {
        Some(s) => (s.base_point(network, input_box)?, s.axes, false),
        None => (input_box.center(), [0, 0], true),
    };
    let n = resolution.max(2);
    let (nx, ny) = if one_d { (n, 1) } else { (n, n) };
    let range = |k: usize| (input_box.lower()[k], input_box.upper()[k]);
    let mut grid = SampledGrid {
        nx,
        ny,
        x_range: range(x_axis),
        y_range: if one_d { (0.0, 0.0) } else { range(y_axis) },
        values: Vec::with_capacity(nx * ny),
    };
    let total = nx * ny;
    let mut start = 0;
    while start < total {
        if cancelled() {
            return Ok(None);
        }
        let end = (start + BATCH).min(total);
        let mut points = Array2::<f64>::zeros((end - start, dim));
        for (row, p) in (start..end).enumerate() {
            for (k, &v) in fixed.iter().enumerate().take(dim) {
                points[[row, k]] = v;
            }
            points[[row, x_axis]] = grid.x_at(p % nx);
            if !one_d {
                points[[row, y_axis]] = grid.y_at(p / nx);
            }
        }
        let outputs = network.forward_batch(points.view());
        grid.values.extend(
            outputs
                .rows()
                .into_iter()
                .map(|y| y.iter().zip(weights).map(|(y, c)| y * c).sum::<f64>()),
        );
        start = end;
    }
    let contours = match (one_d, grid.value_range()) {
        (false, Some((lo, hi))) => even_levels(lo, hi, CONTOUR_LEVELS)
            .into_iter()
            .map(|level| (level, contour_lines(&grid, level)))
            .collect(),
        _ => Vec::new(),
    };
    Ok(Some(Surface {
        grid,
        contours,
        feasible: None,
    }))
}

/// Whether each point of `grid` (a slice of `input_box` along `axes`, the other inputs at
/// `base`) is feasible for `problem` (`Problem::satisfied_alternative`), in the grid's order;
/// `None` if `cancelled` turned true.
pub fn feasible_points(
    problem: &Problem,
    grid: &SampledGrid,
    base: &[f64],
    axes: [usize; 2],
    cancelled: &dyn Fn() -> bool,
) -> Option<Vec<bool>> {
    let mut feasible = Vec::with_capacity(grid.nx * grid.ny);
    let mut x = base.to_vec();
    for j in 0..grid.ny {
        if cancelled() {
            return None;
        }
        for i in 0..grid.nx {
            x[axes[0]] = grid.x_at(i);
            if grid.ny > 1 {
                x[axes[1]] = grid.y_at(j);
            }
            feasible.push(problem.satisfied_alternative(&x).is_some());
        }
    }
    Some(feasible)
}

/// The shading of the infeasible points of a 2-D grid (`feasible` in the grid's order): dark
/// and half transparent where infeasible, clear where feasible; row 0 is the top.
pub fn infeasible_shade_image(grid: &SampledGrid, feasible: &[bool]) -> ColorImage {
    let mut pixels = Vec::with_capacity(grid.nx * grid.ny);
    for row in 0..grid.ny {
        let j = grid.ny - 1 - row;
        for i in 0..grid.nx {
            pixels.push(if feasible.get(j * grid.nx + i).copied().unwrap_or(false) {
                Color32::TRANSPARENT
            } else {
                Color32::from_black_alpha(170)
            });
        }
    }
    ColorImage::new([grid.nx, grid.ny], pixels)
}

/// The heat-map colours of a 2-D grid; image row 0 is the top (largest `y`).
pub fn heat_map_image(grid: &SampledGrid) -> ColorImage {
    let (lo, hi) = grid.value_range().unwrap_or((0.0, 1.0));
    let span = if hi > lo { hi - lo } else { 1.0 };
    let mut pixels = Vec::with_capacity(grid.nx * grid.ny);
    for row in 0..grid.ny {
        let j = grid.ny - 1 - row;
        for i in 0..grid.nx {
            let v = grid.value(i, j);
            pixels.push(if v.is_finite() {
                colormap(((v - lo) / span) as f32)
            } else {
                Color32::GRAY
            });
        }
    }
    ColorImage::new([grid.nx, grid.ny], pixels)
}

/// The colour scale of heat maps, dark blue (0) to yellow (1): the library's
/// [`reluscope::figures::palette::sequential`], so that the app and exported figures agree.
pub fn colormap(t: f32) -> Color32 {
    let (r, g, b) =
        reluscope::figures::palette::sequential(if t.is_finite() { f64::from(t) } else { 0.0 });
    Color32::from_rgb(r, g, b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gui::samples;

    #[test]
    fn samples_match_single_forward_passes() {
        let net = samples::default_network().unwrap();
        let b = net.input_box().unwrap().clone();
        let slice = Slice {
            axes: [0, 1],
            point: Some(b.center()),
        };
        let sample = |cancelled: &dyn Fn() -> bool| {
            sample_surface(&net, &b, Some(&slice), &[1.0], 21, cancelled).unwrap()
        };
        let s = sample(&|| false).unwrap();
        assert_eq!(s.grid.values.len(), 21 * 21);
        for (i, j) in [(0, 0), (20, 0), (7, 13), (20, 20)] {
            let x = [s.grid.x_at(i), s.grid.y_at(j)];
            assert!((s.grid.value(i, j) - net.forward(&x)[0]).abs() < 1e-9);
        }
        assert_eq!(s.contours.len(), CONTOUR_LEVELS);
        assert!(s.contours.iter().all(|(_, lines)| !lines.is_empty()));
        let img = heat_map_image(&s.grid);
        assert_eq!(img.size, [21, 21]);
        assert!(sample(&|| true).is_none());
        let flat = Slice {
            axes: [1, 1],
            point: None,
        };
        assert!(sample_surface(&net, &b, Some(&flat), &[1.0], 21, &|| false).is_err());
    }

    /// The shading follows the problem's constraint, point by point.
    #[test]
    fn infeasible_points_are_shaded() {
        use reluscope::problem::{ConstraintSense, LinearConstraint, Variable};
        let net = samples::default_network().unwrap();
        let b = net.input_box().unwrap().clone();
        let mut problem = Problem::single(net.clone(), b.clone());
        // x0 ≥ 0: the right half is feasible.
        problem.constraints.push(LinearConstraint {
            terms: vec![(Variable::Input(0), 1.0)],
            sense: ConstraintSense::Ge,
            rhs: 0.0,
            origin: "test".into(),
        });
        let slice = Slice {
            axes: [0, 1],
            point: None,
        };
        let s = sample_surface(&net, &b, Some(&slice), &[1.0], 11, &|| false)
            .unwrap()
            .unwrap();
        let feasible = feasible_points(&problem, &s.grid, &b.center(), [0, 1], &|| false).unwrap();
        for j in 0..11 {
            for i in 0..11 {
                assert_eq!(feasible[j * 11 + i], s.grid.x_at(i) >= 0.0, "({i}, {j})");
            }
        }
        let img = infeasible_shade_image(&s.grid, &feasible);
        assert_eq!(img.pixels[0], Color32::from_black_alpha(170));
        assert_eq!(img.pixels[10], Color32::TRANSPARENT);
        assert!(feasible_points(&problem, &s.grid, &b.center(), [0, 1], &|| true).is_none());
    }

    #[test]
    fn the_colour_scale_runs_dark_to_bright() {
        let lum = |c: Color32| c.r() as u32 + c.g() as u32 + c.b() as u32;
        assert!(lum(colormap(0.0)) < lum(colormap(0.5)));
        assert!(lum(colormap(0.5)) < lum(colormap(1.0)));
        assert_eq!(colormap(f32::NAN), colormap(0.0));
    }
}
