//! Rendering a [`Chart`] with `plotters`: SVG (text kept as text) or PNG (text drawn with
//! the Ubuntu font that egui also ships, so no system fonts are needed).

use super::chart::{Chart, Mark, Scale};
use super::palette::{Rgb, sequential};
use plotters::coord::Shift;
use plotters::coord::ranged1d::{AsRangedCoord, Ranged, ValueFormatter};
use plotters::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::Once;
use thiserror::Error;

/// Pixel size of every figure (SVG user units and PNG pixels).
pub const FIGURE_SIZE: (u32, u32) = (900, 560);

/// Width of the legend and colour-bar column right of the plot.
const KEY_WIDTH: u32 = 190;

/// The file formats a figure is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FigureFormat {
    /// Scalable vector graphics.
    Svg,
    /// Portable network graphics.
    Png,
    /// The data drawn, as CSV ([`Chart::to_csv`]).
    Csv,
}

impl FigureFormat {
    /// The format of `path` from its extension (`.svg`, `.png` or `.csv`, any case).
    pub fn of_path(path: &Path) -> Result<Self, FigureError> {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("svg") => Ok(Self::Svg),
            Some("png") => Ok(Self::Png),
            Some("csv") => Ok(Self::Csv),
            _ => Err(FigureError::UnknownFormat(path.to_path_buf())),
        }
    }
}

/// Why a figure could not be written.
#[derive(Debug, Error)]
pub enum FigureError {
    /// The file name ends in none of `.svg`, `.png`, `.csv`.
    #[error("{0}: a figure is written as .svg, .png or .csv (its data)")]
    UnknownFormat(PathBuf),
    /// Writing the file failed.
    #[error("{path}: {cause}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause (not a `source`: the message already names it once).
        cause: std::io::Error,
    },
    /// The plotting library refused the chart.
    #[error("drawing '{title}': {message}")]
    Draw {
        /// The chart's title.
        title: String,
        /// The library's message.
        message: String,
    },
}

/// Writes `chart` to `path` as SVG or PNG (by the extension) at [`FIGURE_SIZE`], or its data
/// as CSV.
pub fn save_chart(chart: &Chart, path: &Path) -> Result<(), FigureError> {
    let format = FigureFormat::of_path(path)?;
    let bytes = render_chart(chart, format)?;
    std::fs::write(path, bytes).map_err(|cause| FigureError::Io {
        path: path.to_path_buf(),
        cause,
    })
}

/// The bytes of `chart` as an SVG document, a PNG file or CSV data.
pub fn render_chart(chart: &Chart, format: FigureFormat) -> Result<Vec<u8>, FigureError> {
    register_font();
    let failed = |message: String| FigureError::Draw {
        title: chart.title.clone(),
        message,
    };
    let (w, h) = FIGURE_SIZE;
    match format {
        FigureFormat::Csv => Ok(chart.to_csv().into_bytes()),
        FigureFormat::Svg => {
            let mut text = String::new();
            {
                let root = SVGBackend::with_string(&mut text, (w, h)).into_drawing_area();
                draw_chart(&root, chart).map_err(failed)?;
            }
            Ok(text.into_bytes())
        }
        FigureFormat::Png => {
            let mut pixels = vec![0u8; (w * h * 3) as usize];
            {
                let root = BitMapBackend::with_buffer(&mut pixels, (w, h)).into_drawing_area();
                draw_chart(&root, chart).map_err(failed)?;
            }
            let mut bytes = Vec::new();
            let mut encoder = png::Encoder::new(&mut bytes, w, h);
            encoder.set_color(png::ColorType::Rgb);
            encoder.set_depth(png::BitDepth::Eight);
            encoder
                .write_header()
                .and_then(|mut writer| writer.write_image_data(&pixels))
                .map_err(|e| failed(e.to_string()))?;
            Ok(bytes)
        }
    }
}

/// A tick label in plain notation: `0.5`, `1`, `10`, `2.5k`, `10M`, and `1e-4` below 10⁻³.
pub fn tick_label(v: f64) -> String {
    let a = v.abs();
    // Ticks computed as sums (−6e-17 for 0) are rounding noise, not values.
    if a < 1e-12 || !v.is_finite() {
        return if v.is_finite() {
            "0".into()
        } else {
            format!("{v}")
        };
    }
    if a < 1e-3 {
        return format!("{v:.0e}");
    }
    for (limit, suffix) in [(1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")] {
        if a >= limit {
            return format!("{}{suffix}", significant(v / limit));
        }
    }
    significant(v)
}

/// `v` with at most three significant digits and no trailing zeros.
fn significant(v: f64) -> String {
    let decimals = (2 - v.abs().log10().floor() as i32).clamp(0, 6) as usize;
    let text = format!("{v:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The font is valid (egui draws with it); a failure would only lose PNG text.
        let _ = plotters::style::register_font(
            "sans-serif",
            FontStyle::Normal,
            epaint_default_fonts::UBUNTU_LIGHT,
        );
    });
}

fn colour(rgb: Rgb) -> RGBColor {
    RGBColor(rgb.0, rgb.1, rgb.2)
}

type DrawResult = Result<(), String>;

fn draw_chart<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, chart: &Chart) -> DrawResult {
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    root.fill(&WHITE).map_err(e)?;
    let (w, _) = root.dim_in_pixel();
    let has_key = !chart.series.is_empty() || chart.colour_bar.is_some();
    let title_height = 36 + 18 * chart.notes.len() as u32;
    let (header, body) = root.split_vertically(title_height);
    header
        .draw_text(
            &chart.title,
            &("sans-serif", 22).into_font().color(&BLACK),
            (14, 8),
        )
        .map_err(e)?;
    for (i, note) in chart.notes.iter().enumerate() {
        header
            .draw_text(
                note,
                &("sans-serif", 14).into_font().color(&RGBColor(150, 60, 20)),
                (14, 36 + 18 * i as i32),
            )
            .map_err(e)?;
    }
    let (plot, key) = if has_key {
        body.split_horizontally(w - KEY_WIDTH)
    } else {
        body.split_horizontally(w)
    };
    let Some((x0, x1, y0, y1)) = chart.ranges() else {
        return plot
            .draw_text(
                "no data to show",
                &("sans-serif", 18).into_font().color(&BLACK),
                (40, 40),
            )
            .map_err(e);
    };
    match (chart.x.scale, chart.y.scale) {
        (Scale::Linear, Scale::Linear) => draw_plot(&plot, chart, x0..x1, y0..y1)?,
        (Scale::Linear, Scale::Log) => draw_plot(&plot, chart, x0..x1, (y0..y1).log_scale())?,
        (Scale::Log, Scale::Linear) => draw_plot(&plot, chart, (x0..x1).log_scale(), y0..y1)?,
        (Scale::Log, Scale::Log) => {
            draw_plot(&plot, chart, (x0..x1).log_scale(), (y0..y1).log_scale())?
        }
    }
    if has_key {
        draw_key(&key, chart)?;
    }
    root.present().map_err(e)
}

fn draw_plot<DB, X, Y>(area: &DrawingArea<DB, Shift>, chart: &Chart, x: X, y: Y) -> DrawResult
where
    DB: DrawingBackend,
    X: AsRangedCoord<Value = f64>,
    Y: AsRangedCoord<Value = f64>,
    X::CoordDescType: Ranged<ValueType = f64> + ValueFormatter<f64>,
    Y::CoordDescType: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    let mut ctx = ChartBuilder::on(area)
        .margin(12)
        .x_label_area_size(46)
        .y_label_area_size(64)
        .build_cartesian_2d(x, y)
        .map_err(e)?;
    let categories = chart.x.categories.clone();
    let x_formatter = move |v: &f64| {
        if categories.is_empty() {
            tick_label(*v)
        } else {
            let i = v.round();
            if (v - i).abs() < 1e-6 && i >= 0.0 {
                categories.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        }
    };
    let label_style = ("sans-serif", 14).into_font();
    let mut mesh = ctx.configure_mesh();
    mesh.x_desc(chart.x.label.as_str())
        .y_desc(chart.y.label.as_str())
        .x_label_formatter(&x_formatter)
        .y_label_formatter(&|v: &f64| tick_label(*v))
        .label_style(label_style.clone())
        .axis_desc_style(("sans-serif", 16))
        .light_line_style(RGBColor(235, 235, 235));
    if !chart.x.categories.is_empty() {
        mesh.x_labels(chart.x.categories.len() * 2 + 1);
    } else {
        mesh.x_labels(8);
    }
    mesh.y_labels(8).draw().map_err(e)?;
    ctx.draw_series(
        chart
            .cells
            .iter()
            .map(|cell| Polygon::new(cell.polygon.clone(), colour(cell.colour).filled())),
    )
    .map_err(e)?;
    if chart.diagonal
        && let Some((lo, hi, _, _)) = chart.ranges()
    {
        ctx.draw_series(DashedLineSeries::new(
            vec![(lo, lo), (hi, hi)],
            6,
            4,
            RGBColor(120, 120, 120).stroke_width(1),
        ))
        .map_err(e)?;
    }
    for series in &chart.series {
        let points: Vec<(f64, f64)> = series
            .points
            .iter()
            .copied()
            .filter(|&(x, y)| {
                x.is_finite()
                    && y.is_finite()
                    && (chart.x.scale == Scale::Linear || x > 0.0)
                    && (chart.y.scale == Scale::Linear || y > 0.0)
            })
            .collect();
        let style = colour(series.colour).stroke_width(2);
        if matches!(series.mark, Mark::Line | Mark::LinePoints) {
            if series.dashed {
                ctx.draw_series(DashedLineSeries::new(points.clone(), 8, 5, style))
                    .map_err(e)?;
            } else {
                ctx.draw_series(LineSeries::new(points.clone(), style))
                    .map_err(e)?;
            }
        }
        if matches!(series.mark, Mark::Points | Mark::LinePoints) {
            let fill = colour(series.colour).filled();
            ctx.draw_series(points.iter().map(|&p| Circle::new(p, 4, fill)))
                .map_err(e)?;
        }
    }
    Ok(())
}

fn draw_key<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, chart: &Chart) -> DrawResult {
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    let font = ("sans-serif", 14).into_font().color(&BLACK);
    let mut y = 20;
    for series in &chart.series {
        let c = colour(series.colour);
        if series.mark != Mark::Points {
            let segments: Vec<(i32, i32)> = if series.dashed {
                vec![(4, 10), (14, 24)]
            } else {
                vec![(4, 24)]
            };
            for (a, b) in segments {
                area.draw(&PathElement::new(vec![(a, y), (b, y)], c.stroke_width(2)))
                    .map_err(e)?;
            }
        }
        if series.mark != Mark::Line {
            area.draw(&Circle::new((14, y), 4, c.filled())).map_err(e)?;
        }
        let name: String = series.name.chars().take(24).collect();
        area.draw_text(&name, &font, (30, y - 8)).map_err(e)?;
        y += 22;
    }
    if let Some(bar) = &chart.colour_bar {
        y += 10;
        area.draw_text(&bar.label, &font, (4, y)).map_err(e)?;
        y += 22;
        let height = 200;
        let steps = 50;
        for i in 0..steps {
            let t = 1.0 - (i as f64 + 0.5) / steps as f64;
            let top = y + i * height / steps;
            let bottom = y + (i + 1) * height / steps;
            area.draw(&Rectangle::new(
                [(4, top), (28, bottom)],
                colour(sequential(t)).filled(),
            ))
            .map_err(e)?;
        }
        area.draw_text(&tick_label(bar.max), &font, (34, y - 6))
            .map_err(e)?;
        area.draw_text(&tick_label(bar.min), &font, (34, y + height - 8))
            .map_err(e)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::figures::{Axis, Cell, ColourBar, Series};

    #[test]
    fn tick_labels_are_plain() {
        let cases = [
            (1.0, "1"),
            (10.0, "10"),
            (100.0, "100"),
            (1000.0, "1k"),
            (2500.0, "2.5k"),
            (1.0e7, "10M"),
            (0.5, "0.5"),
            (0.0025, "0.0025"),
            (1e-4, "1e-4"),
            (-3.0, "-3"),
            (0.0, "0"),
            (-6e-17, "0"),
        ];
        for (v, text) in cases {
            assert_eq!(tick_label(v), text, "{v}");
        }
    }

    fn sample_chart() -> Chart {
        let mut chart = Chart::new("peaks 2×25", Axis::linear("layer"), Axis::log("big-M"));
        chart.notes.push("a note".into());
        chart.series.push(Series {
            name: "ia".into(),
            points: vec![(1.0, 3.0), (2.0, 40.0)],
            mark: Mark::LinePoints,
            colour: (200, 0, 0),
            dashed: true,
            labels: Vec::new(),
        });
        chart.cells.push(Cell {
            polygon: vec![(1.0, 1.0), (2.0, 1.0), (2.0, 2.0)],
            colour: (0, 0, 200),
            value: None,
        });
        chart.colour_bar = Some(ColourBar {
            label: "output".into(),
            min: -1.0,
            max: 2.0,
        });
        chart
    }

    #[test]
    fn svg_and_png_are_valid_files_with_the_title() {
        let chart = sample_chart();
        let svg = String::from_utf8(render_chart(&chart, FigureFormat::Svg).unwrap()).unwrap();
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert!(
            svg.contains("peaks 2×25") && svg.contains("a note") && svg.contains("\nia\n</text>")
        );
        let png_bytes = render_chart(&chart, FigureFormat::Png).unwrap();
        let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
        let mut reader = decoder.read_info().unwrap();
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut pixels).unwrap();
        assert_eq!((info.width, info.height), FIGURE_SIZE);
        // Not blank: the title, series and cells put dark pixels on the white page.
        assert!(pixels.chunks(3).filter(|p| p[0] < 100).count() > 500);
    }

    #[test]
    fn an_empty_chart_says_so_and_unknown_extensions_are_refused() {
        let chart = Chart::new("empty", Axis::linear("x"), Axis::linear("y"));
        let svg = String::from_utf8(render_chart(&chart, FigureFormat::Svg).unwrap()).unwrap();
        assert!(svg.contains("no data to show"));
        let err = save_chart(&chart, Path::new("/tmp/figure.jpg")).unwrap_err();
        assert!(err.to_string().contains("figure.jpg"), "{err}");
    }

    #[test]
    fn the_csv_holds_every_point_and_cell() {
        let chart = sample_chart();
        let csv = String::from_utf8(render_chart(&chart, FigureFormat::Csv).unwrap()).unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert!(lines[0].starts_with("# peaks 2×25; x: layer; y: big-M"));
        assert_eq!(lines[1], "series,x,y,label_or_value");
        assert_eq!(lines[2], "ia,1,3,");
        assert_eq!(lines[3], "ia,2,40,");
        assert!(lines[4].starts_with("cell 0,1.66"));
        assert_eq!(lines.len(), 5);
    }
}
