//! A chart as data: what is drawn, independent of how ([`super::save_chart`] renders it).

use super::palette::Rgb;
use serde::{Deserialize, Serialize};

/// How an axis maps values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    /// Evenly spaced values.
    #[default]
    Linear,
    /// Evenly spaced powers of ten; values ≤ 0 cannot be shown and are left out (the chart
    /// says how many).
    Log,
}

/// One axis: its label, scale and, for a categorical axis, the category names (then the
/// points' coordinates on this axis are the categories' indices 0, 1, …).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Axis {
    /// Label, with the unit.
    pub label: String,
    /// Linear or logarithmic.
    pub scale: Scale,
    /// Category names of a categorical axis (empty: numeric).
    pub categories: Vec<String>,
    /// A fixed range instead of the data's (e.g. 0–100 for percentages).
    pub fixed: Option<(f64, f64)>,
}

impl Axis {
    /// A linear axis labelled `label`.
    pub fn linear(label: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            ..Self::default()
        }
    }

    /// A logarithmic axis labelled `label`.
    pub fn log(label: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            scale: Scale::Log,
            ..Self::default()
        }
    }

    /// A categorical axis: point coordinates are indices into `categories`.
    pub fn categorical(label: impl Into<String>, categories: Vec<String>) -> Self {
        Self {
            label: label.into(),
            categories,
            ..Self::default()
        }
    }

    /// A linear axis from 0 to 100, for percentages.
    pub fn percent(label: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            fixed: Some((0.0, 100.0)),
            ..Self::default()
        }
    }
}

/// How a series' points are marked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mark {
    /// Joined by a line, in the given order.
    Line,
    /// Markers only (a scatter).
    Points,
    /// A line with a marker at every point.
    LinePoints,
}

/// One named series of points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Series {
    /// Legend entry.
    pub name: String,
    /// `(x, y)` points; non-finite points are left out.
    pub points: Vec<(f64, f64)>,
    /// Line, markers or both.
    pub mark: Mark,
    /// sRGB colour.
    pub colour: Rgb,
    /// A dashed line (rescaled variants).
    pub dashed: bool,
    /// What each point is (e.g. a study cell's id), for hover text and clicks in the app;
    /// empty, or one label per point.
    #[serde(default)]
    pub labels: Vec<String>,
}

/// A filled polygon in data coordinates (a heat-map cell or a linear region).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    /// Corners in order.
    pub polygon: Vec<(f64, f64)>,
    /// Fill colour.
    pub colour: Rgb,
    /// The value the colour shows (a heat map's), for the CSV of the data.
    #[serde(default)]
    pub value: Option<f64>,
}

/// The key of the cells' colours: `t ∈ [0, 1]` is drawn with
/// [`super::palette::sequential`] and labelled from `min` to `max`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColourBar {
    /// What the colour shows.
    pub label: String,
    /// The value at the bottom.
    pub min: f64,
    /// The value at the top.
    pub max: f64,
}

/// A whole chart: title, axes, filled cells under the series, and notes printed under the
/// title (what was capped or left out, and what to do about it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Chart {
    /// Title (network, box and method for a network's figure).
    pub title: String,
    /// Lines under the title.
    pub notes: Vec<String>,
    /// Horizontal axis.
    pub x: Axis,
    /// Vertical axis.
    pub y: Axis,
    /// Filled cells, drawn first.
    pub cells: Vec<Cell>,
    /// Key of the cells' colours.
    pub colour_bar: Option<ColourBar>,
    /// Series, drawn in order over the cells.
    pub series: Vec<Series>,
    /// Draw the line `y = x` (for "before against after" comparisons).
    pub diagonal: bool,
}

impl Chart {
    /// An empty chart with a title and two axes.
    pub fn new(title: impl Into<String>, x: Axis, y: Axis) -> Self {
        Self {
            title: title.into(),
            notes: Vec::new(),
            x,
            y,
            cells: Vec::new(),
            colour_bar: None,
            series: Vec::new(),
            diagonal: false,
        }
    }

    /// The data of the chart as CSV: one row per series point (`series,x,y`) and one per cell
    /// (`cell K`, its centroid, its value), with the axes' labels in a comment line.
    pub fn to_csv(&self) -> String {
        let field = |t: &str| {
            if t.contains([',', '"', '\n']) {
                format!("\"{}\"", t.replace('"', "\"\""))
            } else {
                t.to_string()
            }
        };
        let mut out = format!(
            "# {}; x: {}; y: {}\nseries,x,y,label_or_value\n",
            self.title.replace('\n', " "),
            self.x.label,
            self.y.label
        );
        for series in &self.series {
            for (k, (x, y)) in series.points.iter().enumerate() {
                let x = match self.x.categories.get(x.round() as usize) {
                    Some(name) if !self.x.categories.is_empty() => field(name),
                    _ => x.to_string(),
                };
                let label = series.labels.get(k).map_or(String::new(), |l| field(l));
                out.push_str(&format!("{},{x},{y},{label}\n", field(&series.name)));
            }
        }
        for (k, cell) in self.cells.iter().enumerate() {
            let n = cell.polygon.len().max(1) as f64;
            let (cx, cy) = cell
                .polygon
                .iter()
                .fold((0.0, 0.0), |(a, b), (x, y)| (a + x / n, b + y / n));
            let value = cell.value.map_or(String::new(), |v| v.to_string());
            out.push_str(&format!("cell {k},{cx},{cy},{value}\n"));
        }
        out
    }

    /// The points of every series that the axes can show (finite; positive on a log axis).
    pub fn shown_points(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        self.series
            .iter()
            .flat_map(|s| s.points.iter().copied())
            .filter(|&(x, y)| shown(x, self.x.scale) && shown(y, self.y.scale))
    }

    /// How many points of the series the axes cannot show.
    pub fn hidden_points(&self) -> usize {
        let all: usize = self.series.iter().map(|s| s.points.len()).sum();
        all - self.shown_points().count()
    }

    /// The data ranges `(x_lo, x_hi, y_lo, y_hi)` of the shown points and cells, widened so
    /// that no range is empty (a log axis by a factor, a linear one by 5 %); `None` when
    /// nothing can be shown.
    pub fn ranges(&self) -> Option<(f64, f64, f64, f64)> {
        let cell_points = self
            .cells
            .iter()
            .flat_map(|c| c.polygon.iter().copied())
            .filter(|&(x, y)| shown(x, self.x.scale) && shown(y, self.y.scale));
        let mut points = self.shown_points().chain(cell_points).peekable();
        points.peek()?;
        let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for (x, y) in points {
            x0 = x0.min(x);
            x1 = x1.max(x);
            y0 = y0.min(y);
            y1 = y1.max(y);
        }
        if self.diagonal {
            (x0, x1) = (x0.min(y0), x1.max(y1));
            (y0, y1) = (x0, x1);
        }
        let (x0, x1) = widen(x0, x1, &self.x);
        let (y0, y1) = widen(y0, y1, &self.y);
        Some((x0, x1, y0, y1))
    }
}

fn shown(v: f64, scale: Scale) -> bool {
    v.is_finite() && (scale == Scale::Linear || v > 0.0)
}

fn widen(lo: f64, hi: f64, axis: &Axis) -> (f64, f64) {
    if let Some((lo, hi)) = axis.fixed {
        // A range that starts at 0 (time, percent) is not padded below 0.
        let pad = 0.03 * (hi - lo);
        return (if lo == 0.0 { lo } else { lo - pad }, hi + pad);
    }
    if !axis.categories.is_empty() {
        return (-0.5, axis.categories.len() as f64 - 0.5);
    }
    match axis.scale {
        Scale::Log => {
            let (lo, hi) = if hi / lo < 10.0 {
                let mid = (lo * hi).sqrt();
                (mid / 10f64.sqrt(), mid * 10f64.sqrt())
            } else {
                (lo, hi)
            };
            (lo / 1.3, hi * 1.3)
        }
        Scale::Linear => {
            let pad = if hi > lo {
                0.05 * (hi - lo)
            } else {
                0.5 * lo.abs().max(1.0)
            };
            (lo - pad, hi + pad)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_cover_the_shown_points_and_log_axes_drop_non_positive_values() {
        let mut chart = Chart::new("t", Axis::linear("x"), Axis::log("y"));
        assert_eq!(chart.ranges(), None);
        chart.series.push(Series {
            name: "a".into(),
            points: vec![(1.0, 10.0), (2.0, 1000.0), (3.0, 0.0), (f64::NAN, 5.0)],
            mark: Mark::Line,
            colour: (0, 0, 0),
            dashed: false,
            labels: Vec::new(),
        });
        assert_eq!(chart.hidden_points(), 2);
        let (x0, x1, y0, y1) = chart.ranges().unwrap();
        assert!(x0 < 1.0 && x1 > 2.0 && y0 < 10.0 && y0 > 0.0 && y1 > 1000.0);
        // One value: still a non-empty range on both kinds of axis.
        chart.series[0].points = vec![(4.0, 7.0)];
        let (x0, x1, y0, y1) = chart.ranges().unwrap();
        assert!(x0 < 4.0 && x1 > 4.0 && y0 < 7.0 && y1 > 7.0 && y0 > 0.0);
    }
}
