//! reluscope: look inside mixed-integer programs that embed trained ReLU networks.
//!
//! The library is the engine; the `reluscope` binary adds the command line and the GUI.
//! Its layers only point down:
//!
//! - [`network`], [`formats`]: the network model, its forward pass, and its files;
//! - [`bounds`]: bound types, interval and symbolic bounds, neuron stability;
//! - [`lp`]: the linear-model type and the LP solvers (dense simplexes, HiGHS);
//! - [`formulation`]: the network as a big-M MILP or its triangle relaxation;
//! - [`milp`]: solving the MILP, with a sampled start and a forward check;
//! - [`tightening`]: LP- and MILP-based bound tightening;
//! - [`analysis`], [`scaling`], [`regions`]: per-layer figures, the function-preserving
//!   rescaling, linear regions;
//! - [`pipeline`]: bounds then scaling, the way the CLI and the GUI prepare a MILP;
//! - [`training`]: training networks on the study's benchmark functions;
//! - [`control`], [`numbers`]: progress and cancellation, small numeric helpers.

pub mod analysis;
pub mod bounds;
pub mod control;
pub mod formats;
pub mod formulation;
pub mod lp;
pub mod milp;
pub mod network;
pub mod numbers;
pub mod pipeline;
pub mod regions;
pub mod scaling;
pub mod tightening;
pub mod training;
