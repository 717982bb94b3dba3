//! reluscope: look inside mixed-integer programs that embed trained ReLU networks.
//!
//! The library is the engine; the `reluscope` binary adds the command line and the GUI.
//! - [`network`]: the network model and its forward pass;
//! - [`formats`]: reluscope JSON, ONNX and NNet files;
//! - [`bounds`]: pre-activation bounds (interval arithmetic, …);
//! - [`analysis`]: neuron stability and per-layer statistics;
//! - [`milp`]: the big-M MILP, its HiGHS solve and its export;
//! - [`scaling`]: the function-preserving rescaling of a network;
//! - [`pipeline`]: bounds then scaling, the way the CLI and the GUI prepare a MILP;
//! - [`control`]: progress and cancellation of long computations;
//! - [`training`]: training networks on the study's benchmark functions.

pub mod analysis;
pub mod bounds;
pub mod control;
pub mod formats;
pub mod milp;
pub mod network;
pub mod pipeline;
pub mod regions;
pub mod scaling;
pub mod training;
