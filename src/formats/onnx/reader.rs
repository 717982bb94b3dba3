//! Reading an ONNX graph as a dense feed-forward network.
//!
//! The graph must be a chain from its single data input to its single output. Nodes are
//! visited in file order (ONNX requires topological order); constants (initializers and
//! `Constant` nodes) are kept by name, and the one running value is tracked as a shape plus
//! an affine map ([`Chain`]) that each ReLU or Clip closes into a layer.

use super::affine::{self, Chain, Dim, Elementwise, LinearOp};
use super::proto::{
    DATA_BFLOAT16, DATA_DOUBLE, DATA_FLOAT, DATA_FLOAT16, DimensionValue, GraphProto, ModelProto,
    NodeProto, StringStringEntryProto, ValueInfoProto,
};
use super::tensor::{
    Tensor, attr_float, attr_int, attr_ints, constant_value, data_type_name, decode_tensor,
    integer_values,
};
use super::{INPUT_BOUNDS_KEY, METADATA_KEY, NAME_KEY};
use crate::formats::{FormatError, printable};
use crate::network::{Activation, InputBox, Network};
use ndarray::Array2;
use prost::Message;
use std::collections::HashMap;
use std::rc::Rc;

/// What a supported operator looks like: how many inputs it takes and which attributes it
/// knows. Anything else is refused, as onnxruntime refuses it: a misspelled attribute
/// (`uransB`) would otherwise be read as absent, and the network as a different function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpSpec {
    /// The operator type.
    pub name: &'static str,
    /// Fewest inputs (optional trailing inputs may be left out).
    pub min_inputs: usize,
    /// Most inputs.
    pub max_inputs: usize,
    /// The attributes it takes.
    pub attributes: &'static [&'static str],
}

const fn spec(
    name: &'static str,
    min_inputs: usize,
    max_inputs: usize,
    attributes: &'static [&'static str],
) -> OpSpec {
    OpSpec {
        name,
        min_inputs,
        max_inputs,
        attributes,
    }
}

/// The operators the reader translates, with their signatures: the one table behind the check
/// of each node and the error message that names them (in this order).
///
/// `broadcast` is the opset < 7 flag that allowed the constant operand to broadcast (the
/// reader checks the shapes either way); the old `axis` of elementwise ops, which aligned the
/// constant elsewhere than at the trailing axes, is refused.
pub const OP_SPECS: [OpSpec; 14] = [
    spec(
        "Gemm",
        2,
        3,
        &["alpha", "beta", "transA", "transB", "broadcast"],
    ),
    spec("MatMul", 2, 2, &[]),
    spec("Add", 2, 2, &["broadcast"]),
    spec("Sub", 2, 2, &["broadcast"]),
    spec("Mul", 2, 2, &["broadcast"]),
    spec("Div", 2, 2, &["broadcast"]),
    spec("Relu", 1, 1, &[]),
    spec("Clip", 1, 3, &["min", "max"]),
    spec("Flatten", 1, 1, &["axis"]),
    spec("Reshape", 2, 2, &["allowzero"]),
    spec("Identity", 1, 1, &[]),
    spec("Squeeze", 1, 2, &["axes"]),
    spec("Unsqueeze", 1, 2, &["axes"]),
    spec(
        "Constant",
        0,
        0,
        &[
            "value",
            "value_float",
            "value_floats",
            "value_int",
            "value_ints",
        ],
    ),
];

/// The names of [`OP_SPECS`], in order.
pub const SUPPORTED_OPS: [&str; OP_SPECS.len()] = {
    let mut names = [""; OP_SPECS.len()];
    let mut i = 0;
    while i < OP_SPECS.len() {
        names[i] = OP_SPECS[i].name;
        i += 1;
    }
    names
};

/// Checks a node's inputs, outputs and attributes against its operator's [`OpSpec`].
fn check_signature(node: &NodeProto, spec: &OpSpec, label: &str) -> Result<(), FormatError> {
    let inputs = node.input.len();
    if inputs < spec.min_inputs || inputs > spec.max_inputs {
        let expected = if spec.min_inputs == spec.max_inputs {
            format!("{}", spec.min_inputs)
        } else {
            format!("{} to {}", spec.min_inputs, spec.max_inputs)
        };
        return Err(err(format!(
            "{label} has {inputs} input(s); {} takes {expected}",
            spec.name
        )));
    }
    if node.output.len() != 1 {
        return Err(err(format!(
            "{label} has {} outputs; reluscope reads nodes with exactly one",
            node.output.len()
        )));
    }
    for attribute in &node.attribute {
        if !spec.attributes.contains(&attribute.name.as_str()) {
            let known = if spec.attributes.is_empty() {
                "none".to_string()
            } else {
                spec.attributes.join(", ")
            };
            return Err(err(format!(
                "{label}: unknown attribute '{}' ({} takes: {known})",
                printable(&attribute.name),
                spec.name
            )));
        }
    }
    Ok(())
}

fn err(message: String) -> FormatError {
    FormatError::Onnx(message)
}

/// Parses ONNX bytes into a network (see the module documentation of `formats::onnx`).
pub fn read(bytes: &[u8]) -> Result<Network, FormatError> {
    let model = ModelProto::decode(bytes)
        .map_err(|e| err(format!("not a readable ONNX protobuf ({e})")))?;
    let graph = model
        .graph
        .as_ref()
        .ok_or_else(|| err("the file holds no graph".into()))?;
    let layers = GraphReader::new(graph)?.run()?;
    let mut network = Network::new(layers, None)?;
    apply_metadata(&mut network, &model.metadata_props)?;
    Ok(network)
}

/// Restores the input box, name and metadata that [`super::to_bytes`] stores.
fn apply_metadata(
    network: &mut Network,
    props: &[StringStringEntryProto],
) -> Result<(), FormatError> {
    for entry in props {
        let bad = |e: String| err(format!("metadata '{}': {e}", entry.key));
        match entry.key.as_str() {
            INPUT_BOUNDS_KEY => {
                let pairs: Vec<[f64; 2]> =
                    serde_json::from_str(&entry.value).map_err(|e| bad(e.to_string()))?;
                let input_box = InputBox::from_pairs(&pairs).map_err(|e| bad(e.to_string()))?;
                network.set_box(input_box).map_err(|e| bad(e.to_string()))?;
            }
            NAME_KEY => network.name = entry.value.clone(),
            METADATA_KEY => {
                network.metadata =
                    serde_json::from_str(&entry.value).map_err(|e| bad(e.to_string()))?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// A named value of the graph.
#[derive(Debug, Clone)]
enum Value {
    /// An initializer or the output of a `Constant` node.
    Const(Rc<Tensor>),
    /// The running value after `generation` nodes; only the latest may be read.
    Data(usize),
}

/// An operand of a node, resolved.
#[derive(Debug, Clone)]
enum Operand {
    Const(Rc<Tensor>),
    Data,
}

struct GraphReader<'g> {
    graph: &'g GraphProto,
    values: HashMap<&'g str, Value>,
    generation: usize,
    shape: Vec<Dim>,
    chain: Chain,
}

impl<'g> GraphReader<'g> {
    fn new(graph: &'g GraphProto) -> Result<Self, FormatError> {
        let mut values = HashMap::new();
        for t in &graph.initializer {
            let tensor = decode_tensor(t, &format!("initializer '{}'", t.name))?;
            values.insert(t.name.as_str(), Value::Const(Rc::new(tensor)));
        }
        let inputs: Vec<&ValueInfoProto> = graph
            .input
            .iter()
            .filter(|v| !values.contains_key(v.name.as_str()))
            .collect();
        let input = match inputs.as_slice() {
            [one] => *one,
            [] => {
                return Err(err(
                    "the graph has no data input (every graph input has an initializer)".into(),
                ));
            }
            many => {
                let names: Vec<&str> = many.iter().map(|v| v.name.as_str()).collect();
                return Err(err(format!(
                    "the graph has {} data inputs ({}); reluscope reads networks with exactly one",
                    many.len(),
                    names.join(", ")
                )));
            }
        };
        let shape = input_shape(input)?;
        let n =
            affine::features(&shape).map_err(|e| err(format!("input '{}': {e}", input.name)))?;
        values.insert(input.name.as_str(), Value::Data(0));
        Ok(Self {
            graph,
            values,
            generation: 0,
            shape,
            chain: Chain::new(n),
        })
    }

    /// Walks the nodes and returns the layers.
    fn run(mut self) -> Result<Vec<crate::network::Layer>, FormatError> {
        for (index, node) in self.graph.node.iter().enumerate() {
            self.node(index, node)?;
        }
        let output = match self.graph.output.as_slice() {
            [one] => one.name.as_str(),
            outs => {
                return Err(err(format!(
                    "the graph has {} outputs; reluscope reads networks with exactly one",
                    outs.len()
                )));
            }
        };
        match self.values.get(output) {
            Some(Value::Data(g)) if *g == self.generation => {}
            Some(Value::Data(_)) => {
                return Err(err(format!(
                    "graph output '{output}' is not the end of the node chain (later nodes read it)"
                )));
            }
            Some(Value::Const(_)) => {
                return Err(err(format!(
                    "graph output '{output}' is a constant, not computed from the input"
                )));
            }
            None => {
                return Err(err(format!(
                    "graph output '{output}' is not produced by any node"
                )));
            }
        }
        self.chain.finish().map_err(err)
    }

    fn node(&mut self, index: usize, node: &'g NodeProto) -> Result<(), FormatError> {
        let name = if node.name.is_empty() {
            format!("#{index}")
        } else {
            node.name.clone()
        };
        let op = node.op_type.as_str();
        let default_domain = node.domain.is_empty() || node.domain == "ai.onnx";
        if !default_domain || !SUPPORTED_OPS.contains(&op) {
            let op = if default_domain {
                op.to_string()
            } else {
                format!("{}.{op}", node.domain)
            };
            return Err(FormatError::UnsupportedOnnxOp {
                op: printable(&op),
                node: printable(&name),
                supported: &SUPPORTED_OPS,
            });
        }
        let label = format!("node '{}' ({op})", printable(&name));
        let spec = OP_SPECS
            .iter()
            .find(|s| s.name == op)
            .ok_or_else(|| err(format!("{label}: no signature for a supported op")))?;
        check_signature(node, spec, &label)?;
        let Some(output) = node.output.first().filter(|o| !o.is_empty()) else {
            return Err(err(format!("{label} has no output")));
        };
        let value = if op == "Constant" {
            Value::Const(Rc::new(constant_value(node, &label)?))
        } else {
            let operands = node
                .input
                .iter()
                .map(|i| self.operand(i, &label))
                .collect::<Result<Vec<_>, _>>()?;
            self.apply(node, &label, &operands)?
        };
        if self.values.contains_key(output.as_str()) {
            return Err(err(format!(
                "{label}: output '{output}' is already defined"
            )));
        }
        self.values.insert(output.as_str(), value);
        Ok(())
    }

    /// Resolves an input name; `None` for an omitted optional input (empty name).
    fn operand(&self, name: &str, label: &str) -> Result<Option<Operand>, FormatError> {
        if name.is_empty() {
            return Ok(None);
        }
        match self.values.get(name) {
            Some(Value::Const(t)) => Ok(Some(Operand::Const(Rc::clone(t)))),
            Some(Value::Data(g)) if *g == self.generation => Ok(Some(Operand::Data)),
            Some(Value::Data(_)) => Err(err(format!(
                "{label} reads '{name}', which another node already consumed: branching graphs are not supported"
            ))),
            None => Err(err(format!(
                "{label}: input '{name}' is not an initializer, the graph input or an earlier node's output"
            ))),
        }
    }

    /// Translates one non-`Constant` node; returns the value of its output.
    fn apply(
        &mut self,
        node: &NodeProto,
        label: &str,
        operands: &[Option<Operand>],
    ) -> Result<Value, FormatError> {
        let op = node.op_type.as_str();
        let at = |e: String| err(format!("{label}: {e}"));
        let data_count = operands
            .iter()
            .filter(|o| matches!(o, Some(Operand::Data)))
            .count();
        match (op, data_count) {
            ("Identity", 0) => {
                return match operands.first() {
                    Some(Some(Operand::Const(t))) => Ok(Value::Const(Rc::clone(t))),
                    _ => Err(at("needs one input".into())),
                };
            }
            (_, 0) => {
                return Err(at(
                    "does not read the running value (only constants); constant folding is not supported"
                        .into(),
                ));
            }
            (_, 1) => {}
            _ => {
                return Err(at(
                    "reads the running value more than once, which is not an affine map".into(),
                ));
            }
        }
        let first_is_data = matches!(operands.first(), Some(Some(Operand::Data)));
        let unary = || {
            if first_is_data {
                Ok(())
            } else {
                Err(at("the running value must be its first input".into()))
            }
        };
        // The constant operand at `index`, if given.
        let constant = |index: usize| -> Option<Rc<Tensor>> {
            match operands.get(index) {
                Some(Some(Operand::Const(t))) => Some(Rc::clone(t)),
                _ => None,
            }
        };
        let (shape, linear) = match op {
            "Identity" => (self.shape.clone(), None),
            "Relu" => {
                unary()?;
                self.chain.activate(Activation::Relu).map_err(at)?;
                (self.shape.clone(), None)
            }
            "Clip" => {
                unary()?;
                let min = clip_bound(node, "min", constant(1), label)?.filter(|v| *v > -LIMIT);
                let max = clip_bound(node, "max", constant(2), label)?.filter(|v| *v < LIMIT);
                self.chain.clip(min, max).map_err(at)?;
                (self.shape.clone(), None)
            }
            "Flatten" => {
                unary()?;
                let axis = attr_int(node, "axis", 1, label)?;
                (affine::flatten(&self.shape, axis).map_err(at)?, None)
            }
            "Reshape" => {
                unary()?;
                let target =
                    constant(1).ok_or_else(|| at("the target shape must be a constant".into()))?;
                let target = integer_values(&target, &format!("{label}: target shape"))?;
                let allowzero = attr_int(node, "allowzero", 0, label)? != 0;
                (
                    affine::reshape(&self.shape, &target, allowzero).map_err(at)?,
                    None,
                )
            }
            "Squeeze" | "Unsqueeze" => {
                unary()?;
                let axes = match (attr_ints(node, "axes"), constant(1)) {
                    (Some(a), _) => Some(a.to_vec()),
                    (None, Some(t)) => Some(integer_values(&t, &format!("{label}: axes"))?),
                    (None, None) => None,
                };
                let shape = if op == "Squeeze" {
                    affine::squeeze(&self.shape, axes.as_deref())
                } else {
                    let axes = axes.ok_or_else(|| at("Unsqueeze needs axes".into()))?;
                    affine::unsqueeze(&self.shape, &axes)
                };
                (shape.map_err(at)?, None)
            }
            "Add" | "Sub" | "Mul" | "Div" => {
                let (c, data_first) = match operands {
                    [Some(Operand::Data), Some(Operand::Const(c))] => (c, true),
                    [Some(Operand::Const(c)), Some(Operand::Data)] => (c, false),
                    _ => return Err(at("expects two inputs".into())),
                };
                let kind = match (op, data_first) {
                    ("Add", _) => Elementwise::Add,
                    ("Sub", true) => Elementwise::Sub,
                    ("Sub", false) => Elementwise::SubFrom,
                    ("Mul", _) => Elementwise::Mul,
                    ("Div", true) => Elementwise::Div,
                    _ => {
                        return Err(at(
                            "divides a constant by the running value, which is not affine".into(),
                        ));
                    }
                };
                let (shape, op) = affine::elementwise(&self.shape, c, kind).map_err(at)?;
                (shape, Some(op))
            }
            "MatMul" => self.matmul(operands, label)?,
            "Gemm" => self.gemm(node, operands, label)?,
            _ => return Err(at("is not handled".into())),
        };
        if let Some(linear) = linear {
            self.chain.apply(linear).map_err(at)?;
        }
        if affine::features(&shape).ok() != Some(self.chain.dim()) {
            return Err(at(format!(
                "internal error: shape {} disagrees with {} features",
                affine::show(&shape),
                self.chain.dim()
            )));
        }
        self.shape = shape;
        self.generation += 1;
        Ok(Value::Data(self.generation))
    }

    /// `MatMul(x, W)` (W is `in × out`, or a vector) or `MatMul(W, x)` (W is `out × in`).
    fn matmul(
        &mut self,
        operands: &[Option<Operand>],
        label: &str,
    ) -> Result<(Vec<Dim>, Option<LinearOp>), FormatError> {
        let at = |e: String| err(format!("{label}: {e}"));
        let rank = self.shape.len();
        if rank == 0 {
            return Err(at("the running value is a scalar".into()));
        }
        let (w, data_first) = match operands {
            [Some(Operand::Data), Some(Operand::Const(w))] => (w, true),
            [Some(Operand::Const(w)), Some(Operand::Data)] => (w, false),
            _ => return Err(at("expects two inputs".into())),
        };
        // Which axis of x meets W, and the matrix applied to it (rows = new axis size).
        let axis = if data_first || rank == 1 {
            rank - 1
        } else {
            rank - 2
        };
        let (g, drop_axis) = match (w.dims.as_slice(), data_first) {
            (&[k], _) => (to_matrix(1, k, &w.data, label)?, true),
            (&[r, c], true) => (to_matrix(r, c, &w.data, label)?.reversed_axes(), false),
            (&[r, c], false) => (to_matrix(r, c, &w.data, label)?, false),
            (dims, _) => {
                return Err(at(format!(
                    "weight of shape {dims:?}: only 1-D and 2-D weights are supported"
                )));
            }
        };
        let (mut shape, op) = affine::contract_axis(&self.shape, axis, &g).map_err(at)?;
        if drop_axis {
            shape = affine::remove_axis(&shape, axis).map_err(at)?;
        }
        Ok((shape, Some(op)))
    }

    /// `Gemm(A, B, C) = alpha·op(A)·op(B) + beta·C` with one of A, B the running value.
    fn gemm(
        &mut self,
        node: &NodeProto,
        operands: &[Option<Operand>],
        label: &str,
    ) -> Result<(Vec<Dim>, Option<LinearOp>), FormatError> {
        let at = |e: String| err(format!("{label}: {e}"));
        let trans_a = attr_int(node, "transA", 0, label)? != 0;
        let trans_b = attr_int(node, "transB", 0, label)? != 0;
        let alpha = attr_float(node, "alpha", label)?.unwrap_or(1.0);
        let beta = attr_float(node, "beta", label)?.unwrap_or(1.0);
        if self.shape.len() != 2 {
            return Err(at(format!(
                "the running value has shape {}; Gemm needs rank 2 (add a Flatten)",
                affine::show(&self.shape)
            )));
        }
        let matrix = |w: &Tensor, transpose: bool| -> Result<Array2<f64>, FormatError> {
            let &[r, c] = w.dims.as_slice() else {
                return Err(at(format!("weight of shape {:?} is not 2-D", w.dims)));
            };
            let m = to_matrix(r, c, &w.data, label)? * alpha;
            Ok(if transpose { m.reversed_axes() } else { m })
        };
        // Running value first: y = x·op(B), i.e. op(B)ᵀ on the last axis. Otherwise
        // y = op(A)·x on the first axis.
        let (transpose_x, g, axis) = match operands.get(..2) {
            Some([Some(Operand::Data), Some(Operand::Const(b))]) => {
                (trans_a, matrix(b, !trans_b)?, 1)
            }
            Some([Some(Operand::Const(a)), Some(Operand::Data)]) => {
                (trans_b, matrix(a, trans_a)?, 0)
            }
            _ => return Err(at("expects A and B, one of them the running value".into())),
        };
        let mut shape = self.shape.clone();
        let mut ops = Vec::new();
        if transpose_x {
            let (s, perm) = affine::transpose2(&shape).map_err(at)?;
            shape = s;
            ops.extend(perm);
        }
        let (shape, product) = affine::contract_axis(&shape, axis, &g).map_err(at)?;
        ops.push(product);
        let bias = match operands.get(2) {
            None | Some(None) => None,
            Some(Some(Operand::Const(c))) => Some(c),
            Some(Some(Operand::Data)) => {
                return Err(at("the bias C must be a constant".into()));
            }
        };
        if let Some(c) = bias {
            let scaled = Tensor {
                dims: c.dims.clone(),
                data: c.data.iter().map(|v| v * beta).collect(),
            };
            let no_fit = || {
                at(format!(
                    "bias C of shape {:?} does not broadcast to the output {}",
                    c.dims,
                    affine::show(&shape)
                ))
            };
            let (with_bias, add) =
                affine::elementwise(&shape, &scaled, Elementwise::Add).map_err(|_| no_fit())?;
            if with_bias != shape {
                return Err(no_fit());
            }
            ops.push(add);
        }
        // All but the last op go into the chain now; the caller applies the last one.
        let last = ops.pop();
        for op in ops {
            self.chain.apply(op).map_err(at)?;
        }
        Ok((shape, last))
    }
}

/// Clip bounds at or beyond ±`f32::MAX` (the old attribute defaults) mean "no bound".
const LIMIT: f64 = f32::MAX as f64;

/// A Clip bound from the attribute (opset < 11) or the constant input (opset ≥ 11).
fn clip_bound(
    node: &NodeProto,
    name: &str,
    input: Option<Rc<Tensor>>,
    label: &str,
) -> Result<Option<f64>, FormatError> {
    let value = match (attr_float(node, name, label)?, input) {
        (Some(v), _) => Some(v),
        (None, Some(t)) => Some(t.scalar().ok_or_else(|| {
            err(format!(
                "{label}: {name} must be a single value, found shape {:?}",
                t.dims
            ))
        })?),
        (None, None) => None,
    };
    match value {
        Some(v) if v.is_nan() => Err(err(format!("{label}: {name} is NaN"))),
        v => Ok(v),
    }
}

/// An `r × c` matrix from row-major values.
fn to_matrix(r: usize, c: usize, data: &[f64], label: &str) -> Result<Array2<f64>, FormatError> {
    Array2::from_shape_vec((r, c), data.to_vec())
        .map_err(|e| err(format!("{label}: weight matrix {r}×{c}: {e}")))
}

/// The shape of the data input: a symbolic (or unknown) axis is the batch axis, fixed axes
/// are features (so `[1, n]` is one sample and `[n, 1]` a column vector).
fn input_shape(input: &ValueInfoProto) -> Result<Vec<Dim>, FormatError> {
    let name = &input.name;
    let tensor = input
        .r#type
        .as_ref()
        .and_then(|t| t.tensor_type.as_ref())
        .ok_or_else(|| err(format!("input '{name}' is not a tensor")))?;
    if ![DATA_FLOAT, DATA_DOUBLE, DATA_FLOAT16, DATA_BFLOAT16].contains(&tensor.elem_type) {
        return Err(err(format!(
            "input '{name}' has element type {}; a floating-point input is expected",
            data_type_name(tensor.elem_type)
        )));
    }
    let dims = &tensor
        .shape
        .as_ref()
        .ok_or_else(|| err(format!("input '{name}' has no declared shape")))?
        .dim;
    let shape: Vec<Dim> = dims
        .iter()
        .map(|d| match &d.value {
            Some(DimensionValue::DimValue(v)) if *v > 0 => {
                usize::try_from(*v).map_or(Dim::Batch, Dim::Fixed)
            }
            _ => Dim::Batch,
        })
        .collect();
    let symbolic: Vec<usize> = (0..shape.len())
        .filter(|&a| shape[a] == Dim::Batch)
        .collect();
    let batch_first = symbolic
        .first()
        .is_none_or(|&b| symbolic.len() == 1 && shape[..b].iter().all(|d| *d == Dim::Fixed(1)));
    if !batch_first {
        return Err(err(format!(
            "input '{name}' has symbolic sizes on axes {symbolic:?}; only a leading batch axis may be symbolic"
        )));
    }
    Ok(shape)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The message lists the supported ops in the words it always used.
    #[test]
    fn the_message_names_every_supported_op() {
        let e = FormatError::UnsupportedOnnxOp {
            op: "Sigmoid".into(),
            node: "act".into(),
            supported: &SUPPORTED_OPS,
        };
        assert_eq!(
            e.to_string(),
            "unsupported ONNX op 'Sigmoid' in node 'act' (supported: Gemm, MatMul, Add, Sub, \
             Mul, Div, Relu, Clip, Flatten, Reshape, Identity, Squeeze, Unsqueeze, Constant)"
        );
    }
}
