//! The NNet text format (ACAS Xu, Julian et al.).
//!
//! Header: `numLayers, inputSize, outputSize, maxLayerSize`, the `numLayers + 1` layer sizes,
//! a legacy flag, then input minimums, input maximums, means and ranges (`inputSize + 1`
//! each; the last entry is the output's), followed by each layer's weight rows and biases.
//!
//! NNet networks evaluate `y = range_out · N((x − mean) / range) + mean_out`. Folding that
//! into the network gives raw-input-to-raw-output layers:
//! `W¹' = W¹ diag(1/range)`, `b¹' = b¹ − W¹' mean`, `Wᴸ' = range_out Wᴸ`,
//! `bᴸ' = range_out bᴸ + mean_out`. The min/max inputs become the input box (NNet clamps
//! inputs to them, which is the identity on the box).

use super::FormatError;
use crate::network::{Activation, InputBox, Layer, Network};
use ndarray::{Array1, Array2};

/// A cursor over the numeric lines of an NNet file, remembering line numbers for errors.
struct NumberLines<'a> {
    lines: std::iter::Peekable<std::iter::Enumerate<std::str::Lines<'a>>>,
}

impl<'a> NumberLines<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            lines: text.lines().enumerate().peekable(),
        }
    }

    /// The next non-empty, non-comment line as numbers, with its 1-based line number.
    fn next_values(&mut self, what: &str) -> Result<(usize, Vec<f64>), FormatError> {
        for (i, line) in self.lines.by_ref() {
            let line = line.trim();
            if line.is_empty() || line.starts_with("//") {
                continue;
            }
            let values = line
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| {
                    s.parse::<f64>().map_err(|_| {
                        FormatError::NNet(format!(
                            "line {}: \"{s}\" is not a number (reading {what})",
                            i + 1
                        ))
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            if let Some(v) = values.iter().find(|v| !v.is_finite()) {
                return Err(FormatError::NNet(format!(
                    "line {}: {v} in {what} is not finite",
                    i + 1
                )));
            }
            return Ok((i + 1, values));
        }
        Err(FormatError::NNet(format!("file ends before {what}")))
    }

    /// The next line, which must hold at least `n` numbers (NNet lines end with a comma).
    fn expect(&mut self, n: usize, what: &str) -> Result<Vec<f64>, FormatError> {
        let (line, mut values) = self.next_values(what)?;
        if values.len() < n {
            return Err(FormatError::NNet(format!(
                "line {line}: {what}: expected {n} values, found {}",
                values.len()
            )));
        }
        values.truncate(n);
        Ok(values)
    }
}

fn size(value: f64, line_what: &str, max: usize) -> Result<usize, FormatError> {
    if value.fract() != 0.0 || value < 1.0 || value > max as f64 {
        return Err(FormatError::NNet(format!(
            "{line_what} must be an integer in 1..={max}, found {value}"
        )));
    }
    Ok(value as usize)
}

/// Largest layer width accepted from a file, to refuse absurd sizes before allocating.
const MAX_WIDTH: usize = 1 << 20;

/// Parses an NNet file.
pub fn from_bytes(bytes: &[u8]) -> Result<Network, FormatError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| FormatError::NNet(format!("not UTF-8 text ({e})")))?;
    let mut lines = NumberLines::new(text);
    let header = lines.expect(
        4,
        "the header (numLayers, inputSize, outputSize, maxLayerSize)",
    )?;
    let num_layers = size(header[0], "numLayers", 10_000)?;
    let sizes: Vec<usize> = lines
        .expect(num_layers + 1, "the layer sizes")?
        .into_iter()
        .map(|v| size(v, "a layer size", MAX_WIDTH))
        .collect::<Result<_, _>>()?;
    let (n_in, n_out) = (sizes[0], sizes[num_layers]);
    if header[1] != n_in as f64 || header[2] != n_out as f64 {
        return Err(FormatError::NNet(format!(
            "header says {} inputs and {} outputs but the layer sizes say {n_in} and {n_out}",
            header[1], header[2]
        )));
    }
    lines.next_values("the symmetric flag")?;
    let mins = lines.expect(n_in, "the input minimums")?;
    let maxs = lines.expect(n_in, "the input maximums")?;
    let means = lines.expect(n_in + 1, "the means")?;
    let ranges = lines.expect(n_in + 1, "the ranges")?;
    if let Some(r) = ranges.iter().find(|&&r| r == 0.0) {
        return Err(FormatError::NNet(format!(
            "a normalisation range is {r}; ranges must be non-zero"
        )));
    }
    let mut layers = Vec::with_capacity(num_layers);
    for k in 0..num_layers {
        let (rows, cols) = (sizes[k + 1], sizes[k]);
        let mut weights = Array2::zeros((rows, cols));
        for i in 0..rows {
            let row = lines.expect(cols, &format!("layer {} weight row {i}", k + 1))?;
            weights.row_mut(i).assign(&Array1::from(row));
        }
        let mut bias = Array1::zeros(rows);
        for i in 0..rows {
            bias[i] = lines.expect(1, &format!("layer {} bias {i}", k + 1))?[0];
        }
        let activation = if k + 1 == num_layers {
            Activation::Linear
        } else {
            Activation::Relu
        };
        layers.push(Layer::new(weights, bias, activation));
    }
    fold_normalisation(&mut layers, &means, &ranges);
    let input_box = InputBox::new(mins, maxs)?;
    Ok(Network::new(layers, Some(input_box))?)
}

fn fold_normalisation(layers: &mut [Layer], means: &[f64], ranges: &[f64]) {
    let n_in = layers[0].inputs();
    let first = &mut layers[0];
    for (j, &range) in ranges.iter().enumerate().take(n_in) {
        first.weights.column_mut(j).mapv_inplace(|w| w / range);
    }
    let shift = first.weights.dot(&Array1::from(means[..n_in].to_vec()));
    first.bias -= &shift;
    let last = layers.last_mut().expect("at least one layer");
    let (mean_out, range_out) = (means[n_in], ranges[n_in]);
    last.weights.mapv_inplace(|w| w * range_out);
    last.bias.mapv_inplace(|b| b * range_out + mean_out);
}

/// Writes a network as NNet with identity normalisation (means 0, ranges 1).
///
/// NNet has ReLU hidden layers only and needs the input box for its min/max lines.
pub fn to_string(network: &Network) -> Result<String, FormatError> {
    let unrepresentable = |message: String| FormatError::Unrepresentable {
        format: "NNet",
        message,
    };
    if let Some((k, _)) = network
        .hidden_layers()
        .iter()
        .enumerate()
        .find(|(_, l)| l.activation != Activation::Relu)
    {
        return Err(unrepresentable(format!(
            "layer {} is not ReLU; NNet holds plain ReLU networks only",
            k + 1
        )));
    }
    let input_box = network.input_box().ok_or_else(|| {
        unrepresentable("NNet stores the input range; give the network a box (--box)".into())
    })?;
    let widths = network.widths();
    let n_in = network.input_dim();
    let join = |v: &mut dyn Iterator<Item = f64>| {
        v.map(|x| format!("{x:?},")).collect::<Vec<_>>().join("")
    };
    let mut out = String::new();
    out.push_str("// Neural Network File Format by Kyle Julian, Stanford 2016\n");
    out.push_str(&format!(
        "// written by reluscope: {} ({}), identity normalisation\n",
        network.name,
        network.architecture()
    ));
    out.push_str(&format!(
        "{},{},{},{},\n",
        network.layers().len(),
        n_in,
        network.output_dim(),
        widths.iter().max().copied().unwrap_or(0)
    ));
    out.push_str(&widths.iter().map(|w| format!("{w},")).collect::<String>());
    out.push_str("\n0,\n");
    out.push_str(&join(&mut input_box.lower().iter().copied()));
    out.push('\n');
    out.push_str(&join(&mut input_box.upper().iter().copied()));
    out.push('\n');
    out.push_str(&join(&mut std::iter::repeat_n(0.0, n_in + 1)));
    out.push('\n');
    out.push_str(&join(&mut std::iter::repeat_n(1.0, n_in + 1)));
    out.push('\n');
    for layer in network.layers() {
        for row in layer.weights.outer_iter() {
            out.push_str(&join(&mut row.iter().copied()));
            out.push('\n');
        }
        for b in &layer.bias {
            out.push_str(&format!("{b:?},\n"));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::tests::{random_network, random_network_with};

    #[test]
    fn round_trips_exactly() {
        let net = random_network(&[3, 6, 5, 2], 11);
        let back = from_bytes(to_string(&net).unwrap().as_bytes()).unwrap();
        assert_eq!(back.layers(), net.layers());
        assert_eq!(back.input_box(), net.input_box());
    }

    #[test]
    fn folds_normalisation_into_the_layers() {
        // One input, one hidden neuron: y = 10·relu((x − 1)/2) + 5.
        let text = "// test\n2,1,1,1,\n1,1,1,\n0,\n-3.0,\n3.0,\n1.0,5.0,\n2.0,10.0,\n\
                    1.0,\n0.0,\n1.0,\n0.0,\n";
        let net = from_bytes(text.as_bytes()).unwrap();
        for x in [-3.0, 0.0, 1.0, 2.0, 3.0] {
            let expect = 10.0 * ((x - 1.0) / 2.0_f64).max(0.0) + 5.0;
            assert!((net.forward(&[x])[0] - expect).abs() < 1e-12, "x = {x}");
        }
        assert_eq!(net.input_box().unwrap().pairs(), vec![[-3.0, 3.0]]);
    }

    #[test]
    fn errors_name_the_line() {
        let good = to_string(&random_network(&[2, 3, 1], 1)).unwrap();
        let truncated = &good[..good.len() / 2];
        let err = from_bytes(truncated.as_bytes()).unwrap_err().to_string();
        assert!(err.contains("file ends before"), "{err}");
        let garbage = good.replacen("0,\n", "zero,\n", 1);
        let err = from_bytes(garbage.as_bytes()).unwrap_err().to_string();
        assert!(err.contains("\"zero\" is not a number"), "{err}");
        let nan = good.replacen("0,\n", "0,\nNaN,NaN,\n", 1);
        assert!(from_bytes(nan.as_bytes()).is_err());
        assert!(from_bytes(b"\xff\xfe").is_err());
        let absurd = "1,2,1,99999999999,\n2,99999999999,\n";
        assert!(from_bytes(absurd.as_bytes()).is_err());
    }

    #[test]
    fn refuses_what_nnet_cannot_hold() {
        let clipped = random_network_with(&[2, 3, 1], 1, Activation::ClippedRelu { cap: 1.0 });
        assert!(
            to_string(&clipped)
                .unwrap_err()
                .to_string()
                .contains("not ReLU")
        );
    }
}
