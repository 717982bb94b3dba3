//! reluscope: look inside mixed-integer programs that embed trained ReLU networks.
//!
//! Load a network, bound its neurons, optionally rescale it, and solve the big-M MILP:
//!
//! ```
//! use reluscope::{BoundMethod, MilpSetup, Objective, Sense, TaskControl, load, prepare_milp};
//!
//! let (network, input_box) = load("sample_networks/peaks_25x2.json", None)?;
//! let setup = MilpSetup { bounds: BoundMethod::LpObbt, ..MilpSetup::default() };
//! let prepared = prepare_milp(&network, &input_box, &setup, &TaskControl::default())?;
//! println!("{} of {} hidden neurons are stable", prepared.report(&network, &input_box).stable_percent, network.hidden_neurons());
//! let objective = Objective::output(Sense::Minimize, 0, network.output_dim())?;
//! let solution = prepared.solve(&input_box, &objective)?;
//! assert_eq!(solution.status, "optimal");
//! // The optimum is checked by a forward pass of the network at x*.
//! assert!(solution.forward_difference.unwrap() < 1e-6);
//! # Ok::<(), reluscope::Error>(())
//! ```
//!
//! The library is the engine; the `reluscope` binary adds the command line (feature `cli`) and
//! the `reluscope-app` binary the GUI (feature `gui`; both on by default). Its layers only point down:
//!
//! - [`network`], [`formats`]: the network model, its forward pass, and its files;
//! - [`bounds`]: bound types, interval and symbolic bounds, neuron stability;
//! - [`lp`]: the linear-model type and the LP solvers (dense simplexes, HiGHS);
//! - [`formulation`]: the network as a big-M MILP or its triangle relaxation;
//! - [`milp`]: solving the MILP, with a sampled start and a forward check;
//! - [`tightening`]: LP- and MILP-based bound tightening;
//! - [`analysis`], [`scaling`], [`regions`]: per-layer figures, the function-preserving
//!   rescaling, linear regions;
//! - [`pipeline`]: load → bounds → rescale → solve, the way the CLI and the GUI do it;
//! - [`training`]: training networks on the study's benchmark functions;
//! - [`control`], [`numbers`], [`error`]: progress and cancellation, small numeric helpers,
//!   the crate's [`Error`].

pub mod analysis;
pub mod bounds;
pub mod branching;
pub mod control;
pub mod error;
pub mod figures;
pub mod formats;
pub mod formulation;
pub mod lp;
pub mod milp;
pub mod network;
pub mod numbers;
pub mod pipeline;
pub mod problem;
pub mod regions;
pub mod scaling;
pub mod study;
pub mod tightening;
pub mod training;

pub use analysis::AnalysisReport;
pub use bounds::{BoundMethod, NetworkBounds};
pub use control::TaskControl;
pub use error::{Error, Result};
pub use formats::{load_network, save_network};
pub use milp::{NetworkSolveOptions, Objective, Sense, SolveControl, SolveReport};
pub use network::{InputBox, Network};
pub use pipeline::{MilpSetup, PreparedMilp, load, prepare_milp, solve_by_regions};
pub use scaling::ScalingMethod;

/// The Rust examples of README.md, compiled and run as doctests so that the README stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
