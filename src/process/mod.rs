//! What both binaries (`reluscope`, the command line, and `reluscope-app`, the desktop app) do
//! as processes, beside the library: the allocator, HiGHS's static constructors on first use,
//! the quick exit of a finished command, and starting the other binary.

mod allocator;
mod exit;
mod highs_constructors;
pub mod sibling;

pub use exit::exit_without_destructors;
pub use sibling::{Sibling, run_sibling};
