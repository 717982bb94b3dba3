//! Training data: inputs, one output per point, the box the network will be studied on.

use super::functions::BenchmarkFunction;
use super::sampling::{Stream, latin_hypercube, stream};
use crate::network::InputBox;
use ndarray::{Array1, Array2, Axis};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_pcg::Pcg64;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// What is wrong with a data file or a requested data set.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum DatasetError {
    /// The file could not be read.
    #[error("cannot read {path}: {message}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        message: String,
    },
    /// No data rows (the file is empty, blank, or only a header).
    #[error("the data set has no data rows")]
    Empty,
    /// A row with fewer than two columns: at least one input and the output are needed.
    #[error(
        "line {line}: found {found} column(s); need at least one input column and the output column"
    )]
    TooFewColumns {
        /// 1-based line in the file.
        line: usize,
        /// Columns found.
        found: usize,
    },
    /// A row whose number of columns differs from the first row's.
    #[error("line {line}: found {found} columns but the first row has {expected}")]
    Ragged {
        /// 1-based line in the file.
        line: usize,
        /// Columns of the first row.
        expected: usize,
        /// Columns of this row.
        found: usize,
    },
    /// A field that is not a number.
    #[error("line {line}, column {column}: \"{text}\" is not a number")]
    BadNumber {
        /// 1-based line in the file.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The field as written.
        text: String,
    },
    /// A field that parses to NaN or ±∞.
    #[error(
        "line {line}, column {column}: \"{text}\" is not finite; remove or fill missing values"
    )]
    NonFinite {
        /// 1-based line in the file.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The field as written.
        text: String,
    },
    /// A given box whose dimension is not the number of input columns.
    #[error("the box has {found} dimensions but the data has {expected} input columns")]
    BoxDimension {
        /// Input columns of the data.
        expected: usize,
        /// Dimension of the box.
        found: usize,
    },
    /// Fewer samples than requested or needed.
    #[error("{found} samples are too few: at least {minimum} are needed")]
    TooFewSamples {
        /// Samples asked for or present.
        found: usize,
        /// The smallest acceptable number.
        minimum: usize,
    },
    /// Split fractions outside `(0, 1)` or summing to 1 or more.
    #[error(
        "validation fraction {validation} and test fraction {test} must each lie in (0, 1) and sum below 1"
    )]
    Fractions {
        /// The validation fraction.
        validation: f64,
        /// The test fraction.
        test: f64,
    },
    /// A split that would leave one of the three parts empty.
    #[error(
        "{samples} samples cannot be split into {train} training, {validation} validation and {test} test samples; every part needs at least one"
    )]
    SplitTooSmall {
        /// Samples in the data set.
        samples: usize,
        /// Training samples the fractions leave.
        train: usize,
        /// Validation samples.
        validation: usize,
        /// Test samples.
        test: usize,
    },
}

/// Where a data set comes from; recorded in the trained network's metadata.
#[derive(Debug, Clone, PartialEq)]
pub enum DataSource {
    /// Latin hypercube samples of a benchmark function.
    Function(BenchmarkFunction),
    /// A CSV file (the label is usually its path).
    Csv(String),
}

impl DataSource {
    /// A short label: the function name or the file name without directories.
    pub fn label(&self) -> String {
        match self {
            DataSource::Function(f) => f.name().replace(':', ""),
            DataSource::Csv(path) => Path::new(path)
                .file_stem()
                .map_or_else(|| path.clone(), |s| s.to_string_lossy().into_owned()),
        }
    }
}

/// Points `xᵏ` (rows of `inputs`), outputs `yᵏ` and the box the network is meant for.
///
/// Invariants: at least one point, as many outputs as points, all values finite, the box
/// has one side per input.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    inputs: Array2<f64>,
    targets: Array1<f64>,
    input_box: InputBox,
    source: DataSource,
}

/// A data set cut into disjoint training, validation and test parts.
#[derive(Debug, Clone, PartialEq)]
pub struct DataSplits {
    /// Fits the weights.
    pub train: Dataset,
    /// Picks the epoch (early stopping).
    pub validation: Dataset,
    /// Reported only, never used to choose anything.
    pub test: Dataset,
}

impl Dataset {
    /// `samples` Latin hypercube points of `function`'s box with their exact values.
    pub fn from_function(
        function: BenchmarkFunction,
        samples: usize,
        seed: u64,
    ) -> Result<Self, DatasetError> {
        if samples == 0 {
            return Err(DatasetError::TooFewSamples {
                found: 0,
                minimum: 1,
            });
        }
        let input_box = function.input_box();
        let inputs = latin_hypercube(&input_box, samples, &mut Pcg64::seed_from_u64(seed));
        let targets = inputs
            .outer_iter()
            .map(|x| function.eval(x.as_slice().expect("rows of a standard-layout array")))
            .collect();
        Ok(Self {
            inputs,
            targets,
            input_box,
            source: DataSource::Function(function),
        })
    }

    /// Reads a CSV file; see [`Self::from_csv_str`] for the format.
    pub fn from_csv_path(path: &Path, input_box: Option<InputBox>) -> Result<Self, DatasetError> {
        let io = |message: String| DatasetError::Io {
            path: path.to_path_buf(),
            message,
        };
        let bytes = crate::formats::read_limited(path, crate::formats::max_file_bytes())
            .map_err(|e| io(e.to_string()))?;
        let text = String::from_utf8(bytes).map_err(|e| io(format!("not UTF-8 text: {e}")))?;
        Self::from_csv_str(&text, &path.display().to_string(), input_box)
    }

    /// Parses CSV text: each row holds the inputs then the single output.
    ///
    /// Fields are separated by commas, or by whitespace if the first row has no comma (the
    /// `numpy.savetxt` default). The first row is a header if none of its fields is a number.
    /// Blank lines and lines starting with `#` are skipped. Without `input_box`, the box is
    /// the per-column `[min, max]` of the inputs.
    pub fn from_csv_str(
        text: &str,
        label: &str,
        input_box: Option<InputBox>,
    ) -> Result<Self, DatasetError> {
        let mut rows = text
            .lines()
            .enumerate()
            .map(|(i, line)| (i + 1, line.trim()))
            .filter(|(_, line)| !line.is_empty() && !line.starts_with('#'))
            .peekable();
        let Some(&(_, first)) = rows.peek() else {
            return Err(DatasetError::Empty);
        };
        let comma_separated = first.contains(',');
        let split = |line: &'_ str| -> Vec<String> {
            let fields: Vec<&str> = if comma_separated {
                line.split(',').collect()
            } else {
                line.split_whitespace().collect()
            };
            fields
                .iter()
                .map(|f| f.trim().trim_matches('"').trim().to_string())
                .collect()
        };
        if split(first).iter().all(|f| f.parse::<f64>().is_err()) {
            rows.next();
        }

        let mut columns = None;
        let mut values = Vec::new();
        for (line, text) in rows {
            let fields = split(text);
            let expected = *columns.get_or_insert(fields.len());
            if fields.len() < 2 {
                return Err(DatasetError::TooFewColumns {
                    line,
                    found: fields.len(),
                });
            }
            if fields.len() != expected {
                return Err(DatasetError::Ragged {
                    line,
                    expected,
                    found: fields.len(),
                });
            }
            for (j, field) in fields.iter().enumerate() {
                let value: f64 = field.parse().map_err(|_| DatasetError::BadNumber {
                    line,
                    column: j + 1,
                    text: field.clone(),
                })?;
                if !value.is_finite() {
                    return Err(DatasetError::NonFinite {
                        line,
                        column: j + 1,
                        text: field.clone(),
                    });
                }
                values.push(value);
            }
        }
        let Some(columns) = columns else {
            return Err(DatasetError::Empty);
        };
        let table = Array2::from_shape_vec((values.len() / columns, columns), values)
            .expect("every row has `columns` values");
        let inputs = table.slice(ndarray::s![.., ..columns - 1]).to_owned();
        let targets = table.column(columns - 1).to_owned();
        let input_box = match input_box {
            Some(b) if b.dim() != inputs.ncols() => {
                return Err(DatasetError::BoxDimension {
                    expected: inputs.ncols(),
                    found: b.dim(),
                });
            }
            Some(b) => b,
            None => data_box(&inputs),
        };
        Ok(Self {
            inputs,
            targets,
            input_box,
            source: DataSource::Csv(label.to_string()),
        })
    }

    /// The points, `n × d`, one per row.
    pub fn inputs(&self) -> &Array2<f64> {
        &self.inputs
    }

    /// The `n` outputs.
    pub fn targets(&self) -> &Array1<f64> {
        &self.targets
    }

    /// The box stored with the trained network (the analysis domain); the inputs are also
    /// scaled by it during training.
    pub fn input_box(&self) -> &InputBox {
        &self.input_box
    }

    /// Where the data comes from.
    pub fn source(&self) -> &DataSource {
        &self.source
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        self.targets.len()
    }

    /// Whether there is no point.
    pub fn is_empty(&self) -> bool {
        self.targets.is_empty()
    }

    /// Number of inputs.
    pub fn dim(&self) -> usize {
        self.inputs.ncols()
    }

    /// The points with indices `rows`, in that order (`rows` must not be empty).
    fn subset(&self, rows: &[usize]) -> Dataset {
        Dataset {
            inputs: self.inputs.select(Axis(0), rows),
            targets: self.targets.select(Axis(0), rows),
            input_box: self.input_box.clone(),
            source: self.source.clone(),
        }
    }

    /// Sizes `(train, validation, test)` of [`Self::split`]: `round(n·f)` for validation and
    /// test, the rest for training.
    pub fn split_sizes(
        &self,
        validation_fraction: f64,
        test_fraction: f64,
    ) -> Result<(usize, usize, usize), DatasetError> {
        let in_unit = |f: f64| f > 0.0 && f < 1.0;
        if !in_unit(validation_fraction)
            || !in_unit(test_fraction)
            || validation_fraction + test_fraction >= 1.0
        {
            return Err(DatasetError::Fractions {
                validation: validation_fraction,
                test: test_fraction,
            });
        }
        let n = self.len();
        let validation = (n as f64 * validation_fraction).round() as usize;
        let test = (n as f64 * test_fraction).round() as usize;
        let train = n.saturating_sub(validation + test);
        if train == 0 || validation == 0 || test == 0 {
            return Err(DatasetError::SplitTooSmall {
                samples: n,
                train,
                validation,
                test,
            });
        }
        Ok((train, validation, test))
    }

    /// A seeded random split into training, validation and test parts (sizes as in
    /// [`Self::split_sizes`]).
    pub fn split(
        &self,
        validation_fraction: f64,
        test_fraction: f64,
        seed: u64,
    ) -> Result<DataSplits, DatasetError> {
        let (train, validation, _) = self.split_sizes(validation_fraction, test_fraction)?;
        let mut order: Vec<usize> = (0..self.len()).collect();
        order.shuffle(&mut stream(seed, Stream::Split));
        Ok(DataSplits {
            train: self.subset(&order[..train]),
            validation: self.subset(&order[train..train + validation]),
            test: self.subset(&order[train + validation..]),
        })
    }
}

/// The per-column `[min, max]` box of `inputs` (which hold at least one row).
fn data_box(inputs: &Array2<f64>) -> InputBox {
    let fold = |init: f64, pick: fn(f64, f64) -> f64| {
        inputs
            .columns()
            .into_iter()
            .map(|c| c.iter().copied().fold(init, pick))
            .collect::<Vec<f64>>()
    };
    InputBox::new(
        fold(f64::INFINITY, f64::min),
        fold(f64::NEG_INFINITY, f64::max),
    )
    .expect("the bounds of finite data are finite and ordered")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_data_is_seeded_and_exact() {
        let f = BenchmarkFunction::Himmelblau;
        let data = Dataset::from_function(f, 200, 4).unwrap();
        assert_eq!(data, Dataset::from_function(f, 200, 4).unwrap());
        assert_ne!(data, Dataset::from_function(f, 200, 5).unwrap());
        assert_eq!((data.len(), data.dim()), (200, 2));
        for (x, &y) in data.inputs.outer_iter().zip(&data.targets) {
            assert_eq!(f.eval(&x.to_vec()), y);
            assert!(data.input_box.contains(&x.to_vec(), 0.0));
        }
        assert_eq!(data.source.label(), "himmelblau");
        assert!(Dataset::from_function(f, 0, 1).is_err());
    }

    #[test]
    fn csv_with_header_and_box_from_data() {
        let text = "x1, x2, y\n\n1, -2, 3\n# a comment\n0.5,4,1e-3\r\n-1,0,\"7\"\n";
        let data = Dataset::from_csv_str(text, "dir/points.csv", None).unwrap();
        assert_eq!(
            data.inputs,
            ndarray::array![[1.0, -2.0], [0.5, 4.0], [-1.0, 0.0]]
        );
        assert_eq!(data.targets, ndarray::array![3.0, 1e-3, 7.0]);
        assert_eq!(data.input_box, InputBox::parse("-1,1;-2,4").unwrap());
        assert_eq!(data.source.label(), "points");
    }

    #[test]
    fn csv_without_header_whitespace_separated_and_given_box() {
        let text = "1 2 3\n4\t5 6\n";
        let b = InputBox::parse("0,10;0,10").unwrap();
        let data = Dataset::from_csv_str(text, "t", Some(b.clone())).unwrap();
        assert_eq!(data.len(), 2);
        assert_eq!(data.input_box, b);
        let wrong = InputBox::parse("0,1").unwrap();
        assert_eq!(
            Dataset::from_csv_str(text, "t", Some(wrong)),
            Err(DatasetError::BoxDimension {
                expected: 2,
                found: 1
            })
        );
    }

    #[test]
    fn csv_errors_name_line_and_column() {
        let err = |text: &str| Dataset::from_csv_str(text, "t", None).unwrap_err();
        assert_eq!(err(""), DatasetError::Empty);
        assert_eq!(err("\n  \n"), DatasetError::Empty);
        assert_eq!(err("x,y\n"), DatasetError::Empty);
        assert_eq!(
            err("x,y\n1,2\n3,abc\n"),
            DatasetError::BadNumber {
                line: 3,
                column: 2,
                text: "abc".into()
            }
        );
        assert_eq!(
            err("1,2,3\n4,5\n"),
            DatasetError::Ragged {
                line: 2,
                expected: 3,
                found: 2
            }
        );
        assert_eq!(
            err("1,2\n\n3,NaN\n"),
            DatasetError::NonFinite {
                line: 3,
                column: 2,
                text: "NaN".into()
            }
        );
        assert_eq!(
            err("1,,2\n"),
            DatasetError::BadNumber {
                line: 1,
                column: 2,
                text: String::new()
            }
        );
        assert_eq!(
            err("y\n1\n"),
            DatasetError::TooFewColumns { line: 2, found: 1 }
        );
        let message = err("1,2\n3,inf\n").to_string();
        assert!(message.contains("line 2, column 2"), "{message}");
        let missing = Dataset::from_csv_path(Path::new("/nonexistent/data.csv"), None);
        assert!(matches!(missing, Err(DatasetError::Io { .. })));
    }

    #[test]
    fn csv_from_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.csv");
        std::fs::write(&path, "a,b\n1,2\n3,4\n").unwrap();
        let data = Dataset::from_csv_path(&path, None).unwrap();
        assert_eq!(data.targets, ndarray::array![2.0, 4.0]);
        assert_eq!(data.source, DataSource::Csv(path.display().to_string()));
    }

    #[test]
    fn split_is_seeded_disjoint_and_complete() {
        let data = Dataset::from_function(BenchmarkFunction::Peaks, 101, 0).unwrap();
        let s = data.split(0.15, 0.15, 9).unwrap();
        assert_eq!(
            (s.train.len(), s.validation.len(), s.test.len()),
            (71, 15, 15)
        );
        assert_eq!(s, data.split(0.15, 0.15, 9).unwrap());
        assert_ne!(s.train, data.split(0.15, 0.15, 10).unwrap().train);
        let mut all: Vec<f64> = [&s.train, &s.validation, &s.test]
            .iter()
            .flat_map(|d| d.targets.to_vec())
            .collect();
        let mut original = data.targets.to_vec();
        all.sort_by(f64::total_cmp);
        original.sort_by(f64::total_cmp);
        assert_eq!(all, original);
    }

    #[test]
    fn split_rejects_bad_fractions_and_tiny_data() {
        let data = Dataset::from_function(BenchmarkFunction::Peaks, 5, 0).unwrap();
        assert!(matches!(
            data.split(0.0, 0.2, 0),
            Err(DatasetError::Fractions { .. })
        ));
        assert!(matches!(
            data.split(0.5, 0.5, 0),
            Err(DatasetError::Fractions { .. })
        ));
        assert!(matches!(
            data.split(0.05, 0.05, 0),
            Err(DatasetError::SplitTooSmall { .. })
        ));
        assert!(data.split(0.2, 0.2, 0).is_ok());
    }
}
