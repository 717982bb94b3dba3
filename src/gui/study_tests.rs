//! GUI tests of the Study view: a study directory made by the library loads, its figures and
//! findings show, pointing at a dot names its cell and a click opens that cell's network.

use super::tests::{has_label, start, wait_for};
use egui_kittest::kittest::Queryable;
use reluscope::control::TaskControl;
use reluscope::study::{RunOptions, StudySpec, TrainingSettings, run_study};
use std::time::Duration;

fn tiny_study(dir: &std::path::Path) {
    let spec = StudySpec {
        functions: vec!["peaks".into()],
        hidden: vec![vec![5, 5]],
        variants: vec!["plain".into(), "l1=1e-2".into()],
        seeds: vec![0],
        bounds: vec!["ia".into(), "lp".into()],
        rescalings: vec!["none".into()],
        solve_methods: vec!["milp".into()],
        solve_seeds: 1,
        training: TrainingSettings {
            samples: 400,
            epochs: 30,
            ..TrainingSettings::default()
        },
        ..StudySpec::quick()
    };
    run_study(
        &spec,
        dir,
        &RunOptions::default(),
        &TaskControl::default(),
        &mut |_| {},
    )
    .unwrap();
}

#[test]
fn a_study_directory_shows_its_figures_and_a_click_opens_a_cells_network() {
    let dir = tempfile::tempdir().unwrap();
    tiny_study(dir.path());
    let mut h = start();
    h.run();
    h.get_by_label("Study").click();
    h.run();
    assert!(has_label(&h, "No study loaded"));
    h.get_by_label("Study directory:")
        .set_text_value_accesskit(&dir.path().display().to_string());
    h.run();
    h.get_by_label("Load study").click();
    wait_for(&mut h, Duration::from_secs(20), "the study to load", |h| {
        h.state().state.study.loaded.is_some()
    });
    h.run();
    assert!(has_label(&h, "2 of 2 cells present"));
    assert!(has_label(&h, "Every optimum passes its forward check"));
    // The figures are the report's: pick "MILP time against stable neurons", a scatter whose
    // dots are cells.
    let figures = &h.state().state.study.loaded.as_ref().unwrap().figures;
    let index = figures
        .iter()
        .position(|f| f.name == "time_vs_stable")
        .unwrap();
    h.state_mut().state.study.selected = index;
    h.run();
    h.run();
    let (pos, id) = h.state().state.study.positions[0].clone();
    assert!(id.starts_with("peaks_5x5_"), "{id}");
    h.hover_at(pos);
    h.run();
    // The axes may settle by a few pixels once the pointer is in: point again.
    let pos = h.state().state.study.positions[0].0;
    h.hover_at(pos);
    h.run();
    assert_eq!(h.state().state.study.hovered.as_deref(), Some(id.as_str()));
    assert!(has_label(
        &h,
        &format!("cell {id}: click to open its network")
    ));
    h.drag_at(pos);
    h.run();
    h.drop_at(pos);
    h.run();
    wait_for(&mut h, Duration::from_secs(10), "the cell's network", |h| {
        h.state().state.load_task.is_none() && h.state().state.doc.network.name == id
    });
    // The Study view exports the chart on screen; Runs has no figure (it exports CSV/JSON).
    use super::export::ExportKind;
    assert_eq!(
        ExportKind::figure_of_view("study"),
        Some(ExportKind::ShownChart)
    );
    assert_eq!(
        ExportKind::figure_of_view("train"),
        Some(ExportKind::ShownChart)
    );
    assert_eq!(ExportKind::figure_of_view("runs"), None);
    // The figure shown exports as the file the report holds (same chart, same SVG).
    let exported = dir.path().join("shown.svg");
    let ctx = h.ctx.clone();
    h.state_mut().state.run_export(
        &ctx,
        super::export::ExportKind::ShownChart,
        exported.clone(),
        None,
    );
    wait_for(&mut h, Duration::from_secs(10), "the study figure", |h| {
        h.state().state.write_tasks.is_empty()
    });
    assert_eq!(
        std::fs::read(&exported).unwrap(),
        std::fs::read(dir.path().join("figures/time_vs_stable.svg")).unwrap()
    );
    // A directory that is not a study is refused with the study shown kept.
    h.get_by_label("Study directory:")
        .set_text_value_accesskit("/nonexistent/study");
    h.run();
    h.get_by_label("Load study").click();
    wait_for(&mut h, Duration::from_secs(10), "the refusal", |h| {
        h.state().state.study.loading.is_none()
    });
    h.run();
    assert!(has_label(&h, "not a study directory"));
    assert!(h.state().state.study.loaded.is_some());
}

#[test]
fn the_figure_of_a_view_exports_as_svg_and_png_like_plot() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = start();
    h.run();
    h.get_by_label("Big-M growth").click();
    h.run();
    for name in ["bigm.svg", "bigm.png", "bigm.csv"] {
        let path = dir.path().join(name);
        h.get_by_label("Export").click();
        h.run();
        h.get_by_label("Figure of this view (SVG, PNG or CSV)…")
            .click();
        h.run();
        h.get_by_label("Save to:")
            .set_text_value_accesskit(&path.display().to_string());
        h.run();
        h.get_by_label("Save").click();
        wait_for(&mut h, Duration::from_secs(60), name, |h| {
            !h.state().state.is_busy() && has_label(h, "wrote ")
        });
        h.run();
        assert!(path.exists(), "{name} was not written");
    }
    let svg = std::fs::read_to_string(dir.path().join("bigm.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("peaks_25x2: big-M per layer"));
    let png = std::fs::read(dir.path().join("bigm.png")).unwrap();
    assert_eq!(&png[1..4], b"PNG");
    // The CSV holds the data drawn: the interval bounds' largest big-M per layer, as the
    // library computes them here.
    let csv = std::fs::read_to_string(dir.path().join("bigm.csv")).unwrap();
    let net = super::samples::find("peaks_25x2").unwrap().load().unwrap();
    let b = net.input_box().unwrap().clone();
    let stats =
        reluscope::analysis::layer_stats(&net, &reluscope::bounds::interval_bounds(&net, &b));
    for (k, s) in stats.iter().take(2).enumerate() {
        let row = format!("ia max,{},{}", k + 1, s.max_big_m.unwrap());
        assert!(
            csv.lines().any(|l| l.starts_with(&row)),
            "missing {row} in\n{csv}"
        );
    }
    // The Solve view's figure needs a solve first, and says so.
    h.get_by_label("Solve").click();
    h.run();
    let path = dir.path().join("solve.svg");
    let ctx = h.ctx.clone();
    h.state_mut().state.run_export(
        &ctx,
        super::export::ExportKind::Figure(reluscope::figures::View::Solve),
        path.clone(),
        None,
    );
    wait_for(&mut h, Duration::from_secs(10), "the refusal", |h| {
        !h.state().state.is_busy()
    });
    h.run();
    assert!(has_label(&h, "solve first"));
    assert!(!path.exists());
}

#[test]
fn every_figure_view_exports_valid_svg_and_png_files() {
    use reluscope::figures::View;
    let dir = tempfile::tempdir().unwrap();
    let mut h = start();
    h.run();
    // The Solve figure draws the last solve of this network.
    h.key_press(eframe::egui::Key::F5);
    wait_for(&mut h, Duration::from_secs(60), "the solve", |h| {
        h.state().state.solve.is_none() && h.state().state.last_solve.is_some()
    });
    let ctx = h.ctx.clone();
    for (view, tab) in [
        (View::BigM, "Big-M growth"),
        (View::Stability, "Stability"),
        (View::Regions, "Regions"),
        (View::Surface, "Surface"),
        (View::Solve, "Solve"),
        (View::Network, "Network"),
    ] {
        h.get_by_label(tab).click();
        // The view may start its own worker (Regions, Surface): step, do not wait for rest.
        for _ in 0..3 {
            h.step();
        }
        assert_eq!(
            super::export::ExportKind::figure_of_view(h.state().active_view()),
            Some(super::export::ExportKind::Figure(view)),
            "{tab}"
        );
        for ext in ["svg", "png"] {
            let path = dir.path().join(format!("{}.{ext}", view.key()));
            h.state_mut().state.run_export(
                &ctx,
                super::export::ExportKind::Figure(view),
                path.clone(),
                None,
            );
            wait_for(&mut h, Duration::from_secs(60), "the figure", |h| {
                h.state().state.write_tasks.is_empty()
            });
            let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            if ext == "svg" {
                let text = String::from_utf8(bytes).unwrap();
                assert!(text.starts_with("<svg") && text.trim_end().ends_with("</svg>"));
                assert!(
                    text.contains("peaks_25x2: "),
                    "{tab}: titled with the network"
                );
            } else {
                let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
                let info = decoder.read_info().unwrap().info().clone();
                assert_eq!(
                    (info.width, info.height),
                    reluscope::figures::FIGURE_SIZE,
                    "{tab}"
                );
            }
        }
    }
}
