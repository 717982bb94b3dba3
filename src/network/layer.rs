//! One dense layer `y = σ(W x + b)`.

use ndarray::{Array1, Array2};

/// The activation `σ` applied element-wise after a layer's affine map.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Activation {
    /// `σ(a) = max(a, 0)`.
    Relu,
    /// Clipped ReLU `σ(a) = min(max(a, 0), cap)` with `cap > 0`.
    ClippedRelu {
        /// The saturation level `c`.
        cap: f64,
    },
    /// `σ(a) = a` (the output layer).
    Linear,
}

impl Activation {
    /// `σ(a)`.
    #[inline]
    pub fn apply(self, a: f64) -> f64 {
        match self {
            Activation::Relu => a.max(0.0),
            Activation::ClippedRelu { cap } => a.clamp(0.0, cap),
            Activation::Linear => a,
        }
    }

    /// The name used in files and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Activation::Relu => "relu",
            Activation::ClippedRelu { .. } => "clipped_relu",
            Activation::Linear => "linear",
        }
    }

    /// Whether the activation is piecewise linear with breakpoints (ReLU or clipped ReLU).
    pub fn is_piecewise(self) -> bool {
        !matches!(self, Activation::Linear)
    }

    /// The breakpoints of `σ`: `{0}` for ReLU, `{0, c}` for clipped ReLU.
    pub fn breakpoints(self) -> &'static [BreakpointKind] {
        match self {
            Activation::Relu => &[BreakpointKind::Zero],
            Activation::ClippedRelu { .. } => &[BreakpointKind::Zero, BreakpointKind::Cap],
            Activation::Linear => &[],
        }
    }

    /// Image of the interval `[l, u]` under `σ` (σ is monotone): `[σ(l), σ(u)]`.
    #[inline]
    pub fn apply_interval(self, l: f64, u: f64) -> (f64, f64) {
        (self.apply(l), self.apply(u))
    }
}

/// Which breakpoint of a piecewise activation: `a = 0`, or `a = c` of a clipped ReLU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakpointKind {
    /// The kink at `a = 0`.
    Zero,
    /// The kink at `a = cap` (clipped ReLU only).
    Cap,
}

/// A dense layer: `weights` is `out × in` (row `i` holds the weights into neuron `i`).
#[derive(Debug, Clone, PartialEq)]
pub struct Layer {
    /// `W`, shape `(outputs, inputs)`.
    pub weights: Array2<f64>,
    /// `b`, length `outputs`.
    pub bias: Array1<f64>,
    /// `σ`.
    pub activation: Activation,
}

impl Layer {
    /// Builds a layer; shapes are checked when the layer joins a [`super::Network`].
    pub fn new(weights: Array2<f64>, bias: Array1<f64>, activation: Activation) -> Self {
        Self {
            weights,
            bias,
            activation,
        }
    }

    /// Number of inputs (columns of `W`).
    pub fn inputs(&self) -> usize {
        self.weights.ncols()
    }

    /// Number of neurons (rows of `W`).
    pub fn outputs(&self) -> usize {
        self.weights.nrows()
    }

    /// Pre-activation `a = W x + b`.
    pub fn preactivation(&self, x: &[f64]) -> Vec<f64> {
        let mut a = vec![0.0; self.outputs()];
        self.preactivation_into(x, &mut a);
        a
    }

    /// [`Layer::preactivation`] written into `out` (one entry per neuron): the same sums, so a
    /// batch evaluated row by row is bit for bit the single forward pass.
    pub(crate) fn preactivation_into(&self, x: &[f64], out: &mut [f64]) {
        for ((o, row), b) in out
            .iter_mut()
            .zip(self.weights.outer_iter())
            .zip(&self.bias)
        {
            *o = row_dot(row, x) + b;
        }
    }
}

/// `row · x` for a row of a weight matrix (contiguous in the usual row-major layout).
#[inline]
pub(crate) fn row_dot(row: ndarray::ArrayView1<'_, f64>, x: &[f64]) -> f64 {
    match row.as_slice() {
        Some(r) => crate::numbers::dot(r, x),
        None => row.iter().zip(x).map(|(w, v)| w * v).sum(),
    }
}

/// `out += v·row` for a row of a weight matrix (on slices, which the compiler vectorises).
#[inline]
pub(crate) fn add_scaled_row(out: &mut [f64], v: f64, row: ndarray::ArrayView1<'_, f64>) {
    match row.as_slice() {
        Some(r) => out.iter_mut().zip(r).for_each(|(o, &w)| *o += v * w),
        None => out.iter_mut().zip(row).for_each(|(o, &w)| *o += v * w),
    }
}
