//! Exports: the MILP as MPS/LP, the analysis as JSON, the runs as CSV, a view as PNG, a
//! view's figure as SVG or PNG (the files `reluscope plot` writes).
//!
//! The payload is gathered on the UI thread (cheap clones); building the MILP, encoding and
//! writing happen in the returned closure, which runs on a worker.

use eframe::egui::{ColorImage, Rect};
use reluscope::analysis::AnalysisReport;
use reluscope::bounds::NetworkBounds;
use reluscope::control::TaskControl;
use reluscope::figures::{
    FigureSettings, View, figure_title, network_figure, save_chart, solve_progress_chart,
};
use reluscope::formulation::{NetworkModel, Objective};
use reluscope::lp::write_model;
use reluscope::milp::SolveReport;
use reluscope::network::{InputBox, Network};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What can be exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportKind {
    /// The big-M MILP in MPS format.
    Mps,
    /// The big-M MILP in CPLEX LP format.
    Lp,
    /// The analysis (bounds, stability, big-M per layer) as JSON.
    AnalysisJson,
    /// The Runs table as CSV.
    RunsCsv,
    /// Every run in full (curves, per-layer figures) as JSON.
    RunsJson,
    /// The current view as a PNG image.
    ViewPng,
    /// The current view's figure drawn as `reluscope plot` draws it (SVG, or PNG by the
    /// file's extension), titled with the network, box and methods.
    Figure(View),
    /// The figure on screen that the app holds as data (the Study view's figure, the
    /// Training view's loss curve), as SVG, PNG or CSV.
    ShownChart,
}

impl ExportKind {
    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            ExportKind::Mps => "mps",
            ExportKind::Lp => "lp",
            ExportKind::AnalysisJson => "json",
            ExportKind::RunsCsv => "csv",
            ExportKind::RunsJson => "json",
            ExportKind::ViewPng => "png",
            ExportKind::Figure(_) | ExportKind::ShownChart => "svg",
        }
    }

    /// The figure export of the app view with id `view_id`: the library's figure of the
    /// network views, the chart on screen for Study and Training, none for Runs.
    pub fn figure_of_view(view_id: &str) -> Option<Self> {
        let view = match view_id {
            "big_m" => View::BigM,
            "stability" => View::Stability,
            "regions" => View::Regions,
            "surface" => View::Surface,
            "solve" => View::Solve,
            "network" => View::Network,
            "study" | "train" => return Some(ExportKind::ShownChart),
            _ => return None,
        };
        Some(ExportKind::Figure(view))
    }

    /// Every extension the export accepts, the default first (a figure also takes .png and
    /// .csv).
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            ExportKind::Mps => &["mps"],
            ExportKind::Lp => &["lp"],
            ExportKind::AnalysisJson | ExportKind::RunsJson => &["json"],
            ExportKind::RunsCsv => &["csv"],
            ExportKind::ViewPng => &["png"],
            ExportKind::Figure(_) | ExportKind::ShownChart => &["svg", "png", "csv"],
        }
    }

    /// For menus and the export window's title.
    pub fn label(self) -> &'static str {
        match self {
            ExportKind::Mps => "MILP as MPS",
            ExportKind::Lp => "MILP as LP",
            ExportKind::AnalysisJson => "analysis as JSON",
            ExportKind::RunsCsv => "runs table as CSV",
            ExportKind::RunsJson => "runs as JSON",
            ExportKind::ViewPng => "view as PNG",
            ExportKind::Figure(_) | ExportKind::ShownChart => "figure as SVG, PNG or CSV",
        }
    }

    /// `stem_suffix.ext` in `dir`, or in the current directory.
    pub fn default_path(self, stem: &str, dir: Option<&Path>) -> PathBuf {
        let suffix = match self {
            ExportKind::Mps | ExportKind::Lp => "",
            ExportKind::AnalysisJson => "_analysis",
            ExportKind::RunsCsv | ExportKind::RunsJson => "_runs",
            ExportKind::ViewPng => "",
            ExportKind::Figure(view) => match view {
                View::BigM => "_bigm",
                View::Stability => "_stability",
                View::Regions => "_regions",
                View::Surface => "_surface",
                View::Solve => "_solve",
                View::Network => "_neurons",
            },
            ExportKind::ShownChart => "_figure",
        };
        let name = format!("{stem}{suffix}.{}", self.extension());
        match dir {
            Some(d) => d.join(name),
            None => std::env::current_dir()
                .map(|d| d.join(&name))
                .unwrap_or_else(|_| PathBuf::from(name)),
        }
    }
}

/// The closure that writes an export: it returns the success message or one error line.
pub type WriteJob = Box<dyn FnOnce() -> Result<String, String> + Send>;

/// Writes the big-M MILP of the given bounds and objective (MPS or LP by extension).
pub fn milp_job(
    network: Arc<Network>,
    input_box: InputBox,
    bounds: Arc<NetworkBounds>,
    objective: Objective,
    path: PathBuf,
) -> WriteJob {
    Box::new(move || {
        let model = NetworkModel::build(&network, &input_box, &bounds, &objective)
            .map_err(|e| e.to_string())?;
        write_model(&model.model, &path).map_err(|e| e.to_string())?;
        let size = model.model.size();
        Ok(format!(
            "wrote {} ({} variables, {} constraints, {} binaries)",
            path.display(),
            size.variables,
            size.constraints,
            size.binaries
        ))
    })
}

/// Writes the analysis report as pretty JSON.
pub fn analysis_job(report: AnalysisReport, path: PathBuf) -> WriteJob {
    Box::new(move || {
        let text = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
        write_text(&path, &text)
    })
}

/// Draws figure `view` of `network` (the chart of `solve` for the solve view) and writes it
/// as SVG or PNG by the extension of `path`.
pub fn figure_job(
    network: Arc<Network>,
    input_box: InputBox,
    view: View,
    settings: FigureSettings,
    solve: Option<(SolveReport, String)>,
    path: PathBuf,
) -> WriteJob {
    Box::new(move || {
        let chart = match (view, solve) {
            (View::Solve, Some((report, path_taken))) => {
                let mut chart = solve_progress_chart(&report, &path_taken);
                chart.title = figure_title(&network, &input_box, view, &settings);
                chart
            }
            (View::Solve, None) => {
                return Err("no solve of this network and box to draw: solve first (F5)".into());
            }
            _ => network_figure(
                &network,
                &input_box,
                view,
                &settings,
                &TaskControl::default(),
            )
            .map_err(|e| e.to_string())?,
        };
        save_chart(&chart, &path).map_err(|e| e.to_string())?;
        Ok(format!("wrote {} ({})", path.display(), chart.title))
    })
}

/// Writes a chart the app already holds as SVG, PNG or CSV by the extension of `path`.
pub fn chart_job(chart: reluscope::figures::Chart, path: PathBuf) -> WriteJob {
    Box::new(move || {
        save_chart(&chart, &path).map_err(|e| e.to_string())?;
        Ok(format!("wrote {} ({})", path.display(), chart.title))
    })
}

/// Writes text (CSV, …).
pub fn text_job(text: String, path: PathBuf) -> WriteJob {
    Box::new(move || write_text(&path, &text))
}

/// Encodes and writes a PNG.
pub fn png_job(image: Arc<ColorImage>, path: PathBuf) -> WriteJob {
    Box::new(move || {
        let bytes = encode_png(&image)?;
        std::fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(format!(
            "wrote {} ({}×{} pixels)",
            path.display(),
            image.size[0],
            image.size[1]
        ))
    })
}

fn write_text(path: &Path, text: &str) -> Result<String, String> {
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(format!("wrote {}", path.display()))
}

/// PNG bytes of an RGBA image.
pub fn encode_png(image: &ColorImage) -> Result<Vec<u8>, String> {
    let [w, h] = image.size;
    if w == 0 || h == 0 {
        return Err("the image is empty".into());
    }
    let rgba: Vec<u8> = image
        .pixels
        .iter()
        .flat_map(|c| c.to_srgba_unmultiplied())
        .collect();
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, w as u32, h as u32);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
    writer.write_image_data(&rgba).map_err(|e| e.to_string())?;
    writer.finish().map_err(|e| e.to_string())?;
    Ok(out)
}

/// The part of a screenshot inside `rect` (in points), clamped to the image.
pub fn crop(image: &ColorImage, rect: Rect, pixels_per_point: f32) -> ColorImage {
    let [w, h] = image.size;
    let to_px = |v: f32, max: usize| ((v * pixels_per_point).round().max(0.0) as usize).min(max);
    let (x0, x1) = (to_px(rect.min.x, w), to_px(rect.max.x, w));
    let (y0, y1) = (to_px(rect.min.y, h), to_px(rect.max.y, h));
    if x1 <= x0 || y1 <= y0 {
        return image.clone();
    }
    let mut pixels = Vec::with_capacity((x1 - x0) * (y1 - y0));
    for row in y0..y1 {
        pixels.extend_from_slice(&image.pixels[row * w + x0..row * w + x1]);
    }
    ColorImage::new([x1 - x0, y1 - y0], pixels)
}

#[cfg(test)]
mod tests {
    use super::*;
    use eframe::egui::{Color32, pos2};

    #[test]
    fn png_round_trips_through_the_decoder() {
        let mut image = ColorImage::new([3, 2], vec![Color32::RED; 6]);
        image.pixels[4] = Color32::from_rgb(1, 2, 3);
        let bytes = encode_png(&image).unwrap();
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!((info.width, info.height), (3, 2));
        assert_eq!(&buf[16..20], &[1, 2, 3, 255]);
    }

    #[test]
    fn crops_are_clamped_to_the_image() {
        let image = ColorImage::new([10, 10], vec![Color32::BLUE; 100]);
        let c = crop(
            &image,
            Rect::from_min_max(pos2(2.0, 3.0), pos2(50.0, 8.0)),
            1.0,
        );
        assert_eq!(c.size, [8, 5]);
        let half = crop(
            &image,
            Rect::from_min_max(pos2(0.0, 0.0), pos2(2.0, 2.0)),
            2.0,
        );
        assert_eq!(half.size, [4, 4]);
    }
}
