//! Figures for papers and slides: a [`Chart`] is plain data (titled axes, series of points,
//! filled cells with a colour bar), rendered to SVG or PNG with `plotters`; the study report
//! and `reluscope plot` write them, and the app shows the same data interactively.
//!
//! Colours follow one scheme everywhere ([`palette`]): bound methods in the fixed order
//! ia → symbolic → lp → milp, rescaled variants dashed.

mod chart;
mod network_views;
pub mod palette;
mod render;

pub use chart::{Axis, Cell, Chart, ColourBar, Mark, Scale, Series};
pub use network_views::{FigureSettings, View, figure_title, network_figure, solve_progress_chart};
pub use render::{FIGURE_SIZE, FigureError, FigureFormat, render_chart, save_chart, tick_label};
