//! reluscope's problem file: JSON naming the networks (paths relative to the file), the box,
//! constraints, alternatives and an objective.
//!
//! ```json
//! {
//!   "networks": [{"name": "f", "file": "f.onnx"}, {"name": "g", "file": "g.json"}],
//!   "box": [[-2, 2], [-2, 2]],
//!   "constraints": [{"terms": {"g.y0": 1.0, "x1": 0.5}, "sense": "<=", "rhs": 3.0}],
//!   "any_of": [{"box": [[-2, 0], [-2, 2]]}, {"constraints": [{"terms": {"x0": 1}, "sense": ">=", "rhs": 1}]}],
//!   "objective": {"sense": "min", "terms": {"f.y0": 1.0}}
//! }
//! ```
//!
//! Variables: `x0, x1, …` (inputs) and `NAME.y0, NAME.y1, …` (outputs of network `NAME`;
//! plain `y0` when there is one network). `sense` is `<=`, `>=` or `=` (`min`/`max` for the
//! objective). Without `box`, the first network's file must store one; without `objective`
//! the problem asks whether any point is feasible; `any_of` (optional) lists alternatives of
//! which at least one must hold, each with an optional `box` and `constraints`. Unknown keys
//! are refused (a misspelt key would otherwise be ignored silently).

use super::{
    ConstraintSense, Disjunct, LinearConstraint, NamedNetwork, Problem, ProblemError,
    ProblemObjective, Variable,
};
use crate::formats::{load_network, max_file_bytes, printable, read_limited};
use crate::lp::Sense;
use crate::network::InputBox;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileNetwork {
    name: Option<String>,
    file: PathBuf,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConstraint {
    terms: BTreeMap<String, f64>,
    sense: String,
    rhs: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileAlternative {
    #[serde(rename = "box")]
    input_box: Option<Vec<[f64; 2]>>,
    #[serde(default)]
    constraints: Vec<FileConstraint>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileObjective {
    sense: String,
    terms: BTreeMap<String, f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileProblem {
    networks: Vec<FileNetwork>,
    #[serde(rename = "box")]
    input_box: Option<Vec<[f64; 2]>>,
    #[serde(default)]
    constraints: Vec<FileConstraint>,
    #[serde(default)]
    any_of: Vec<FileAlternative>,
    objective: Option<FileObjective>,
}

/// Only whether a JSON object has `networks`: every other value is skipped unbuilt, so that
/// probing a large network file costs a scan, not a copy of its weights.
#[derive(Deserialize)]
struct Probe {
    networks: Option<serde::de::IgnoredAny>,
}

/// Whether `bytes` look like a problem file rather than a network file: a JSON object with a
/// `networks` key.
pub fn is_problem_json(bytes: &[u8]) -> bool {
    // Every command probes its JSON network file first; scanning all its numbers was a sixth
    // of `info` on a 5.9 MB network (784-256-256-1: 27.6 -> 23.1 ms cold). Without the key's
    // text, written plainly or with an escape, there is no such key and no scan.
    let Ok(text) = std::str::from_utf8(bytes) else {
        return false;
    };
    text.trim_start().starts_with('{')
        && (text.contains("\"networks\"") || text.contains("\\u"))
        && serde_json::from_slice::<Probe>(bytes).is_ok_and(|p| p.networks.is_some())
}

/// The contents of `path` if it is a `.json` file that can be read (within the size limit):
/// what [`is_problem_json`] probes, kept so that a network file is not read twice (its load
/// reports why a file cannot be read).
pub fn json_contents(path: &Path) -> Option<Vec<u8>> {
    if path.extension().and_then(|e| e.to_str()) != Some("json") {
        return None;
    }
    read_limited(path, max_file_bytes()).ok()
}

/// Whether the file at `path` is a problem file (`.json` with a `networks` key).
pub fn is_problem_file(path: &Path) -> bool {
    json_contents(path).is_some_and(|b| is_problem_json(&b))
}

/// Reads the problem file at `path`, and the networks it names (relative to it).
pub fn read_problem(path: &Path) -> Result<Problem, ProblemError> {
    let fail = |message: String| ProblemError::File {
        file: path.to_path_buf(),
        message,
    };
    let bytes = read_limited(path, max_file_bytes()).map_err(|e| fail(e.to_string()))?;
    let file: FileProblem = serde_json::from_slice(&bytes)
        .map_err(|e| fail(format!("not a problem file: {}", printable(&e.to_string()))))?;
    let base = path.parent().unwrap_or(Path::new("."));
    if file.networks.is_empty() {
        return Err(fail(
            "\"networks\" is empty: name at least one network".into(),
        ));
    }
    let mut networks = Vec::with_capacity(file.networks.len());
    for (k, n) in file.networks.iter().enumerate() {
        let network_path = base.join(&n.file);
        let network =
            load_network(&network_path).map_err(|e| fail(format!("network {}: {e}", k + 1)))?;
        let name = n.name.clone().unwrap_or_else(|| network.name.clone());
        if name.is_empty() || name.contains('.') || name.chars().any(char::is_whitespace) {
            return Err(fail(format!(
                "network {}: the name '{}' must be non-empty, without dots or spaces",
                k + 1,
                printable(&name)
            )));
        }
        networks.push(NamedNetwork { name, network });
    }
    let to_box = |pairs: &[[f64; 2]], what: &str| {
        InputBox::from_pairs(pairs).map_err(|e| fail(format!("{what}: {e}")))
    };
    let input_box = match &file.input_box {
        Some(pairs) => to_box(pairs, "\"box\"")?,
        None => networks[0].network.input_box().cloned().ok_or_else(|| {
            fail(format!(
                "no \"box\", and the file of network '{}' stores none: give \"box\"",
                networks[0].name
            ))
        })?,
    };
    let names: Vec<String> = networks.iter().map(|n| n.name.clone()).collect();
    let constraint =
        |c: &FileConstraint, origin: String| -> Result<LinearConstraint, ProblemError> {
            let sense = match c.sense.as_str() {
                "<=" => ConstraintSense::Le,
                ">=" => ConstraintSense::Ge,
                "=" | "==" => ConstraintSense::Eq,
                other => {
                    return Err(fail(format!(
                        "{origin}: sense '{}' is not one of <=, >=, =",
                        printable(other)
                    )));
                }
            };
            Ok(LinearConstraint {
                terms: terms(&c.terms, &names, &origin).map_err(fail)?,
                sense,
                rhs: c.rhs,
                origin: format!("{}: {origin}", path.display()),
            })
        };
    let constraints = file
        .constraints
        .iter()
        .enumerate()
        .map(|(i, c)| constraint(c, format!("constraint {}", i + 1)))
        .collect::<Result<Vec<_>, _>>()?;
    let mut disjuncts = Vec::with_capacity(file.any_of.len());
    for (a, alt) in file.any_of.iter().enumerate() {
        let origin = format!("alternative {} of \"any_of\"", a + 1);
        disjuncts.push(Disjunct {
            input_box: alt
                .input_box
                .as_deref()
                .map(|p| to_box(p, &origin))
                .transpose()?,
            constraints: alt
                .constraints
                .iter()
                .enumerate()
                .map(|(i, c)| constraint(c, format!("{origin}, constraint {}", i + 1)))
                .collect::<Result<Vec<_>, _>>()?,
            origin: format!("{}: {origin}", path.display()),
        });
    }
    let objective = match &file.objective {
        None => None,
        Some(o) => Some(ProblemObjective {
            sense: match o.sense.to_ascii_lowercase().as_str() {
                "min" | "minimize" | "minimise" => Sense::Minimize,
                "max" | "maximize" | "maximise" => Sense::Maximize,
                other => {
                    return Err(fail(format!(
                        "objective: sense '{}' is not min or max",
                        printable(other)
                    )));
                }
            },
            terms: terms(&o.terms, &names, "objective").map_err(fail)?,
        }),
    };
    let problem = Problem {
        networks,
        input_box,
        constraints,
        disjuncts,
        objective,
    };
    problem.check().map_err(|e| match e {
        ProblemError::Invalid(m) => fail(m),
        e => e,
    })?;
    Ok(problem)
}

/// The terms of a constraint or objective, names resolved against the networks' `names`.
fn terms(
    map: &BTreeMap<String, f64>,
    names: &[String],
    origin: &str,
) -> Result<Vec<(Variable, f64)>, String> {
    map.iter()
        .map(|(name, &a)| {
            Ok((
                variable(name, names).map_err(|e| format!("{origin}: {e}"))?,
                a,
            ))
        })
        .collect()
}

/// `x3` → input 3; `f.y1` → output 1 of network `f`; `y1` with one network.
fn variable(name: &str, names: &[String]) -> Result<Variable, String> {
    let index = |digits: &str| {
        digits
            .parse::<usize>()
            .ok()
            .filter(|_| !digits.starts_with('+'))
    };
    if let Some(i) = name.strip_prefix('x').and_then(index) {
        return Ok(Variable::Input(i));
    }
    let (network, output) = match name.rsplit_once('.') {
        Some((net, out)) => match names.iter().position(|n| n == net) {
            Some(k) => (k, out),
            None => {
                return Err(format!(
                    "'{}' names no network (the networks are {})",
                    printable(name),
                    names.join(", ")
                ));
            }
        },
        None if names.len() == 1 => (0, name),
        None => {
            return Err(format!(
                "'{}': with several networks write NAME.yJ (the networks are {})",
                printable(name),
                names.join(", ")
            ));
        }
    };
    match output.strip_prefix('y').and_then(index) {
        Some(j) => Ok(Variable::Output { network, output: j }),
        None => Err(format!(
            "'{}' is not a variable: write x0, x1, … for inputs and y0 or NAME.y0 for outputs",
            printable(name)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Only a readable `.json` file's contents are kept for the probe and the load.
    #[test]
    fn json_contents_reads_json_files_only() {
        let dir = tempfile::tempdir().unwrap();
        let json = dir.path().join("net.json");
        std::fs::write(&json, br#"{"layers": []}"#).unwrap();
        let onnx = dir.path().join("net.onnx");
        std::fs::write(&onnx, b"\x08\x07").unwrap();
        assert_eq!(
            json_contents(&json).as_deref(),
            Some(&br#"{"layers": []}"#[..])
        );
        assert_eq!(json_contents(&onnx), None);
        assert_eq!(json_contents(&dir.path().join("missing.json")), None);
        assert_eq!(json_contents(dir.path()), None);
        assert!(!is_problem_file(&json));
    }

    #[test]
    fn variables_are_read_and_misspellings_named() {
        let one = vec!["f".to_string()];
        let two = vec!["f".to_string(), "g".to_string()];
        assert_eq!(variable("x3", &one), Ok(Variable::Input(3)));
        assert_eq!(
            variable("y1", &one),
            Ok(Variable::Output {
                network: 0,
                output: 1
            })
        );
        assert_eq!(
            variable("g.y0", &two),
            Ok(Variable::Output {
                network: 1,
                output: 0
            })
        );
        assert!(variable("y0", &two).unwrap_err().contains("NAME.yJ"));
        assert!(
            variable("h.y0", &two)
                .unwrap_err()
                .contains("names no network")
        );
        assert!(variable("X_0", &one).unwrap_err().contains("x0, x1"));
        assert!(variable("x+1", &one).is_err());
        assert!(is_problem_json(br#"{"networks": []}"#));
        assert!(is_problem_json(br#"{"netw\u006frks": []}"#));
        assert!(!is_problem_json(br#"{"layers": []}"#));
        assert!(!is_problem_json(br#"{"name": "networks", "layers": []}"#));
        assert!(!is_problem_json(br#"{"name": "\u00e9", "layers": []}"#));
        assert!(!is_problem_json(b"[1, 2"));
        assert!(!is_problem_json(br#"[{"networks": []}]"#));
        assert!(!is_problem_json(b"{\"networks\": [\xff]}"));
    }
}
