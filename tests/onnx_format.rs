//! ONNX reading and writing against independent references: fixtures evaluated by onnx's
//! ReferenceEvaluator (`tests/data/onnx/make_fixtures.py`), the shared reference networks in
//! JSON, and write → read round trips.

mod common;

use rand::{Rng, SeedableRng};
use reluscope::formats::{load_network, onnx, save_network};
use reluscope::network::{Activation, InputBox, Network, RandomNetwork, WeightScale};
use std::path::{Path, PathBuf};

/// Every valid fixture; each has `NAME.onnx` and `NAME.expected.json`.
const FIXTURES: [&str; 18] = [
    "gemm_transB",
    "gemm_noTrans",
    "matmul_add",
    "matmul_weight_first",
    "weights_as_graph_inputs",
    "sub_prologue",
    "flatten_4d_input",
    "reshape_input",
    "squeeze_unsqueeze",
    "linear_chain",
    "no_bias",
    "clip_opset13",
    "clip_opset6",
    "float64_initializers",
    "raw_data_initializers",
    "dynamic_batch",
    "constant_bias",
    "normalized_io",
];

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/onnx")
}

/// `|a − b| ≤ rel · max(|a|, |b|) + abs`.
fn close(a: f64, b: f64, rel: f64, abs: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs()) + abs
}

fn numbers(v: &serde_json::Value) -> Vec<f64> {
    v.as_array()
        .expect("an array")
        .iter()
        .map(|x| x.as_f64().expect("a number"))
        .collect()
}

#[test]
fn fixtures_match_the_reference_evaluator() {
    for name in FIXTURES {
        let net = load_network(fixture_dir().join(format!("{name}.onnx")))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(net.name, name, "the name defaults to the file stem");
        let text = std::fs::read_to_string(fixture_dir().join(format!("{name}.expected.json")))
            .expect("expected outputs");
        let expected: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        let points = expected["points"].as_array().expect("points");
        let outputs = expected["outputs"].as_array().expect("outputs");
        assert_eq!(points.len(), outputs.len());
        for (x, y) in points.iter().zip(outputs) {
            let (x, y) = (numbers(x), numbers(y));
            let got = net.forward(&x);
            assert_eq!(got.len(), y.len(), "{name}: output dimension");
            for (g, e) in got.iter().zip(&y) {
                assert!(close(*g, *e, 1e-6, 1e-12), "{name} at {x:?}: {g} vs {e}");
            }
        }
    }
}

#[test]
fn fixture_list_is_complete() {
    let mut on_disk: Vec<String> = std::fs::read_dir(fixture_dir())
        .expect("fixture directory")
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".expected.json").map(str::to_string)
        })
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = FIXTURES.iter().map(|s| s.to_string()).collect();
    listed.sort();
    assert_eq!(on_disk, listed);
}

#[test]
fn fixtures_become_the_expected_layers() {
    let load = |name: &str| load_network(fixture_dir().join(format!("{name}.onnx"))).unwrap();
    for name in ["clip_opset13", "clip_opset6"] {
        let net = load(name);
        assert_eq!(net.architecture(), "2-3-1", "{name}");
        let cap = match net.layers()[0].activation {
            Activation::ClippedRelu { cap } => cap,
            other => panic!("{name}: {other:?}"),
        };
        assert!((cap - 0.8).abs() < 1e-7, "{name}: cap {cap}");
    }
    assert_eq!(load("linear_chain").architecture(), "2-3-1");
    assert_eq!(load("dynamic_batch").architecture(), "2-3-2");
    assert_eq!(load("matmul_weight_first").architecture(), "2-4-1");
    assert!(load("gemm_transB").input_box().is_none());
}

#[test]
fn unsupported_op_error_names_op_node_and_file() {
    let path = fixture_dir().join("unsupported_sigmoid.onnx");
    let e = load_network(&path).unwrap_err().to_string();
    for part in ["Sigmoid", "act_sigmoid", "unsupported_sigmoid.onnx"] {
        assert!(e.contains(part), "«{part}» missing from «{e}»");
    }
    assert!(!e.contains('\n'), "{e}");
}

#[test]
fn truncated_and_garbage_bytes_are_errors() {
    let path = fixture_dir().join("truncated.onnx");
    let e = load_network(&path).unwrap_err().to_string();
    assert!(e.contains("truncated.onnx") && e.contains("ONNX"), "{e}");
    let mut rng = rand_pcg::Pcg64::seed_from_u64(1);
    for len in [0, 1, 2, 7, 64, 1000] {
        let bytes: Vec<u8> = (0..len).map(|_| rng.random()).collect();
        assert!(onnx::from_bytes(&bytes).is_err(), "{len} random bytes");
    }
    assert!(onnx::from_bytes(b"{\"layers\": []}").is_err());
}

#[test]
fn reference_networks_match_their_json() {
    let dir = common::reference_dir();
    let mut rng = rand_pcg::Pcg64::seed_from_u64(42);
    for name in common::REFERENCE_NETWORKS {
        let json = load_network(common::network_file(&dir, name, ".json")).unwrap();
        let input_box = json.input_box().expect("the JSON has a box").clone();
        for suffix in [".onnx", "_matmul.onnx"] {
            let file = format!("{name}{suffix}");
            let net = load_network(common::network_file(&dir, name, suffix))
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(net.widths(), json.widths(), "{file}");
            for _ in 0..1000 {
                let x = input_box.sample(&mut rng);
                let (a, b) = (net.forward(&x), json.forward(&x));
                assert!(
                    close(a[0], b[0], 1e-6, 1e-9),
                    "{file} at {x:?}: {a:?} vs {b:?}"
                );
            }
        }
    }
}

/// A network with ReLU and clipped-ReLU layers (a writer must keep each layer's own
/// activation), weights in `±1`, an asymmetric box and metadata.
fn sample_network(seed: u64) -> Network {
    let input_box = InputBox::new(vec![-1.0, 0.0, -2.5], vec![1.0, 0.1, 3.0]).unwrap();
    let random = RandomNetwork {
        seed,
        weights: WeightScale::Uniform { bound: 1.0 },
        input_box: Some(input_box),
        ..RandomNetwork::new(&[3, 5, 4, 2])
    }
    .build()
    .unwrap();
    let mut layers = random.layers().to_vec();
    layers[1].activation = Activation::ClippedRelu { cap: 0.6 };
    let mut net = Network::new(layers, random.input_box().cloned())
        .unwrap()
        .named("round_trip");
    net.metadata = serde_json::json!({"trained": "by hand", "seed": seed});
    net
}

#[test]
fn write_then_read_is_exact() {
    let dir = tempfile::tempdir().unwrap();
    for seed in 0..5 {
        let net = sample_network(seed);
        let path = dir.path().join(format!("net{seed}.onnx"));
        save_network(&net, &path).unwrap();
        let back = load_network(&path).unwrap();
        assert_eq!(back, net);
        assert_eq!(back.input_box(), net.input_box());
        // And the written file reads as any ONNX file would: bytes decode the same way.
        assert_eq!(onnx::from_bytes(&onnx::to_bytes(&back)).unwrap(), net);
    }
}

#[test]
fn reference_networks_round_trip_through_onnx() {
    let file = common::network_file(&common::reference_dir(), "peaks_25x3", ".json");
    let json = load_network(file).unwrap();
    let back = onnx::from_bytes(&onnx::to_bytes(&json)).unwrap();
    assert_eq!(back.layers(), json.layers());
    assert_eq!(back.input_box(), json.input_box());
}
