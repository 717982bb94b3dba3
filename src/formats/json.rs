//! The reluscope JSON format.
//!
//! ```json
//! {"format_version": 1, "name": "peaks_25x2",
//!  "input_bounds": [[-2, 2], [-2, 2]],
//!  "layers": [{"weights": [[..], ..], "bias": [..], "activation": "relu"},
//!             {"weights": [[..]], "bias": [..], "activation": "clipped_relu", "cap": 1.0},
//!             {"weights": [[..]], "bias": [..], "activation": "linear"}],
//!  "metadata": {..}}
//! ```
//! `weights` has one row per output neuron. `input_bounds`, `format_version`, `name` and
//! `metadata` are optional.

use super::FormatError;
use crate::network::{Activation, InputBox, Layer, Network};
use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};

/// The current `format_version`.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
struct JsonNetwork {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    format_version: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    input_bounds: Option<Vec<[f64; 2]>>,
    layers: Vec<JsonLayer>,
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    metadata: serde_json::Value,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonLayer {
    weights: Vec<Vec<f64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    bias: Option<Vec<f64>>,
    activation: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cap: Option<f64>,
}

/// Parses reluscope JSON.
pub fn from_bytes(bytes: &[u8]) -> Result<Network, FormatError> {
    let doc: JsonNetwork =
        serde_json::from_slice(bytes).map_err(|e| FormatError::Json(e.to_string()))?;
    if let Some(v) = doc.format_version
        && v > FORMAT_VERSION
    {
        return Err(FormatError::Json(format!(
            "format_version {v} is newer than this reluscope understands ({FORMAT_VERSION})"
        )));
    }
    let layers = doc
        .layers
        .into_iter()
        .enumerate()
        .map(|(k, l)| layer_from_json(k + 1, l))
        .collect::<Result<Vec<_>, _>>()?;
    let input_box = doc
        .input_bounds
        .map(|pairs| InputBox::from_pairs(&pairs))
        .transpose()?;
    let mut network = Network::new(layers, input_box)?;
    if let Some(name) = doc.name {
        network.name = name;
    }
    network.metadata = doc.metadata;
    Ok(network)
}

fn layer_from_json(k: usize, l: JsonLayer) -> Result<Layer, FormatError> {
    let rows = l.weights.len();
    let cols = l.weights.first().map_or(0, Vec::len);
    if let Some((i, row)) = l.weights.iter().enumerate().find(|(_, r)| r.len() != cols) {
        return Err(FormatError::Json(format!(
            "layer {k}: weight row {i} has {} entries, row 0 has {cols}",
            row.len()
        )));
    }
    let weights = Array2::from_shape_vec((rows, cols), l.weights.concat())
        .map_err(|e| FormatError::Json(format!("layer {k}: {e}")))?;
    let bias = Array1::from(l.bias.unwrap_or_else(|| vec![0.0; rows]));
    let activation = match (l.activation.as_str(), l.cap) {
        ("relu", None) => Activation::Relu,
        ("linear" | "identity", None) => Activation::Linear,
        ("clipped_relu", Some(cap)) => Activation::ClippedRelu { cap },
        ("clipped_relu", None) => {
            return Err(FormatError::Json(format!(
                "layer {k}: activation \"clipped_relu\" needs a \"cap\""
            )));
        }
        ("relu" | "linear" | "identity", Some(_)) => {
            return Err(FormatError::Json(format!(
                "layer {k}: \"cap\" is only allowed with \"clipped_relu\""
            )));
        }
        (other, _) => {
            return Err(FormatError::Json(format!(
                "layer {k}: unknown activation \"{other}\" (expected relu, clipped_relu or linear)"
            )));
        }
    };
    Ok(Layer::new(weights, bias, activation))
}

/// Serialises a network as reluscope JSON (pretty-printed; floats round-trip exactly).
pub fn to_string(network: &Network) -> String {
    let doc = JsonNetwork {
        format_version: Some(FORMAT_VERSION),
        name: Some(network.name.clone()),
        input_bounds: network.input_box().map(InputBox::pairs),
        layers: network
            .layers()
            .iter()
            .map(|l| JsonLayer {
                weights: l.weights.outer_iter().map(|r| r.to_vec()).collect(),
                bias: Some(l.bias.to_vec()),
                activation: l.activation.name().to_string(),
                cap: match l.activation {
                    Activation::ClippedRelu { cap } => Some(cap),
                    _ => None,
                },
            })
            .collect(),
        metadata: network.metadata.clone(),
    };
    serde_json::to_string_pretty(&doc).expect("a network always serialises")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::tests::random_network_with;

    #[test]
    fn round_trips_exactly() {
        let mut net = random_network_with(&[2, 5, 4, 1], 3, Activation::ClippedRelu { cap: 0.7 });
        net.metadata = serde_json::json!({"function": "peaks", "seed": 3});
        let back = from_bytes(to_string(&net).as_bytes()).unwrap();
        assert_eq!(back, net);
    }

    #[test]
    fn errors_name_the_problem() {
        let cases = [
            ("{\"layers\": [", "EOF"),
            ("{\"layers\": []}", "no layers"),
            (
                r#"{"layers": [{"weights": [[1, 2], [3]], "bias": [0, 0], "activation": "relu"}]}"#,
                "layer 1: weight row 1",
            ),
            (
                r#"{"layers": [{"weights": [[1]], "bias": [0], "activation": "tanh"}]}"#,
                "unknown activation \"tanh\"",
            ),
            (
                r#"{"layers": [{"weights": [[1]], "bias": [0], "activation": "clipped_relu"}]}"#,
                "needs a \"cap\"",
            ),
            (
                r#"{"layers": [{"weights": [[1]], "bias": [0, 1], "activation": "linear"}]}"#,
                "layer 1: bias has 2 entries",
            ),
            (
                r#"{"input_bounds": [[1, 0]], "layers": [{"weights": [[1]], "bias": [0], "activation": "linear"}]}"#,
                "inverted",
            ),
            (
                r#"{"layers": [{"weights": [[NaN]], "bias": [0], "activation": "linear"}]}"#,
                "expected value",
            ),
        ];
        for (text, expect) in cases {
            let err = from_bytes(text.as_bytes()).unwrap_err().to_string();
            assert!(err.contains(expect), "{text}: {err}");
        }
    }

    #[test]
    fn missing_bias_means_zero() {
        let net =
            from_bytes(br#"{"layers": [{"weights": [[2.0]], "activation": "linear"}]}"#).unwrap();
        assert_eq!(net.forward(&[1.5]), vec![3.0]);
    }
}
