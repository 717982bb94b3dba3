//! ONNX reading and writing, without a native runtime: the protobuf messages are a
//! hand-written subset of `onnx.proto` decoded with `prost`.
//!
//! **Reading** accepts a dense feed-forward graph with one floating-point input (shape `[n]`,
//! `[batch, n]`, or e.g. `[1, 1, 1, n]` followed by `Flatten`/`Reshape`) and one output, built
//! from `Gemm`, `MatMul` (weight on either side), `Add`/`Sub`/`Mul`/`Div` with constants
//! (biases, normalisation), `Relu`, `Clip` (clipped ReLU), shape no-ops (`Flatten`, `Reshape`,
//! `Identity`, `Squeeze`, `Unsqueeze`) and `Constant`. Affine nodes are composed until an
//! activation closes them into a layer. Initializers may be FLOAT or DOUBLE (typed fields or
//! `raw_data`) and may also be listed as graph inputs.
//!
//! **Writing** produces opset 13: per layer a `Gemm` with `transB = 1`, then `Relu` or
//! `Clip(min = 0, max = cap)`, with DOUBLE tensors throughout (input `input` and output
//! `output`, both `[batch, n]`) so that weights round-trip exactly. ONNX has no place for
//! the input box, so it goes into `metadata_props` as JSON `[[lo, hi], …]` under
//! [`INPUT_BOUNDS_KEY`], with the name under [`NAME_KEY`] and the metadata under
//! [`METADATA_KEY`].

mod affine;
mod proto;
mod reader;
mod tensor;
mod writer;

use super::FormatError;
use crate::network::Network;

pub use reader::{OP_SPECS, OpSpec, SUPPORTED_OPS};

/// `metadata_props` key of the input box, as JSON `[[lo, hi], …]`.
pub const INPUT_BOUNDS_KEY: &str = "reluscope.input_bounds";
/// `metadata_props` key of the network name.
pub const NAME_KEY: &str = "reluscope.name";
/// `metadata_props` key of the network's free-form JSON metadata.
pub const METADATA_KEY: &str = "reluscope.metadata";

/// Parses an ONNX model into a network; never panics, whatever the bytes.
pub fn from_bytes(bytes: &[u8]) -> Result<Network, FormatError> {
    reader::read(bytes)
}

/// Serialises a network as an ONNX model (opset 13, DOUBLE tensors).
pub fn to_bytes(network: &Network) -> Vec<u8> {
    writer::write(network)
}

#[cfg(test)]
mod tests;
