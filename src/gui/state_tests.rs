//! GUI tests of honest state: what the panels show refers to the network on screen, or says
//! which network it refers to.

use super::tests::{has_label, pick_sample, start, wait_for};
use eframe::egui;
use egui_kittest::kittest::Queryable;
use std::time::Duration;

#[test]
fn opening_another_network_resets_the_path_field_and_labels_the_last_solve() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mine.json");
    let net = super::samples::find("peaks_25x2")
        .unwrap()
        .load()
        .unwrap()
        .named("mine");
    reluscope::save_network(&net, &file).unwrap();
    let mut h = start();
    h.run();
    h.get_by_label("File path:")
        .set_text_value_accesskit(&file.display().to_string());
    h.run();
    h.get_by_label("Open").click();
    wait_for(&mut h, Duration::from_secs(10), "the file", |h| {
        h.state().state.load_task.is_none()
    });
    h.run();
    assert_eq!(h.state().state.path_field, file.display().to_string());
    h.key_press(egui::Key::F5);
    wait_for(&mut h, Duration::from_secs(60), "the solve", |h| {
        h.state().state.solve.is_none() && h.state().state.last_solve.is_some()
    });
    h.run();
    assert!(has_label(&h, "Last solve: optimal"));
    // A sample replaces the file: the field no longer names the file, and the last solve
    // says whose it is.
    pick_sample(&mut h, "peaks_25x3");
    assert!(has_label(&h, "Network: peaks_25x3"));
    assert_eq!(h.state().state.path_field, "");
    assert!(
        has_label(&h, "Last solve (on mine, not the network shown): optimal"),
        "the last solve must name its network"
    );
}

fn solve_now(h: &mut egui_kittest::Harness<'static, super::app::ReluscopeApp>) {
    let before = h.state().state.runs.len();
    h.key_press(egui::Key::F5);
    wait_for(h, Duration::from_secs(60), "the solve", |h| {
        h.state().state.solve.is_none() && h.state().state.runs.len() > before
    });
    h.run();
}

#[test]
fn two_runs_compare_side_by_side_with_ratios_and_persist() {
    use eframe::App as _;
    let mut h = start();
    h.run();
    h.state_mut().state.settings.solve.solver = super::settings::SolverSetting::Milp;
    h.state_mut()
        .state
        .set_bound_method(reluscope::bounds::BoundMethod::Interval);
    h.run();
    solve_now(&mut h);
    h.state_mut()
        .state
        .set_bound_method(reluscope::bounds::BoundMethod::LpObbt);
    wait_for(&mut h, Duration::from_secs(30), "the LP bounds", |h| {
        h.state().state.bounds_task.is_none()
    });
    solve_now(&mut h);
    assert_eq!(h.state().state.runs.len(), 2);
    h.get_by_label("Runs").click();
    h.run();
    h.get_by_label("compare run #1").click();
    h.get_by_label("compare run #2").click();
    h.get_by_label("make run #1 the baseline").click();
    h.run();
    let runs = h.state().state.runs.clone();
    // The ratio columns, recomputed here from the records.
    let time_ratio = runs[1].solve_time_s.unwrap() / runs[0].solve_time_s.unwrap();
    let big_m_ratio = runs[1].max_big_m.unwrap() / runs[0].max_big_m.unwrap();
    assert!(big_m_ratio < 1.0, "LP-OBBT tightens the largest big-M");
    for expected in [
        format!("{}×", reluscope::numbers::format_number(time_ratio)),
        format!("{}×", reluscope::numbers::format_number(big_m_ratio)),
        "1×".to_string(),
        "2 compared".to_string(),
    ] {
        assert!(has_label(&h, &expected), "missing {expected}");
    }
    // Both runs' curves in the Solve view, their big-M per layer in Big-M growth, with the
    // records' own figures: the last trace point is where each solve ended.
    for (view, title) in [
        ("Solve", "Compared runs (2)"),
        ("Big-M growth", "Compared runs (2)"),
    ] {
        h.get_by_label(view).click();
        h.run();
        assert!(has_label(&h, title), "{view}");
        assert!(has_label(&h, "#1 peaks_25x2 ia"), "{view}");
        assert!(has_label(&h, "#2 peaks_25x2 lp"), "{view}");
    }
    for run in &runs {
        let end = run.trace.last().unwrap();
        assert_eq!(end.incumbent, run.objective);
        assert_eq!(run.layers.len(), 2);
        let largest = run
            .layers
            .iter()
            .filter_map(|l| l.max_big_m)
            .fold(f64::MIN, f64::max);
        assert_eq!(Some(largest), run.max_big_m);
    }
    // Regions: once the view has counted the network's regions, both runs carry the count
    // (the library's exact 2-D partition) and the view compares them.
    h.get_by_label("Regions").click();
    wait_for(&mut h, Duration::from_secs(60), "the region count", |h| {
        h.state().state.runs.iter().all(|r| r.regions.is_some())
    });
    h.run();
    let net = super::samples::find("peaks_25x2").unwrap().load().unwrap();
    let map = reluscope::regions::partition_2d(
        &net,
        net.input_box().unwrap(),
        None,
        &reluscope::regions::RegionOptions::default(),
        &reluscope::control::TaskControl::default(),
    )
    .unwrap();
    for run in &h.state().state.runs {
        assert_eq!((run.regions, run.regions_exact), (Some(map.count()), true));
    }
    assert!(
        has_label(&h, "Compared runs (2)"),
        "Regions compares the runs too"
    );
    // The runs survive a restart (the session's document ids do not).
    let runs: Vec<_> = h
        .state()
        .state
        .runs
        .iter()
        .cloned()
        .map(|mut r| {
            r.doc_key = (0, 0);
            r
        })
        .collect();
    let mut storage = super::tests::MemoryStorage::default();
    h.state_mut().save(&mut storage);
    let mut restored = super::app::ReluscopeApp::new(Default::default(), None);
    restored.restore_runs(&storage);
    assert_eq!(restored.state.runs, runs);
}

#[test]
fn solve_stays_visible_with_every_rescaling_and_a_widening_rescaling_is_flagged() {
    let mut h = start();
    h.run();
    // The largest sample, LP bounds: the panel grows with the coefficient read-out.
    pick_sample(&mut h, "peaks_25x5");
    let window = h.ctx.content_rect();
    for scaling in reluscope::scaling::ScalingMethod::ALL {
        h.state_mut().state.set_scaling_method(scaling);
        wait_for(&mut h, Duration::from_secs(30), "the rescaling", |h| {
            !h.state().state.is_busy()
        });
        h.run();
        let solve = h.get_by_label("Solve (F5)").rect();
        let cancel = h.get_by_label("Cancel").rect();
        for (name, rect) in [("Solve", solve), ("Cancel", cancel)] {
            assert!(
                window.contains_rect(rect),
                "{name} is outside the window with rescaling {}: {rect:?} in {window:?}",
                scaling.key()
            );
        }
    }
    // The warning, decided on the numbers of the read-out.
    let r = |lo: f64, hi: f64| Some((lo, hi));
    assert!(super::controls::widening_warning(r(1e-3, 1e2), r(1e-3, 1e3)).is_some());
    assert!(super::controls::widening_warning(r(1e-3, 1e3), r(1e-2, 1e2)).is_none());
    assert!(super::controls::widening_warning(None, r(1.0, 2.0)).is_none());
}

#[test]
fn capped_outlines_say_so_and_what_to_do() {
    let mut h = start();
    h.run();
    pick_sample(&mut h, "peaks_25x5");
    h.get_by_label("Regions").click();
    wait_for(&mut h, Duration::from_secs(120), "the region map", |h| {
        !h.state().state.is_busy() && has_label(h, "Outlines hidden")
    });
    let note = h
        .get_by_label_contains("Outlines hidden")
        .value()
        .unwrap_or_default();
    // The count in view is the whole map at first: read it and check it against the library.
    let in_view: usize = note
        .split_whitespace()
        .nth(2)
        .and_then(|n| n.trim_end_matches(',').parse().ok())
        .expect("a count in the note");
    let net = super::samples::find("peaks_25x5").unwrap().load().unwrap();
    let b = net.input_box().unwrap().clone();
    let map = reluscope::regions::partition_2d(
        &net,
        &b,
        None,
        &reluscope::regions::RegionOptions::default(),
        &reluscope::control::TaskControl::default(),
    )
    .unwrap();
    assert_eq!(in_view, map.count());
    assert!(note.contains("Zoom in"), "{note}");
}

#[test]
fn the_light_theme_is_a_view_setting_that_persists() {
    use eframe::App as _;
    let mut h = start();
    h.run();
    assert_eq!(h.ctx.theme(), egui::Theme::Dark);
    h.get_by_label("View").click();
    h.run();
    h.get_by_label("Light theme").click();
    h.run();
    assert!(h.state().state.settings.light_theme);
    assert_eq!(h.ctx.theme(), egui::Theme::Light);
    let mut storage = super::tests::MemoryStorage::default();
    h.state_mut().save(&mut storage);
    let settings: super::settings::Settings = eframe::get_value(&storage, eframe::APP_KEY).unwrap();
    assert!(settings.light_theme);
}

#[test]
fn the_guided_tour_walks_through_the_studys_story() {
    let mut h = start();
    h.run();
    // A run of the user's own before the tour, maximising: the tour must neither compare it
    // nor keep maximising.
    h.state_mut().state.settings.solve.maximize = true;
    solve_now(&mut h);
    h.get_by_label("Help").click();
    h.run();
    h.get_by_label("Guided tour…").click();
    h.run();
    let expected = [
        ("peaks_25x5", "big_m", "ia"),
        ("peaks_25x5", "big_m", "lp"),
        ("peaks_25x5_l1", "stability", "lp"),
        ("peaks_25x5_l1", "regions", "lp"),
        ("peaks_25x3", "solve", "lp"),
        ("peaks_25x3_l1", "solve", "lp"),
        ("peaks_25x3_l1", "solve", "lp"),
    ];
    for (k, (network, view, bounds)) in expected.into_iter().enumerate() {
        if k > 0 {
            // Next is enabled once the step's solve is done.
            wait_for(&mut h, Duration::from_secs(120), "the step's work", |h| {
                !h.state().state.is_busy()
            });
            h.step();
            h.get_by_label("Next").click();
            // A solve keeps the spinner turning: step frames rather than run to rest.
            for _ in 0..3 {
                h.step();
            }
        }
        let step = super::tour::TOUR[k];
        assert!(
            has_label(&h, &format!("Step {} of 7", k + 1)),
            "step {}",
            k + 1
        );
        assert!(has_label(&h, step.title), "{}", step.title);
        let state = &h.state().state;
        assert_eq!(state.doc.network.name, network, "step {}", k + 1);
        assert_eq!(h.state().active_view(), view, "step {}", k + 1);
        assert_eq!(
            state.settings.bound_method().key(),
            bounds,
            "step {}",
            k + 1
        );
    }
    // The last step compares the tour's two solves: the plain network's is the baseline.
    let state = &h.state().state;
    assert_eq!(state.runs.len(), 3);
    assert_eq!(state.runs_compared, vec![1, 2]);
    assert_eq!(state.runs_baseline, Some(1));
    assert_eq!(state.runs[1].network, "peaks_25x3");
    assert_eq!(state.runs[2].network, "peaks_25x3_l1");
    assert_eq!(state.runs[1].objective_description, "minimise output 0");
    assert!(has_label(&h, "Compared runs (2)"));
    h.get_by_label("Close tour").click();
    h.run();
    assert!(h.state().state.tour.is_none());
    // The user's settings come back: maximise, the auto solver, interval bounds.
    let settings = &h.state().state.settings;
    assert!(settings.solve.maximize);
    assert_eq!(settings.solve.solver, super::settings::SolverSetting::Auto);
    assert_eq!(settings.bound_method().key(), "ia");
}

/// The MILP's toggles: ideal cuts on, the walk on; the Solve view shows the root bound
/// before and after the cuts and the walk, the Runs table records the cuts, and the solve's
/// optimum is the one without cuts (the library's, recomputed here).
#[test]
fn ideal_cuts_and_the_walk_show_in_the_solve_view_and_the_runs_table() {
    let mut h = start();
    h.run();
    h.state_mut().state.settings.solve.solver = super::settings::SolverSetting::Milp;
    h.run();
    h.get_by_label("ideal cuts").click();
    h.run();
    assert!(h.state().state.settings.solve.ideal_cuts);
    assert!(
        h.state().state.settings.solve.local_search,
        "the walk is on by default"
    );
    solve_now(&mut h);
    h.get_by_label("Solve").click();
    h.run();
    let run = h.state().state.runs.last().unwrap().clone();
    assert_eq!(run.status, "optimal");
    assert!(run.cuts.starts_with("ideal: "), "{}", run.cuts);
    assert!(has_label(&h, "root cuts ideal: "), "the root-cut line");
    assert!(
        has_label(&h, "start found by a walk over "),
        "the walk line"
    );
    // The same network and box without cuts, through the library.
    let doc = &h.state().state.doc;
    let bounds = reluscope::bounds::interval_bounds(&doc.network, doc.input_box());
    let objective =
        reluscope::milp::Objective::output(reluscope::milp::Sense::Minimize, 0, 1).unwrap();
    let plain = reluscope::milp::solve_network(
        &doc.network,
        doc.input_box(),
        &bounds,
        &objective,
        &reluscope::milp::NetworkSolveOptions::default(),
        &reluscope::milp::SolveControl::default(),
    )
    .unwrap();
    let (a, b) = (run.objective.unwrap(), plain.objective.unwrap());
    assert!(
        (a - b).abs() <= 1e-6 * (1.0 + b.abs()),
        "{a} with cuts vs {b}"
    );
    h.get_by_label("Runs").click();
    h.run();
    assert!(has_label(&h, &run.cuts), "the Runs table's cuts cell");
}

/// The one-sided toggle: on (the default) the MILP has fewer binaries and the Solve view
/// counts the one-sided ReLUs; off, one binary per unstable neuron; both runs reach the
/// same optimum, and the Runs table records both binary counts.
#[test]
fn one_sided_relus_are_a_toggle_with_the_same_optimum() {
    let mut h = start();
    h.run();
    h.state_mut().state.settings.solve.solver = super::settings::SolverSetting::Milp;
    h.run();
    assert!(h.state().state.settings.solve.one_sided, "on by default");
    solve_now(&mut h);
    h.get_by_label("Solve").click();
    h.run();
    let with = h.state().state.runs.last().unwrap().clone();
    assert!(
        has_label(&h, "one-sided ReLUs)"),
        "the model line counts them"
    );
    h.get_by_label("one-sided ReLUs").click();
    h.run();
    assert!(!h.state().state.settings.solve.one_sided);
    solve_now(&mut h);
    h.get_by_label("Solve").click();
    h.run();
    let without = h.state().state.runs.last().unwrap().clone();
    assert!(!has_label(&h, "one-sided ReLUs)"));
    assert_eq!(
        (with.status.as_str(), without.status.as_str()),
        ("optimal", "optimal")
    );
    let (a, b) = (with.objective.unwrap(), without.objective.unwrap());
    assert!((a - b).abs() <= 1e-6 * (1.0 + b.abs()), "{a} vs {b}");
    assert!(
        with.binaries.unwrap() < without.binaries.unwrap(),
        "{:?} vs {:?}",
        with.binaries,
        without.binaries
    );
}
