//! The crate's error: every module's error, for callers who want one type (`?` converts).

use crate::bounds::BoundsError;
use crate::branching::BranchError;
use crate::formats::FileError;
use crate::formulation::FormulationError;
use crate::lp::LpError;
use crate::milp::MilpError;
use crate::network::NetworkError;
use crate::problem::ProblemError;
use crate::regions::RegionsError;
use crate::scaling::ScalingError;
use crate::training::{DatasetError, TrainingError, UnknownFunction};
use thiserror::Error;

/// Anything the library can fail with; each variant wraps a module's own error and displays
/// as it does.
#[derive(Debug, Error)]
pub enum Error {
    /// Reading or writing a network file.
    #[error(transparent)]
    File(#[from] FileError),
    /// An invalid network or box.
    #[error(transparent)]
    Network(#[from] NetworkError),
    /// Bound computation failed or was cancelled.
    #[error(transparent)]
    Bounds(#[from] BoundsError),
    /// The rescaling failed.
    #[error(transparent)]
    Scaling(#[from] ScalingError),
    /// A formulation (objective, bounds) does not fit the network.
    #[error(transparent)]
    Formulation(#[from] FormulationError),
    /// An LP solver failed.
    #[error(transparent)]
    Lp(#[from] LpError),
    /// Building or solving the MILP failed.
    #[error(transparent)]
    Milp(#[from] MilpError),
    /// Linear regions could not be computed.
    #[error(transparent)]
    Regions(#[from] RegionsError),
    /// A problem file, VNNLIB property or problem that does not fit together.
    #[error(transparent)]
    Problem(#[from] ProblemError),
    /// Branching over the input box failed.
    #[error(transparent)]
    Branch(#[from] BranchError),
    /// Training failed.
    #[error(transparent)]
    Training(#[from] TrainingError),
    /// A training data set is unusable.
    #[error(transparent)]
    Dataset(#[from] DatasetError),
    /// An unknown benchmark function.
    #[error(transparent)]
    UnknownFunction(#[from] UnknownFunction),
    /// The user's request is not meaningful (e.g. a file without the box it needs).
    #[error("{0}")]
    Invalid(String),
}

/// `Result` with the crate's [`Error`](enum@Error).
pub type Result<T, E = Error> = std::result::Result<T, E>;
