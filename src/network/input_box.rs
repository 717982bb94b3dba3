//! The input domain of a network: an axis-aligned box `[lo_i, hi_i]`.

use super::NetworkError;
use crate::numbers::format_number;
use rand::Rng;

/// An axis-aligned box `{x : lo_i ≤ x_i ≤ hi_i}`; every bound finite and `lo_i ≤ hi_i`.
///
/// A degenerate side (`lo_i = hi_i`) is allowed: it fixes that input.
#[derive(Debug, Clone, PartialEq)]
pub struct InputBox {
    lower: Vec<f64>,
    upper: Vec<f64>,
}

impl InputBox {
    /// Validates and builds a box; an error names the first offending dimension.
    pub fn new(lower: Vec<f64>, upper: Vec<f64>) -> Result<Self, NetworkError> {
        if lower.len() != upper.len() {
            return Err(NetworkError::InvalidBox(format!(
                "{} lower bounds but {} upper bounds",
                lower.len(),
                upper.len()
            )));
        }
        if lower.is_empty() {
            return Err(NetworkError::InvalidBox("the box has no dimensions".into()));
        }
        for (i, (&lo, &hi)) in lower.iter().zip(&upper).enumerate() {
            if !lo.is_finite() || !hi.is_finite() {
                return Err(NetworkError::InvalidBox(format!(
                    "input {i}: bounds [{lo}, {hi}] are not finite"
                )));
            }
            if !super::limits::admissible(lo) || !super::limits::admissible(hi) {
                return Err(NetworkError::InvalidBox(format!(
                    "input {i}: bounds [{lo:e}, {hi:e}] exceed {:e} in magnitude, where f64 \
                     keeps too few digits for the MILP's tolerances",
                    super::limits::MAX_MAGNITUDE
                )));
            }
            if lo > hi {
                return Err(NetworkError::InvalidBox(format!(
                    "input {i}: lower bound {lo} is above upper bound {hi} (inverted box)"
                )));
            }
        }
        Ok(Self { lower, upper })
    }

    /// Builds a box from `[lo, hi]` pairs.
    pub fn from_pairs(pairs: &[[f64; 2]]) -> Result<Self, NetworkError> {
        Self::new(
            pairs.iter().map(|p| p[0]).collect(),
            pairs.iter().map(|p| p[1]).collect(),
        )
    }

    /// Parses the command-line form `"lo,hi;lo,hi;..."`, e.g. `"-2,2;-2,2"`.
    pub fn parse(text: &str) -> Result<Self, NetworkError> {
        let mut pairs = Vec::new();
        for (i, part) in text.split(';').enumerate() {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            let numbers: Vec<&str> = part.split(',').map(str::trim).collect();
            let [lo, hi] = numbers.as_slice() else {
                return Err(NetworkError::InvalidBox(format!(
                    "input {i}: expected \"lo,hi\", found \"{part}\""
                )));
            };
            let parse = |s: &str| {
                s.parse::<f64>().map_err(|_| {
                    NetworkError::InvalidBox(format!("input {i}: \"{s}\" is not a number"))
                })
            };
            pairs.push([parse(lo)?, parse(hi)?]);
        }
        Self::from_pairs(&pairs)
    }

    /// Number of inputs.
    pub fn dim(&self) -> usize {
        self.lower.len()
    }

    /// Lower bounds `lo`.
    pub fn lower(&self) -> &[f64] {
        &self.lower
    }

    /// Upper bounds `hi`.
    pub fn upper(&self) -> &[f64] {
        &self.upper
    }

    /// `[lo, hi]` pairs, the form the JSON file stores.
    pub fn pairs(&self) -> Vec<[f64; 2]> {
        self.lower
            .iter()
            .zip(&self.upper)
            .map(|(&l, &h)| [l, h])
            .collect()
    }

    /// The box for people, e.g. `[-2, 2] × [0, 1]` ([`describe_box`]).
    pub fn describe(&self) -> String {
        describe_box(&self.pairs())
    }

    /// The centre `(lo + hi) / 2`.
    pub fn center(&self) -> Vec<f64> {
        self.lower
            .iter()
            .zip(&self.upper)
            .map(|(l, h)| 0.5 * (l + h))
            .collect()
    }

    /// A point drawn uniformly from the box.
    pub fn sample<R: Rng>(&self, rng: &mut R) -> Vec<f64> {
        self.lower
            .iter()
            .zip(&self.upper)
            .map(|(&l, &h)| if h > l { rng.random_range(l..=h) } else { l })
            .collect()
    }

    /// Corner number `k` (bit `i` of `k` picks `hi_i` over `lo_i`); `2^dim` corners in all.
    pub fn corner(&self, k: u64) -> Vec<f64> {
        (0..self.dim())
            .map(|i| {
                if i < 64 && (k >> i) & 1 == 1 {
                    self.upper[i]
                } else {
                    self.lower[i]
                }
            })
            .collect()
    }

    /// The point of the box nearest to `x` (each coordinate clamped to its side).
    pub fn clamp(&self, x: &[f64]) -> Vec<f64> {
        x.iter()
            .zip(self.lower.iter().zip(&self.upper))
            .map(|(&v, (&l, &u))| v.clamp(l, u))
            .collect()
    }

    /// Whether `x` lies in the box, allowing `tol` of slack on each side.
    pub fn contains(&self, x: &[f64], tol: f64) -> bool {
        x.len() == self.dim()
            && x.iter()
                .zip(self.lower.iter().zip(&self.upper))
                .all(|(&v, (&l, &h))| v >= l - tol && v <= h + tol)
    }

    /// The command-line form, `"lo,hi;lo,hi"`.
    pub fn to_cli_string(&self) -> String {
        self.pairs()
            .iter()
            .map(|[l, h]| format!("{l},{h}"))
            .collect::<Vec<_>>()
            .join(";")
    }
}

/// `[lo₁, hi₁] × [lo₂, hi₂] × …` for people, numbers by [`format_number`]: a run of four or
/// more equal intervals as one power (`[0, 1]^784`), and of more than eight factors the first
/// eight, then `… (N inputs)`.
pub fn describe_box(pairs: &[[f64; 2]]) -> String {
    let mut factors: Vec<String> = Vec::new();
    let mut rest = pairs;
    while let Some(&[lo, hi]) = rest.first() {
        let run = rest.iter().take_while(|&&p| p == [lo, hi]).count().max(1);
        let interval = format!("[{}, {}]", format_number(lo), format_number(hi));
        if run >= BOX_RUN_MIN {
            factors.push(format!("{interval}^{run}"));
            rest = &rest[run..];
        } else {
            factors.push(interval);
            rest = &rest[1..];
        }
    }
    if factors.len() > BOX_FACTORS_SHOWN {
        factors.truncate(BOX_FACTORS_SHOWN);
        factors.push(format!("… ({} inputs)", pairs.len()));
    }
    factors.join(" × ")
}

/// Equal intervals in a row from which [`describe_box`] writes a power.
const BOX_RUN_MIN: usize = 4;
/// Factors [`describe_box`] writes out before eliding the rest.
const BOX_FACTORS_SHOWN: usize = 8;

#[cfg(test)]
mod tests {
    use super::*;

    /// Short boxes written out; runs of equal intervals as powers; long ones elided.
    #[test]
    fn boxes_are_described_briefly() {
        assert_eq!(
            describe_box(&[[-2.0, 2.0], [0.0, 1.5]]),
            "[-2, 2] × [0, 1.500]"
        );
        assert_eq!(describe_box(&[[0.0, 1.0]; 3]), "[0, 1] × [0, 1] × [0, 1]");
        assert_eq!(describe_box(&[[0.0, 1.0]; 784]), "[0, 1]^784");
        let mut pairs = vec![[-1.0, 1.0]];
        pairs.extend([[0.0, 1.0]; 4]);
        pairs.push([2.0, 3.0]);
        assert_eq!(describe_box(&pairs), "[-1, 1] × [0, 1]^4 × [2, 3]");
        let distinct: Vec<[f64; 2]> = (0..9).map(|i| [i as f64, i as f64 + 1.0]).collect();
        assert_eq!(
            describe_box(&distinct[..8]),
            "[0, 1] × [1, 2] × [2, 3] × [3, 4] × [4, 5] × [5, 6] × [6, 7] × [7, 8]"
        );
        assert_eq!(
            describe_box(&distinct),
            "[0, 1] × [1, 2] × [2, 3] × [3, 4] × [4, 5] × [5, 6] × [6, 7] × [7, 8] × … (9 inputs)"
        );
        assert_eq!(describe_box(&[]), "");
        let b = InputBox::new(vec![-5.0, -5.0], vec![5.0, 5.0]).unwrap();
        assert_eq!(b.describe(), "[-5, 5] × [-5, 5]");
    }

    #[test]
    fn parses_the_command_line_form() {
        let b = InputBox::parse("-2,2; -5 , 5").unwrap();
        assert_eq!(b.lower(), &[-2.0, -5.0]);
        assert_eq!(b.upper(), &[2.0, 5.0]);
        assert_eq!(InputBox::parse(&b.to_cli_string()).unwrap(), b);
    }

    #[test]
    fn rejects_inverted_empty_and_malformed_boxes() {
        let inverted = InputBox::parse("-2,2;3,1").unwrap_err().to_string();
        assert!(
            inverted.contains("input 1") && inverted.contains("inverted"),
            "{inverted}"
        );
        assert!(InputBox::parse("").is_err());
        assert!(InputBox::parse("1,2,3").is_err());
        assert!(
            InputBox::parse("a,2")
                .unwrap_err()
                .to_string()
                .contains("\"a\"")
        );
        assert!(InputBox::new(vec![f64::NAN], vec![1.0]).is_err());
        assert!(InputBox::new(vec![0.0], vec![1.0, 2.0]).is_err());
    }

    #[test]
    fn corners_and_samples_lie_in_the_box() {
        let b = InputBox::parse("-1,1;0,3;2,2").unwrap();
        let mut rng = rand::rng();
        for k in 0..8 {
            assert!(b.contains(&b.corner(k), 0.0));
        }
        assert_eq!(b.corner(0b011), vec![1.0, 3.0, 2.0]);
        for _ in 0..100 {
            assert!(b.contains(&b.sample(&mut rng), 0.0));
        }
    }
}
