//! What a study measures: the grid (functions × hidden layouts × training variants × seeds,
//! or given network files) and, for every network, the treatments (bound methods ×
//! rescalings) and solve methods. A spec is stored as `study.json` in the study directory,
//! so that resuming, sharding and merging can check they continue the same study.

use super::StudyError;
use crate::bounds::BoundMethod;
use crate::pipeline::SolveMethod;
use crate::scaling::ScalingMethod;
use crate::training::{BenchmarkFunction, TrainingConfig};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Training settings shared by every trained network of a study.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingSettings {
    /// Points sampled from the function (Latin hypercube).
    pub samples: usize,
    /// Most epochs.
    pub epochs: usize,
    /// Early-stopping patience in epochs (0: never early).
    pub patience: usize,
    /// Mini-batch size.
    pub batch_size: usize,
    /// Adam step size.
    pub learning_rate: f64,
}

impl Default for TrainingSettings {
    fn default() -> Self {
        Self {
            samples: 10_000,
            epochs: 1000,
            patience: 100,
            batch_size: 64,
            learning_rate: 2e-3,
        }
    }
}

/// The whole grid of a study.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StudySpec {
    /// Benchmark functions trained on (`peaks`, `himmelblau`, `ackley`, `ackley:D`).
    pub functions: Vec<String>,
    /// Hidden layouts, e.g. `[25, 25]`.
    pub hidden: Vec<Vec<usize>>,
    /// Training variants: `plain`, `l1=λ`, `l2=λ`, `clip=c`, `dropout=p`, joined by `+`.
    pub variants: Vec<String>,
    /// Training seeds.
    pub seeds: Vec<u64>,
    /// Network files studied as they are (after the trained ones).
    pub networks: Vec<PathBuf>,
    /// Bound methods (`ia`, `symbolic`, `lp`, `milp`).
    pub bounds: Vec<String>,
    /// Rescalings after the bounds (`none`, `balanced`, `range`, `unit`).
    pub rescalings: Vec<String>,
    /// Solve methods: `milp` runs once per treatment (bounds × rescaling); `regions`,
    /// `branch` and `auto` (which bring their own bounds) once per network.
    pub solve_methods: Vec<String>,
    /// HiGHS seeds per MILP; times and nodes are their medians.
    pub solve_seeds: u32,
    /// Time limit of each solve and of each region count, seconds.
    pub time_limit: f64,
    /// How networks are trained.
    pub training: TrainingSettings,
}

impl Default for StudySpec {
    /// The study's grid: three benchmarks, depths 2, 3 and 5 of width 25 and 2 of width 50,
    /// plain training against L1, L2, clipped ReLU and dropout, three seeds, interval
    /// arithmetic against LP-OBBT, with and without the balanced rescaling.
    fn default() -> Self {
        Self {
            functions: vec!["peaks".into(), "himmelblau".into(), "ackley".into()],
            hidden: vec![vec![25, 25], vec![25, 25, 25], vec![25; 5], vec![50, 50]],
            variants: [
                "plain",
                "l1=1e-4",
                "l1=1e-3",
                "l2=1e-3",
                "clip=1",
                "dropout=0.1",
                "l1=1e-3+clip=1",
            ]
            .map(String::from)
            .to_vec(),
            seeds: vec![0, 1, 2],
            networks: Vec::new(),
            bounds: vec!["ia".into(), "lp".into()],
            rescalings: vec!["none".into(), "balanced".into()],
            solve_methods: vec!["milp".into(), "regions".into()],
            solve_seeds: 3,
            time_limit: 120.0,
            training: TrainingSettings::default(),
        }
    }
}

impl StudySpec {
    /// A small grid that runs in seconds (release build) on two cores: the three
    /// benchmarks, layouts 2×10 and 3×10, plain against L1 and dropout, one seed, short
    /// training.
    pub fn quick() -> Self {
        Self {
            hidden: vec![vec![10, 10], vec![10, 10, 10]],
            variants: vec!["plain".into(), "l1=1e-3".into(), "dropout=0.1".into()],
            seeds: vec![0],
            solve_seeds: 1,
            time_limit: 30.0,
            training: TrainingSettings {
                samples: 3000,
                epochs: 300,
                patience: 40,
                ..TrainingSettings::default()
            },
            ..Self::default()
        }
    }

    /// Checks every key and number; the error names the first bad entry.
    pub fn validate(&self) -> Result<(), StudyError> {
        let bad = |what: String| Err(StudyError::Spec(what));
        if self.functions.is_empty() && self.networks.is_empty() {
            return bad("no functions to train on and no network files".into());
        }
        if !self.functions.is_empty()
            && (self.hidden.is_empty() || self.variants.is_empty() || self.seeds.is_empty())
        {
            return bad("training needs at least one hidden layout, variant and seed".into());
        }
        for f in &self.functions {
            BenchmarkFunction::parse(f).map_err(|e| StudyError::Spec(e.to_string()))?;
        }
        // A repeated entry would run the same cells twice under one id.
        fn repeated<T: PartialEq + std::fmt::Debug>(
            what: &str,
            values: &[T],
        ) -> Result<(), StudyError> {
            for (k, v) in values.iter().enumerate() {
                if values[..k].contains(v) {
                    return Err(StudyError::Spec(format!("{what} {v:?} is listed twice")));
                }
            }
            Ok(())
        }
        repeated("function", &self.functions)?;
        repeated("hidden layout", &self.hidden)?;
        repeated("variant", &self.variants)?;
        repeated("seed", &self.seeds)?;
        repeated("network file", &self.networks)?;
        repeated("bound method", &self.bounds)?;
        repeated("rescaling", &self.rescalings)?;
        repeated("solve method", &self.solve_methods)?;
        if !self.functions.is_empty() {
            // The shared settings first, so that their errors do not blame a variant.
            for hidden in &self.hidden {
                let layout: Vec<String> = hidden.iter().map(usize::to_string).collect();
                self.training_config(hidden, "plain", 0).map_err(|e| {
                    StudyError::Spec(e.to_string().replace(
                        "variant 'plain'",
                        &format!("hidden layout {}", layout.join("x")),
                    ))
                })?;
            }
            for v in &self.variants {
                self.training_config(&self.hidden[0], v, 0)?;
            }
        }
        if self.bounds.is_empty() {
            return bad("at least one bound method is needed".into());
        }
        self.bound_methods()?;
        self.scaling_methods()?;
        self.solve_method_list()?;
        if self.rescalings.is_empty() {
            return bad("at least one rescaling is needed (none for no rescaling)".into());
        }
        if self.solve_seeds == 0 {
            return bad("solve seeds must be at least 1".into());
        }
        if !(self.time_limit.is_finite() && self.time_limit >= 1e-3) {
            return bad(format!(
                "the time limit must be at least 0.001 s, found {}",
                self.time_limit
            ));
        }
        Ok(())
    }

    /// The bound methods, parsed.
    pub fn bound_methods(&self) -> Result<Vec<BoundMethod>, StudyError> {
        parse_keys(
            &self.bounds,
            BoundMethod::from_key,
            "bound method",
            "ia, symbolic, lp, milp",
        )
    }

    /// The rescalings, parsed.
    pub fn scaling_methods(&self) -> Result<Vec<ScalingMethod>, StudyError> {
        parse_keys(
            &self.rescalings,
            ScalingMethod::from_key,
            "rescaling",
            "none, balanced, range, unit",
        )
    }

    /// The solve methods, parsed.
    pub fn solve_method_list(&self) -> Result<Vec<SolveMethod>, StudyError> {
        parse_keys(
            &self.solve_methods,
            SolveMethod::from_key,
            "solve method",
            "milp, regions, branch, auto",
        )
    }

    /// The trainer configuration of one trained cell: `variant` ("l1=1e-3+clip=1") applied
    /// to the study's training settings.
    pub fn training_config(
        &self,
        hidden: &[usize],
        variant: &str,
        seed: u64,
    ) -> Result<TrainingConfig, StudyError> {
        let t = &self.training;
        let mut config = TrainingConfig::new(hidden.to_vec(), None)
            .with_adam(t.batch_size, t.learning_rate)
            .with_stopping(t.epochs, t.patience)
            .with_sampling(t.samples, seed);
        let bad = |what: String| StudyError::Spec(format!("variant '{variant}': {what}"));
        if variant != "plain" {
            for part in variant.split('+') {
                let (key, value) = part
                    .split_once('=')
                    .ok_or_else(|| bad(format!("expected key=value, found '{part}'")))?;
                let value: f64 = value
                    .parse()
                    .map_err(|_| bad(format!("'{value}' is not a number")))?;
                match key {
                    "l1" => config.l1 = value,
                    "l2" => config.l2 = value,
                    "clip" => config.clip = Some(value),
                    "dropout" => config.dropout = value,
                    other => {
                        return Err(bad(format!(
                            "unknown option '{other}' (l1, l2, clip, dropout)"
                        )));
                    }
                }
            }
        }
        config.validate().map_err(|e| bad(e.to_string()))?;
        Ok(config)
    }
}

/// Every key of `keys` parsed by `parse`; the error names the first unknown one, what it is
/// and the keys known.
fn parse_keys<T>(
    keys: &[String],
    parse: fn(&str) -> Option<T>,
    what: &str,
    known: &str,
) -> Result<Vec<T>, StudyError> {
    keys.iter()
        .map(|k| {
            parse(k).ok_or_else(|| StudyError::Spec(format!("unknown {what} '{k}' ({known})")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_and_quick_grids_are_valid_and_bad_entries_are_named() {
        StudySpec::default().validate().unwrap();
        StudySpec::quick().validate().unwrap();
        let config = StudySpec::quick()
            .training_config(&[4], "l1=1e-3+clip=1", 7)
            .unwrap();
        assert_eq!((config.l1, config.clip, config.seed), (1e-3, Some(1.0), 7));
        for (edit, needle) in [
            (
                Box::new(|s: &mut StudySpec| s.variants = vec!["l3=1".into()])
                    as Box<dyn Fn(&mut StudySpec)>,
                "l3",
            ),
            (Box::new(|s| s.bounds = vec!["lpp".into()]), "lpp"),
            (Box::new(|s| s.functions = vec!["peak".into()]), "peak"),
            (
                Box::new(|s| s.rescalings = vec!["balance".into()]),
                "balance",
            ),
            (Box::new(|s| s.solve_methods = vec!["mip".into()]), "mip"),
            (Box::new(|s| s.time_limit = f64::NAN), "time limit"),
            (
                Box::new(|s| s.variants = vec!["dropout=1.5".into()]),
                "dropout",
            ),
        ] {
            let mut spec = StudySpec::quick();
            edit(&mut spec);
            let err = spec.validate().unwrap_err().to_string();
            assert!(err.contains(needle), "{err}");
        }
    }
}
