//! Activation patterns and the affine map a pattern induces: on the region of inputs with
//! one pattern, every pre-activation and output is an affine function of the input.

use super::{Activation, Network};
use serde::{Serialize, Serializer};
use std::fmt;

/// The phase of one hidden neuron on a region: which linear piece of `σ` applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// `a ≤ 0`: `σ(a) = 0`.
    Inactive,
    /// `0 ≤ a` (and `a ≤ c` for a clipped ReLU): `σ(a) = a`.
    Active,
    /// Clipped ReLU with `a ≥ c`: `σ(a) = c`.
    Saturated,
}

impl Phase {
    /// The phase of a neuron with pre-activation `a` (ties at a breakpoint go to the lower
    /// piece, as `σ` is continuous there).
    pub fn of(activation: Activation, a: f64) -> Phase {
        match activation {
            _ if a <= 0.0 => Phase::Inactive,
            Activation::ClippedRelu { cap } if a >= cap => Phase::Saturated,
            _ => Phase::Active,
        }
    }

    /// `(slope, offset)` with `σ(a) = slope·a + offset` on this phase.
    pub fn linear_piece(self, activation: Activation) -> (f64, f64) {
        match (self, activation) {
            (Phase::Inactive, _) => (0.0, 0.0),
            (Phase::Active, _) => (1.0, 0.0),
            (Phase::Saturated, Activation::ClippedRelu { cap }) => (0.0, cap),
            // A saturated phase only arises for clipped ReLUs; stay linear otherwise.
            (Phase::Saturated, _) => (1.0, 0.0),
        }
    }

    /// One character: `0` inactive, `1` active, `c` saturated.
    pub fn symbol(self) -> char {
        match self {
            Phase::Inactive => '0',
            Phase::Active => '1',
            Phase::Saturated => 'c',
        }
    }
}

/// The phases of all hidden neurons, one vector per hidden layer (layer 1 first).
///
/// Displayed (and serialised) as a string such as `0110|1c01`: one character per neuron
/// (see [`Phase::symbol`]), layers separated by `|`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct ActivationPattern {
    /// `layers[k][i]`: phase of neuron `i` of hidden layer `k + 1`.
    pub layers: Vec<Vec<Phase>>,
}

impl ActivationPattern {
    /// The pattern of the point `x` by a forward pass. Errors if `x` has the wrong length.
    pub fn of_point(network: &Network, x: &[f64]) -> Result<Self, crate::network::NetworkError> {
        network.check_input(x)?;
        let pre = network.preactivations(x);
        let layers = network
            .hidden_layers()
            .iter()
            .zip(&pre)
            .map(|(layer, a)| a.iter().map(|&v| Phase::of(layer.activation, v)).collect())
            .collect();
        Ok(Self { layers })
    }

    /// Splits flat phases (all hidden neurons, layer 1 first) into layers of `widths`.
    pub(crate) fn from_flat(phases: &[Phase], widths: &[usize]) -> Self {
        let mut layers = Vec::with_capacity(widths.len());
        let mut start = 0;
        for &w in widths {
            let end = (start + w).min(phases.len());
            layers.push(phases[start..end].to_vec());
            start = end;
        }
        Self { layers }
    }
}

impl fmt::Display for ActivationPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (k, layer) in self.layers.iter().enumerate() {
            if k > 0 {
                f.write_str("|")?;
            }
            for p in layer {
                write!(f, "{}", p.symbol())?;
            }
        }
        Ok(())
    }
}

impl Serialize for ActivationPattern {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// An affine function `y = gradient · x + offset` (one output on one region).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AffinePiece {
    /// `∇y`, one entry per input (per plane axis for a slice).
    pub gradient: Vec<f64>,
    /// `y(0)`.
    pub offset: f64,
}

impl AffinePiece {
    /// `gradient · x + offset`.
    pub fn at(&self, x: &[f64]) -> f64 {
        self.gradient.iter().zip(x).map(|(g, v)| g * v).sum::<f64>() + self.offset
    }
}

/// The pre-activations of layer `k` (0-based; `k` = number of hidden layers gives the
/// output) as an affine function `A x + c` of the input, on the region where the hidden
/// layers before `k` have the flat `phases` (layer 1 first). Returns `A` row-major
/// (`n_k × d`) and `c`.
///
/// With `h⁰ = x` and, per hidden layer, `aˡ = Wˡhˡ⁻¹ + bˡ`, `hˡ = Dˡaˡ + sˡ` where `Dˡ` holds
/// the phases' slopes and `sˡ` their offsets, every map stays affine in `x`. Plain loops:
/// the matrices are `n × d` with small `d`, where a general matrix product spends its time
/// packing.
pub(crate) fn preactivation_map(
    network: &Network,
    phases: &[Phase],
    k: usize,
) -> (Vec<f64>, Vec<f64>) {
    affine_maps(network, phases, k, false)
        .pop()
        .unwrap_or_default()
}

/// [`preactivation_map`] of every layer `0..=last` at once (one pass through the layers).
pub(crate) fn preactivation_maps(
    network: &Network,
    phases: &[Phase],
    last: usize,
) -> Vec<(Vec<f64>, Vec<f64>)> {
    affine_maps(network, phases, last, true)
}

/// `out[i] = Σ_{j ∈ sources} W[i, j] · map[j]` for rows of `W` (`inputs` wide) and of `map`
/// and `out` (`W` wide, a compile-time width so the row stays in registers).
fn compose_rows<const W: usize>(
    out: &mut [f64],
    weights: &[f64],
    inputs: usize,
    map: &[f64],
    sources: &[usize],
) {
    let map = map.as_chunks::<W>().0;
    for (target, row) in out.chunks_exact_mut(W).zip(weights.chunks_exact(inputs)) {
        let mut sum = [0.0; W];
        for &j in sources {
            let w = row[j];
            for (s, &v) in sum.iter_mut().zip(&map[j]) {
                *s += w * v;
            }
        }
        target.copy_from_slice(&sum);
    }
}

/// [`compose_rows`] for any row width.
fn compose_rows_any(
    out: &mut [f64],
    width: usize,
    weights: &[f64],
    inputs: usize,
    map: &[f64],
    sources: &[usize],
) {
    for (target, row) in out
        .chunks_exact_mut(width)
        .zip(weights.chunks_exact(inputs))
    {
        for &j in sources {
            let w = row[j];
            if w != 0.0 {
                let source = &map[j * width..(j + 1) * width];
                target.iter_mut().zip(source).for_each(|(t, s)| *t += w * s);
            }
        }
    }
}

/// The pass behind both: the maps of layers `0..=last`, or (`all = false`) of `last` only —
/// the region enumeration asks for one layer's map per cell, and copying out the others
/// would be wasted there. Two buffers take turns as the current and the next map (a cell's
/// map is a few hundred numbers, and allocating them was a good part of its cost).
fn affine_maps(
    network: &Network,
    phases: &[Phase],
    last: usize,
    all: bool,
) -> Vec<(Vec<f64>, Vec<f64>)> {
    let d = network.input_dim();
    // Rows of the current map, augmented: `d` coefficients then the offset.
    let width = d + 1;
    let layers = &network.layers()[..=last];
    let mut maps = Vec::with_capacity(if all { last + 1 } else { 1 });
    // The first layer's map is its own rows `[wᵢ | bᵢ]` (its product with the identity).
    let first = &layers[0];
    let mut map = Vec::with_capacity(first.outputs() * width);
    for (row, &b) in first.weights.outer_iter().zip(&first.bias) {
        map.extend(row.iter());
        map.push(b);
    }
    let mut next = Vec::new();
    let mut sources = Vec::new();
    let mut position = 0;
    for (k, layer) in layers.iter().enumerate() {
        if k > 0 {
            let weights = layer.weights.as_standard_layout();
            let inputs = layer.inputs();
            let weights = weights.as_slice().unwrap_or_default();
            // An inactive ReLU's row is zero: about half the sources of a layer add nothing.
            sources.clear();
            sources.extend(
                (0..inputs).filter(|&j| map[j * width..(j + 1) * width].iter().any(|&v| v != 0.0)),
            );
            next.clear();
            next.resize(layer.outputs() * width, 0.0);
            match width {
                // Two inputs (the region enumeration's plane): rows of three, kept in registers.
                3 => compose_rows::<3>(&mut next, weights, inputs, &map, &sources),
                _ => compose_rows_any(&mut next, width, weights, inputs, &map, &sources),
            }
            for (target, &b) in next.chunks_exact_mut(width).zip(&layer.bias) {
                target[d] += b;
            }
            std::mem::swap(&mut map, &mut next);
        }
        if all || k == last {
            let mut matrix = Vec::with_capacity(layer.outputs() * d);
            let mut offset = Vec::with_capacity(layer.outputs());
            for row in map.chunks(width) {
                matrix.extend_from_slice(&row[..d]);
                offset.push(row[d]);
            }
            maps.push((matrix, offset));
        }
        if k == last {
            break;
        }
        for (i, target) in map.chunks_mut(width).enumerate() {
            let (slope, shift) = phases[position + i].linear_piece(layer.activation);
            if slope != 1.0 {
                target.iter_mut().for_each(|v| *v *= slope);
            }
            target[d] += shift;
        }
        position += layer.outputs();
    }
    maps
}

/// The output functions on a region: one [`AffinePiece`] per network output.
pub(crate) fn output_pieces(network: &Network, phases: &[Phase]) -> Vec<AffinePiece> {
    let d = network.input_dim();
    let (a, c) = preactivation_map(network, phases, network.hidden_layers().len());
    a.chunks(d)
        .zip(&c)
        .map(|(row, &offset)| AffinePiece {
            gradient: row.to_vec(),
            offset,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::tests::{random_network, random_network_with};

    #[test]
    fn the_pattern_map_reproduces_the_forward_pass() {
        for (seed, act) in [
            (1, Activation::Relu),
            (2, Activation::ClippedRelu { cap: 0.7 }),
        ] {
            let net = random_network_with(&[3, 6, 5, 2], seed, act);
            let b = net.input_box().unwrap().clone();
            let mut rng = <rand_pcg::Pcg64 as rand::SeedableRng>::seed_from_u64(seed);
            for _ in 0..50 {
                let x = b.sample(&mut rng);
                let pattern = ActivationPattern::of_point(&net, &x).unwrap();
                let flat: Vec<Phase> = pattern.layers.concat();
                let pieces = output_pieces(&net, &flat);
                let y = net.forward(&x);
                for (piece, yj) in pieces.iter().zip(&y) {
                    assert!(
                        (piece.at(&x) - yj).abs() < 1e-12,
                        "{} vs {yj}",
                        piece.at(&x)
                    );
                }
            }
        }
    }

    #[test]
    fn patterns_display_per_layer() {
        let net = random_network(&[2, 3, 2, 1], 3);
        let p = ActivationPattern::of_point(&net, &[0.1, 0.2]).unwrap();
        let text = p.to_string();
        assert_eq!(text.len(), 3 + 1 + 2);
        assert_eq!(text.chars().nth(3), Some('|'));
        assert!(ActivationPattern::of_point(&net, &[0.1]).is_err());
    }
}
