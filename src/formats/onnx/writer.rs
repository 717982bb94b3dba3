//! Writing a network as an ONNX graph: `Gemm` (transB = 1) per layer, then `Relu`, or `Clip`
//! for a clipped ReLU, all in `DOUBLE` so that weights round-trip exactly.

use super::proto::{
    ATTR_INT, AttributeProto, DATA_DOUBLE, Dimension, DimensionValue, GraphProto, ModelProto,
    NodeProto, OperatorSetIdProto, StringStringEntryProto, TensorProto, TensorShapeProto,
    TypeProto, TypeProtoTensor, ValueInfoProto,
};
use super::{INPUT_BOUNDS_KEY, METADATA_KEY, NAME_KEY};
use crate::network::{Activation, InputBox, Network};
use prost::Message;

/// ONNX IR version written (IR 8 goes with opset 13 onwards).
pub const IR_VERSION: i64 = 8;
/// Default-domain opset written.
pub const OPSET: i64 = 13;

/// Serialises `network` (see the module documentation of `formats::onnx`).
pub fn write(network: &Network) -> Vec<u8> {
    let layers = network.layers();
    let last = layers.len().saturating_sub(1);
    let mut node = Vec::new();
    let mut initializer = Vec::new();
    let mut previous = "input".to_string();
    for (k, layer) in layers.iter().enumerate() {
        let activation_output = if k == last {
            "output".to_string()
        } else {
            format!("layer{k}_act")
        };
        let linear_output = if layer.activation == Activation::Linear {
            activation_output.clone()
        } else {
            format!("layer{k}_linear")
        };
        let (weight, bias) = (format!("layer{k}_weight"), format!("layer{k}_bias"));
        initializer.push(double_tensor(
            &weight,
            &[layer.outputs(), layer.inputs()],
            layer.weights.iter().copied(),
        ));
        initializer.push(double_tensor(
            &bias,
            &[layer.outputs()],
            layer.bias.iter().copied(),
        ));
        node.push(NodeProto {
            input: vec![previous, weight, bias],
            output: vec![linear_output.clone()],
            name: format!("layer{k}_gemm"),
            op_type: "Gemm".into(),
            attribute: vec![AttributeProto {
                name: "transB".into(),
                i: Some(1),
                r#type: Some(ATTR_INT),
                ..Default::default()
            }],
            domain: String::new(),
        });
        let mut activation_node = |op: &str, mut inputs: Vec<String>| {
            inputs.insert(0, linear_output.clone());
            node.push(NodeProto {
                input: inputs,
                output: vec![activation_output.clone()],
                name: format!("layer{k}_{}", op.to_ascii_lowercase()),
                op_type: op.into(),
                ..Default::default()
            });
        };
        match layer.activation {
            Activation::Linear => {}
            Activation::Relu => activation_node("Relu", vec![]),
            Activation::ClippedRelu { cap } => {
                let (min, max) = (format!("layer{k}_clip_min"), format!("layer{k}_clip_max"));
                initializer.push(double_tensor(&min, &[], [0.0]));
                initializer.push(double_tensor(&max, &[], [cap]));
                activation_node("Clip", vec![min, max]);
            }
        }
        previous = activation_output;
    }
    let graph = GraphProto {
        node,
        name: "reluscope".into(),
        initializer,
        input: vec![value_info("input", network.input_dim())],
        output: vec![value_info("output", network.output_dim())],
        value_info: vec![],
    };
    let mut metadata_props = vec![entry(NAME_KEY, network.name.clone())];
    if let Some(input_box) = network.input_box() {
        let pairs = serde_json::to_string(&InputBox::pairs(input_box))
            .expect("finite bounds always serialise");
        metadata_props.push(entry(INPUT_BOUNDS_KEY, pairs));
    }
    if !network.metadata.is_null() {
        metadata_props.push(entry(METADATA_KEY, network.metadata.to_string()));
    }
    ModelProto {
        ir_version: IR_VERSION,
        producer_name: "reluscope".into(),
        graph: Some(graph),
        opset_import: vec![OperatorSetIdProto {
            domain: String::new(),
            version: OPSET,
        }],
        metadata_props,
    }
    .encode_to_vec()
}

/// A `DOUBLE` initializer with little-endian `raw_data`.
fn double_tensor(name: &str, dims: &[usize], values: impl IntoIterator<Item = f64>) -> TensorProto {
    TensorProto {
        // Shapes of a validated network are far below i64::MAX.
        dims: dims.iter().map(|&d| d as i64).collect(),
        data_type: DATA_DOUBLE,
        name: name.into(),
        raw_data: values.into_iter().flat_map(f64::to_le_bytes).collect(),
        ..Default::default()
    }
}

/// A `DOUBLE` tensor value of shape `[batch, n]`.
fn value_info(name: &str, n: usize) -> ValueInfoProto {
    let dim = |value| Dimension { value: Some(value) };
    ValueInfoProto {
        name: name.into(),
        r#type: Some(TypeProto {
            tensor_type: Some(TypeProtoTensor {
                elem_type: DATA_DOUBLE,
                shape: Some(TensorShapeProto {
                    dim: vec![
                        dim(DimensionValue::DimParam("batch".into())),
                        dim(DimensionValue::DimValue(n as i64)),
                    ],
                }),
            }),
        }),
    }
}

fn entry(key: &str, value: String) -> StringStringEntryProto {
    StringStringEntryProto {
        key: key.into(),
        value,
    }
}
