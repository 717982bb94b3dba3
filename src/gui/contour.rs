//! Contour lines of a sampled function by marching squares, joined into polylines.
//!
//! Each segment's end points lie on grid edges; two segments meeting at the same edge are
//! joined. Edges are identified by integer ids, so joining needs no floating-point matching.

use std::collections::HashMap;

/// A function sampled on a regular grid: `values[j * nx + i] = f(x_i, y_j)`.
#[derive(Debug, Clone, PartialEq)]
pub struct SampledGrid {
    /// Points along x (at least 2 for contours).
    pub nx: usize,
    /// Points along y (at least 2 for contours).
    pub ny: usize,
    /// `x_0` and `x_{nx−1}`.
    pub x_range: (f64, f64),
    /// `y_0` and `y_{ny−1}`.
    pub y_range: (f64, f64),
    /// Row-major values, `y` major.
    pub values: Vec<f64>,
}

impl SampledGrid {
    /// `x_i`.
    pub fn x_at(&self, i: usize) -> f64 {
        lerp(self.x_range, i, self.nx)
    }

    /// `y_j`.
    pub fn y_at(&self, j: usize) -> f64 {
        lerp(self.y_range, j, self.ny)
    }

    /// `f(x_i, y_j)`.
    pub fn value(&self, i: usize, j: usize) -> f64 {
        self.values[j * self.nx + i]
    }

    /// Smallest and largest finite value, if any.
    pub fn value_range(&self) -> Option<(f64, f64)> {
        self.values
            .iter()
            .copied()
            .filter(|v| v.is_finite())
            .fold(None, |acc, v| match acc {
                None => Some((v, v)),
                Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
            })
    }
}

fn lerp((a, b): (f64, f64), i: usize, n: usize) -> f64 {
    if n <= 1 {
        0.5 * (a + b)
    } else {
        a + (b - a) * i as f64 / (n - 1) as f64
    }
}

/// `count` levels evenly spaced strictly inside `[lo, hi]`.
pub fn even_levels(lo: f64, hi: f64, count: usize) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite()) || hi <= lo {
        return Vec::new();
    }
    (1..=count)
        .map(|k| lo + (hi - lo) * k as f64 / (count + 1) as f64)
        .collect()
}

/// Which side of a cell an edge is on.
#[derive(Clone, Copy)]
enum Side {
    Bottom,
    Right,
    Top,
    Left,
}

/// The polylines where the sampled function equals `level`.
pub fn contour_lines(grid: &SampledGrid, level: f64) -> Vec<Vec<[f64; 2]>> {
    let (nx, ny) = (grid.nx, grid.ny);
    if nx < 2 || ny < 2 || grid.values.len() != nx * ny {
        return Vec::new();
    }
    let horizontal_edges = (nx - 1) * ny;
    // Edge ids: horizontal edge (i, j)–(i+1, j) is j(nx−1)+i; vertical edge (i, j)–(i, j+1) is
    // offset by the horizontal count.
    let edge = |i: usize, j: usize, side: Side| match side {
        Side::Bottom => j * (nx - 1) + i,
        Side::Top => (j + 1) * (nx - 1) + i,
        Side::Left => horizontal_edges + j * nx + i,
        Side::Right => horizontal_edges + j * nx + i + 1,
    };
    let mut segments: Vec<(usize, usize)> = Vec::new();
    for j in 0..ny - 1 {
        for i in 0..nx - 1 {
            let v = [
                grid.value(i, j),
                grid.value(i + 1, j),
                grid.value(i + 1, j + 1),
                grid.value(i, j + 1),
            ];
            if v.iter().any(|x| !x.is_finite()) {
                continue;
            }
            let case = v
                .iter()
                .enumerate()
                .fold(0u8, |c, (k, &x)| c | (u8::from(x > level) << k));
            let centre_above = 0.25 * v.iter().sum::<f64>() > level;
            use Side::*;
            let pairs: &[(Side, Side)] = match case {
                1 | 14 => &[(Left, Bottom)],
                2 | 13 => &[(Bottom, Right)],
                3 | 12 => &[(Left, Right)],
                4 | 11 => &[(Right, Top)],
                6 | 9 => &[(Bottom, Top)],
                7 | 8 => &[(Left, Top)],
                // Saddles: the centre value decides which diagonal corners are connected.
                5 if centre_above => &[(Bottom, Right), (Top, Left)],
                5 => &[(Left, Bottom), (Right, Top)],
                10 if centre_above => &[(Left, Bottom), (Right, Top)],
                10 => &[(Bottom, Right), (Top, Left)],
                _ => &[],
            };
            for &(a, b) in pairs {
                segments.push((edge(i, j, a), edge(i, j, b)));
            }
        }
    }
    let point = |id: usize| -> [f64; 2] {
        let (a, b) = if id < horizontal_edges {
            let (j, i) = (id / (nx - 1), id % (nx - 1));
            ((i, j), (i + 1, j))
        } else {
            let k = id - horizontal_edges;
            let (j, i) = (k / nx, k % nx);
            ((i, j), (i, j + 1))
        };
        let (va, vb) = (grid.value(a.0, a.1), grid.value(b.0, b.1));
        let t = if vb != va {
            ((level - va) / (vb - va)).clamp(0.0, 1.0)
        } else {
            0.5
        };
        let (xa, ya) = (grid.x_at(a.0), grid.y_at(a.1));
        let (xb, yb) = (grid.x_at(b.0), grid.y_at(b.1));
        [xa + t * (xb - xa), ya + t * (yb - ya)]
    };
    chain(&segments)
        .into_iter()
        .map(|ids| ids.into_iter().map(point).collect())
        .collect()
}

/// Joins segments sharing an end point into chains of edge ids.
fn chain(segments: &[(usize, usize)]) -> Vec<Vec<usize>> {
    let mut at_edge: HashMap<usize, Vec<usize>> = HashMap::new();
    for (s, &(a, b)) in segments.iter().enumerate() {
        at_edge.entry(a).or_default().push(s);
        at_edge.entry(b).or_default().push(s);
    }
    let mut used = vec![false; segments.len()];
    let mut chains = Vec::new();
    // Follows unused segments from `edge`, appending the edges reached.
    let walk = |start: usize, used: &mut Vec<bool>| -> Vec<usize> {
        let mut out = Vec::new();
        let mut edge = start;
        while let Some(&s) = at_edge
            .get(&edge)
            .and_then(|list| list.iter().find(|&&s| !used[s]))
        {
            used[s] = true;
            let (a, b) = segments[s];
            edge = if a == edge { b } else { a };
            out.push(edge);
        }
        out
    };
    for s in 0..segments.len() {
        if used[s] {
            continue;
        }
        used[s] = true;
        let (a, b) = segments[s];
        let forward = walk(b, &mut used);
        let mut backward = walk(a, &mut used);
        backward.reverse();
        let mut ids = backward;
        ids.push(a);
        ids.push(b);
        ids.extend(forward);
        chains.push(ids);
    }
    chains
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(n: usize, f: impl Fn(f64, f64) -> f64) -> SampledGrid {
        let mut g = SampledGrid {
            nx: n,
            ny: n,
            x_range: (-1.0, 1.0),
            y_range: (-1.0, 1.0),
            values: Vec::new(),
        };
        for j in 0..n {
            for i in 0..n {
                g.values.push(f(g.x_at(i), g.y_at(j)));
            }
        }
        g
    }

    #[test]
    fn a_circle_is_one_closed_polyline_at_the_right_radius() {
        let g = sample(41, |x, y| x * x + y * y);
        let lines = contour_lines(&g, 0.25);
        assert_eq!(lines.len(), 1);
        let line = &lines[0];
        assert!(line.len() > 20);
        assert_eq!(line.first(), line.last(), "closed");
        for p in line {
            let r = (p[0] * p[0] + p[1] * p[1]).sqrt();
            assert!((r - 0.5).abs() < 0.02, "r = {r}");
        }
    }

    #[test]
    fn a_plane_gives_a_straight_open_line() {
        let g = sample(11, |x, _| x);
        let lines = contour_lines(&g, 0.3);
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].len(), 11);
        assert!(lines[0].iter().all(|p| (p[0] - 0.3).abs() < 1e-12));
    }

    #[test]
    fn levels_lie_inside_the_range() {
        assert_eq!(even_levels(0.0, 4.0, 3), vec![1.0, 2.0, 3.0]);
        assert!(even_levels(1.0, 1.0, 3).is_empty());
        assert!(contour_lines(&sample(5, |_, _| 1.0), 1.0).is_empty());
    }
}
