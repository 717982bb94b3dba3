//! GUI tests: drive the real app headless with egui_kittest (no display, no GPU, no pixels).
//!
//! Expected figures are computed here with the library, never copied from the app.

use super::app::ReluscopeApp;
use super::settings::Settings;
use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use reluscope::analysis::{LayerStats, layer_stats};
use reluscope::bounds::{interval_bounds, symbolic_bounds};
use reluscope::formats::json;
use reluscope::network::{InputBox, Network};
use reluscope::numbers::format_number;
use reluscope::scaling::{ScalingMethod, apply_scaling};
use reluscope::training::{BenchmarkFunction, TrainingConfig, train_on_function};
use std::ops::ControlFlow;
use std::time::{Duration, Instant};

const PEAKS: &[u8] = include_bytes!("../../sample_networks/peaks_25x2.json");
const PEAKS_3: &[u8] = include_bytes!("../../sample_networks/peaks_25x3.json");

fn peaks() -> Network {
    json::from_bytes(PEAKS).expect("sample parses")
}

pub(super) fn harness(app: ReluscopeApp) -> Harness<'static, ReluscopeApp> {
    Harness::builder()
        .with_size(egui::vec2(1360.0, 860.0))
        .with_max_steps(40)
        .build_ui_state(|ui, app: &mut ReluscopeApp| app.show(ui), app)
}

pub(super) fn start() -> Harness<'static, ReluscopeApp> {
    harness(ReluscopeApp::new(Settings::default(), None))
}

/// Steps frames (with short sleeps so that workers progress) until `done` holds; returns the
/// longest single frame, or panics after `timeout` with `what`.
pub(super) fn wait_for(
    h: &mut Harness<'static, ReluscopeApp>,
    timeout: Duration,
    what: &str,
    done: impl Fn(&Harness<'static, ReluscopeApp>) -> bool,
) -> Duration {
    let deadline = Instant::now() + timeout;
    let mut slowest = Duration::ZERO;
    loop {
        let t = Instant::now();
        h.step();
        slowest = slowest.max(t.elapsed());
        if done(h) {
            return slowest;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Opens each view in turn and waits for its workers (drawing also runs kittest's
/// accessibility checks).
fn show_each_view(h: &mut Harness<'static, ReluscopeApp>, titles: &[&str]) {
    for title in titles {
        h.get_by_label(title).click();
        wait_for(h, Duration::from_secs(20), title, |h| !h.state().is_busy());
        h.run();
    }
}

/// Opens the sample `name` through the side panel's picker, as a user does.
pub(super) fn pick_sample(h: &mut Harness<'static, ReluscopeApp>, name: &str) {
    h.get_by_label("Sample").click();
    h.run();
    h.get_by_label(name).click();
    h.run();
}

pub(super) fn has_label(h: &Harness<'static, ReluscopeApp>, text: &str) -> bool {
    h.query_all_by_label_contains(text).next().is_some()
}

/// The Stability view's line for a layer, from the library's figures.
fn expected_line(s: &LayerStats) -> String {
    format!(
        "Layer {}: {} active, {} inactive, {} unstable",
        s.index, s.stably_active, s.stably_inactive, s.unstable
    )
}

fn hidden_lines(network: &Network, stats: Vec<LayerStats>) -> Vec<String> {
    let hidden = network.hidden_layers().len();
    stats.iter().take(hidden).map(expected_line).collect()
}

fn interval_lines(network: &Network, b: &InputBox) -> Vec<String> {
    hidden_lines(network, layer_stats(network, &interval_bounds(network, b)))
}

fn shows_all(h: &Harness<'static, ReluscopeApp>, lines: &[String]) -> bool {
    lines.iter().all(|l| has_label(h, l))
}

/// The number after `prefix` in the first label that starts with it.
fn number_after(h: &Harness<'static, ReluscopeApp>, prefix: &str) -> f64 {
    let node = h.get_by_label_contains(prefix);
    // A label's text is its accessible value.
    let label = node.value().unwrap_or_default();
    let rest = label.split_once(prefix).map(|(_, r)| r).unwrap_or("");
    let token: String = rest
        .trim()
        .chars()
        .take_while(|c| c.is_ascii_digit() || matches!(c, '-' | '.' | 'e' | '+'))
        .collect();
    token
        .parse()
        .unwrap_or_else(|_| panic!("no number after {prefix:?} in {label:?}"))
}

#[test]
fn starts_with_the_default_sample_analysed() {
    let mut h = start();
    h.run();
    assert!(has_label(&h, "Network: peaks_25x2"));
    h.get_by_label("Stability").click();
    h.run();
    let net = peaks();
    let lines = interval_lines(&net, net.input_box().unwrap());
    assert_eq!(lines.len(), 2, "Peaks 2×25 has two hidden layers");
    for line in &lines {
        assert!(has_label(&h, line), "missing {line:?}");
    }
    assert!(!has_label(&h, "Layer 3:"), "only two layers are shown");
    let stats = layer_stats(&net, &interval_bounds(&net, net.input_box().unwrap()));
    let unstable: usize = stats.iter().take(2).map(|s| s.unstable).sum();
    let neurons = net.hidden_neurons();
    assert!(has_label(
        &h,
        &format!("{unstable} of {neurons} neurons unstable")
    ));
}

#[test]
fn editing_the_box_and_the_method_changes_the_stability_figures() {
    let mut h = start();
    h.run();
    h.get_by_label("Stability").click();
    h.run();
    let net = peaks();
    let original = interval_lines(&net, net.input_box().unwrap());
    assert!(shows_all(&h, &original));

    // Shrink input 0 to [-2, 0]: fewer neurons can switch, so fewer are unstable.
    h.get_by_label("upper bound of input 0")
        .set_value_accesskit(0.0);
    h.run();
    let smaller = InputBox::from_pairs(&[[-2.0, 0.0], [-2.0, 2.0]]).unwrap();
    let shrunk = interval_lines(&net, &smaller);
    assert_ne!(
        shrunk, original,
        "the test needs a box that changes the figures"
    );
    assert!(shows_all(&h, &shrunk), "expected {shrunk:?}");
    for (before, after) in original.iter().zip(&shrunk) {
        if before != after {
            assert!(!has_label(&h, before), "{before:?} is still shown");
        }
    }

    // An inverted box is refused inline and the last valid box stays.
    h.get_by_label("lower bound of input 1")
        .set_value_accesskit(3.0);
    h.run();
    assert!(has_label(&h, "inverted"));
    assert!(shows_all(&h, &shrunk));

    // Symbolic bounds (computed on a worker) are tighter than intervals: the figures follow
    // (trained networks may keep every neuron unstable, but their big-M shrinks).
    h.get_by_label("lower bound of input 1")
        .set_value_accesskit(-2.0);
    h.run();
    let with_big_m = |stats: Vec<LayerStats>| -> Vec<String> {
        stats
            .iter()
            .take(net.hidden_layers().len())
            .map(|s| match s.max_big_m {
                Some(m) => format!("{}, max big-M {}", expected_line(s), format_number(m)),
                None => expected_line(s),
            })
            .collect()
    };
    let interval = with_big_m(layer_stats(&net, &interval_bounds(&net, &smaller)));
    let symbolic = with_big_m(layer_stats(&net, &symbolic_bounds(&net, &smaller)));
    assert_ne!(
        symbolic, interval,
        "the test needs a method that changes the figures"
    );
    assert!(shows_all(&h, &interval));
    h.get_by_label_contains("symbolic").click();
    wait_for(&mut h, Duration::from_secs(20), "symbolic figures", |h| {
        shows_all(h, &symbolic)
    });
    h.run();
    assert!(has_label(&h, "bounds by symbolic"));
    for (before, after) in interval.iter().zip(&symbolic) {
        if before != after {
            assert!(!has_label(&h, before), "{before:?} is still shown");
        }
    }
}

#[test]
fn solving_shows_an_optimum_that_matches_a_forward_pass() {
    let mut h = start();
    h.run();
    h.get_by_label("Solve (F5)").click();
    wait_for(
        &mut h,
        Duration::from_secs(40),
        "the solve to finish",
        |h| h.state().state.solve.is_none() && has_label(h, "status: "),
    );
    h.run();
    assert!(
        has_label(&h, "status: optimal"),
        "the Solve view shows the status"
    );
    let objective = number_after(&h, "objective: ");
    let x_label = h
        .get_by_label_contains("x* = (")
        .value()
        .unwrap_or_default();
    let inside = x_label.trim_start_matches("x* = (").trim_end_matches(')');
    let x: Vec<f64> = inside
        .split(", ")
        .map(|v| v.parse().expect("x* coordinates are numbers"))
        .collect();
    assert_eq!(x.len(), 2);
    let forward = peaks().forward(&x)[0];
    assert!(
        (forward - objective).abs() < 1e-6,
        "objective {objective} but f(x*) = {forward}"
    );
    h.get_by_label("Runs").click();
    h.run();
    assert!(has_label(&h, "1 run(s)"));
    assert!(has_label(&h, "optimal"));
    let dir = tempfile::tempdir().unwrap();
    let csv_path = dir.path().join("runs.csv");
    h.get_by_label("Export CSV…").click();
    h.run();
    h.get_by_label("Save to:")
        .set_text_value_accesskit(&csv_path.display().to_string());
    h.run();
    h.get_by_label("Save").click();
    wait_for(&mut h, Duration::from_secs(10), "the CSV", |h| {
        h.state().state.write_tasks.is_empty()
    });
    let csv = std::fs::read_to_string(&csv_path).expect("the CSV was written");
    assert_eq!(csv.lines().count(), 2, "a header and one run");
    assert!(csv.lines().nth(1).unwrap().contains(",optimal"));

    // Every view draws (and passes the accessibility check of `run`); the surface marks x*.
    show_each_view(
        &mut h,
        &[
            "Network",
            "Stability",
            "Big-M growth",
            "Surface",
            "Solve",
            "Runs",
        ],
    );
    h.get_by_label("Surface").click();
    wait_for(&mut h, Duration::from_secs(20), "the surface", |h| {
        !h.state().is_busy()
    });
    h.run();
    assert!(has_label(&h, "x* (optimum) at ("));
}

#[test]
fn a_bad_file_is_reported_and_the_network_kept() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("broken.json");
    std::fs::write(&bad, "{ this is not a network").unwrap();
    let mut h = start();
    h.run();
    h.get_by_label("File path:")
        .set_text_value_accesskit(&bad.display().to_string());
    h.run();
    h.get_by_label("Open").click();
    wait_for(&mut h, Duration::from_secs(10), "the load error", |h| {
        h.state().state.load_task.is_none() && has_label(h, "cannot open")
    });
    h.run();
    assert!(has_label(&h, "broken.json"), "the error names the file");
    assert!(
        has_label(&h, "Network: peaks_25x2"),
        "the previous network stays"
    );
    h.get_by_label("Stability").click();
    h.run();
    let net = peaks();
    assert!(shows_all(
        &h,
        &interval_lines(&net, net.input_box().unwrap())
    ));

    // A good file replaces the network and joins the recent files.
    let good = dir.path().join("peaks_25x3.json");
    std::fs::write(&good, PEAKS_3).unwrap();
    h.get_by_label("File path:")
        .set_text_value_accesskit(&good.display().to_string());
    h.run();
    h.get_by_label("Open").click();
    wait_for(&mut h, Duration::from_secs(10), "the good file", |h| {
        has_label(h, "Network: peaks_25x3")
    });
    h.run();
    let net3 = json::from_bytes(PEAKS_3).unwrap();
    assert!(shows_all(
        &h,
        &interval_lines(&net3, net3.input_box().unwrap())
    ));
    assert_eq!(h.state().state.settings.recent.first(), Some(&good));
}

#[test]
fn cancel_stops_a_long_solve_and_the_ui_stays_responsive() {
    let mut h = start();
    h.run();
    pick_sample(&mut h, "peaks_25x5");
    assert!(has_label(&h, "Network: peaks_25x5"));
    // The MILP (auto would enumerate the regions of this 2-input network in a blink).
    h.get_by_label("MILP").click();
    h.run();
    h.key_press(egui::Key::F5);
    h.step();
    assert!(h.state().state.solve.is_some(), "F5 starts a solve");
    // Let HiGHS get going before cancelling.
    let started = Instant::now();
    let slowest_running = wait_for(&mut h, Duration::from_secs(20), "HiGHS to start", |h| {
        started.elapsed() > Duration::from_millis(1500)
            || h.state().state.solve.as_ref().is_some_and(|s| {
                !s.trace.is_empty() && started.elapsed() > Duration::from_millis(700)
            })
    });
    assert!(
        h.state().state.solve.is_some(),
        "the 5-layer solve is still running"
    );
    h.get_by_label("Cancel").click();
    let cancelled_at = Instant::now();
    let slowest_cancelling = wait_for(
        &mut h,
        Duration::from_secs(10),
        "the cancelled status",
        |h| h.state().state.solve.is_none() && has_label(h, "status: "),
    );
    let stop_time = cancelled_at.elapsed();
    h.run();
    assert!(
        has_label(&h, "status: cancelled"),
        "the Solve view says cancelled"
    );
    assert!(
        stop_time < Duration::from_secs(5),
        "stopped in {stop_time:?}"
    );
    let slowest = slowest_running.max(slowest_cancelling);
    assert!(
        slowest < Duration::from_millis(500),
        "a frame took {slowest:?} while solving"
    );
}

#[test]
fn exports_write_the_milp_and_the_analysis() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = start();
    h.run();
    for (item, name) in [
        ("MILP as MPS…", "model.mps"),
        ("MILP as LP…", "model.lp"),
        ("Analysis as JSON…", "analysis.json"),
    ] {
        let path = dir.path().join(name);
        h.get_by_label("Export").click();
        h.run();
        h.get_by_label(item).click();
        h.run();
        h.get_by_label("Save to:")
            .set_text_value_accesskit(&path.display().to_string());
        h.run();
        h.get_by_label("Save").click();
        wait_for(&mut h, Duration::from_secs(20), name, |h| {
            !h.state().state.is_busy() && has_label(h, "wrote ")
        });
        h.run();
        assert!(path.exists(), "{name} was not written");
    }
    let mps = std::fs::read_to_string(dir.path().join("model.mps")).unwrap();
    let net = peaks();
    let binaries: usize = layer_stats(&net, &interval_bounds(&net, net.input_box().unwrap()))
        .iter()
        .map(|s| s.binaries)
        .sum();
    assert!(mps.contains("MARKER"), "integer markers for the binaries");
    assert!(has_label(&h, "wrote "));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("analysis.json")).unwrap())
            .unwrap();
    assert_eq!(json["binaries"].as_u64(), Some(binaries as u64));
    assert_eq!(json["bounds_method"], "ia");
}

#[test]
fn cancelling_expensive_bounds_keeps_the_interval_figures() {
    let mut h = start();
    h.run();
    pick_sample(&mut h, "peaks_25x3");
    h.get_by_label_contains("MILP-based OBBT").click();
    // One frame handles the click, the next starts the worker.
    h.step();
    h.step();
    assert!(
        h.state().state.bounds_task.is_some(),
        "MILP-OBBT runs on a worker"
    );
    std::thread::sleep(Duration::from_millis(300));
    h.step();
    h.get_by_label("Cancel bounds").click();
    let cancelled_at = Instant::now();
    wait_for(&mut h, Duration::from_secs(10), "the bounds to stop", |h| {
        h.state().state.bounds_task.is_none()
    });
    assert!(cancelled_at.elapsed() < Duration::from_secs(5));
    h.get_by_label("Stability").click();
    h.run();
    assert!(has_label(&h, "milp bounds not computed."));
    assert!(has_label(&h, "because they were not computed"));
    let net = json::from_bytes(PEAKS_3).unwrap();
    assert!(shows_all(
        &h,
        &interval_lines(&net, net.input_box().unwrap())
    ));
    h.get_by_label("Compute").click();
    h.step();
    assert!(
        h.state().state.bounds_task.is_some(),
        "Compute starts them again"
    );
}

#[test]
fn networks_with_three_inputs_and_two_outputs_work_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wide.json");
    let net = super::bench::random_network(&[3, 6, 6, 2], 3);
    reluscope::formats::save_network(&net, &path).unwrap();
    let mut h = start();
    h.run();
    h.get_by_label("File path:")
        .set_text_value_accesskit(&path.display().to_string());
    h.run();
    h.get_by_label("Open").click();
    wait_for(&mut h, Duration::from_secs(10), "the file", |h| {
        has_label(h, "Network: wide")
    });
    h.run();
    h.get_by_label("maximise").click();
    h.get_by_label("output index, 0 to 1")
        .set_value_accesskit(1.0);
    h.run();
    h.get_by_label("Solve (F5)").click();
    wait_for(&mut h, Duration::from_secs(30), "the solve", |h| {
        h.state().state.solve.is_none() && has_label(h, "status: ")
    });
    h.run();
    assert!(has_label(&h, "status: optimal"));
    assert!(has_label(&h, "maximise output 1 of wide"));
    // Auto branches over the box of a 3-input network, and says so.
    assert!(has_label(&h, "method: branch (auto: 3 inputs"));
    assert!(number_after(&h, "boxes: ") >= 1.0);
    assert!(has_label(&h, "with chosen slopes"));
    let objective = number_after(&h, "objective: ");
    // The Runs table's record of the root bound, fixed then chosen lines: maximising, both
    // above the optimum and the chosen one not looser.
    let run = h.state().state.runs.last().unwrap().clone();
    let ends: Vec<f64> = run
        .cuts
        .trim_start_matches("chosen slopes: bound ")
        .split(" to ")
        .map(|v| v.parse().unwrap())
        .collect();
    assert_eq!(ends.len(), 2, "{}", run.cuts);
    // Four significant digits on display: a relative tolerance.
    let slack = 1e-3 * (1.0 + objective.abs());
    assert!(
        ends[0] >= ends[1] - slack && ends[1] >= objective - slack,
        "{} vs {objective}",
        run.cuts
    );
    // The MILP, forced, finds the same optimum.
    h.get_by_label("MILP").click();
    h.run();
    let by_milp = solve_and_read_objective(&mut h);
    assert!(
        (by_milp - objective).abs() <= 1e-6 * (1.0 + objective.abs()),
        "MILP {by_milp} vs branching {objective}"
    );
    let sampled_max = (0..2000)
        .map(|k| {
            let t = k as f64 / 2000.0;
            let x = [2.0 * t - 1.0, (7.0 * t).sin(), (13.0 * t).cos()];
            net.forward(&x)[1]
        })
        .fold(f64::NEG_INFINITY, f64::max);
    assert!(
        objective >= sampled_max - 1e-9,
        "the optimum beats every sample"
    );
    show_each_view(
        &mut h,
        &[
            "Network",
            "Stability",
            "Big-M growth",
            "Surface",
            "Regions",
            "Solve",
            "Runs",
        ],
    );
    h.get_by_label("Regions").click();
    wait_for(&mut h, Duration::from_secs(20), "the slice map", |h| {
        !h.state().is_busy()
    });
    h.run();
    assert!(has_label(
        &h,
        "in the slice (x0, x1) through the box centre"
    ));
    h.get_by_label("Count the whole box").click();
    wait_for(
        &mut h,
        Duration::from_secs(20),
        "the whole-box count",
        |h| !h.state().is_busy(),
    );
    h.run();
    let whole = reluscope::regions::count_exact(
        &net,
        net.input_box().unwrap(),
        &reluscope::regions::RegionOptions::default(),
        &reluscope::control::TaskControl::default(),
    )
    .unwrap();
    assert!(has_label(
        &h,
        &format!("{} linear regions over the whole box (exact", whole.count)
    ));
    h.get_by_label("Surface").click();
    wait_for(&mut h, Duration::from_secs(20), "the surface", |h| {
        !h.state().is_busy()
    });
    h.run();
    assert!(has_label(&h, "other inputs fixed at the box centre"));
    assert!(has_label(&h, "x* (optimum) at ("));
}

#[test]
fn a_one_input_network_shows_a_curve() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("line.json");
    reluscope::formats::save_network(&super::bench::random_network(&[1, 5, 1], 5), &path).unwrap();
    let mut app = ReluscopeApp::new(Settings::default(), Some(path));
    app.select_view("surface");
    let mut h = harness(app);
    wait_for(&mut h, Duration::from_secs(10), "the curve", |h| {
        !h.state().is_busy()
    });
    h.run();
    assert!(has_label(&h, "Network: line"));
    // One input: no map, but the count of the whole box (its breakpoints + 1).
    h.get_by_label("Regions").click();
    wait_for(&mut h, Duration::from_secs(10), "the count", |h| {
        !h.state().is_busy()
    });
    h.run();
    let net = h.state().state.doc.network.clone();
    let breakpoints = (0..=20_000)
        .map(|k| {
            let x = -1.0 + 2.0 * k as f64 / 20_000.0;
            reluscope::regions::ActivationPattern::of_point(&net, &[x]).unwrap()
        })
        .collect::<Vec<_>>()
        .windows(2)
        .filter(|w| w[0] != w[1])
        .count();
    assert!(has_label(
        &h,
        &format!(
            "{} linear regions over the whole box (exact",
            breakpoints + 1
        )
    ));
}

/// A storage in memory, to test persistence without files.
#[derive(Default)]
pub(super) struct MemoryStorage(std::collections::HashMap<String, String>);

impl eframe::Storage for MemoryStorage {
    fn get_string(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }
    fn set_string(&mut self, key: &str, value: String) {
        self.0.insert(key.to_string(), value);
    }
    fn remove_string(&mut self, key: &str) {
        self.0.remove(key);
    }
    fn flush(&mut self) {}
}

#[test]
fn settings_and_the_last_network_are_restored() {
    use eframe::App as _;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("peaks_25x3.json");
    std::fs::write(&file, PEAKS_3).unwrap();
    let mut app = ReluscopeApp::new(Settings::default(), Some(file.clone()));
    app.state
        .set_bound_method(reluscope::bounds::BoundMethod::Symbolic);
    app.state.settings.solve.time_limit_s = 12.5;
    app.select_view("big_m");
    let mut storage = MemoryStorage::default();
    app.save(&mut storage);
    let settings: Settings = eframe::get_value(&storage, eframe::APP_KEY).unwrap();
    let restored = ReluscopeApp::new(settings.clone(), None);
    assert_eq!(restored.state.doc.network.name, "peaks_25x3");
    assert_eq!(restored.active_view(), "big_m");
    assert_eq!(restored.state.settings.solve.time_limit_s, 12.5);
    assert_eq!(restored.state.settings.method, "symbolic");
    // A last network that vanished falls back to the default sample, without an error.
    drop(dir);
    let fallback = ReluscopeApp::new(settings, None);
    assert_eq!(fallback.state.doc.network.name, "peaks_25x2");
    assert!(fallback.state.notice.is_none());
}

#[test]
fn every_view_draws_and_the_benchmark_measures_them() {
    let times = super::bench::frame_time_benchmark(3);
    let ids: Vec<&str> = times.views.iter().map(|v| v.view.as_str()).collect();
    assert_eq!(
        ids,
        [
            "network",
            "stability",
            "big_m",
            "surface",
            "regions",
            "solve",
            "runs",
            "study",
            "train"
        ]
    );
    assert!(
        times
            .views
            .iter()
            .all(|v| v.frames == 3 && v.median_ms > 0.0)
    );
    assert_eq!(times.architecture, "2-50-50-50-50-50-1");
    assert_eq!(
        times.runs_compared, 3,
        "three runs overlaid while measuring"
    );
    assert!(times.worst_median_ms() > 0.0);
    eprintln!("{times}");
}

#[test]
fn every_character_the_gui_prints_has_a_glyph_in_the_default_fonts() {
    // Missing glyphs are drawn as boxes in the app (and panic in kittest): check every
    // non-ASCII character outside comments, including messages no other test reaches.
    let sources = [
        include_str!("app.rs"),
        include_str!("controls.rs"),
        include_str!("document.rs"),
        include_str!("export.rs"),
        include_str!("region_map.rs"),
        include_str!("runs.rs"),
        include_str!("samples.rs"),
        include_str!("settings.rs"),
        include_str!("solve_task.rs"),
        include_str!("state/mod.rs"),
        include_str!("state/bounds.rs"),
        include_str!("state/exports.rs"),
        include_str!("state/networks.rs"),
        include_str!("state/notice.rs"),
        include_str!("state/scaling.rs"),
        include_str!("state/solve.rs"),
        include_str!("state/training.rs"),
        include_str!("tasks.rs"),
        include_str!("train_task.rs"),
        include_str!("worker.rs"),
        include_str!("views/mod.rs"),
        include_str!("views/big_m.rs"),
        include_str!("views/network.rs"),
        include_str!("views/regions/mod.rs"),
        include_str!("views/regions/map.rs"),
        include_str!("views/regions/details.rs"),
        include_str!("views/runs.rs"),
        include_str!("views/solve.rs"),
        include_str!("views/stability.rs"),
        include_str!("views/surface.rs"),
        include_str!("views/train.rs"),
        include_str!("views/compare.rs"),
        include_str!("views/chart_plot.rs"),
        include_str!("views/study.rs"),
        include_str!("state/study.rs"),
        include_str!("tour.rs"),
        include_str!("bench.rs"),
    ];
    let ctx = egui::Context::default();
    let mut output = ctx.run_ui(egui::RawInput::default(), |_| {});
    output.textures_delta.clear();
    let font = egui::FontId::proportional(12.0);
    let mut missing = Vec::new();
    for source in sources {
        for line in source.lines() {
            let code = line.split("//").next().unwrap_or("");
            for c in code.chars().filter(|c| !c.is_ascii()) {
                if !ctx.fonts_mut(|f| f.has_glyph(&font, c)) && !missing.contains(&c) {
                    missing.push(c);
                }
            }
        }
    }
    // Tooltips and labels taken from the library.
    let library: Vec<String> = reluscope::bounds::BoundMethod::ALL
        .iter()
        .flat_map(|m| [m.label(), m.description()])
        .chain(
            ScalingMethod::ALL
                .iter()
                .flat_map(|m| [m.label(), m.description()]),
        )
        .map(super::document::displayable)
        .collect();
    for text in library {
        for c in text.chars().filter(|c| !c.is_ascii()) {
            if !ctx.fonts_mut(|f| f.has_glyph(&font, c)) && !missing.contains(&c) {
                missing.push(c);
            }
        }
    }
    assert!(missing.is_empty(), "no glyph for {missing:?}");
}

/// `cargo test --release --bin reluscope gui::tests::frame_time_report -- --ignored --nocapture`
#[test]
#[ignore = "a measurement, not a check: run by hand"]
fn frame_time_report() {
    let times = super::bench::frame_time_benchmark(200);
    eprintln!("{times}");
    // A wide network (MNIST-sized input) to see how the views scale.
    let wide = super::bench::random_network(&[784, 256, 256, 10], 1).named("wide");
    eprintln!("{}", super::bench::frame_time_benchmark_with(wide, 50));
}

/// Presses Solve and waits for the result; returns the objective shown.
fn solve_and_read_objective(h: &mut Harness<'static, ReluscopeApp>) -> f64 {
    h.get_by_label("Solve (F5)").click();
    wait_for(h, Duration::from_secs(40), "the solve to finish", |h| {
        h.state().state.solve.is_none() && has_label(h, "status: ")
    });
    h.run();
    assert!(has_label(h, "status: optimal"), "the solve is optimal");
    number_after(h, "objective: ")
}

#[test]
fn balanced_scaling_keeps_the_optimum_and_shows_what_it_changes() {
    let mut h = start();
    h.run();
    // The rescaling changes the MILP, so solve by the MILP.
    h.get_by_label("MILP").click();
    h.run();
    let plain = solve_and_read_objective(&mut h);

    h.get_by_label(ScalingMethod::Balanced.label()).click();
    h.run();
    assert_eq!(h.state().state.settings.scaling, "balanced", "persisted");
    // The coefficient range shown is the library's, computed here independently.
    let net = peaks();
    let b = net.input_box().unwrap();
    let report = apply_scaling(&net, b, &interval_bounds(&net, b), ScalingMethod::Balanced)
        .unwrap()
        .report
        .unwrap();
    assert!(report.coefficient_range_before.is_some());
    let expected = super::controls::coefficient_line(
        report.coefficient_range_before,
        report.coefficient_range_after,
    );
    assert!(has_label(&h, &expected), "missing {expected:?}");

    let scaled = solve_and_read_objective(&mut h);
    assert!(
        (scaled - plain).abs() <= 1e-6 * plain.abs().max(1e-9),
        "balanced {scaled} vs none {plain}"
    );
    assert!(
        has_label(&h, "interval arithmetic"),
        "the solve view names the bounds"
    );
    assert!(
        has_label(&h, "ia + balanced bounds"),
        "the solve view names the scaling"
    );
    assert!(
        has_label(&h, &expected),
        "the solve view shows the range too"
    );

    h.get_by_label("Runs").click();
    h.run();
    assert!(has_label(&h, "2 run(s)"));
    let runs = &h.state().state.runs;
    assert_eq!(
        runs.iter().map(|r| r.scaling.as_str()).collect::<Vec<_>>(),
        ["none", "balanced"]
    );
    assert!(h.query_all_by_label("none").next().is_some(), "a none cell");
    assert!(
        h.query_all_by_label("balanced").next().is_some(),
        "a balanced cell"
    );
    assert!(
        h.query_all_by_label("scaling").next().is_some(),
        "the column header"
    );

    // Big-M growth lists the rescaled series beside the unscaled one.
    h.get_by_label("Big-M growth").click();
    h.run();
    assert!(h.query_all_by_label("ia").next().is_some());
    assert!(h.query_all_by_label("ia + balanced").next().is_some());
    // The Stability view says the counts do not change.
    h.get_by_label("Stability").click();
    h.run();
    assert!(has_label(&h, "same binaries"));
    assert!(shows_all(&h, &interval_lines(&net, b)));

    // CSV export has the column.
    let dir = tempfile::tempdir().unwrap();
    let csv_path = dir.path().join("runs.csv");
    h.get_by_label("Runs").click();
    h.run();
    h.get_by_label("Export CSV…").click();
    h.run();
    h.get_by_label("Save to:")
        .set_text_value_accesskit(&csv_path.display().to_string());
    h.run();
    h.get_by_label("Save").click();
    wait_for(&mut h, Duration::from_secs(10), "the CSV", |h| {
        h.state().state.write_tasks.is_empty()
    });
    let csv = std::fs::read_to_string(&csv_path).expect("the CSV was written");
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("#,network,method,bounds,scaling,status,"));
    assert!(lines[1].starts_with("1,peaks_25x2,milp,ia,none,optimal,"));
    assert!(lines[2].starts_with("2,peaks_25x2,milp,ia,balanced,optimal,"));
}

/// Sets the Training form through the UI: hidden widths, samples and epochs.
fn set_training_form(
    h: &mut Harness<'static, ReluscopeApp>,
    hidden: &str,
    samples: f64,
    epochs: f64,
) {
    h.get_by_label("Training").click();
    h.run();
    h.get_by_label("Hidden widths")
        .set_text_value_accesskit(hidden);
    h.run();
    h.get_by_label("Samples").set_value_accesskit(samples);
    h.run();
    h.get_by_label("Epochs").set_value_accesskit(epochs);
    h.run();
}

#[test]
fn training_draws_a_loss_curve_and_opens_the_network() {
    let mut h = start();
    h.run();
    set_training_form(&mut h, "6", 400.0, 30.0);
    let form = &h.state().state.settings.train;
    assert_eq!(
        (form.hidden.as_str(), form.samples, form.epochs),
        ("6", 400, 30)
    );
    h.get_by_label("Train").click();
    h.step();
    assert!(
        h.state().state.training.running.is_some(),
        "Train starts a run"
    );
    let slowest = wait_for(&mut h, Duration::from_secs(60), "the training", |h| {
        h.state().state.training.running.is_none() && has_label(h, "test RMSE: ")
    });
    h.run();
    assert!(
        slowest < Duration::from_millis(500),
        "a frame took {slowest:?}"
    );
    let last = h.state().state.training.last.as_ref().unwrap();
    assert!(!last.curve.train.is_empty() && !last.curve.validation.is_empty());
    assert!(last.curve.epochs() >= 1);

    // The same config and seed in the library give the same network and errors.
    let config = TrainingConfig {
        hidden: vec![6],
        samples: 400,
        epochs: 30,
        ..TrainingConfig::default()
    };
    let expected = train_on_function(BenchmarkFunction::Peaks, &config, &mut |_| {
        ControlFlow::Continue(())
    })
    .unwrap();
    let shown = number_after(&h, "test RMSE: ");
    assert!(
        (shown - expected.test_rmse).abs() <= 1e-7 * expected.test_rmse.max(1.0),
        "shown {shown}, library {}",
        expected.test_rmse
    );
    assert_eq!(last.curve.epochs(), expected.epochs);

    h.get_by_label("Open for analysis").click();
    h.run();
    assert!(has_label(
        &h,
        &format!("Network: {}", expected.network.name)
    ));
    assert!(
        has_label(&h, "2-6-1 ("),
        "the side panel shows the architecture"
    );
    assert_eq!(h.state().active_view(), "network");
    assert_eq!(
        h.state().state.doc.network.layers(),
        expected.network.layers()
    );

    // Save network writes a file that loads back.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trained.json");
    h.get_by_label("Training").click();
    h.run();
    h.get_by_label("Network file:")
        .set_text_value_accesskit(&path.display().to_string());
    h.run();
    h.get_by_label("Save network").click();
    wait_for(&mut h, Duration::from_secs(10), "the network file", |h| {
        h.state().state.write_tasks.is_empty() && has_label(h, "wrote ")
    });
    let loaded = reluscope::formats::load_network(&path).unwrap();
    assert_eq!(loaded.architecture(), "2-6-1");

    // The loss curve exports as a figure; its CSV holds the losses of the last epoch.
    let csv_path = dir.path().join("loss.csv");
    let ctx = h.ctx.clone();
    h.state_mut().state.run_export(
        &ctx,
        super::export::ExportKind::ShownChart,
        csv_path.clone(),
        None,
    );
    wait_for(&mut h, Duration::from_secs(10), "the loss curve", |h| {
        h.state().state.write_tasks.is_empty()
    });
    let csv = std::fs::read_to_string(&csv_path).expect("the loss curve was written");
    let report = h
        .state()
        .state
        .training
        .last
        .as_ref()
        .unwrap()
        .curve
        .last
        .unwrap();
    let row = csv
        .lines()
        .rfind(|l| l.starts_with("validation,"))
        .expect("validation rows");
    let value: f64 = row.split(',').nth(2).unwrap().parse().unwrap();
    assert!(
        (value - report.validation_loss).abs() <= 1e-9 * report.validation_loss,
        "{value} vs {}",
        report.validation_loss
    );
}

#[test]
fn cancel_stops_training_quickly_and_the_ui_stays_responsive() {
    let mut h = start();
    h.run();
    set_training_form(&mut h, "25,25", 10_000.0, 1000.0);
    h.get_by_label("Train").click();
    let started = Instant::now();
    let slowest_running = wait_for(&mut h, Duration::from_secs(30), "a few epochs", |h| {
        let epochs = h
            .state()
            .state
            .training
            .running
            .as_ref()
            .map_or(0, |r| r.curve.epochs());
        epochs >= 3 && started.elapsed() > Duration::from_millis(500)
    });
    assert!(has_label(&h, "epoch "), "the progress bar counts epochs");
    h.get_by_label("Cancel training").click();
    let cancelled_at = Instant::now();
    let slowest_cancelling = wait_for(&mut h, Duration::from_secs(10), "the cancel", |h| {
        h.state().state.training.running.is_none()
    });
    let stop_time = cancelled_at.elapsed();
    h.run();
    assert!(
        stop_time < Duration::from_secs(3),
        "stopped in {stop_time:?}"
    );
    let slowest = slowest_running.max(slowest_cancelling);
    assert!(
        slowest < Duration::from_millis(500),
        "a frame took {slowest:?}"
    );
    let last = h.state().state.training.last.as_ref().unwrap();
    let trained = last
        .outcome
        .as_ref()
        .expect("a cancelled run keeps its best network");
    assert!(trained.cancelled && trained.epochs < 1000);
    assert!(has_label(&h, "Cancelled after"));
    assert!(has_label(&h, "test RMSE: "));
}

#[test]
fn an_invalid_training_config_is_explained_and_starts_nothing() {
    let mut h = start();
    h.run();
    h.get_by_label("Training").click();
    h.run();
    h.get_by_label("Dropout").set_value_accesskit(1.5);
    h.run();
    assert_eq!(h.state().state.settings.train.dropout, 1.5);
    assert!(has_label(&h, "dropout rate must lie in [0, 1), found 1.5"));
    h.get_by_label("Train").click();
    h.run();
    let training = &h.state().state.training;
    assert!(training.running.is_none() && training.last.is_none());
    assert!(!h.state().is_busy());

    // A bad width is explained too; fixing both enables Train again.
    h.get_by_label("Dropout").set_value_accesskit(0.0);
    h.get_by_label("Hidden widths")
        .set_text_value_accesskit("25,a");
    h.run();
    assert!(has_label(&h, "\"a\" is not a whole number"));
    h.get_by_label("Hidden widths")
        .set_text_value_accesskit("25");
    h.run();
    assert!(!has_label(&h, "is not a whole number"));
}

#[test]
fn the_regions_view_counts_what_the_general_method_counts() {
    let mut app = ReluscopeApp::new(Settings::default(), None);
    app.select_view("regions");
    let mut h = harness(app);
    wait_for(&mut h, Duration::from_secs(30), "the region map", |h| {
        !h.state().is_busy() && has_label(h, "linear regions over the input box")
    });
    h.run();
    // The general method (LPs in any dimension) is independent of the 2-D polygons the view uses.
    let net = peaks();
    let expected = reluscope::regions::count_exact(
        &net,
        net.input_box().unwrap(),
        &reluscope::regions::RegionOptions::default(),
        &reluscope::control::TaskControl::default(),
    )
    .unwrap();
    assert!(expected.exact);
    assert!(
        has_label(
            &h,
            &format!("{} linear regions over the input box", expected.count)
        ),
        "the view shows the count of the general method, {}",
        expected.count
    );
    let per_layer: Vec<String> = expected.per_layer.iter().map(|n| n.to_string()).collect();
    assert!(has_label(
        &h,
        &format!("after layers 1, 2, …: {}", per_layer.join(", "))
    ));
    // Hovering over the map shows a region's pattern and affine piece.
    assert!(has_label(&h, "Hover over a region"));
    h.hover_at(egui::pos2(650.0, 450.0));
    h.run();
    assert!(has_label(&h, &format!(" of {}", expected.count)));
    assert!(has_label(&h, "objective here: "));
    assert!(has_label(&h, "layer 2: "));
    // Another colouring redraws without recounting.
    h.get_by_label("fill").click();
    h.run();
    h.get_by_label("objective").click();
    h.run();
    assert!(
        has_label(&h, "objective c·f(x):"),
        "the colour bar of the objective"
    );
    assert!(!h.state().is_busy());
}

#[test]
fn the_region_solver_agrees_with_the_milp() {
    let mut h = start();
    h.run();
    h.get_by_label("regions").click();
    h.run();
    let by_regions = solve_and_read_objective(&mut h);
    assert!(has_label(&h, "region enumeration"));
    let regions_examined = number_after(&h, "regions examined: ");
    assert!(
        regions_examined > 100.0,
        "peaks 2×25 has hundreds of regions"
    );
    let net = peaks();
    let input_box = net.input_box().unwrap().clone();
    let milp = reluscope::milp::solve_network(
        &net,
        &input_box,
        &interval_bounds(&net, &input_box),
        &reluscope::milp::Objective::output(reluscope::milp::Sense::Minimize, 0, 1).unwrap(),
        &reluscope::milp::NetworkSolveOptions::default(),
        &reluscope::milp::SolveControl::default(),
    )
    .unwrap();
    let reference = milp.objective.unwrap();
    assert!(
        (by_regions - reference).abs() <= 1e-6 * reference.abs().max(1.0),
        "regions {by_regions} vs MILP {reference}"
    );
    h.get_by_label("Runs").click();
    h.run();
    assert!(has_label(&h, "1 run(s)"));
    assert!(
        h.query_all_by_label("regions").count() >= 2,
        "the run's method reads regions"
    );
}

#[test]
fn cancel_stops_a_long_region_count_and_keeps_what_was_found() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.json");
    let net = super::bench::random_network(&[2, 100, 100, 100, 100, 1], 7).named("big");
    reluscope::formats::save_network(&net, &path).unwrap();
    let mut app = ReluscopeApp::new(Settings::default(), Some(path));
    app.select_view("regions");
    let mut h = harness(app);
    let started = Instant::now();
    let slowest_running = wait_for(&mut h, Duration::from_secs(20), "the count to run", |h| {
        started.elapsed() > Duration::from_millis(800) || !h.state().is_busy()
    });
    assert!(h.state().is_busy(), "a 4×100 partition takes a while");
    assert!(has_label(&h, "Splitting the plane into regions"));
    h.get_by_label("Cancel counting").click();
    let cancelled_at = Instant::now();
    let slowest_cancelling = wait_for(&mut h, Duration::from_secs(10), "the stop", |h| {
        !h.state().is_busy()
    });
    let stop_time = cancelled_at.elapsed();
    h.run();
    assert!(
        stop_time < Duration::from_secs(2),
        "stopped in {stop_time:?}"
    );
    assert!(
        has_label(&h, "at least "),
        "a partial count is a lower bound"
    );
    assert!(has_label(&h, "stopped: cancelled"));
    assert!(has_label(&h, "Compute again"));
    let slowest = slowest_running.max(slowest_cancelling);
    assert!(
        slowest < Duration::from_millis(500),
        "a frame took {slowest:?}"
    );
}

#[test]
fn an_ill_conditioned_network_is_flagged_in_the_side_panel() {
    // Peaks 2×25 with one weight of 2³¹: HiGHS's tolerances no longer hold for its MILP.
    let mut net = peaks();
    let mut layers = net.layers().to_vec();
    layers[1].weights[[3, 4]] = 2f64.powi(31);
    net = Network::new(layers, net.input_box().cloned()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.json");
    reluscope::formats::save_network(&net, &path).unwrap();
    let mut h = harness(ReluscopeApp::new(Settings::default(), Some(path)));
    wait_for(&mut h, Duration::from_secs(10), "the analysis", |h| {
        !h.state().is_busy()
    });
    h.run();
    assert!(has_label(&h, "Warning: ill-conditioned MILP"));
    // The sample itself is not flagged.
    let mut h = start();
    wait_for(&mut h, Duration::from_secs(10), "the analysis", |h| {
        !h.state().is_busy()
    });
    h.run();
    assert!(!has_label(&h, "ill-conditioned"));
}

#[test]
fn auto_solves_a_two_input_network_by_its_regions_and_says_so() {
    let mut h = start();
    h.run();
    assert!(
        has_label(&h, "auto (regions)"),
        "auto's choice is on its radio button"
    );
    let objective = solve_and_read_objective(&mut h);
    assert!(has_label(&h, "method: regions (auto: 2 input(s)"));
    // The same optimum as the library's MILP.
    let net = peaks();
    let b = net.input_box().unwrap().clone();
    let milp = reluscope::milp::solve_network(
        &net,
        &b,
        &interval_bounds(&net, &b),
        &reluscope::milp::Objective::output(reluscope::milp::Sense::Minimize, 0, 1).unwrap(),
        &reluscope::milp::NetworkSolveOptions::default(),
        &reluscope::milp::SolveControl::default(),
    )
    .unwrap();
    let expected = milp.objective.unwrap();
    assert!(
        (objective - expected).abs() <= 1e-6 * expected.abs(),
        "{objective} vs {expected}"
    );
}

/// The four solver choices share one line inside the 300-point side panel, so that Solve
/// stays in view without scrolling.
#[test]
fn the_solver_choices_fit_the_panel_on_one_line() {
    let mut h = start();
    h.run();
    let rects: Vec<egui::Rect> = ["auto (regions)", "MILP", "regions", "branch"]
        .iter()
        .map(|label| h.get_by_label(label).rect())
        .collect();
    assert!(rects.iter().all(|r| r.min.y == rects[0].min.y), "{rects:?}");
    assert!(rects[3].max.x <= 292.0, "{rects:?}");
    let solve = h.get_by_label("Solve (F5)").rect();
    // Above the status bar at the bottom of the 860-point window.
    assert!(solve.max.y < 860.0 - 30.0, "Solve is in view: {solve:?}");
}
