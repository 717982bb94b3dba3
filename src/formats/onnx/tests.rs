//! Unit tests of the ONNX reader and writer on graphs built in memory.

use super::proto::*;
use super::*;
use crate::formats::FormatError;
use crate::network::tests::random_network_with;
use crate::network::{Activation, InputBox};
use prost::Message;
use rand::{Rng, SeedableRng};

fn f32_tensor(name: &str, dims: &[i64], values: &[f32]) -> TensorProto {
    TensorProto {
        dims: dims.to_vec(),
        data_type: DATA_FLOAT,
        name: name.into(),
        float_data: values.to_vec(),
        ..Default::default()
    }
}

fn node(op: &str, name: &str, inputs: &[&str], output: &str) -> NodeProto {
    NodeProto {
        input: inputs.iter().map(|s| s.to_string()).collect(),
        output: vec![output.into()],
        name: name.into(),
        op_type: op.into(),
        ..Default::default()
    }
}

fn float_attr(name: &str, v: f32) -> AttributeProto {
    AttributeProto {
        name: name.into(),
        f: Some(v),
        r#type: Some(ATTR_FLOAT),
        ..Default::default()
    }
}

fn value(name: &str, dims: &[DimensionValue]) -> ValueInfoProto {
    ValueInfoProto {
        name: name.into(),
        r#type: Some(TypeProto {
            tensor_type: Some(TypeProtoTensor {
                elem_type: DATA_FLOAT,
                shape: Some(TensorShapeProto {
                    dim: dims
                        .iter()
                        .map(|d| Dimension {
                            value: Some(d.clone()),
                        })
                        .collect(),
                }),
            }),
        }),
    }
}

fn batch_by(n: i64) -> Vec<DimensionValue> {
    vec![
        DimensionValue::DimParam("N".into()),
        DimensionValue::DimValue(n),
    ]
}

/// A model with input `x` of shape `[N, 2]` and output `y`.
fn model(nodes: Vec<NodeProto>, initializer: Vec<TensorProto>) -> Vec<u8> {
    ModelProto {
        ir_version: 7,
        graph: Some(GraphProto {
            node: nodes,
            initializer,
            input: vec![value("x", &batch_by(2))],
            output: vec![value("y", &[])],
            ..Default::default()
        }),
        ..Default::default()
    }
    .encode_to_vec()
}

/// 2 → 2 Gemm with W = [[1, 2], [-1, 1]], b = [0.5, -0.5], named `W`, `b`.
fn gemm_inits() -> Vec<TensorProto> {
    vec![
        f32_tensor("W", &[2, 2], &[1.0, 2.0, -1.0, 1.0]),
        f32_tensor("b", &[2], &[0.5, -0.5]),
    ]
}

fn gemm(input: &str, output: &str) -> NodeProto {
    let mut n = node("Gemm", "fc", &[input, "W", "b"], output);
    n.attribute.push(AttributeProto {
        name: "transB".into(),
        i: Some(1),
        r#type: Some(ATTR_INT),
        ..Default::default()
    });
    n
}

fn error(bytes: &[u8]) -> String {
    match from_bytes(bytes) {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn round_trip_is_exact_for_relu_and_clipped_relu() {
    for (seed, hidden) in [
        (1, Activation::Relu),
        (2, Activation::ClippedRelu { cap: 0.75 }),
    ] {
        let mut net = random_network_with(&[3, 6, 5, 2], seed, hidden).named("round trip");
        net.metadata = serde_json::json!({"seed": seed, "note": "x"});
        let back = from_bytes(&to_bytes(&net)).unwrap();
        assert_eq!(back, net);
    }
    // Without a box or metadata nothing extra appears.
    let net = crate::network::Network::new(
        vec![crate::network::Layer::new(
            ndarray::array![[0.1, -1e-300]],
            ndarray::array![1e12],
            Activation::Linear,
        )],
        None,
    )
    .unwrap();
    let back = from_bytes(&to_bytes(&net)).unwrap();
    assert_eq!(back, net);
    assert!(back.input_box().is_none());
}

#[test]
fn clip_with_inputs_is_a_clipped_relu() {
    let mut inits = gemm_inits();
    inits.push(f32_tensor("lo", &[], &[0.0]));
    inits.push(f32_tensor("hi", &[], &[1.5]));
    let bytes = model(
        vec![
            gemm("x", "h"),
            node("Clip", "clip", &["h", "lo", "hi"], "y"),
        ],
        inits,
    );
    let net = from_bytes(&bytes).unwrap();
    assert_eq!(
        net.layers()[0].activation,
        Activation::ClippedRelu { cap: 1.5 }
    );
    // a = (x0 + 2 x1 + 0.5, −x0 + x1 − 0.5)
    assert_eq!(net.forward(&[1.0, 1.0]), vec![1.5, 0.0]);
    assert_eq!(net.forward(&[0.0, 0.25]), vec![1.0, 0.0]);
}

#[test]
fn clip_with_attributes_or_constant_nodes() {
    // Opset 6 style: min/max attributes; a huge max means no cap.
    let mut clip = node("Clip", "clip6", &["h"], "y");
    clip.attribute = vec![float_attr("min", 0.0), float_attr("max", f32::MAX)];
    let net = from_bytes(&model(vec![gemm("x", "h"), clip.clone()], gemm_inits())).unwrap();
    assert_eq!(net.layers()[0].activation, Activation::Relu);
    clip.attribute[1] = float_attr("max", 6.0);
    let net = from_bytes(&model(vec![gemm("x", "h"), clip], gemm_inits())).unwrap();
    assert_eq!(
        net.layers()[0].activation,
        Activation::ClippedRelu { cap: 6.0 }
    );
    // Opset 13 style with the bounds from Constant nodes, and an omitted max ("").
    let mut lo = node("Constant", "", &[], "lo");
    lo.attribute.push(AttributeProto {
        name: "value".into(),
        t: Some(f32_tensor("", &[], &[0.0])),
        ..Default::default()
    });
    let bytes = model(
        vec![lo, gemm("x", "h"), node("Clip", "c", &["h", "lo", ""], "y")],
        gemm_inits(),
    );
    let net = from_bytes(&bytes).unwrap();
    assert_eq!(net.layers()[0].activation, Activation::Relu);
    // A non-scalar bound is refused, naming the node.
    let mut inits = gemm_inits();
    inits.push(f32_tensor("lo", &[2], &[0.0, 0.0]));
    let e = error(&model(
        vec![gemm("x", "h"), node("Clip", "c", &["h", "lo"], "y")],
        inits,
    ));
    assert!(e.contains("node 'c' (Clip)") && e.contains("min"), "{e}");
}

#[test]
fn every_supported_op_has_a_translation() {
    for op in SUPPORTED_OPS {
        let bytes = model(
            vec![gemm("x", "h"), node(op, "n", &["h"], "y")],
            gemm_inits(),
        );
        match from_bytes(&bytes) {
            Ok(_) => {}
            Err(FormatError::UnsupportedOnnxOp { .. }) => panic!("{op} is listed but refused"),
            Err(e) => assert!(!e.to_string().contains("is not handled"), "{op}: {e}"),
        }
    }
}

#[test]
fn unsupported_ops_name_the_op_and_the_node() {
    let bytes = model(
        vec![gemm("x", "h"), node("Sigmoid", "act1", &["h"], "y")],
        gemm_inits(),
    );
    let e = from_bytes(&bytes).unwrap_err();
    assert!(
        matches!(&e, FormatError::UnsupportedOnnxOp { op, node, .. } if op == "Sigmoid" && node == "act1"),
        "{e}"
    );
    let bytes = model(
        vec![gemm("x", "h"), node("Tanh", "", &["h"], "y")],
        gemm_inits(),
    );
    let e = error(&bytes);
    assert!(
        e.contains("'Tanh'") && e.contains("'#1'") && e.contains("Gemm, MatMul"),
        "{e}"
    );
    let mut custom = node("Relu", "r", &["h"], "y");
    custom.domain = "com.example".into();
    let e = error(&model(vec![gemm("x", "h"), custom], gemm_inits()));
    assert!(e.contains("com.example.Relu"), "{e}");
}

#[test]
fn structural_errors_are_one_clear_line() {
    let relu = |i: &str, o: &str| node("Relu", "r", &[i], o);
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (
            b"\xff\xff\xff garbage".to_vec(),
            "not a readable ONNX protobuf",
        ),
        (Vec::new(), "no graph"),
        (
            model(
                vec![gemm("x", "y")],
                vec![f32_tensor("W", &[2, 2], &[1.0; 4])],
            ),
            "input 'b' is not an initializer",
        ),
        (
            model(vec![gemm("x", "h"), relu("x", "y")], gemm_inits()),
            "branching graphs",
        ),
        (
            model(vec![gemm("x", "h")], gemm_inits()),
            "'y' is not produced",
        ),
        (
            model(
                vec![gemm("x", "h"), node("Add", "add", &["h", "h"], "y")],
                gemm_inits(),
            ),
            "more than once",
        ),
        (
            model(
                vec![gemm("x", "h"), node("Div", "div", &["b", "h"], "y")],
                gemm_inits(),
            ),
            "node 'div' (Div): divides a constant",
        ),
        (
            model(
                vec![node("Gemm", "g", &["x", "W3", "b"], "y")],
                vec![
                    f32_tensor("W3", &[2, 3], &[1.0; 6]),
                    f32_tensor("b", &[2], &[0.0; 2]),
                ],
            ),
            "node 'g' (Gemm): bias C of shape [2]",
        ),
        (
            model(
                vec![node("Gemm", "g", &["x", "W3"], "y")],
                vec![f32_tensor("W3", &[3, 4], &[1.0; 12])],
            ),
            "a 4×3 weight matrix meets axis 1 of shape [batch, 2]",
        ),
        (
            model(
                vec![node("Add", "a", &["x", "v"], "y")],
                vec![f32_tensor("v", &[3], &[1.0; 3])],
            ),
            "do not broadcast",
        ),
    ];
    for (bytes, expect) in cases {
        let e = error(&bytes);
        assert!(e.contains(expect), "expected «{expect}» in «{e}»");
        assert!(!e.contains('\n'), "{e}");
    }
}

#[test]
fn graph_inputs_are_told_apart_from_weights() {
    // Weights also listed as graph inputs: the data input is the one without initializer.
    let mut g = GraphProto {
        node: vec![gemm("x", "y")],
        initializer: gemm_inits(),
        input: vec![
            value(
                "W",
                &[DimensionValue::DimValue(2), DimensionValue::DimValue(2)],
            ),
            value("x", &batch_by(2)),
            value("b", &[DimensionValue::DimValue(2)]),
        ],
        output: vec![value("y", &[])],
        ..Default::default()
    };
    let encode = |g: &GraphProto| {
        ModelProto {
            graph: Some(g.clone()),
            ..Default::default()
        }
        .encode_to_vec()
    };
    assert_eq!(
        from_bytes(&encode(&g)).unwrap().forward(&[1.0, 0.0]),
        vec![1.5, -1.5]
    );
    g.input.push(value("z", &batch_by(2)));
    let e = error(&encode(&g));
    assert!(e.contains("2 data inputs (x, z)"), "{e}");
    g.input = vec![value(
        "x",
        &[
            DimensionValue::DimParam("n".into()),
            DimensionValue::DimParam("m".into()),
        ],
    )];
    let e = error(&encode(&g));
    assert!(e.contains("input 'x'") && e.contains("axes [0, 1]"), "{e}");
}

#[test]
fn metadata_is_restored_or_refused() {
    let net = random_network_with(&[2, 3, 1], 5, Activation::Relu);
    let mut model = ModelProto::decode(to_bytes(&net).as_slice()).unwrap();
    let back = from_bytes(&model.encode_to_vec()).unwrap();
    assert_eq!(back.input_box(), net.input_box());
    for (value, expect) in [
        ("[[0, 1]]", "1 dimensions"),
        ("[[1, 0], [0, 1]]", "inverted"),
        ("not json", "expected"),
    ] {
        let entry = model
            .metadata_props
            .iter_mut()
            .find(|e| e.key == INPUT_BOUNDS_KEY)
            .unwrap();
        entry.value = value.into();
        let e = error(&model.encode_to_vec());
        assert!(
            e.contains("metadata 'reluscope.input_bounds'") && e.contains(expect),
            "{e}"
        );
    }
    let _ = InputBox::parse("0,1").unwrap();
}

/// Random bytes, truncations and bit flips of a valid model never panic.
#[test]
fn arbitrary_bytes_never_panic() {
    let mut rng = rand_pcg::Pcg64::seed_from_u64(7);
    let net = random_network_with(&[3, 4, 4, 1], 11, Activation::ClippedRelu { cap: 1.0 });
    let valid = to_bytes(&net);
    let mut inits = gemm_inits();
    inits.push(f32_tensor("lo", &[], &[0.0]));
    let other = model(
        vec![
            gemm("x", "h"),
            node("Clip", "c", &["h", "lo"], "r"),
            node("MatMul", "m", &["r", "W"], "y"),
        ],
        inits,
    );
    let mut outcomes = [0usize; 2];
    for round in 0..6000 {
        let bytes: Vec<u8> = match round % 4 {
            0 => (0..rng.random_range(0..200))
                .map(|_| rng.random())
                .collect(),
            1 => valid[..rng.random_range(0..valid.len())].to_vec(),
            2 => {
                let mut b = if round % 8 == 2 {
                    valid.clone()
                } else {
                    other.clone()
                };
                for _ in 0..rng.random_range(1..4) {
                    let i = rng.random_range(0..b.len());
                    b[i] ^= 1 << rng.random_range(0..8);
                }
                b
            }
            _ => {
                let mut b = other.clone();
                let i = rng.random_range(0..b.len());
                b[i] = rng.random();
                b
            }
        };
        outcomes[usize::from(from_bytes(&bytes).is_ok())] += 1;
    }
    // Both outcomes occur: the test exercises the reader beyond the protobuf decoder.
    assert!(outcomes[0] > 0 && outcomes[1] > 0, "{outcomes:?}");
}

/// A random graph of (mostly supported) operators on random shapes.
fn random_graph(rng: &mut impl Rng) -> Vec<u8> {
    let small = |rng: &mut dyn rand::RngCore| rng.random_range(1..4i64);
    let mut dims: Vec<DimensionValue> = (0..rng.random_range(0..4))
        .map(|_| DimensionValue::DimValue(small(rng)))
        .collect();
    if !dims.is_empty() && rng.random_bool(0.5) {
        dims[0] = DimensionValue::DimParam("N".into());
    }
    let ops: Vec<&str> = SUPPORTED_OPS.into_iter().chain(["Sigmoid"]).collect();
    let mut nodes = Vec::new();
    let mut inits = Vec::new();
    let mut current = "x".to_string();
    let count = rng.random_range(1..7);
    for k in 0..count {
        let op = ops[rng.random_range(0..ops.len())];
        let output = if k + 1 == count {
            "y".to_string()
        } else {
            format!("v{k}")
        };
        let mut constant = |rng: &mut dyn rand::RngCore, integer: bool| {
            let name = format!("c{k}_{}", inits.len());
            let shape: Vec<i64> = (0..rng.random_range(0..3)).map(|_| small(rng)).collect();
            let n = shape.iter().product::<i64>() as usize;
            let values: Vec<f32> = (0..n)
                .map(|_| {
                    if integer {
                        rng.random_range(-1..5) as f32
                    } else {
                        rng.random_range(-2..3) as f32 * 0.5
                    }
                })
                .collect();
            inits.push(f32_tensor(&name, &shape, &values));
            name
        };
        let mut n = match op {
            "Gemm" | "MatMul" | "Add" | "Sub" | "Mul" | "Div" => {
                let c = constant(rng, false);
                let mut inputs = vec![current.clone(), c];
                if rng.random_bool(0.3) {
                    inputs.swap(0, 1);
                }
                if op == "Gemm" && rng.random_bool(0.5) {
                    inputs.push(constant(rng, false));
                }
                NodeProto {
                    input: inputs,
                    ..Default::default()
                }
            }
            "Reshape" | "Squeeze" | "Unsqueeze" => NodeProto {
                input: vec![current.clone(), constant(rng, true)],
                ..Default::default()
            },
            "Clip" => NodeProto {
                input: vec![current.clone(), constant(rng, false), constant(rng, false)],
                ..Default::default()
            },
            _ => NodeProto {
                input: vec![current.clone()],
                ..Default::default()
            },
        };
        for attr in ["transA", "transB", "axis"] {
            if rng.random_bool(0.3) {
                n.attribute.push(AttributeProto {
                    name: attr.into(),
                    i: Some(rng.random_range(-2..3)),
                    ..Default::default()
                });
            }
        }
        if op == "Constant" {
            n.input.clear();
            n.attribute = vec![AttributeProto {
                name: "value_floats".into(),
                floats: vec![1.0; rng.random_range(0..3)],
                ..Default::default()
            }];
        }
        n.op_type = op.into();
        n.output = vec![output.clone()];
        nodes.push(n);
        if op != "Constant" || rng.random_bool(0.2) {
            current = output;
        }
    }
    ModelProto {
        graph: Some(GraphProto {
            node: nodes,
            initializer: inits,
            input: vec![value("x", &dims)],
            output: vec![value("y", &[])],
            ..Default::default()
        }),
        ..Default::default()
    }
    .encode_to_vec()
}

/// Random graphs exercise every shape rule; whatever they hold, the reader returns.
#[test]
fn random_graphs_never_panic() {
    let mut rng = rand_pcg::Pcg64::seed_from_u64(3);
    let mut ok = 0;
    for _ in 0..5000 {
        let bytes = random_graph(&mut rng);
        if let Ok(net) = from_bytes(&bytes) {
            ok += 1;
            let y = net.forward(&vec![0.5; net.input_dim()]);
            assert_eq!(y.len(), net.output_dim());
        }
    }
    assert!(ok > 100, "only {ok} random graphs were readable");
}

#[test]
fn misspelled_attributes_and_wrong_input_counts_are_refused() {
    // A Gemm whose `transB` is misspelled would be read untransposed: a different function.
    let mut typo = gemm("x", "y");
    typo.attribute[0].name = "uransB".into();
    let e = error(&model(vec![typo], gemm_inits()));
    assert!(
        e.contains("node 'fc' (Gemm): unknown attribute 'uransB'"),
        "{e}"
    );
    assert!(e.contains("alpha, beta, transA, transB"), "{e}");
    // Relu with three inputs, Gemm with one, two outputs.
    let relu3 = node("Relu", "r", &["h", "W", "b"], "y");
    let e = error(&model(vec![gemm("x", "h"), relu3], gemm_inits()));
    assert!(
        e.contains("node 'r' (Relu) has 3 input(s); Relu takes 1"),
        "{e}"
    );
    let e = error(&model(vec![node("Gemm", "g", &["x"], "y")], gemm_inits()));
    assert!(e.contains("Gemm takes 2 to 3"), "{e}");
    let mut two = gemm("x", "y");
    two.output.push("z".into());
    assert!(error(&model(vec![two], gemm_inits())).contains("2 outputs"));
    // An attribute an op does not take at all.
    let mut relu = node("Relu", "r", &["h"], "y");
    relu.attribute.push(float_attr("alpha", 0.1));
    let e = error(&model(vec![gemm("x", "h"), relu], gemm_inits()));
    assert!(
        e.contains("unknown attribute 'alpha' (Relu takes: none)"),
        "{e}"
    );
    // The same graphs spelled right are read.
    let relu = node("Relu", "r", &["h"], "y");
    assert!(from_bytes(&model(vec![gemm("x", "h"), relu], gemm_inits())).is_ok());
}

#[test]
fn names_from_the_file_are_printed_with_control_characters_escaped() {
    let mut evil = gemm("x", "y");
    evil.name = "fc\u{1b}[2J\u{7}".into();
    evil.attribute[0].name = "t\nB".into();
    let e = error(&model(vec![evil], gemm_inits()));
    assert!(!e.chars().any(|c| c.is_control()), "{e:?}");
    assert!(
        e.contains("fc\\u{1b}[2J\\u{7}") && e.contains("t\\nB"),
        "{e}"
    );
    let e = error(&model(
        vec![node("Sig\u{1b}moid", "s\u{8}", &["x"], "y")],
        vec![],
    ));
    assert!(!e.chars().any(|c| c.is_control()), "{e:?}");
}
