//! The running value of a feed-forward graph: its tensor shape and the affine map pending
//! since the last activation.
//!
//! The running tensor holds one input sample's *features* (every axis but the batch axis) in
//! row-major order. Linear ONNX nodes become [`LinearOp`]s on that feature vector and are
//! composed into the pending map; an activation turns the pending map into a [`Layer`].
//! Errors are plain one-line strings; the reader prefixes the node.

use super::tensor::{MAX_ELEMENTS, Tensor};

/// Largest number of features of the running value (2²² ≈ 4 million, e.g. 3×224×224 images
/// fit): broadcasting a small constant must not blow up memory on a hostile file.
pub const MAX_FEATURES: usize = 1 << 22;
use crate::network::{Activation, Layer};
use ndarray::{Array1, Array2};

/// One axis of the running tensor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dim {
    /// The batch axis (symbolic or fixed in the file): samples, not features.
    Batch,
    /// A feature axis of known size.
    Fixed(usize),
}

/// A shape as text, e.g. `[batch, 2]`.
pub fn show(shape: &[Dim]) -> String {
    let parts: Vec<String> = shape
        .iter()
        .map(|d| match d {
            Dim::Batch => "batch".to_string(),
            Dim::Fixed(n) => n.to_string(),
        })
        .collect();
    format!("[{}]", parts.join(", "))
}

/// Number of features (product of the fixed axes), bounded by [`MAX_FEATURES`].
pub fn features(shape: &[Dim]) -> Result<usize, String> {
    shape
        .iter()
        .filter_map(|d| match d {
            Dim::Fixed(n) => Some(*n),
            Dim::Batch => None,
        })
        .try_fold(1usize, |acc, n| acc.checked_mul(n))
        .filter(|&n| n <= MAX_FEATURES)
        .ok_or_else(|| format!("shape {} is too large", show(shape)))
}

/// Checks that the batch axis, if any, is unique and only preceded by axes of size 1, so
/// that each sample's features are contiguous.
fn check_layout(shape: &[Dim]) -> Result<(), String> {
    let Some(b) = shape.iter().position(|d| *d == Dim::Batch) else {
        return Ok(());
    };
    let mixes =
        shape[..b].iter().any(|d| *d != Dim::Fixed(1)) || shape[b + 1..].contains(&Dim::Batch);
    if mixes {
        return Err(format!(
            "shape {} mixes the batch axis with feature axes",
            show(shape)
        ));
    }
    Ok(())
}

/// Row-major strides of the fixed axes (0 for the batch axis, which holds no features).
fn strides(shape: &[Dim]) -> Vec<usize> {
    let mut out = vec![0; shape.len()];
    let mut stride = 1;
    for (ax, d) in shape.iter().enumerate().rev() {
        if let Dim::Fixed(n) = d {
            out[ax] = stride;
            stride *= n;
        }
    }
    out
}

/// Normalises a possibly negative axis for a tensor of rank `rank`.
pub fn axis_index(axis: i64, rank: usize) -> Result<usize, String> {
    let r = i64::try_from(rank).map_err(|_| "rank too large".to_string())?;
    let a = if axis < 0 { axis + r } else { axis };
    if (0..r).contains(&a) {
        usize::try_from(a).map_err(|_| format!("axis {axis} is out of range"))
    } else {
        Err(format!("axis {axis} is out of range for rank {rank}"))
    }
}

/// A linear map on the feature vector.
#[derive(Debug, Clone, PartialEq)]
pub enum LinearOp {
    /// `y_j = scale_j · x_{src_j} + offset_j` (element-wise ops, broadcasts, permutations).
    Gather {
        /// Source feature of each output.
        src: Vec<usize>,
        /// Factor of each output.
        scale: Vec<f64>,
        /// Added constant of each output.
        offset: Vec<f64>,
    },
    /// `y = G x`.
    Dense(Array2<f64>),
}

/// Which element-wise operation with a constant `C`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Elementwise {
    /// `x + C`.
    Add,
    /// `x − C`.
    Sub,
    /// `C − x`.
    SubFrom,
    /// `x · C`.
    Mul,
    /// `x / C`.
    Div,
}

/// `x ∘ C` with numpy broadcasting: the output shape and the map on the features.
pub fn elementwise(
    shape: &[Dim],
    c: &Tensor,
    kind: Elementwise,
) -> Result<(Vec<Dim>, LinearOp), String> {
    let rank = shape.len().max(c.dims.len());
    let (pad_s, pad_c) = (rank - shape.len(), rank - c.dims.len());
    let s_of = |ax: usize| {
        if ax < pad_s {
            Dim::Fixed(1)
        } else {
            shape[ax - pad_s]
        }
    };
    let c_of = |ax: usize| if ax < pad_c { 1 } else { c.dims[ax - pad_c] };
    let mut out = Vec::with_capacity(rank);
    for ax in 0..rank {
        out.push(match (s_of(ax), c_of(ax)) {
            (Dim::Batch, 1) => Dim::Batch,
            (Dim::Fixed(f), n) if f == n || n == 1 => Dim::Fixed(f),
            (Dim::Fixed(1), n) => Dim::Fixed(n),
            _ => {
                return Err(format!(
                    "shapes {} and {:?} do not broadcast (the constant may not vary along the batch axis)",
                    show(shape),
                    c.dims
                ));
            }
        });
    }
    check_layout(&out)?;
    let padded: Vec<Dim> = (0..rank).map(s_of).collect();
    let (s_strides, c_strides) = (strides(&padded), {
        let dims: Vec<Dim> = (0..rank).map(|ax| Dim::Fixed(c_of(ax))).collect();
        strides(&dims)
    });
    // Broadcast axes (size 1 on one side) do not move that side's index.
    let axes: Vec<(usize, usize, usize)> = (0..rank)
        .filter_map(|ax| match out[ax] {
            Dim::Fixed(n) => Some((
                n,
                if padded[ax] == Dim::Fixed(n) {
                    s_strides[ax]
                } else {
                    0
                },
                if c_of(ax) == n { c_strides[ax] } else { 0 },
            )),
            Dim::Batch => None,
        })
        .collect();
    let count = features(&out)?;
    let (mut src, mut scale, mut offset) = (
        Vec::with_capacity(count),
        Vec::with_capacity(count),
        Vec::with_capacity(count),
    );
    let mut coords = vec![0usize; axes.len()];
    for _ in 0..count {
        let (si, ci) = axes
            .iter()
            .zip(&coords)
            .fold((0, 0), |(s, c), (&(_, ss, cs), &k)| {
                (s + k * ss, c + k * cs)
            });
        let v = c
            .data
            .get(ci)
            .copied()
            .ok_or("constant index out of range")?;
        let (a, b) = match kind {
            Elementwise::Add => (1.0, v),
            Elementwise::Sub => (1.0, -v),
            Elementwise::SubFrom => (-1.0, v),
            Elementwise::Mul => (v, 0.0),
            Elementwise::Div if v == 0.0 => return Err("division by zero".into()),
            Elementwise::Div => (1.0 / v, 0.0),
        };
        src.push(si);
        scale.push(a);
        offset.push(b);
        // Odometer step over the output's fixed axes, last axis fastest.
        for (k, &(n, _, _)) in coords.iter_mut().zip(&axes).rev() {
            *k += 1;
            if *k < n {
                break;
            }
            *k = 0;
        }
    }
    Ok((out, LinearOp::Gather { src, scale, offset }))
}

/// Multiplies axis `axis` (size `g.ncols()`) by `g`: `out[.., i, ..] = Σ_j g[i, j] x[.., j, ..]`.
pub fn contract_axis(
    shape: &[Dim],
    axis: usize,
    g: &Array2<f64>,
) -> Result<(Vec<Dim>, LinearOp), String> {
    let (new, old) = g.dim();
    match shape.get(axis) {
        Some(Dim::Fixed(k)) if *k == old => {}
        Some(d) => {
            let found = match d {
                Dim::Batch => "the batch axis".to_string(),
                Dim::Fixed(k) => format!("size {k}"),
            };
            return Err(format!(
                "a {new}×{old} weight matrix meets axis {axis} of shape {} ({found})",
                show(shape)
            ));
        }
        None => return Err(format!("shape {} has no axis {axis}", show(shape))),
    }
    let mut out = shape.to_vec();
    out[axis] = Dim::Fixed(new);
    let pre = features(&shape[..axis])?;
    let post = features(&shape[axis + 1..])?;
    if pre == 1 && post == 1 {
        return Ok((out, LinearOp::Dense(g.clone())));
    }
    let rows = pre * new * post;
    let cols = pre * old * post;
    check_matrix(rows, cols)?;
    let mut m = Array2::zeros((rows, cols));
    for a in 0..pre {
        for ((i, j), &v) in g.indexed_iter() {
            for c in 0..post {
                m[[(a * new + i) * post + c, (a * old + j) * post + c]] = v;
            }
        }
    }
    Ok((out, LinearOp::Dense(m)))
}

/// Fails when a `rows × cols` matrix would exceed [`MAX_ELEMENTS`].
fn check_matrix(rows: usize, cols: usize) -> Result<(), String> {
    match rows.checked_mul(cols) {
        Some(n) if n <= MAX_ELEMENTS => Ok(()),
        _ => Err(format!("a {rows}×{cols} matrix would be too large")),
    }
}

/// Transposes a rank-2 running tensor: a feature permutation, or nothing when one axis is 1.
pub fn transpose2(shape: &[Dim]) -> Result<(Vec<Dim>, Option<LinearOp>), String> {
    let &[a, b] = shape else {
        return Err(format!(
            "cannot transpose shape {}: rank 2 expected",
            show(shape)
        ));
    };
    let out = vec![b, a];
    match (a, b) {
        (Dim::Fixed(r), Dim::Fixed(c)) if r > 1 && c > 1 => {
            let src = (0..r * c).map(|k| (k % r) * c + k / r).collect();
            let n = r * c;
            Ok((
                out,
                Some(LinearOp::Gather {
                    src,
                    scale: vec![1.0; n],
                    offset: vec![0.0; n],
                }),
            ))
        }
        (Dim::Fixed(_), Dim::Fixed(_))
        | (Dim::Batch, Dim::Fixed(1))
        | (Dim::Fixed(1), Dim::Batch) => Ok((out, None)),
        _ => Err(format!(
            "transposing shape {} would move the batch axis into the features",
            show(shape)
        )),
    }
}

/// Removes an axis of size 1.
pub fn remove_axis(shape: &[Dim], axis: usize) -> Result<Vec<Dim>, String> {
    match shape.get(axis) {
        Some(Dim::Fixed(1)) => {
            let mut out = shape.to_vec();
            out.remove(axis);
            Ok(out)
        }
        _ => Err(format!(
            "axis {axis} of shape {} is not of size 1",
            show(shape)
        )),
    }
}

/// `Flatten(axis)`: `[prod(dims before axis), prod(dims from axis)]`.
pub fn flatten(shape: &[Dim], axis: i64) -> Result<Vec<Dim>, String> {
    let rank = shape.len();
    let a = if axis == i64::try_from(rank).unwrap_or(i64::MAX) {
        rank
    } else {
        axis_index(axis, rank)?
    };
    let group = |dims: &[Dim]| -> Result<Dim, String> {
        let n = features(dims)?;
        if !dims.contains(&Dim::Batch) {
            Ok(Dim::Fixed(n))
        } else if n == 1 {
            Ok(Dim::Batch)
        } else {
            Err(format!(
                "Flatten(axis={axis}) of shape {} merges the batch axis with features",
                show(shape)
            ))
        }
    };
    let out = vec![group(&shape[..a])?, group(&shape[a..])?];
    check_layout(&out)?;
    Ok(out)
}

/// `Reshape(target)` with ONNX's `0` (copy, unless `allowzero`) and `-1` (infer) entries.
///
/// The batch axis goes to the `-1` (or a copied `0`) entry; a fully fixed target of the
/// right size fixes the batch to 1.
pub fn reshape(shape: &[Dim], target: &[i64], allowzero: bool) -> Result<Vec<Dim>, String> {
    let m = features(shape)?;
    let mut out: Vec<Option<Dim>> = Vec::with_capacity(target.len());
    let mut infer = None;
    for (i, &t) in target.iter().enumerate() {
        out.push(match t {
            -1 if infer.is_none() => {
                infer = Some(i);
                None
            }
            -1 => return Err(format!("target shape {target:?} has two -1 entries")),
            0 if !allowzero => Some(*shape.get(i).ok_or_else(|| {
                format!(
                    "target shape {target:?} copies axis {i} that {} does not have",
                    show(shape)
                )
            })?),
            t => Some(Dim::Fixed(usize::try_from(t).map_err(|_| {
                format!("target shape {target:?} has an invalid entry {t}")
            })?)),
        });
    }
    let known: Vec<Dim> = out.iter().flatten().copied().collect();
    let fixed = features(&known)?;
    let takes_batch = shape.contains(&Dim::Batch) && !known.contains(&Dim::Batch);
    let mismatch = || {
        format!(
            "cannot reshape {} ({m} features) to {target:?}",
            show(shape)
        )
    };
    if let Some(i) = infer {
        out[i] = Some(if takes_batch {
            if fixed != m {
                return Err(mismatch());
            }
            Dim::Batch
        } else {
            if fixed == 0 || m % fixed != 0 {
                return Err(mismatch());
            }
            Dim::Fixed(m / fixed)
        });
    } else if fixed != m {
        return Err(mismatch());
    }
    let out: Vec<Dim> = out.into_iter().flatten().collect();
    check_layout(&out)?;
    Ok(out)
}

/// `Squeeze(axes)`: removes the given size-1 axes, or all fixed size-1 axes when `None`.
pub fn squeeze(shape: &[Dim], axes: Option<&[i64]>) -> Result<Vec<Dim>, String> {
    let Some(axes) = axes else {
        return Ok(shape
            .iter()
            .copied()
            .filter(|d| *d != Dim::Fixed(1))
            .collect());
    };
    let mut remove = axes
        .iter()
        .map(|&a| axis_index(a, shape.len()))
        .collect::<Result<Vec<_>, _>>()?;
    remove.sort_unstable();
    if remove.windows(2).any(|w| w[0] == w[1]) {
        return Err(format!("axes {axes:?} repeat an axis"));
    }
    let mut out = shape.to_vec();
    for &a in remove.iter().rev() {
        out = remove_axis(&out, a)?;
    }
    Ok(out)
}

/// `Unsqueeze(axes)`: inserts size-1 axes at the given positions of the output.
pub fn unsqueeze(shape: &[Dim], axes: &[i64]) -> Result<Vec<Dim>, String> {
    let rank = shape.len() + axes.len();
    let mut insert = axes
        .iter()
        .map(|&a| axis_index(a, rank))
        .collect::<Result<Vec<_>, _>>()?;
    insert.sort_unstable();
    if insert.windows(2).any(|w| w[0] == w[1]) {
        return Err(format!("axes {axes:?} repeat an axis"));
    }
    let mut out = shape.to_vec();
    for a in insert {
        out.insert(a, Dim::Fixed(1));
    }
    check_layout(&out)?;
    Ok(out)
}

/// The affine map `x ↦ M x + p` applied since the last activation.
#[derive(Debug, Clone, PartialEq)]
enum Pending {
    /// Nothing yet.
    Identity,
    /// `y_j = scale_j · x_{src_j} + offset_j`.
    Gather {
        src: Vec<usize>,
        scale: Vec<f64>,
        offset: Vec<f64>,
    },
    /// `y = M x + p`.
    Dense { m: Array2<f64>, p: Array1<f64> },
}

/// Layers found so far plus the pending affine map on the running features.
#[derive(Debug, Clone)]
pub struct Chain {
    layers: Vec<Layer>,
    /// Features at the last activation (inputs of the pending map).
    in_dim: usize,
    /// Features now (outputs of the pending map).
    dim: usize,
    pending: Pending,
}

impl Chain {
    /// A chain on `n` input features.
    pub fn new(n: usize) -> Self {
        Self {
            layers: Vec::new(),
            in_dim: n,
            dim: n,
            pending: Pending::Identity,
        }
    }

    /// Number of features of the running value.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Composes `op` after the pending map.
    pub fn apply(&mut self, op: LinearOp) -> Result<(), String> {
        let pending = std::mem::replace(&mut self.pending, Pending::Identity);
        let (new_pending, new_dim) = match op {
            LinearOp::Gather { src, scale, offset } => {
                if let Some(&bad) = src.iter().find(|&&s| s >= self.dim) {
                    return Err(format!("feature {bad} out of range {}", self.dim));
                }
                let n = src.len();
                let composed = match pending {
                    Pending::Identity => Pending::Gather { src, scale, offset },
                    Pending::Gather {
                        src: s1,
                        scale: a1,
                        offset: o1,
                    } => Pending::Gather {
                        src: src.iter().map(|&j| s1[j]).collect(),
                        scale: src.iter().zip(&scale).map(|(&j, &a)| a * a1[j]).collect(),
                        offset: (0..n).map(|k| scale[k] * o1[src[k]] + offset[k]).collect(),
                    },
                    Pending::Dense { m, p } => {
                        check_matrix(n, self.in_dim)?;
                        let mut out = Array2::zeros((n, self.in_dim));
                        for (k, mut row) in out.outer_iter_mut().enumerate() {
                            row.assign(&(&m.row(src[k]) * scale[k]));
                        }
                        let p = (0..n).map(|k| scale[k] * p[src[k]] + offset[k]).collect();
                        Pending::Dense { m: out, p }
                    }
                };
                (composed, n)
            }
            LinearOp::Dense(g) => {
                if g.ncols() != self.dim {
                    return Err(format!(
                        "a {}×{} matrix meets {} features",
                        g.nrows(),
                        g.ncols(),
                        self.dim
                    ));
                }
                let n = g.nrows();
                check_matrix(n, self.in_dim)?;
                let composed = match pending {
                    Pending::Identity => Pending::Dense {
                        p: Array1::zeros(n),
                        m: g,
                    },
                    Pending::Gather { src, scale, offset } => {
                        let mut m = Array2::zeros((n, self.in_dim));
                        for (j, (&s, &a)) in src.iter().zip(&scale).enumerate() {
                            let mut col = m.column_mut(s);
                            col.scaled_add(a, &g.column(j));
                        }
                        let p = g.dot(&Array1::from(offset));
                        Pending::Dense { m, p }
                    }
                    Pending::Dense { m, p } => Pending::Dense {
                        m: g.dot(&m),
                        p: g.dot(&p),
                    },
                };
                (composed, n)
            }
        };
        self.pending = new_pending;
        self.dim = new_dim;
        Ok(())
    }

    /// The pending map as a dense `(M, p)`.
    fn take_dense(&mut self) -> Result<(Array2<f64>, Array1<f64>), String> {
        check_matrix(self.dim, self.in_dim)?;
        Ok(
            match std::mem::replace(&mut self.pending, Pending::Identity) {
                Pending::Identity => (Array2::eye(self.dim), Array1::zeros(self.dim)),
                Pending::Gather { src, scale, offset } => {
                    let mut m = Array2::zeros((self.dim, self.in_dim));
                    for (k, (&s, &a)) in src.iter().zip(&scale).enumerate() {
                        m[[k, s]] = a;
                    }
                    (m, Array1::from(offset))
                }
                Pending::Dense { m, p } => (m, p),
            },
        )
    }

    /// Closes the pending map into a layer with `activation` (ReLU or clipped ReLU).
    pub fn activate(&mut self, activation: Activation) -> Result<(), String> {
        let (m, p) = self.take_dense()?;
        self.layers.push(Layer::new(m, p, activation));
        self.in_dim = self.dim;
        Ok(())
    }

    /// `clamp(x, min, max)` with either bound optional, as (clipped) ReLU layers plus shifts:
    /// `clip(a, lo, hi) = lo + crelu(a − lo, hi − lo)`, `min(a, hi) = hi − relu(hi − a)`.
    pub fn clip(&mut self, min: Option<f64>, max: Option<f64>) -> Result<(), String> {
        let n = self.dim;
        let shift = |s: f64, o: f64| LinearOp::Gather {
            src: (0..n).collect(),
            scale: vec![s; n],
            offset: vec![o; n],
        };
        match (min, max) {
            (None, None) => Ok(()),
            (Some(lo), hi) => {
                let activation = match hi {
                    None => Activation::Relu,
                    Some(hi) if hi > lo => Activation::ClippedRelu { cap: hi - lo },
                    Some(hi) => return Err(format!("min {lo} is not below max {hi}")),
                };
                if lo == 0.0 {
                    return self.activate(activation);
                }
                self.apply(shift(1.0, -lo))?;
                self.activate(activation)?;
                self.apply(shift(1.0, lo))
            }
            (None, Some(hi)) => {
                self.apply(shift(-1.0, hi))?;
                self.activate(Activation::Relu)?;
                self.apply(shift(-1.0, hi))
            }
        }
    }

    /// The layers, the pending map closing them as the linear output layer.
    pub fn finish(mut self) -> Result<Vec<Layer>, String> {
        if self.pending != Pending::Identity || self.layers.is_empty() {
            let (m, p) = self.take_dense()?;
            self.layers.push(Layer::new(m, p, Activation::Linear));
        }
        Ok(self.layers)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn t(dims: &[usize], data: &[f64]) -> Tensor {
        Tensor {
            dims: dims.to_vec(),
            data: data.to_vec(),
        }
    }

    /// Applies the chain's layers to `x` (all but the last with their activation).
    fn run(layers: &[Layer], x: &[f64]) -> Vec<f64> {
        let mut h = x.to_vec();
        for l in layers {
            h = l
                .preactivation(&h)
                .into_iter()
                .map(|v| l.activation.apply(v))
                .collect();
        }
        h
    }

    use Dim::{Batch, Fixed};

    #[test]
    fn broadcasting_a_bias_and_a_scale() {
        let (shape, op) = elementwise(
            &[Batch, Fixed(3)],
            &t(&[3], &[1.0, 2.0, 3.0]),
            Elementwise::Sub,
        )
        .unwrap();
        assert_eq!(shape, vec![Batch, Fixed(3)]);
        let LinearOp::Gather { src, scale, offset } = op else {
            panic!()
        };
        assert_eq!(
            (src, scale, offset),
            (vec![0, 1, 2], vec![1.0; 3], vec![-1.0, -2.0, -3.0])
        );
        // A [1, 3] constant on a [3] vector gives [1, 3]; a scalar divides everything.
        let (shape, _) =
            elementwise(&[Fixed(3)], &t(&[1, 3], &[0.0; 3]), Elementwise::Add).unwrap();
        assert_eq!(shape, vec![Fixed(1), Fixed(3)]);
        let (_, op) = elementwise(&[Batch, Fixed(2)], &t(&[], &[4.0]), Elementwise::Div).unwrap();
        assert_eq!(
            op,
            LinearOp::Gather {
                src: vec![0, 1],
                scale: vec![0.25; 2],
                offset: vec![0.0; 2]
            }
        );
        // Expansion: [2, 1] ∘ [3] → [2, 3], each input feature repeated.
        let (shape, op) = elementwise(
            &[Fixed(2), Fixed(1)],
            &t(&[3], &[1.0, 2.0, 3.0]),
            Elementwise::Mul,
        )
        .unwrap();
        assert_eq!(shape, vec![Fixed(2), Fixed(3)]);
        let LinearOp::Gather { src, scale, .. } = op else {
            panic!()
        };
        assert_eq!(src, vec![0, 0, 0, 1, 1, 1]);
        assert_eq!(scale, vec![1.0, 2.0, 3.0, 1.0, 2.0, 3.0]);
    }

    #[test]
    fn broadcasting_errors() {
        let e =
            elementwise(&[Batch, Fixed(3)], &t(&[2], &[1.0, 2.0]), Elementwise::Add).unwrap_err();
        assert!(e.contains("[batch, 3]") && e.contains("[2]"), "{e}");
        let e =
            elementwise(&[Batch, Fixed(2)], &t(&[4, 2], &[0.0; 8]), Elementwise::Add).unwrap_err();
        assert!(e.contains("batch"), "{e}");
        let e = elementwise(&[Fixed(2)], &t(&[2], &[1.0, 0.0]), Elementwise::Div).unwrap_err();
        assert!(e.contains("division by zero"), "{e}");
    }

    #[test]
    fn shape_ops() {
        assert_eq!(
            flatten(&[Batch, Fixed(1), Fixed(1), Fixed(3)], 1).unwrap(),
            vec![Batch, Fixed(3)]
        );
        assert!(flatten(&[Batch, Fixed(2), Fixed(3)], 2).is_err());
        assert_eq!(flatten(&[Fixed(3)], 0).unwrap(), vec![Fixed(1), Fixed(3)]);
        assert_eq!(
            reshape(&[Batch, Fixed(1), Fixed(4)], &[-1, 4], false).unwrap(),
            vec![Batch, Fixed(4)]
        );
        assert_eq!(
            reshape(&[Batch, Fixed(4)], &[0, 2, 2], false).unwrap(),
            vec![Batch, Fixed(2), Fixed(2)]
        );
        assert_eq!(
            reshape(&[Batch, Fixed(4)], &[1, 4], false).unwrap(),
            vec![Fixed(1), Fixed(4)]
        );
        assert_eq!(
            reshape(&[Fixed(4)], &[2, -1], false).unwrap(),
            vec![Fixed(2), Fixed(2)]
        );
        assert!(reshape(&[Batch, Fixed(4)], &[3, -1], false).is_err());
        assert!(reshape(&[Batch, Fixed(4)], &[-1, -1], false).is_err());
        assert!(reshape(&[Fixed(4)], &[0, -1], true).is_err());
        assert_eq!(
            squeeze(&[Batch, Fixed(1), Fixed(3)], Some(&[1])).unwrap(),
            vec![Batch, Fixed(3)]
        );
        assert_eq!(
            squeeze(&[Fixed(1), Fixed(3), Fixed(1)], None).unwrap(),
            vec![Fixed(3)]
        );
        assert!(squeeze(&[Batch, Fixed(3)], Some(&[1])).is_err());
        assert!(squeeze(&[Batch, Fixed(3)], Some(&[0])).is_err());
        assert!(squeeze(&[Fixed(1), Fixed(3)], Some(&[0, -2])).is_err());
        assert_eq!(
            unsqueeze(&[Fixed(3)], &[0]).unwrap(),
            vec![Fixed(1), Fixed(3)]
        );
        assert_eq!(
            unsqueeze(&[Batch, Fixed(3)], &[-1]).unwrap(),
            vec![Batch, Fixed(3), Fixed(1)]
        );
        assert!(unsqueeze(&[Fixed(3)], &[0, 0]).is_err());
        assert!(unsqueeze(&[Fixed(3)], &[5]).is_err());
        assert_eq!(
            transpose2(&[Batch, Fixed(1)]).unwrap(),
            (vec![Fixed(1), Batch], None)
        );
        assert!(transpose2(&[Batch, Fixed(3)]).is_err());
        let (shape, op) = transpose2(&[Fixed(2), Fixed(3)]).unwrap();
        assert_eq!(shape, vec![Fixed(3), Fixed(2)]);
        let Some(LinearOp::Gather { src, .. }) = op else {
            panic!()
        };
        // out[j][i] = in[i][j]: out order (0,0),(0,1),(1,0)… reads in (0,0),(1,0),(0,1)…
        assert_eq!(src, vec![0, 3, 1, 4, 2, 5]);
    }

    #[test]
    fn contraction_of_an_inner_axis_is_block_diagonal() {
        // [2, 3] · W (3 → 1) on the last axis: two rows, each dotted with w.
        let w = array![[1.0, 10.0, 100.0]];
        let (shape, op) = contract_axis(&[Fixed(2), Fixed(3)], 1, &w).unwrap();
        assert_eq!(shape, vec![Fixed(2), Fixed(1)]);
        let LinearOp::Dense(m) = op else { panic!() };
        assert_eq!(
            m,
            array![
                [1.0, 10.0, 100.0, 0.0, 0.0, 0.0],
                [0.0, 0.0, 0.0, 1.0, 10.0, 100.0]
            ]
        );
        // W (1×2) on axis 0 of [2, 3]: out[0, c] = x[0, c] + 2 x[1, c].
        let (_, op) = contract_axis(&[Fixed(2), Fixed(3)], 0, &array![[1.0, 2.0]]).unwrap();
        let LinearOp::Dense(m) = op else { panic!() };
        assert_eq!(m.row(1).to_vec(), vec![0.0, 1.0, 0.0, 0.0, 2.0, 0.0]);
        assert!(
            contract_axis(&[Batch, Fixed(3)], 0, &w)
                .unwrap_err()
                .contains("batch axis")
        );
        assert!(
            contract_axis(&[Batch, Fixed(2)], 1, &w)
                .unwrap_err()
                .contains("size 2")
        );
    }

    #[test]
    fn chain_composes_and_emits_layers() {
        let mut chain = Chain::new(2);
        // (x − [1, 1]) / 2, then W, then + b, ReLU, then a linear output.
        chain
            .apply(LinearOp::Gather {
                src: vec![0, 1],
                scale: vec![1.0; 2],
                offset: vec![-1.0; 2],
            })
            .unwrap();
        chain
            .apply(LinearOp::Gather {
                src: vec![0, 1],
                scale: vec![0.5; 2],
                offset: vec![0.0; 2],
            })
            .unwrap();
        chain
            .apply(LinearOp::Dense(array![[1.0, 2.0], [-1.0, 0.0], [0.0, 3.0]]))
            .unwrap();
        chain
            .apply(LinearOp::Gather {
                src: vec![0, 1, 2],
                scale: vec![1.0; 3],
                offset: vec![0.5, 0.0, -1.0],
            })
            .unwrap();
        chain.activate(Activation::Relu).unwrap();
        chain
            .apply(LinearOp::Dense(array![[1.0, 1.0, 1.0]]))
            .unwrap();
        let layers = chain.finish().unwrap();
        assert_eq!(layers.len(), 2);
        for x in [[0.0f64, 0.0], [3.0, -1.0], [2.0, 5.0]] {
            let h = [(x[0] - 1.0) / 2.0, (x[1] - 1.0) / 2.0];
            let a = [h[0] + 2.0 * h[1] + 0.5, -h[0], 3.0 * h[1] - 1.0];
            let y: f64 = a.iter().map(|v: &f64| v.max(0.0)).sum();
            assert!((run(&layers, &x)[0] - y).abs() < 1e-12);
        }
    }

    #[test]
    fn clip_variants_match_clamp() {
        let cases = [
            (Some(0.0), Some(1.5)),
            (Some(0.0), None),
            (Some(-1.0), Some(1.0)),
            (Some(0.5), None),
            (None, Some(2.0)),
            (None, None),
        ];
        for (lo, hi) in cases {
            let mut chain = Chain::new(1);
            chain.clip(lo, hi).unwrap();
            let layers = chain.finish().unwrap();
            for x in [-3.0f64, -1.0, -0.2, 0.0, 0.7, 1.2, 1.9, 5.0] {
                let expect = x
                    .max(lo.unwrap_or(f64::NEG_INFINITY))
                    .min(hi.unwrap_or(f64::INFINITY));
                let got = run(&layers, &[x])[0];
                assert!(
                    (got - expect).abs() < 1e-15,
                    "clip({x}, {lo:?}, {hi:?}) = {got}"
                );
            }
        }
        let mut chain = Chain::new(1);
        chain.clip(Some(0.0), Some(6.0)).unwrap();
        assert_eq!(
            chain.layers[0].activation,
            Activation::ClippedRelu { cap: 6.0 }
        );
        assert!(
            Chain::new(1)
                .clip(Some(1.0), Some(1.0))
                .unwrap_err()
                .contains("not below")
        );
    }

    #[test]
    fn oversized_maps_are_refused() {
        let mut chain = Chain::new(1 << 14);
        assert!(
            chain
                .activate(Activation::Relu)
                .unwrap_err()
                .contains("too large")
        );
        // A small constant must not broadcast a vector into millions of features.
        let column = t(&[4096, 1], &[0.0; 4096]);
        let e = elementwise(&[Fixed(4096)], &column, Elementwise::Add).unwrap_err();
        assert!(e.contains("too large"), "{e}");
    }
}
