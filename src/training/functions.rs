//! Benchmark functions to train networks on, each with the box it is studied on.
//!
//! These are the test functions of Plate et al. (2025): their minima are known, so the
//! optimum of the MILP over the trained network can be compared with the true one.

use crate::network::InputBox;
use std::f64::consts::{E, PI};
use std::fmt;
use thiserror::Error;

/// A benchmark function `f: ℝᵈ → ℝ` together with its input box.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BenchmarkFunction {
    /// MATLAB's `peaks` on `[-2, 2]²`:
    /// `3(1−x)² e^{−x²−(y+1)²} − 10(x/5 − x³ − y⁵) e^{−x²−y²} − e^{−(x+1)²−y²}/3`.
    Peaks,
    /// Himmelblau's function on `[-5, 5]²`: `(x² + y − 11)² + (x + y² − 7)²`.
    Himmelblau,
    /// Ackley's function on `[-3.5, 3.5]^dim` with `a = 20`, `b = 0.2`, `c = 2π`:
    /// `−a e^{−b √(Σxᵢ²/d)} − e^{Σ cos(c xᵢ)/d} + a + e`.
    Ackley {
        /// The input dimension `d ≥ 1`.
        dim: usize,
    },
}

/// A function name that [`BenchmarkFunction::parse`] does not know.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("unknown function \"{0}\": expected peaks, himmelblau, ackley or ackley:<dimension ≥ 1>")]
pub struct UnknownFunction(pub String);

/// Ackley's constants `a`, `b`, `c`.
const ACKLEY_A: f64 = 20.0;
const ACKLEY_B: f64 = 0.2;
const ACKLEY_C: f64 = 2.0 * PI;

/// Half-width of the Ackley box, `[-3.5, 3.5]` per input.
const ACKLEY_HALF_WIDTH: f64 = 3.5;

impl BenchmarkFunction {
    /// All functions with their default dimension, for menus.
    pub const ALL: [BenchmarkFunction; 3] = [
        BenchmarkFunction::Peaks,
        BenchmarkFunction::Himmelblau,
        BenchmarkFunction::Ackley { dim: 2 },
    ];

    /// Parses `peaks`, `himmelblau`, `ackley` (2 inputs) or `ackley:<d>` (case-insensitive).
    pub fn parse(text: &str) -> Result<Self, UnknownFunction> {
        let lower = text.trim().to_ascii_lowercase();
        match lower.as_str() {
            "peaks" => Ok(Self::Peaks),
            "himmelblau" => Ok(Self::Himmelblau),
            "ackley" => Ok(Self::Ackley { dim: 2 }),
            other => other
                .strip_prefix("ackley:")
                .and_then(|d| d.trim().parse::<usize>().ok())
                .filter(|&dim| dim >= 1)
                .map(|dim| Self::Ackley { dim })
                .ok_or_else(|| UnknownFunction(text.trim().to_string())),
        }
    }

    /// The name [`Self::parse`] accepts back: `peaks`, `himmelblau` or `ackley:<d>`.
    pub fn name(&self) -> String {
        match self {
            Self::Peaks => "peaks".into(),
            Self::Himmelblau => "himmelblau".into(),
            Self::Ackley { dim } => format!("ackley:{dim}"),
        }
    }

    /// Number of inputs.
    pub fn dim(&self) -> usize {
        match self {
            Self::Peaks | Self::Himmelblau => 2,
            Self::Ackley { dim } => *dim,
        }
    }

    /// The box the function is studied on.
    pub fn input_box(&self) -> InputBox {
        let (lo, hi) = match self {
            Self::Peaks => (-2.0, 2.0),
            Self::Himmelblau => (-5.0, 5.0),
            Self::Ackley { .. } => (-ACKLEY_HALF_WIDTH, ACKLEY_HALF_WIDTH),
        };
        InputBox::new(vec![lo; self.dim()], vec![hi; self.dim()])
            .expect("benchmark boxes are finite and ordered")
    }

    /// `f(x)`. Panics if `x` does not have [`Self::dim`] entries.
    pub fn eval(&self, x: &[f64]) -> f64 {
        assert_eq!(
            x.len(),
            self.dim(),
            "{} takes {} inputs",
            self.name(),
            self.dim()
        );
        match self {
            Self::Peaks => peaks(x[0], x[1]),
            Self::Himmelblau => himmelblau(x[0], x[1]),
            Self::Ackley { .. } => ackley(x),
        }
    }

    /// The global minimum value of `f` over its box.
    pub fn minimum(&self) -> f64 {
        match self {
            Self::Peaks => PEAKS_MINIMUM,
            Self::Himmelblau | Self::Ackley { .. } => 0.0,
        }
    }

    /// The points of the box where `f` attains [`Self::minimum`].
    pub fn minimizers(&self) -> Vec<Vec<f64>> {
        match self {
            Self::Peaks => vec![PEAKS_MINIMIZER.to_vec()],
            Self::Himmelblau => HIMMELBLAU_MINIMIZERS.iter().map(|p| p.to_vec()).collect(),
            Self::Ackley { dim } => vec![vec![0.0; *dim]],
        }
    }
}

impl fmt::Display for BenchmarkFunction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

impl std::str::FromStr for BenchmarkFunction {
    type Err = UnknownFunction;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// Value of `peaks` at its global minimiser (refined numerically to ~1e-12).
const PEAKS_MINIMUM: f64 = -6.551_133_332_835_842;
const PEAKS_MINIMIZER: [f64; 2] = [0.228_278_918_83, -1.625_534_963_773];
const HIMMELBLAU_MINIMIZERS: [[f64; 2]; 4] = [
    [3.0, 2.0],
    [-2.805_118_086_952_74, 3.131_312_518_250_57],
    [-3.779_310_253_377_75, -3.283_185_991_286_17],
    [3.584_428_340_330_49, -1.848_126_526_964_4],
];

fn peaks(x: f64, y: f64) -> f64 {
    3.0 * (1.0 - x).powi(2) * (-x * x - (y + 1.0).powi(2)).exp()
        - 10.0 * (x / 5.0 - x.powi(3) - y.powi(5)) * (-x * x - y * y).exp()
        - (-(x + 1.0).powi(2) - y * y).exp() / 3.0
}

fn himmelblau(x: f64, y: f64) -> f64 {
    (x * x + y - 11.0).powi(2) + (x + y * y - 7.0).powi(2)
}

fn ackley(x: &[f64]) -> f64 {
    let d = x.len() as f64;
    let mean_square = x.iter().map(|v| v * v).sum::<f64>() / d;
    let mean_cos = x.iter().map(|v| (ACKLEY_C * v).cos()).sum::<f64>() / d;
    -ACKLEY_A * (-ACKLEY_B * mean_square.sqrt()).exp() - mean_cos.exp() + ACKLEY_A + E
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every point of a regular `steps × steps` grid of the (square) box with its value, as
    /// an independent check of the documented minima.
    fn grid(f: BenchmarkFunction, steps: usize) -> Vec<([f64; 2], f64)> {
        let b = f.input_box();
        let (lo, hi) = (b.lower()[0], b.upper()[0]);
        let at = |k: usize| lo + (hi - lo) * k as f64 / steps as f64;
        (0..=steps)
            .flat_map(|i| (0..=steps).map(move |j| [at(i), at(j)]))
            .map(|p| (p, f.eval(&p)))
            .collect()
    }

    /// The grid point with the smallest value, and that value.
    fn grid_minimum(f: BenchmarkFunction, steps: usize) -> ([f64; 2], f64) {
        grid(f, steps)
            .into_iter()
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .expect("a non-empty grid")
    }

    #[test]
    fn peaks_minimum_matches_the_literature() {
        let f = BenchmarkFunction::Peaks;
        let x = &f.minimizers()[0];
        assert!((f.eval(x) - f.minimum()).abs() < 1e-12);
        assert!((f.minimum() + 6.5511).abs() < 1e-4);
        assert!((x[0] - 0.2283).abs() < 1e-4 && (x[1] + 1.6256).abs() < 1e-4);
        let (_, grid) = grid_minimum(f, 800);
        assert!(grid >= f.minimum() && grid - f.minimum() < 1e-3, "{grid}");
        // A local minimum: nudging in any direction does not decrease f.
        for (dx, dy) in [(1e-4, 0.0), (-1e-4, 0.0), (0.0, 1e-4), (0.0, -1e-4)] {
            assert!(f.eval(&[x[0] + dx, x[1] + dy]) >= f.minimum());
        }
    }

    #[test]
    fn himmelblau_has_four_zero_minima_in_its_box() {
        let f = BenchmarkFunction::Himmelblau;
        let minimizers = f.minimizers();
        assert_eq!(minimizers.len(), 4);
        for x in &minimizers {
            assert!(f.eval(x) < 1e-20, "{x:?}: {}", f.eval(x));
            assert!(f.input_box().contains(x, 0.0));
        }
        assert_eq!(f.eval(&[3.0, 2.0]), 0.0);
        // The list holds every minimum of the box: the grid points where f < 0.5 all lie near
        // a listed minimiser (the saddles and the maximum are far higher), and each listed
        // minimiser has such points around it.
        let near = |p: &[f64], m: &[f64]| (p[0] - m[0]).hypot(p[1] - m[1]) < 0.25;
        let low: Vec<[f64; 2]> = grid(f, 400)
            .into_iter()
            .filter(|(_, v)| *v < 0.5)
            .map(|(p, _)| p)
            .collect();
        for p in &low {
            assert!(minimizers.iter().any(|m| near(p, m)), "low value at {p:?}");
        }
        for m in &minimizers {
            assert!(
                low.iter().any(|p| near(p, m)),
                "no low grid point near {m:?}"
            );
        }
    }

    #[test]
    fn ackley_is_zero_at_the_origin_in_any_dimension() {
        for dim in [1, 2, 3, 7] {
            let f = BenchmarkFunction::Ackley { dim };
            assert!(f.eval(&vec![0.0; dim]).abs() < 1e-12);
            assert!(f.eval(&vec![1.0; dim]) > 1.0);
            assert_eq!(f.input_box().dim(), dim);
            assert_eq!(f.input_box().upper()[0], 3.5);
        }
        // The 350-step grid of [−3.5, 3.5]² passes through the listed minimiser, and no other
        // grid point comes as low (the local minima of the cosine term are higher).
        let ackley = BenchmarkFunction::Ackley { dim: 2 };
        let (at, value) = grid_minimum(ackley, 350);
        assert_eq!(at.to_vec(), ackley.minimizers()[0]);
        assert!((value - ackley.minimum()).abs() < 1e-12, "{value}");
    }

    #[test]
    fn parse_and_name_round_trip() {
        assert_eq!(
            BenchmarkFunction::parse("Peaks"),
            Ok(BenchmarkFunction::Peaks)
        );
        assert_eq!(
            BenchmarkFunction::parse(" himmelblau "),
            Ok(BenchmarkFunction::Himmelblau)
        );
        assert_eq!(
            BenchmarkFunction::parse("ackley"),
            Ok(BenchmarkFunction::Ackley { dim: 2 })
        );
        assert_eq!(
            BenchmarkFunction::parse("ackley:3"),
            Ok(BenchmarkFunction::Ackley { dim: 3 })
        );
        for bad in ["ackley:0", "ackley:x", "rosenbrock", ""] {
            let err = BenchmarkFunction::parse(bad).unwrap_err().to_string();
            assert!(err.contains("expected peaks"), "{err}");
        }
        for f in [
            BenchmarkFunction::Peaks,
            BenchmarkFunction::Himmelblau,
            BenchmarkFunction::Ackley { dim: 5 },
        ] {
            assert_eq!(BenchmarkFunction::parse(&f.name()), Ok(f));
            assert_eq!(f.to_string().parse::<BenchmarkFunction>(), Ok(f));
        }
    }
}
