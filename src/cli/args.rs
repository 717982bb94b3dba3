//! Argument groups shared by several subcommands, and their translation to library types.

use anyhow::{Context, Result, bail};
use clap::Args;
use reluscope::bounds::BoundMethod;
use reluscope::control::TaskControl;
use reluscope::formats::{load_network, network_from_bytes};
use reluscope::milp::{Cuts, Formulation, NetworkSolveOptions, Objective, Sense, SolveOptions};
use reluscope::network::{InputBox, Network};
use reluscope::pipeline::{MilpSetup, PreparedMilp, prepare_milp};
use reluscope::problem::Problem;
use reluscope::problem::problem_file::{is_problem_json, json_contents, read_problem};
use reluscope::scaling::ScalingMethod;
use reluscope::tightening::ObbtOptions;
use std::path::PathBuf;
use std::sync::OnceLock;

/// A network file and an optional box override.
#[derive(Debug, Args)]
pub struct NetworkArgs {
    /// Network file (.json, .onnx or .nnet), or a problem file (.json with "networks").
    pub network: PathBuf,
    /// Input box "lo,hi;lo,hi;..." (overrides the box stored in the file).
    #[arg(long = "box", value_name = "BOX", allow_hyphen_values = true)]
    pub input_box: Option<String>,
    /// The file's contents, read once by [`NetworkArgs::problem`]'s probe and parsed by
    /// [`NetworkArgs::load`] (a second read was ≈ 13 page faults of a small `solve`, and a
    /// page-cache copy of 1–4 ms on a 5.9 MB network).
    #[arg(skip)]
    contents: OnceLock<Vec<u8>>,
}

impl NetworkArgs {
    /// The problem, when the file is a problem file (with `--box` replacing its box).
    pub fn problem(&self) -> Result<Option<Problem>> {
        let Some(contents) = json_contents(&self.network) else {
            return Ok(None);
        };
        if !is_problem_json(&contents) {
            let _ = self.contents.set(contents);
            return Ok(None);
        }
        let mut problem = read_problem(&self.network)?;
        if let Some(text) = &self.input_box {
            let b = InputBox::parse(text).context("--box")?;
            if b.dim() != problem.input_dim() {
                bail!(
                    "--box has {} dimension(s) but {} has {} input(s)",
                    b.dim(),
                    self.network.display(),
                    problem.input_dim()
                );
            }
            problem.input_box = b;
        }
        Ok(Some(problem))
    }

    /// Loads the network and resolves its box (the override wins over the file's box).
    pub fn load(&self) -> Result<(Network, InputBox)> {
        let mut network = match self.contents.get() {
            Some(contents) => network_from_bytes(&self.network, contents)?,
            None => load_network(&self.network)?,
        };
        if let Some(text) = &self.input_box {
            let b = InputBox::parse(text).context("--box")?;
            network
                .set_box(b)
                .with_context(|| format!("--box does not fit {}", self.network.display()))?;
        }
        let Some(input_box) = network.input_box().cloned() else {
            bail!(
                "{}: the file stores no input box; give one with --box \"lo,hi;lo,hi;...\"",
                self.network.display()
            );
        };
        Ok((network, input_box))
    }
}

/// The bound-tightening and rescaling choices.
#[derive(Debug, Args)]
pub struct BoundsArgs {
    /// How to compute the pre-activation bounds: ia (interval arithmetic), symbolic
    /// (backward linear relaxation), lp (LP-based OBBT), milp (LP- then MILP-based OBBT).
    /// Default: ia, except for the MILP of `solve` and `verify`: lp, then milp (0.05 s per
    /// bound MILP) when the MILP would still have 70 binaries or more.
    #[arg(long, value_parser = parse_bound_method)]
    pub bounds: Option<BoundMethod>,
    /// Rescale the network after bounding: none, balanced (least-squares balancing of
    /// coefficient magnitudes), range (minimal max/min coefficient ratio, an LP) — both with
    /// power-of-two factors — or unit (every big-M = 1).
    #[arg(long, default_value = "none", value_parser = parse_scaling)]
    pub scale: ScalingMethod,
    /// Time limit of each MILP in MILP-based OBBT, in seconds [default: 1, or 0.05 in the
    /// default bounds of solve and verify].
    #[arg(long, value_name = "SECONDS")]
    pub obbt_time_limit: Option<f64>,
    /// Compute every bound, even those the MILP does not use (inactive neurons).
    #[arg(long)]
    pub all_bounds: bool,
}

impl BoundsArgs {
    /// `--bounds`, or interval arithmetic.
    pub fn method(&self) -> BoundMethod {
        self.bounds.unwrap_or(BoundMethod::Interval)
    }

    /// The setup these arguments describe, with `method` instead of `--bounds`.
    pub fn setup_for(&self, method: BoundMethod) -> Result<MilpSetup> {
        Ok(MilpSetup {
            bounds: method,
            scaling: self.scale,
            obbt: ObbtOptions {
                skip_irrelevant: !self.all_bounds,
                milp_time_limit: self.obbt_time_limit()?.unwrap_or(1.0),
            },
            milp_obbt_from_binaries: None,
        })
    }

    /// The setup of `solve`'s and `verify`'s MILP: `--bounds` if given, else
    /// [`MilpSetup::solve_default`] (with `--scale`, `--all-bounds` and `--obbt-time-limit`).
    pub fn solve_setup(&self) -> Result<MilpSetup> {
        if let Some(method) = self.bounds {
            return self.setup_for(method);
        }
        let default = MilpSetup::solve_default();
        Ok(MilpSetup {
            scaling: self.scale,
            obbt: ObbtOptions {
                skip_irrelevant: !self.all_bounds,
                milp_time_limit: self
                    .obbt_time_limit()?
                    .unwrap_or(default.obbt.milp_time_limit),
            },
            ..default
        })
    }

    fn obbt_time_limit(&self) -> Result<Option<f64>> {
        match self.obbt_time_limit {
            Some(t) if !(t.is_finite() && t > 0.0) => {
                bail!("--obbt-time-limit must be positive, found {t}")
            }
            t => Ok(t),
        }
    }

    /// Bounds, then scaling, for the chosen `--bounds`.
    pub fn prepare(&self, network: &Network, input_box: &InputBox) -> Result<PreparedMilp> {
        self.prepare_with(network, input_box, self.method())
    }

    /// Bounds with `method`, then scaling.
    pub fn prepare_with(
        &self,
        network: &Network,
        input_box: &InputBox,
        method: BoundMethod,
    ) -> Result<PreparedMilp> {
        self.prepare_within(network, input_box, method, &TaskControl::default())
    }

    /// Bounds with `method`, then scaling, under `control` (its deadline stops OBBT early
    /// with valid, looser bounds).
    pub fn prepare_within(
        &self,
        network: &Network,
        input_box: &InputBox,
        method: BoundMethod,
        control: &TaskControl,
    ) -> Result<PreparedMilp> {
        let setup = self.setup_for(method)?;
        Ok(prepare_milp(network, input_box, &setup, control)?)
    }
}

pub fn parse_scaling(text: &str) -> Result<ScalingMethod, String> {
    ScalingMethod::from_key(text).ok_or_else(|| {
        let known: Vec<&str> = ScalingMethod::ALL.iter().map(|m| m.key()).collect();
        format!("unknown scaling '{text}' (known: {})", known.join(", "))
    })
}

pub fn parse_bound_method(text: &str) -> Result<BoundMethod, String> {
    BoundMethod::from_key(text).ok_or_else(|| {
        let known: Vec<&str> = BoundMethod::ALL.iter().map(|m| m.key()).collect();
        format!(
            "unknown bound method '{text}' (known: {})",
            known.join(", ")
        )
    })
}

/// What to optimise.
#[derive(Debug, Args)]
pub struct ObjectiveArgs {
    /// Minimise (the default).
    #[arg(long, conflicts_with = "maximize")]
    pub minimize: bool,
    /// Maximise instead of minimising.
    #[arg(long)]
    pub maximize: bool,
    /// Which output to optimise (0-based).
    #[arg(long, default_value_t = 0, conflicts_with = "combination")]
    pub output: usize,
    /// Optimise a linear combination of the outputs, "c0,c1,...".
    #[arg(long, value_delimiter = ',', allow_hyphen_values = true)]
    pub combination: Option<Vec<f64>>,
}

impl ObjectiveArgs {
    /// Errors if an objective was given on the command line for the problem file `path`,
    /// which states its own.
    pub fn refuse_for_problem(&self, path: &std::path::Path) -> Result<()> {
        if self.maximize || self.combination.is_some() || self.output != 0 {
            bail!(
                "{}: a problem file states its own objective; --maximize, --output and \
                 --combination apply to network files",
                path.display()
            );
        }
        Ok(())
    }

    /// The objective for a network with `outputs` outputs.
    pub fn objective(&self, outputs: usize) -> Result<Objective> {
        let sense = if self.maximize {
            Sense::Maximize
        } else {
            Sense::Minimize
        };
        Ok(match &self.combination {
            Some(c) => Objective::combination(sense, c.clone(), outputs)?,
            None => Objective::output(sense, self.output, outputs)?,
        })
    }
}

/// The most sampled inputs `--start-samples` takes.
pub const MAX_START_SAMPLES: usize = 10_000_000;

/// HiGHS settings.
#[derive(Debug, Args)]
pub struct SolverArgs {
    /// Time limit in seconds.
    #[arg(long, value_name = "SECONDS", allow_negative_numbers = true)]
    pub time_limit: Option<f64>,
    /// Relative MIP gap at which to stop.
    #[arg(long, default_value_t = 1e-6, allow_negative_numbers = true)]
    pub gap: f64,
    /// HiGHS threads.
    #[arg(long, default_value_t = 1)]
    pub threads: usize,
    /// Print the HiGHS log on stderr while solving.
    #[arg(long)]
    pub verbose: bool,
    /// Random inputs sampled for the starting incumbent (0: no start).
    #[arg(long, default_value_t = 512)]
    pub start_samples: usize,
    /// Seed for that sampling.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// HiGHS random seed (branch-and-bound paths, and so times, vary with it).
    #[arg(long, default_value_t = 0)]
    pub solver_seed: u32,
    /// Cuts added to the MILP at the root before branch and bound: none, or ideal (the
    /// ideal-formulation inequalities of Anderson et al., separated in rounds on the LP
    /// relaxation; the JSON's root_cuts gives the root bound before and after).
    #[arg(long, default_value = "none", value_parser = parse_cuts)]
    pub cuts: Cuts,
    /// How the MILP encodes unstable neurons: bigm, or partition:N (Tsay et al.: each
    /// neuron's inputs split into N groups, between big-M at N = 1 and the convex hull at one
    /// group per input).
    #[arg(long, default_value = "bigm", value_parser = Formulation::parse)]
    pub formulation: Formulation,
    /// Hand HiGHS the best sampled input as it is, without first walking over linear regions
    /// to improve it (the walk: JSON local_search).
    #[arg(long)]
    pub no_local_search: bool,
    /// Keep a binary for every unstable neuron. By default a neuron the objective and the
    /// constraints only push down (its output reaches them through weights of one sign) is
    /// written h ≥ max(a, 0) without one: the same answer, fewer binaries (JSON one_sided).
    #[arg(long)]
    pub all_binaries: bool,
}

fn parse_cuts(text: &str) -> Result<Cuts, String> {
    Cuts::from_key(text).ok_or_else(|| {
        let known: Vec<&str> = Cuts::ALL.iter().map(|c| c.key()).collect();
        format!("unknown cuts '{text}' (known: {})", known.join(", "))
    })
}

impl SolverArgs {
    /// Library options, after checking the values.
    pub fn options(&self) -> Result<NetworkSolveOptions> {
        if let Some(t) = self.time_limit
            && !(t.is_finite() && t > 0.0)
        {
            bail!("--time-limit must be a positive number of seconds, found {t}");
        }
        if !(self.gap.is_finite() && self.gap >= 0.0) {
            bail!("--gap must be a non-negative number, found {}", self.gap);
        }
        // One thread is always there: the count of cores (a dozen system calls reading the
        // cgroup's quota, 2 % of a small `solve`'s process) only bounds more.
        if self.threads != 1 {
            let cores = std::thread::available_parallelism().map_or(1, usize::from);
            if self.threads == 0 || self.threads > cores {
                bail!(
                    "--threads must be between 1 and the {cores} core(s) of this machine, found {}",
                    self.threads
                );
            }
        }
        if self.start_samples > MAX_START_SAMPLES {
            bail!(
                "--start-samples must be at most {MAX_START_SAMPLES} (a start is a few hundred \
                 samples; more costs more than it saves), found {}",
                self.start_samples
            );
        }
        Ok(NetworkSolveOptions {
            solver: SolveOptions {
                time_limit: self.time_limit,
                mip_rel_gap: self.gap,
                threads: self.threads,
                // The log goes to stderr through the callback, keeping stdout for results.
                verbose: false,
                presolve: true,
                random_seed: self.solver_seed,
                feasibility_tolerance: None,
                tuning_binaries: None,
            },
            start_samples: self.start_samples,
            seed: self.seed,
            formulation: self.formulation,
            cuts: self.cuts,
            local_search: !self.no_local_search,
            one_sided: !self.all_binaries,
        })
    }
}
