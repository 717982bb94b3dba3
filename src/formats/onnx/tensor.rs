//! Decoding ONNX constant tensors and node attributes into plain `f64` values.

use super::proto::{
    AttributeProto, DATA_BFLOAT16, DATA_DOUBLE, DATA_FLOAT, DATA_FLOAT16, DATA_INT32, DATA_INT64,
    LOCATION_EXTERNAL, NodeProto, TensorProto,
};
use crate::formats::FormatError;

/// Largest number of elements reluscope accepts in one tensor or one dense matrix it builds
/// (2²⁵ `f64` = 256 MiB): a bound on memory for hostile files, far above real MLPs.
pub const MAX_ELEMENTS: usize = 1 << 25;

/// A constant tensor: its shape and its values in row-major order, widened to `f64`.
#[derive(Debug, Clone, PartialEq)]
pub struct Tensor {
    /// Shape (empty for a scalar).
    pub dims: Vec<usize>,
    /// Row-major values; `data.len()` is the product of `dims`.
    pub data: Vec<f64>,
}

impl Tensor {
    /// The single value of a tensor with one element (a scalar or shape `[1]`, `[1, 1]`, …).
    pub fn scalar(&self) -> Option<f64> {
        match self.data.as_slice() {
            [v] => Some(*v),
            _ => None,
        }
    }
}

/// `onnx::from_bytes` errors are one line: "…: message".
fn err(message: String) -> FormatError {
    FormatError::Onnx(message)
}

/// The product of `dims`, or an error when it overflows or exceeds [`MAX_ELEMENTS`].
pub fn element_count(dims: &[usize], what: &str) -> Result<usize, FormatError> {
    dims.iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .filter(|&n| n <= MAX_ELEMENTS)
        .ok_or_else(|| err(format!("{what} has shape {dims:?}, too large")))
}

/// A human name for a `TensorProto.DataType` code.
pub fn data_type_name(code: i32) -> String {
    let name = match code {
        0 => "UNDEFINED",
        DATA_FLOAT => "FLOAT",
        2 => "UINT8",
        3 => "INT8",
        4 => "UINT16",
        5 => "INT16",
        DATA_INT32 => "INT32",
        DATA_INT64 => "INT64",
        8 => "STRING",
        9 => "BOOL",
        DATA_FLOAT16 => "FLOAT16",
        DATA_DOUBLE => "DOUBLE",
        DATA_BFLOAT16 => "BFLOAT16",
        _ => return format!("data type {code}"),
    };
    name.to_string()
}

/// Decodes a `TensorProto` (typed fields or little-endian `raw_data`) into a [`Tensor`].
///
/// `what` names the tensor in error messages, e.g. `initializer 'W0'`.
pub fn decode_tensor(t: &TensorProto, what: &str) -> Result<Tensor, FormatError> {
    let dims = t
        .dims
        .iter()
        .map(|&d| usize::try_from(d))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| err(format!("{what} has a negative dimension in {:?}", t.dims)))?;
    let count = element_count(&dims, what)?;
    if t.data_location == LOCATION_EXTERNAL {
        return Err(err(format!(
            "{what} is stored in an external data file, which reluscope does not read"
        )));
    }
    let raw = !t.raw_data.is_empty();
    let data: Vec<f64> = match t.data_type {
        DATA_FLOAT if raw => raw_values(&t.raw_data, count, what, |b: [u8; 4]| {
            f64::from(f32::from_le_bytes(b))
        })?,
        DATA_FLOAT => t.float_data.iter().map(|&v| f64::from(v)).collect(),
        DATA_DOUBLE if raw => raw_values(&t.raw_data, count, what, f64::from_le_bytes)?,
        DATA_DOUBLE => t.double_data.clone(),
        DATA_INT32 if raw => raw_values(&t.raw_data, count, what, |b: [u8; 4]| {
            f64::from(i32::from_le_bytes(b))
        })?,
        DATA_INT32 => t.int32_data.iter().map(|&v| f64::from(v)).collect(),
        // int64 → f64 is exact for the small integers (shapes, axes) such tensors hold here.
        DATA_INT64 if raw => raw_values(&t.raw_data, count, what, |b: [u8; 8]| {
            i64::from_le_bytes(b) as f64
        })?,
        DATA_INT64 => t.int64_data.iter().map(|&v| v as f64).collect(),
        DATA_FLOAT16 if raw => raw_values(&t.raw_data, count, what, |b: [u8; 2]| {
            f16_to_f64(u16::from_le_bytes(b))
        })?,
        DATA_FLOAT16 => t.int32_data.iter().map(|&v| f16_to_f64(v as u16)).collect(),
        DATA_BFLOAT16 if raw => raw_values(&t.raw_data, count, what, |b: [u8; 2]| {
            bf16_to_f64(u16::from_le_bytes(b))
        })?,
        DATA_BFLOAT16 => t
            .int32_data
            .iter()
            .map(|&v| bf16_to_f64(v as u16))
            .collect(),
        other => {
            return Err(err(format!(
                "{what} has element type {}; reluscope reads FLOAT, DOUBLE, FLOAT16, BFLOAT16, INT32 and INT64 tensors",
                data_type_name(other)
            )));
        }
    };
    if data.len() != count {
        return Err(err(format!(
            "{what} has shape {dims:?} ({count} values) but stores {} values",
            data.len()
        )));
    }
    Ok(Tensor { dims, data })
}

/// Splits little-endian `raw` into `count` values of `N` bytes each.
fn raw_values<const N: usize>(
    raw: &[u8],
    count: usize,
    what: &str,
    convert: impl Fn([u8; N]) -> f64,
) -> Result<Vec<f64>, FormatError> {
    if Some(raw.len()) != count.checked_mul(N) {
        return Err(err(format!(
            "{what} has {count} values of {N} bytes but raw_data holds {} bytes",
            raw.len()
        )));
    }
    Ok(raw
        .chunks_exact(N)
        .map(|c| {
            let mut bytes = [0u8; N];
            bytes.copy_from_slice(c);
            convert(bytes)
        })
        .collect())
}

/// IEEE half precision bits to `f64`.
fn f16_to_f64(bits: u16) -> f64 {
    let sign = if bits & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exponent = i32::from((bits >> 10) & 0x1f);
    let mantissa = f64::from(bits & 0x3ff);
    match exponent {
        0 => sign * mantissa * 2f64.powi(-24),
        0x1f if mantissa == 0.0 => sign * f64::INFINITY,
        0x1f => f64::NAN,
        e => sign * (1.0 + mantissa / 1024.0) * 2f64.powi(e - 15),
    }
}

/// bfloat16 bits (the upper half of an `f32`) to `f64`.
fn bf16_to_f64(bits: u16) -> f64 {
    f64::from(f32::from_bits(u32::from(bits) << 16))
}

/// Finds an attribute of a node by name.
pub fn attribute<'a>(node: &'a NodeProto, name: &str) -> Option<&'a AttributeProto> {
    node.attribute.iter().find(|a| a.name == name)
}

/// An integer attribute, or `default` when absent; `label` names the node in errors.
pub fn attr_int(
    node: &NodeProto,
    name: &str,
    default: i64,
    label: &str,
) -> Result<i64, FormatError> {
    match attribute(node, name) {
        None => Ok(default),
        Some(a) => {
            a.i.ok_or_else(|| err(format!("{label}: attribute '{name}' should be an integer")))
        }
    }
}

/// A float attribute, or `None` when absent; `label` names the node in errors.
pub fn attr_float(node: &NodeProto, name: &str, label: &str) -> Result<Option<f64>, FormatError> {
    match attribute(node, name) {
        None => Ok(None),
        Some(a) => match (a.f, a.i) {
            (Some(f), _) => Ok(Some(f64::from(f))),
            (None, Some(i)) => Ok(Some(i as f64)),
            (None, None) => Err(err(format!(
                "{label}: attribute '{name}' should be a float"
            ))),
        },
    }
}

/// An integer-list attribute, or `None` when absent.
pub fn attr_ints<'a>(node: &'a NodeProto, name: &str) -> Option<&'a [i64]> {
    attribute(node, name).map(|a| a.ints.as_slice())
}

/// The tensor a `Constant` node produces (from `value`, `value_float(s)` or `value_int(s)`).
pub fn constant_value(node: &NodeProto, label: &str) -> Result<Tensor, FormatError> {
    let Some(a) = node.attribute.first() else {
        return Err(err(format!(
            "{label}: Constant node has no value attribute"
        )));
    };
    match a.name.as_str() {
        "value" => match &a.t {
            Some(t) => decode_tensor(t, &format!("{label}: value")),
            None => Err(err(format!("{label}: attribute 'value' holds no tensor"))),
        },
        "value_float" | "value_int" => {
            let v = match (a.f, a.i) {
                (Some(f), _) => f64::from(f),
                (None, Some(i)) => i as f64,
                (None, None) => {
                    return Err(err(format!(
                        "{label}: attribute '{}' holds no value",
                        a.name
                    )));
                }
            };
            Ok(Tensor {
                dims: vec![],
                data: vec![v],
            })
        }
        "value_floats" => Ok(Tensor {
            dims: vec![a.floats.len()],
            data: a.floats.iter().map(|&v| f64::from(v)).collect(),
        }),
        "value_ints" => Ok(Tensor {
            dims: vec![a.ints.len()],
            data: a.ints.iter().map(|&v| v as f64).collect(),
        }),
        other => Err(err(format!(
            "{label}: Constant attribute '{other}' is not supported (value, value_float(s), value_int(s) are)"
        ))),
    }
}

/// Converts a tensor of integer-valued entries (shape, axes) to `i64`.
pub fn integer_values(t: &Tensor, what: &str) -> Result<Vec<i64>, FormatError> {
    t.data
        .iter()
        .map(|&v| {
            // The cast saturates; the range check rejects what it would clip.
            if v.fract() == 0.0 && v.abs() < 9.0e15 {
                Ok(v as i64)
            } else {
                Err(err(format!("{what} holds {v}, not an integer")))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tensor(dims: &[i64], data_type: i32) -> TensorProto {
        TensorProto {
            dims: dims.to_vec(),
            data_type,
            ..Default::default()
        }
    }

    #[test]
    fn typed_and_raw_float32_agree() {
        let values = [1.5f32, -0.25, 3.0e-8, 7.0];
        let mut typed = tensor(&[2, 2], DATA_FLOAT);
        typed.float_data = values.to_vec();
        let mut raw = tensor(&[2, 2], DATA_FLOAT);
        raw.raw_data = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        let a = decode_tensor(&typed, "t").unwrap();
        let b = decode_tensor(&raw, "t").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.dims, vec![2, 2]);
        assert_eq!(a.data[2], f64::from(3.0e-8f32));
    }

    #[test]
    fn typed_and_raw_float64_are_exact() {
        let values = [0.1f64, -1.0 / 3.0, 1e300];
        let mut typed = tensor(&[3], DATA_DOUBLE);
        typed.double_data = values.to_vec();
        let mut raw = tensor(&[3], DATA_DOUBLE);
        raw.raw_data = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        assert_eq!(decode_tensor(&typed, "t").unwrap().data, values);
        assert_eq!(decode_tensor(&raw, "t").unwrap().data, values);
    }

    #[test]
    fn integer_and_half_tensors_decode() {
        let mut i64s = tensor(&[2], DATA_INT64);
        i64s.raw_data = [-1i64, 4].iter().flat_map(|v| v.to_le_bytes()).collect();
        assert_eq!(decode_tensor(&i64s, "t").unwrap().data, vec![-1.0, 4.0]);
        let mut i32s = tensor(&[2], DATA_INT32);
        i32s.int32_data = vec![3, -7];
        assert_eq!(decode_tensor(&i32s, "t").unwrap().data, vec![3.0, -7.0]);
        // 0x3c00 = 1.0, 0xc000 = -2.0, 0x3555 ≈ 0.333, 0x0001 = 2⁻²⁴ (subnormal)
        let mut half = tensor(&[4], DATA_FLOAT16);
        half.raw_data = [0x3c00u16, 0xc000, 0x3555, 0x0001]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let h = decode_tensor(&half, "t").unwrap().data;
        assert_eq!(&h[..2], &[1.0, -2.0]);
        assert!((h[2] - 0.333_251_953_125).abs() < 1e-12);
        assert_eq!(h[3], 2f64.powi(-24));
        let mut bf = tensor(&[1], DATA_BFLOAT16);
        bf.int32_data = vec![0x3fc0];
        assert_eq!(decode_tensor(&bf, "t").unwrap().data, vec![1.5]);
    }

    #[test]
    fn scalars_have_no_dims() {
        let mut s = tensor(&[], DATA_FLOAT);
        s.float_data = vec![6.0];
        let t = decode_tensor(&s, "t").unwrap();
        assert!(t.dims.is_empty());
        assert_eq!(t.scalar(), Some(6.0));
    }

    #[test]
    fn errors_name_the_tensor() {
        let mut short = tensor(&[2, 3], DATA_FLOAT);
        short.float_data = vec![1.0; 5];
        let e = decode_tensor(&short, "initializer 'W'")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("initializer 'W'") && e.contains("6 values") && e.contains("5"),
            "{e}"
        );
        let mut raw = tensor(&[2], DATA_DOUBLE);
        raw.raw_data = vec![0; 12];
        let e = decode_tensor(&raw, "initializer 'b'")
            .unwrap_err()
            .to_string();
        assert!(e.contains("'b'") && e.contains("12 bytes"), "{e}");
        let e = decode_tensor(&tensor(&[1], 8), "initializer 's'")
            .unwrap_err()
            .to_string();
        assert!(e.contains("STRING"), "{e}");
        let e = decode_tensor(&tensor(&[-1], DATA_FLOAT), "x")
            .unwrap_err()
            .to_string();
        assert!(e.contains("negative"), "{e}");
        let huge = tensor(&[1 << 40, 1 << 40], DATA_FLOAT);
        assert!(
            decode_tensor(&huge, "x")
                .unwrap_err()
                .to_string()
                .contains("too large")
        );
        let mut external = tensor(&[1], DATA_FLOAT);
        external.data_location = LOCATION_EXTERNAL;
        assert!(
            decode_tensor(&external, "x")
                .unwrap_err()
                .to_string()
                .contains("external")
        );
        for e in [short, raw] {
            let msg = decode_tensor(&e, "x").unwrap_err().to_string();
            assert!(!msg.contains('\n'), "{msg}");
        }
    }

    #[test]
    fn integer_values_reject_fractions() {
        let t = Tensor {
            dims: vec![2],
            data: vec![-1.0, 2.5],
        };
        assert!(
            integer_values(&t, "shape")
                .unwrap_err()
                .to_string()
                .contains("2.5")
        );
    }
}
