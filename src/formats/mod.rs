//! Reading and writing networks: reluscope JSON, ONNX and NNet.
//!
//! [`load_network`] and [`save_network`] pick the format from the file extension; the
//! per-format modules work on bytes and text so that they can be tested without files.

pub mod json;
pub mod nnet;
pub mod onnx;

use crate::network::{Network, NetworkError};
use std::path::{Path, PathBuf};
use thiserror::Error;

/// What went wrong reading or writing one format (without the file name).
#[derive(Debug, Error)]
pub enum FormatError {
    /// The file could not be read or written.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// Malformed JSON or a JSON document that does not follow the schema.
    #[error("invalid reluscope JSON: {0}")]
    Json(String),
    /// Malformed ONNX protobuf or a graph that is not a dense feed-forward network.
    #[error("invalid ONNX model: {0}")]
    Onnx(String),
    /// An ONNX operator reluscope does not translate.
    #[error("unsupported ONNX op '{op}' in node '{node}' (supported: {})", .supported.join(", "))]
    UnsupportedOnnxOp {
        /// The operator type, e.g. `Sigmoid`.
        op: String,
        /// The node name (or its index when unnamed).
        node: String,
        /// The operators that are understood ([`onnx::SUPPORTED_OPS`]).
        supported: &'static [&'static str],
    },
    /// Malformed NNet text; the message names the line where one is known.
    #[error("invalid NNet file: {0}")]
    NNet(String),
    /// The file parsed but the network it describes is invalid.
    #[error(transparent)]
    Network(#[from] NetworkError),
    /// The format cannot hold this network (e.g. clipped ReLU in NNet).
    #[error("cannot write this network as {format}: {message}")]
    Unrepresentable {
        /// Target format name.
        format: &'static str,
        /// Why.
        message: String,
    },
    /// The path is a directory, a device or a pipe, not a regular file.
    #[error("not a regular file ({0}); give the path of a network file")]
    NotAFile(&'static str),
    /// The file is larger than the reading limit.
    #[error(
        "the file has {size} bytes, more than the limit of {limit} bytes for a network file \
         (set {MAX_FILE_BYTES_VAR} to read larger files)"
    )]
    TooLarge {
        /// Bytes in the file (at least).
        size: u64,
        /// The limit.
        limit: u64,
    },
}

/// `text` with its control characters escaped (`\u{1b}`, `\n`), so that a hostile file cannot
/// drive a terminal through an error message that quotes it.
pub fn printable(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() {
                c.escape_debug().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect()
}

/// Network files larger than this are refused before reading: 512 MiB, far above any network
/// a MILP can hold (a 784×1024×1024 network in f32 ONNX is ≈ 7 MB).
pub const DEFAULT_MAX_FILE_BYTES: u64 = 512 << 20;

/// The environment variable that overrides [`DEFAULT_MAX_FILE_BYTES`] (a number of bytes).
pub const MAX_FILE_BYTES_VAR: &str = "RELUSCOPE_MAX_FILE_BYTES";

/// The size limit of network files: [`MAX_FILE_BYTES_VAR`] if set to a number, else
/// [`DEFAULT_MAX_FILE_BYTES`].
pub fn max_file_bytes() -> u64 {
    std::env::var(MAX_FILE_BYTES_VAR)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(DEFAULT_MAX_FILE_BYTES)
}

/// Reads a whole regular file of at most `limit` bytes: directories, devices (`/dev/zero`)
/// and pipes are refused before reading, and a file that grows past the limit while being
/// read is refused too.
pub fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, FormatError> {
    use std::io::Read;
    let meta = std::fs::metadata(path)?;
    let kind = meta.file_type();
    if !kind.is_file() {
        return Err(FormatError::NotAFile(if kind.is_dir() {
            "a directory"
        } else {
            "a device, pipe or socket"
        }));
    }
    if meta.len() > limit {
        return Err(FormatError::TooLarge {
            size: meta.len(),
            limit,
        });
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    std::fs::File::open(path)?
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(FormatError::TooLarge {
            size: bytes.len() as u64,
            limit,
        });
    }
    Ok(bytes)
}

/// A [`FormatError`] with the file it concerns; displayed as `path: message`.
///
/// The message already contains the cause, so the cause is not chained again as a source.
#[derive(Debug, Error)]
#[error("{}: {error}", path.display())]
pub struct FileError {
    /// The file.
    pub path: PathBuf,
    /// What went wrong.
    pub error: FormatError,
}

/// The file formats reluscope reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkFormat {
    /// reluscope JSON (`.json`).
    Json,
    /// ONNX (`.onnx`).
    Onnx,
    /// NNet text (`.nnet`).
    NNet,
}

impl NetworkFormat {
    /// The format implied by a file extension (case-insensitive).
    pub fn from_path(path: &Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "json" => Some(Self::Json),
            "onnx" => Some(Self::Onnx),
            "nnet" => Some(Self::NNet),
            _ => None,
        }
    }
}

fn unknown_extension(path: &Path) -> FileError {
    FileError {
        path: path.to_path_buf(),
        error: FormatError::Io(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "unknown file extension (expected .json, .onnx or .nnet)",
        )),
    }
}

/// Reads a network, choosing the format by extension. The name defaults to the file stem.
pub fn load_network(path: impl AsRef<Path>) -> Result<Network, FileError> {
    let path = path.as_ref();
    NetworkFormat::from_path(path).ok_or_else(|| unknown_extension(path))?;
    let bytes = read_limited(path, max_file_bytes()).map_err(|error| FileError {
        path: path.to_path_buf(),
        error,
    })?;
    network_from_bytes(path, &bytes)
}

/// The network in `bytes`, the contents of the file at `path` (read by the caller, e.g. once
/// for a probe and the load), as [`load_network`] reads it: the format chosen by `path`'s
/// extension, the name defaulting to the file stem.
pub fn network_from_bytes(path: &Path, bytes: &[u8]) -> Result<Network, FileError> {
    let format = NetworkFormat::from_path(path).ok_or_else(|| unknown_extension(path))?;
    let wrap = |error| FileError {
        path: path.to_path_buf(),
        error,
    };
    let network = match format {
        NetworkFormat::Json => json::from_bytes(bytes),
        NetworkFormat::Onnx => onnx::from_bytes(bytes),
        NetworkFormat::NNet => nnet::from_bytes(bytes),
    }
    .map_err(wrap)?;
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("network");
    Ok(if network.name.is_empty() || network.name == "network" {
        network.named(stem)
    } else {
        network
    })
}

/// Writes a network, choosing the format by extension.
pub fn save_network(network: &Network, path: impl AsRef<Path>) -> Result<(), FileError> {
    let path = path.as_ref();
    let format = NetworkFormat::from_path(path).ok_or_else(|| unknown_extension(path))?;
    let wrap = |error| FileError {
        path: path.to_path_buf(),
        error,
    };
    let bytes = match format {
        NetworkFormat::Json => json::to_string(network).into_bytes(),
        NetworkFormat::Onnx => onnx::to_bytes(network),
        NetworkFormat::NNet => nnet::to_string(network).map_err(wrap)?.into_bytes(),
    };
    std::fs::write(path, bytes).map_err(|e| wrap(e.into()))
}
