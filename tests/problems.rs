//! Problems beyond one network over a box — constraints, several networks, alternatives —
//! and VNNLIB verification, on small networks whose answers can be worked out by hand.
//!
//! `f(x) = relu(x₀ − x₁)` and `g(x) = relu(x₀ + x₁)` on `[−1, 1]²` take every value in
//! `[0, 2]`; `h(x) = relu(x₀ + x₁ + x₂) − 1` on `[−1, 1]³` every value in `[−1, 2]`.

mod common;

use common::binary;
use ndarray::array;
use reluscope::formulation::OutputConstraint;
use reluscope::milp::{NetworkSolveOptions, Sense};
use reluscope::network::{Activation, InputBox, Layer, Network};
use reluscope::pipeline::{MilpSetup, SolveMethod, Verdict, solve_problem, verify};
use reluscope::problem::problem_file::read_problem;
use reluscope::problem::vnnlib::parse_vnnlib;
use reluscope::problem::{
    ConstraintSense, LinearConstraint, NamedNetwork, Problem, ProblemObjective, Variable,
};
use reluscope::regions::RegionOptions;
use reluscope::{BoundMethod, TaskControl};
use std::path::Path;
use std::process::Command;

fn square() -> InputBox {
    InputBox::new(vec![-1.0, -1.0], vec![1.0, 1.0]).unwrap()
}

/// `relu(w·x)` with a linear read-out `scale · h + shift`.
fn one_neuron(w: Vec<f64>, scale: f64, shift: f64, name: &str) -> Network {
    let d = w.len();
    let input_box = InputBox::new(vec![-1.0; d], vec![1.0; d]).unwrap();
    Network::new(
        vec![
            Layer::new(
                ndarray::Array2::from_shape_vec((1, d), w).unwrap(),
                array![0.0],
                Activation::Relu,
            ),
            Layer::new(array![[scale]], array![shift], Activation::Linear),
        ],
        Some(input_box),
    )
    .unwrap()
    .named(name)
}

fn f() -> Network {
    one_neuron(vec![1.0, -1.0], 1.0, 0.0, "f")
}

fn g() -> Network {
    one_neuron(vec![1.0, 1.0], 1.0, 0.0, "g")
}

fn h() -> Network {
    one_neuron(vec![1.0, 1.0, 1.0], 1.0, -1.0, "h")
}

/// Every exact path a constrained problem can take on this input dimension.
fn methods(d: usize) -> Vec<SolveMethod> {
    let mut m = vec![
        SolveMethod::Auto,
        SolveMethod::Milp,
        SolveMethod::Regions,
        SolveMethod::Branch,
    ];
    if d > 3 {
        m.retain(|&m| m != SolveMethod::Regions);
    }
    m
}

fn setup(bounds: BoundMethod) -> MilpSetup {
    MilpSetup {
        bounds,
        ..MilpSetup::default()
    }
}

fn verdict_of(
    network: Network,
    property: &str,
    method: SolveMethod,
) -> reluscope::pipeline::Verification {
    let file = Path::new("prop.vnnlib");
    let parsed = parse_vnnlib(property, file).unwrap();
    let problem = Problem::from_vnnlib(network, parsed, file).unwrap();
    verify(
        &problem,
        method,
        &setup(BoundMethod::LpObbt),
        &NetworkSolveOptions::default(),
        &RegionOptions::default(),
        &Default::default(),
    )
    .unwrap()
}

const DECLARE_2: &str =
    "(declare-const X_0 Real)\n(declare-const X_1 Real)\n(declare-const Y_0 Real)\n";
const BOX_2: &str =
    "(assert (>= X_0 -1))\n(assert (<= X_0 1))\n(assert (>= X_1 -1))\n(assert (<= X_1 1))\n";

#[test]
fn sat_and_unsat_properties_have_the_hand_computed_answers_on_every_path() {
    for method in methods(2) {
        // f reaches 2 at (1, −1): above 1.5 is reachable, above 2.5 is not.
        let sat = verdict_of(
            f(),
            &format!("{DECLARE_2}{BOX_2}(assert (>= Y_0 1.5))"),
            method,
        );
        assert_eq!(sat.verdict, Verdict::Sat, "{method:?}: {:?}", sat.reason);
        let c = sat.counterexample.unwrap();
        assert!(
            f().forward(&c.x)[0] >= 1.5 - 1e-6 * 2.5,
            "{method:?}: {c:?}"
        );
        assert!(square().contains(&c.x, 0.0));
        let unsat = verdict_of(
            f(),
            &format!("{DECLARE_2}{BOX_2}(assert (>= Y_0 2.5))"),
            method,
        );
        assert_eq!(
            unsat.verdict,
            Verdict::Unsat,
            "{method:?}: {:?}",
            unsat.reason
        );
        assert!(unsat.counterexample.is_none());
        // Below zero: never.
        let below = verdict_of(
            f(),
            &format!("{DECLARE_2}{BOX_2}(assert (<= Y_0 -0.1))"),
            method,
        );
        assert_eq!(below.verdict, Verdict::Unsat, "{method:?}");
    }
}

#[test]
fn disjunctions_of_outputs_and_of_input_boxes() {
    for method in methods(2) {
        // Either above 2.5 (never) or at most 0 (where x₀ ≤ x₁): the second alternative.
        let outputs =
            format!("{DECLARE_2}{BOX_2}(assert (or (and (>= Y_0 2.5)) (and (<= Y_0 0.0))))");
        let v = verdict_of(f(), &outputs, method);
        assert_eq!(v.verdict, Verdict::Sat, "{method:?}: {:?}", v.reason);
        let c = v.counterexample.unwrap();
        assert_eq!(c.alternative, Some(1));
        assert!(f().forward(&c.x)[0] <= 1e-6);
        let neither =
            format!("{DECLARE_2}{BOX_2}(assert (or (and (>= Y_0 2.5)) (and (<= Y_0 -0.5))))");
        assert_eq!(verdict_of(f(), &neither, method).verdict, Verdict::Unsat);
        // On the box x₀ ≤ −0.5, x₁ ≥ 0.5, f = 0: f ≥ 0.5 fails; on the mirrored box it holds.
        let left = "(and (>= X_0 -1) (<= X_0 -0.5) (>= X_1 0.5) (<= X_1 1) (>= Y_0 0.5))";
        let right = "(and (>= X_0 0.5) (<= X_0 1) (>= X_1 -1) (<= X_1 -0.5) (>= Y_0 0.5))";
        let only_left = format!("{DECLARE_2}(assert (or {left}))");
        assert_eq!(verdict_of(f(), &only_left, method).verdict, Verdict::Unsat);
        let both = format!("{DECLARE_2}(assert (or {left} {right}))");
        let v = verdict_of(f(), &both, method);
        assert_eq!(v.verdict, Verdict::Sat, "{method:?}: {:?}", v.reason);
        let c = v.counterexample.unwrap();
        assert_eq!(c.alternative, Some(1));
        assert!(c.x[0] >= 0.5 && c.x[1] <= -0.5, "{c:?}");
    }
}

#[test]
fn three_inputs_go_through_the_milp_the_regions_and_branching_alike() {
    let declare = "(declare-const X_0 Real)\n(declare-const X_1 Real)\n(declare-const X_2 Real)\n(declare-const Y_0 Real)\n";
    let bounds: String = (0..3)
        .map(|i| format!("(assert (>= X_{i} -1))\n(assert (<= X_{i} 1))\n"))
        .collect();
    for method in methods(3) {
        // h = relu(Σx) − 1 reaches 2 only at (1, 1, 1), and 1.9 near it.
        let sat = verdict_of(
            h(),
            &format!("{declare}{bounds}(assert (>= Y_0 1.9))"),
            method,
        );
        assert_eq!(sat.verdict, Verdict::Sat, "{method:?}: {:?}", sat.reason);
        if method == SolveMethod::Auto {
            // Three inputs with constraints: branching, as without.
            assert_eq!(sat.alternatives[0].method, Some("branch"));
        }
        let x = sat.counterexample.unwrap().x;
        assert!(x.iter().sum::<f64>() >= 2.9 - 1e-5, "{x:?}");
        // With x₂ ≤ 0 the most is relu(2) − 1 = 1.
        let capped = format!("{declare}{bounds}(assert (<= X_2 0))(assert (>= Y_0 1.1))");
        let v = verdict_of(h(), &capped, method);
        assert_eq!(v.verdict, Verdict::Unsat, "{method:?}: {:?}", v.reason);
        // An input constraint that is not a bound: x₀ + x₁ ≤ 0 leaves h ≤ 0.
        let coupled = format!("{declare}{bounds}(assert (<= (+ X_0 X_1) 0))(assert (>= Y_0 0.05))");
        let v = verdict_of(h(), &coupled, method);
        assert_eq!(v.verdict, Verdict::Unsat, "{method:?}: {:?}", v.reason);
    }
}

#[test]
fn a_time_limit_gives_unknown_never_a_guess() {
    // A network too large to decide in 20 ms, and a threshold above its maximum (so no
    // sample can be a counterexample) but within its interval bounds.
    let net = reluscope::network::RandomNetwork {
        seed: 3,
        ..reluscope::network::RandomNetwork::new(&[5, 60, 60, 60, 1])
    }
    .build()
    .unwrap();
    let b = net.input_box().unwrap().clone();
    let top = reluscope::bounds::interval_bounds(&net, &b).output().upper[0];
    let declare: String = (0..5)
        .map(|i| format!("(declare-const X_{i} Real)\n"))
        .collect();
    let bounds: String = (0..5)
        .map(|i| {
            format!(
                "(assert (>= X_{i} {}))(assert (<= X_{i} {}))\n",
                b.lower()[i],
                b.upper()[i]
            )
        })
        .collect();
    let text = format!(
        "{declare}(declare-const Y_0 Real)\n{bounds}(assert (>= Y_0 {}))",
        0.9 * top
    );
    let file = Path::new("hard.vnnlib");
    let problem = Problem::from_vnnlib(net, parse_vnnlib(&text, file).unwrap(), file).unwrap();
    let mut options = NetworkSolveOptions::default();
    options.solver.time_limit = Some(0.02);
    let v = verify(
        &problem,
        SolveMethod::Milp,
        &setup(BoundMethod::Interval),
        &options,
        &RegionOptions::default(),
        &Default::default(),
    )
    .unwrap();
    assert_eq!(v.verdict, Verdict::Unknown, "{:?}", v.reason);
    assert!(v.timed_out, "{:?}", v.reason);
    assert!(v.time_s < 2.0, "{} s", v.time_s);
}

/// `min f + g` s.t. `g ≥ 1`: on `x₀ + x₁ ≥ 1` the least of `relu(x₀ − x₁) + x₀ + x₁` is 1.
fn coupled(objective_sense: Sense, g_at_least: f64) -> Problem {
    Problem {
        networks: vec![
            NamedNetwork {
                name: "f".into(),
                network: f(),
            },
            NamedNetwork {
                name: "g".into(),
                network: g(),
            },
        ],
        input_box: square(),
        constraints: vec![LinearConstraint {
            terms: vec![(
                Variable::Output {
                    network: 1,
                    output: 0,
                },
                1.0,
            )],
            sense: ConstraintSense::Ge,
            rhs: g_at_least,
            origin: "g ≥ c".into(),
        }],
        disjuncts: Vec::new(),
        objective: Some(ProblemObjective {
            sense: objective_sense,
            terms: vec![
                (
                    Variable::Output {
                        network: 0,
                        output: 0,
                    },
                    1.0,
                ),
                (
                    Variable::Output {
                        network: 1,
                        output: 0,
                    },
                    1.0,
                ),
            ],
        }),
    }
}

fn solve_with(
    problem: &Problem,
    method: SolveMethod,
    bounds: BoundMethod,
) -> reluscope::pipeline::ProblemSolved {
    solve_problem(
        problem,
        method,
        &setup(bounds),
        &NetworkSolveOptions::default(),
        &RegionOptions::default(),
        &Default::default(),
    )
    .unwrap()
}

#[test]
fn two_networks_with_a_coupling_constraint() {
    for method in methods(2) {
        for bounds in [BoundMethod::Interval, BoundMethod::LpObbt] {
            let s = solve_with(&coupled(Sense::Minimize, 1.0), method, bounds);
            assert_eq!(
                s.report.status, "optimal",
                "{method:?} {bounds:?}: {:?}",
                s.report.status_detail
            );
            let value = s.report.objective.unwrap();
            assert!((value - 1.0).abs() < 1e-6, "{method:?} {bounds:?}: {value}");
            // The optimum by forward passes of the original networks.
            let x = s.report.x.unwrap();
            let (fx, gx) = (f().forward(&x)[0], g().forward(&x)[0]);
            assert!((fx + gx - value).abs() < 1e-6 && gx >= 1.0 - 1e-6, "{x:?}");
            assert_eq!(s.outputs.unwrap(), vec![vec![fx], vec![gx]]);
            // Maximising: f + g is at most 2 + … ; at (1, 0) f = g = 1; at (1, −1) f = 2,
            // g = 0 < 1, so the most with g ≥ 1 is 2 (x₁ = 0 … 1 gives f + g = 2x₀... = 2).
            let s = solve_with(&coupled(Sense::Maximize, 1.0), method, bounds);
            assert!(
                (s.report.objective.unwrap() - 2.0).abs() < 1e-6,
                "{method:?}"
            );
        }
        // g ≤ 2 everywhere: g ≥ 3 is infeasible.
        let s = solve_with(&coupled(Sense::Minimize, 3.0), method, BoundMethod::LpObbt);
        assert_eq!(
            s.report.status, "infeasible",
            "{method:?}: {:?}",
            s.report.status_detail
        );
        assert!(s.report.x.is_none());
    }
}

#[test]
fn constraints_on_inputs_and_equalities() {
    // max f s.t. x₀ + x₁ = 0: f = relu(2x₀), 2 at x₀ = 1.
    let mut problem = Problem::single(f(), square());
    problem.constraints.push(LinearConstraint {
        terms: vec![(Variable::Input(0), 1.0), (Variable::Input(1), 1.0)],
        sense: ConstraintSense::Eq,
        rhs: 0.0,
        origin: "x0 + x1 = 0".into(),
    });
    problem.objective = Some(ProblemObjective {
        sense: Sense::Maximize,
        terms: vec![(
            Variable::Output {
                network: 0,
                output: 0,
            },
            1.0,
        )],
    });
    for method in methods(2) {
        let s = solve_with(&problem, method, BoundMethod::LpObbt);
        assert_eq!(
            s.report.status, "optimal",
            "{method:?}: {:?}",
            s.report.status_detail
        );
        assert!(
            (s.report.objective.unwrap() - 2.0).abs() < 1e-6,
            "{method:?}"
        );
        let x = s.report.x.unwrap();
        assert!((x[0] + x[1]).abs() < 1e-6, "{x:?}");
    }
}

/// OBBT with the constraints in its LPs: at least as tight as without, and still containing
/// every sampled point that satisfies them.
#[test]
fn obbt_with_constraints_is_tighter_and_contains_every_feasible_sample() {
    use rand::SeedableRng;
    use reluscope::tightening::{ObbtOptions, compute_bounds_constrained};
    for seed in 0..4u64 {
        let net = reluscope::network::RandomNetwork {
            seed,
            ..reluscope::network::RandomNetwork::new(&[3, 12, 12, 10, 2])
        }
        .build()
        .unwrap();
        let b = net.input_box().unwrap().clone();
        // y₀ ≤ its median over samples, y₀ − y₁ ≥ its 20th percentile.
        let mut rng = rand_pcg::Pcg64::seed_from_u64(seed);
        let samples: Vec<Vec<f64>> = (0..4000).map(|_| b.sample(&mut rng)).collect();
        let outs: Vec<Vec<f64>> = samples.iter().map(|x| net.forward(x)).collect();
        let quantile = |mut v: Vec<f64>, q: f64| {
            v.sort_by(f64::total_cmp);
            v[(q * v.len() as f64) as usize]
        };
        let constraints = vec![
            OutputConstraint {
                weights: vec![1.0, 0.0],
                lower: f64::NEG_INFINITY,
                upper: quantile(outs.iter().map(|y| y[0]).collect(), 0.5),
                origin: "median".into(),
            },
            OutputConstraint {
                weights: vec![1.0, -1.0],
                lower: quantile(outs.iter().map(|y| y[0] - y[1]).collect(), 0.2),
                upper: f64::INFINITY,
                origin: "difference".into(),
            },
        ];
        let control = TaskControl::default();
        let options = ObbtOptions::default();
        let free =
            compute_bounds_constrained(&net, &b, BoundMethod::LpObbt, &options, &[], &control)
                .unwrap();
        let tight = compute_bounds_constrained(
            &net,
            &b,
            BoundMethod::LpObbt,
            &options,
            &constraints,
            &control,
        )
        .unwrap();
        let mut tighter = 0;
        for (k, (t, u)) in tight.layers.iter().zip(&free.layers).enumerate() {
            for i in 0..t.len() {
                let slack = 1e-6 * (1.0 + u.lower[i].abs().max(u.upper[i].abs()));
                // Inactive neurons keep whatever lower bound (OBBT skips them).
                if t.upper[i] > 0.0 {
                    assert!(
                        t.lower[i] >= u.lower[i] - slack,
                        "seed {seed} layer {k} neuron {i}: lower {} < {}",
                        t.lower[i],
                        u.lower[i]
                    );
                }
                assert!(
                    t.upper[i] <= u.upper[i] + slack,
                    "seed {seed} layer {k} neuron {i}: upper {} > {}",
                    t.upper[i],
                    u.upper[i]
                );
                if t.upper[i] < u.upper[i] - 1e-3 || t.lower[i] > u.lower[i] + 1e-3 {
                    tighter += 1;
                }
            }
        }
        assert!(
            tighter > 0,
            "seed {seed}: the constraints tightened nothing"
        );
        for (x, y) in samples.iter().zip(&outs) {
            if !constraints.iter().all(|c| c.violation(y) == 0.0) {
                continue;
            }
            for (k, pre) in net.preactivations(x).iter().enumerate() {
                for (i, &a) in pre.iter().enumerate() {
                    let l = &tight.layers[k];
                    assert!(
                        l.lower[i] - 1e-9 <= a && a <= l.upper[i] + 1e-9,
                        "seed {seed} layer {k}: {a} outside [{}, {}]",
                        l.lower[i],
                        l.upper[i]
                    );
                }
            }
        }
    }
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn problem_files_are_read_and_bad_ones_named() {
    let dir = tempfile::tempdir().unwrap();
    reluscope::save_network(&f(), dir.path().join("f.json")).unwrap();
    reluscope::save_network(&g(), dir.path().join("g.onnx")).unwrap();
    let good = write(
        dir.path(),
        "p.json",
        r#"{"networks": [{"name": "f", "file": "f.json"}, {"name": "g", "file": "g.onnx"}],
            "box": [[-1, 1], [-1, 1]],
            "constraints": [{"terms": {"g.y0": 1.0}, "sense": ">=", "rhs": 1.0}],
            "objective": {"sense": "min", "terms": {"f.y0": 1, "g.y0": 1}}}"#,
    );
    write(
        dir.path(),
        "boxless.json",
        r#"{"layers": [{"weights": [[1, 1]], "bias": [0], "activation": "linear"}]}"#,
    );
    let problem = read_problem(&good).unwrap();
    assert_eq!(problem.networks.len(), 2);
    let s = solve_with(&problem, SolveMethod::Auto, BoundMethod::LpObbt);
    assert!((s.report.objective.unwrap() - 1.0).abs() < 1e-6);
    let cases = [
        (
            r#"{"networks": [{"file": "f.json"}], "constraint": []}"#,
            "unknown field `constraint`",
        ),
        (
            r#"{"networks": [{"file": "missing.json"}]}"#,
            "missing.json",
        ),
        (
            r#"{"networks": [{"file": "f.json"}], "constraints": [{"terms": {"z0": 1}, "sense": "<=", "rhs": 0}]}"#,
            "'z0'",
        ),
        (
            r#"{"networks": [{"file": "f.json"}], "constraints": [{"terms": {"y0": 1}, "sense": "<", "rhs": 0}]}"#,
            "sense '<'",
        ),
        (
            r#"{"networks": [{"file": "f.json"}], "constraints": [{"terms": {"y3": 1}, "sense": "<=", "rhs": 0}]}"#,
            "y3 does not exist",
        ),
        (
            r#"{"networks": [{"file": "f.json"}], "box": [[1, -1], [0, 1]]}"#,
            "box",
        ),
        (r#"{"networks": [{"file": "boxless.json"}]}"#, "no \"box\""),
        (
            r#"{"networks": [{"file": "f.json"}, {"file": "f.json"}]}"#,
            "two networks are named 'f'",
        ),
        (r#"{"networks": []}"#, "empty"),
        (
            r#"{"networks": [{"file": "f.json"}], "objective": {"sense": "up", "terms": {}}}"#,
            "sense 'up'",
        ),
        (r#"{"networks": [{"file": "f.json"}"#, "not a problem file"),
    ];
    for (text, expect) in cases {
        let path = write(dir.path(), "bad.json", text);
        let err = read_problem(&path).unwrap_err().to_string();
        assert!(
            err.contains("bad.json") && err.contains(expect),
            "{text}: {err}"
        );
    }
}

fn run(args: &[&str]) -> std::process::Output {
    Command::new(binary())
        .args(args)
        .output()
        .expect("the binary runs")
}

#[test]
fn the_command_line_verifies_properties_instances_and_problem_files() {
    let dir = tempfile::tempdir().unwrap();
    let net = dir.path().join("f.onnx");
    reluscope::save_network(&f(), &net).unwrap();
    let sat = write(
        dir.path(),
        "sat.vnnlib",
        &format!("{DECLARE_2}{BOX_2}(assert (>= Y_0 1.5))"),
    );
    let unsat = write(
        dir.path(),
        "unsat.vnnlib",
        &format!("{DECLARE_2}{BOX_2}(assert (>= Y_0 2.5))"),
    );
    let out = run(&[
        "verify",
        net.to_str().unwrap(),
        sat.to_str().unwrap(),
        "--json",
        "--out",
        dir.path().join("r.txt").to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["result"], "sat");
    let x: Vec<f64> = serde_json::from_value(v["counterexample"]["x"].clone()).unwrap();
    assert!(f().forward(&x)[0] >= 1.5 - 1e-5);
    let file = std::fs::read_to_string(dir.path().join("r.txt")).unwrap();
    assert!(
        file.starts_with("sat\n((X_0 ") && file.contains("(Y_0 "),
        "{file}"
    );
    let out = run(&["verify", net.to_str().unwrap(), unsat.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("unsat\n"));
    // An instances.csv, paths relative to it, one line per instance.
    let csv = write(
        dir.path(),
        "instances.csv",
        "f.onnx,sat.vnnlib,30\nf.onnx,unsat.vnnlib,30\nf.onnx,missing.vnnlib,30\n",
    );
    let out = run(&["verify", "--instances", csv.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert!(lines[0].starts_with("f.onnx,sat.vnnlib,sat,"));
    assert!(lines[1].starts_with("f.onnx,unsat.vnnlib,unsat,"));
    assert!(lines[2].starts_with("f.onnx,missing.vnnlib,error,"));
    // Malformed properties: one clear line naming file and line, no panic.
    let bad = write(
        dir.path(),
        "bad.vnnlib",
        &format!("{DECLARE_2}{BOX_2}(assert (>= Y_7 1))"),
    );
    let out = run(&["verify", net.to_str().unwrap(), bad.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && out.status.code() != Some(101),
        "{stderr}"
    );
    assert!(
        stderr.contains("bad.vnnlib:8") && stderr.contains("Y_7"),
        "{stderr}"
    );
    // A problem file through solve.
    reluscope::save_network(&g(), dir.path().join("g.json")).unwrap();
    reluscope::save_network(&f(), dir.path().join("f.json")).unwrap();
    let p = write(
        dir.path(),
        "p.json",
        r#"{"networks": [{"name": "f", "file": "f.json"}, {"name": "g", "file": "g.json"}],
            "constraints": [{"terms": {"g.y0": 1.0}, "sense": ">=", "rhs": 1.0}],
            "objective": {"sense": "min", "terms": {"f.y0": 1, "g.y0": 1}}}"#,
    );
    let out = run(&["solve", p.to_str().unwrap(), "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["status"], "optimal");
    assert!((v["objective"].as_f64().unwrap() - 1.0).abs() < 1e-6);
    assert_eq!(v["method"], "regions");
    let fy = v["outputs"]["f"][0].as_f64().unwrap();
    let gy = v["outputs"]["g"][0].as_f64().unwrap();
    assert!((fy + gy - 1.0).abs() < 1e-6 && gy >= 1.0 - 1e-6);
    // The same problem as a feasibility question via verify.
    let out = run(&["verify", p.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("sat\n"));
    // analyze: each network's figures, the constraint in OBBT's LPs: g ≥ 1 and the triangle
    // relaxation h ≤ (a + 2)/2 of g's neuron give a = x₀ + x₁ ≥ 0 (from −2).
    let out = run(&["analyze", p.to_str().unwrap(), "--bounds", "lp", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let nets = v["networks"].as_array().unwrap();
    assert_eq!(nets.len(), 2);
    assert_eq!(nets[1]["network"], "g");
    let g_layer = &nets[1]["layers"][0];
    assert!(
        g_layer["lower"][0].as_f64().unwrap().abs() < 1e-5,
        "{g_layer}"
    );
    // Interval bounds ignore the constraint.
    let v = serde_json::from_slice::<serde_json::Value>(
        &run(&["analyze", p.to_str().unwrap(), "--json"]).stdout,
    )
    .unwrap();
    assert_eq!(v["networks"][1]["layers"][0]["lower"][0], -2.0);
    // regions: one count per network; export: the MILP with the constraint row.
    let v = serde_json::from_slice::<serde_json::Value>(
        &run(&["regions", p.to_str().unwrap(), "--json"]).stdout,
    )
    .unwrap();
    assert_eq!(v["networks"][0]["count"], 2);
    assert_eq!(v["networks"][1]["count"], 2);
    let lp = dir.path().join("p.lp");
    let out = run(&["export", p.to_str().unwrap(), "--lp", lp.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&lp).unwrap();
    assert!(text.contains("constraint_0"), "{text}");
    let out = run(&["solve", p.to_str().unwrap(), "--maximize"]);
    assert!(
        !out.status.success()
            && String::from_utf8_lossy(&out.stderr).contains("states its own objective")
    );
}

/// The instance set the project builds (`bench verify --make`, answers from the exact region
/// optimum with a margin of 2 % of the output range): every answer by the command line's
/// default path, and by the MILP with LP bounds on one network.
#[test]
fn the_sample_instance_set_gets_its_expected_answers() {
    let dir =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sample_networks/properties");
    let expected: Vec<(String, String)> = std::fs::read_to_string(dir.join("expected.csv"))
        .unwrap()
        .lines()
        .map(|l| {
            let (v, a) = l.split_once(',').unwrap();
            (v.to_string(), a.to_string())
        })
        .collect();
    assert_eq!(expected.len(), 80);
    let out = run(&[
        "verify",
        "--instances",
        dir.join("instances.csv").to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), expected.len());
    for (line, (vnnlib, answer)) in lines.iter().zip(&expected) {
        let fields: Vec<&str> = line.split(',').collect();
        assert_eq!(
            (fields[1], fields[2]),
            (vnnlib.as_str(), answer.as_str()),
            "{line}"
        );
    }
    // The MILP with LP bounds on one network's five, and on one whose solve HiGHS stops by
    // its bound (a cancelled solve reports no bound of its own).
    let networks: std::collections::HashMap<String, String> =
        std::fs::read_to_string(dir.join("instances.csv"))
            .unwrap()
            .lines()
            .map(|l| {
                let f: Vec<&str> = l.split(',').collect();
                (f[1].to_string(), f[0].to_string())
            })
            .collect();
    let milp_cases = [
        "peaks_25x2_min_sat.vnnlib",
        "peaks_25x2_min_unsat.vnnlib",
        "peaks_25x2_max_unsat.vnnlib",
        "peaks_25x2_local_sat.vnnlib",
        "peaks_25x2_local_either_unsat.vnnlib",
        "ackley_25x3_l1_min_unsat.vnnlib",
    ];
    for vnnlib in milp_cases {
        let answer = &expected.iter().find(|(v, _)| v == vnnlib).unwrap().1;
        let net = reluscope::load_network(dir.join(&networks[vnnlib])).unwrap();
        let path = dir.join(vnnlib);
        let property = reluscope::problem::vnnlib::read_vnnlib(&path).unwrap();
        let problem = Problem::from_vnnlib(net.clone(), property, &path).unwrap();
        let v = verify(
            &problem,
            SolveMethod::Milp,
            &setup(BoundMethod::LpObbt),
            &NetworkSolveOptions::default(),
            &RegionOptions::default(),
            &Default::default(),
        )
        .unwrap();
        assert_eq!(v.verdict.key(), answer, "{vnnlib}: {:?}", v.reason);
    }
}

/// Found by an independent review: tolerances in absolute units let tiny coefficients or
/// outputs, or a point a rounding error outside, pass as counterexamples.
#[test]
fn counterexamples_satisfy_the_property_exactly_whatever_the_scale() {
    // f scaled by 1e-7: at most 2e-7, so y ≥ 1e-6 is unsat.
    let tiny = one_neuron(vec![1.0, -1.0], 1e-7, 0.0, "tiny");
    for method in methods(2) {
        let v = verdict_of(
            tiny.clone(),
            &format!("{DECLARE_2}{BOX_2}(assert (>= Y_0 1e-6))"),
            method,
        );
        assert_eq!(v.verdict, Verdict::Unsat, "{method:?}: {:?}", v.reason);
        // 1e-7·y ≥ 2.5e-7 means y ≥ 2.5 on f: unsat.
        let v = verdict_of(
            f(),
            &format!("{DECLARE_2}{BOX_2}(assert (>= (* 1e-7 Y_0) 2.5e-7))"),
            method,
        );
        assert_eq!(v.verdict, Verdict::Unsat, "{method:?}: {:?}", v.reason);
        // Just above the maximum 2: never sat (unsat, or unknown when a solver cannot tell).
        let v = verdict_of(
            f(),
            &format!("{DECLARE_2}{BOX_2}(assert (>= Y_0 2.0000001))"),
            method,
        );
        assert_ne!(
            v.verdict,
            Verdict::Sat,
            "{method:?}: {:?}",
            v.counterexample
        );
        // Exactly the maximum: the vertex (1, −1) satisfies it exactly.
        let v = verdict_of(
            f(),
            &format!("{DECLARE_2}{BOX_2}(assert (>= Y_0 2))"),
            method,
        );
        if let Some(c) = &v.counterexample {
            assert!(f().forward(&c.x)[0] >= 2.0, "{c:?}");
        }
    }
    let v = verdict_of(
        f(),
        &format!("{DECLARE_2}{BOX_2}(assert (>= Y_0 2.0000001))"),
        SolveMethod::Regions,
    );
    assert_eq!(v.verdict, Verdict::Unsat);
}

#[test]
fn zero_coefficients_flat_boxes_and_many_alternatives() {
    // A zero coefficient on an input mentions nothing.
    let mut problem = Problem::single(f(), square());
    problem.constraints.push(LinearConstraint {
        terms: vec![
            (
                Variable::Output {
                    network: 0,
                    output: 0,
                },
                1.0,
            ),
            (Variable::Input(0), 0.0),
        ],
        sense: ConstraintSense::Ge,
        rhs: 1.0,
        origin: "zero".into(),
    });
    let s = solve_with(&problem, SolveMethod::Auto, BoundMethod::LpObbt);
    assert_eq!(s.report.status, "optimal", "{:?}", s.report.status_detail);
    // x₀ fixed at 0.5: f = relu(0.5 − x₁) ≥ 1 for x₁ ≤ −0.5; auto cannot enumerate a flat box
    // and takes the MILP.
    let flat = format!(
        "{DECLARE_2}(assert (= X_0 0.5))(assert (>= X_1 -1))(assert (<= X_1 1))(assert (>= Y_0 1))"
    );
    let v = verdict_of(f(), &flat, SolveMethod::Auto);
    assert_eq!(v.verdict, Verdict::Sat, "{:?}", v.reason);
    // 3,000 alternatives and a time limit of 0.3 s: the limit holds for the whole call.
    let boxes: String = (0..3000)
        .map(|k| {
            let lo = -1.0 + 2.0 * k as f64 / 3000.0;
            format!(" (and (>= X_0 {lo}) (<= X_0 {lo}) (>= X_1 -1) (<= X_1 1) (>= Y_0 2.5))")
        })
        .collect();
    let text = format!("{DECLARE_2}(assert (or{boxes}))");
    let file = Path::new("many.vnnlib");
    let problem = Problem::from_vnnlib(f(), parse_vnnlib(&text, file).unwrap(), file).unwrap();
    let mut options = NetworkSolveOptions::default();
    options.solver.time_limit = Some(0.3);
    let started = std::time::Instant::now();
    let v = verify(
        &problem,
        SolveMethod::Milp,
        &setup(BoundMethod::Interval),
        &options,
        &RegionOptions::default(),
        &Default::default(),
    )
    .unwrap();
    assert!(
        started.elapsed().as_secs_f64() < 3.0,
        "{:?}",
        started.elapsed()
    );
    assert_ne!(v.verdict, Verdict::Sat);
}

#[test]
fn info_describes_a_problem_file() {
    let dir = tempfile::tempdir().unwrap();
    reluscope::save_network(&f(), dir.path().join("f.json")).unwrap();
    reluscope::save_network(&g(), dir.path().join("g.json")).unwrap();
    let p = write(
        dir.path(),
        "p.json",
        r#"{"networks": [{"name": "f", "file": "f.json"}, {"name": "g", "file": "g.json"}],
            "constraints": [{"terms": {"g.y0": 1.0, "x1": -2}, "sense": "<=", "rhs": 3}],
            "any_of": [{"box": [[0, 1], [-1, 1]]}, {"constraints": [{"terms": {"f.y0": 1}, "sense": ">=", "rhs": 0.5}]}],
            "objective": {"sense": "max", "terms": {"f.y0": 1}}}"#,
    );
    let out = run(&["info", p.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    for expect in [
        "network  f",
        "network  g",
        "g.y0 − 2·x1 <= 3",
        "or (1) x in [0, 1], [-1, 1]",
        "or (2) f.y0 >= 0.5",
        "maximise f.y0",
    ] {
        assert!(text.contains(expect), "{expect:?} in\n{text}");
    }
}

/// The error paths a user meets first, each one clear line naming the file (and line) at
/// fault, never a panic.
#[test]
fn mismatched_files_and_bad_arguments_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let net = dir.path().join("f.json");
    reluscope::save_network(&f(), &net).unwrap();
    let h3 = dir.path().join("h.json");
    reluscope::save_network(&h(), &h3).unwrap();
    let prop = write(
        dir.path(),
        "p.vnnlib",
        &format!("{DECLARE_2}{BOX_2}(assert (>= Y_0 1))"),
    );
    let fails = |args: &[&str], expect: &[&str]| {
        let out = run(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success() && out.status.code() != Some(101),
            "{args:?}: {stderr}"
        );
        for e in expect {
            assert!(stderr.contains(e), "{args:?}: {e:?} in {stderr}");
        }
    };
    // The wrong network for a property.
    fails(
        &["verify", h3.to_str().unwrap(), prop.to_str().unwrap()],
        &["p.vnnlib", "declares 2 inputs", "'h' has 3"],
    );
    fails(
        &["verify", net.to_str().unwrap()],
        &["give the VNNLIB property"],
    );
    // instances.csv: fields, timeouts, emptiness.
    for (text, expect) in [
        ("f.json,p.vnnlib\n", "expected three fields"),
        ("f.json,p.vnnlib,-3\n", "not a positive number"),
        ("# nothing\n", "no instances"),
    ] {
        let csv = write(dir.path(), "i.csv", text);
        fails(
            &["verify", "--instances", csv.to_str().unwrap()],
            &["i.csv", expect],
        );
    }
    // Problem files: alternatives on export, the box, names, rescaled analysis.
    let p = write(
        dir.path(),
        "p.json",
        r#"{"networks": [{"file": "f.json"}],
            "any_of": [{"box": [[0, 1], [-1, 1]]}, {"box": [[-1, 0], [-1, 1]]}]}"#,
    );
    let lp = dir.path().join("m.lp");
    let (p, lp) = (p.to_str().unwrap(), lp.to_str().unwrap());
    fails(
        &["export", p, "--lp", lp],
        &["2 alternatives", "--alternative N"],
    );
    fails(
        &["export", p, "--lp", lp, "--alternative", "3"],
        &["numbered from 1"],
    );
    assert!(
        run(&["export", p, "--lp", lp, "--alternative", "2"])
            .status
            .success()
    );
    fails(
        &[
            "export",
            net.to_str().unwrap(),
            "--lp",
            lp,
            "--alternative",
            "1",
        ],
        &["applies to problem files"],
    );
    fails(
        &["solve", p, "--box", "0,1"],
        &["--box has 1 dimension", "p.json has 2"],
    );
    fails(
        &["analyze", p, "--scale", "balanced"],
        &["rescale one network file"],
    );
    let named = write(
        dir.path(),
        "n.json",
        r#"{"networks": [{"name": "a.b", "file": "f.json"}]}"#,
    );
    fails(
        &["solve", named.to_str().unwrap()],
        &["n.json", "'a.b'", "without dots"],
    );
}

/// `bench verify --make` on a network with two outputs declares both (VNNLIB needs every
/// output declared), and the bench runs the set it made with every answer as expected, an
/// instance it cannot read reported as an error in its row without stopping the others.
#[test]
fn the_verification_benchmark_makes_and_runs_a_set() {
    let dir = tempfile::tempdir().unwrap();
    let two = Network::new(
        vec![
            Layer::new(
                array![[1.0, -1.0], [1.0, 1.0]],
                array![0.0, 0.0],
                Activation::Relu,
            ),
            Layer::new(
                array![[1.0, 0.0], [0.5, -1.0]],
                array![0.0, 0.2],
                Activation::Linear,
            ),
        ],
        Some(square()),
    )
    .unwrap();
    let set = make_instance_set(dir.path(), &two, "two");
    let text = std::fs::read_to_string(set.join("two_min_sat.vnnlib")).unwrap();
    assert!(text.contains("(declare-const Y_1 Real)"), "{text}");
    let mut csv = std::fs::read_to_string(set.join("instances.csv")).unwrap();
    csv.push_str("../two.json,missing.vnnlib,10\n");
    std::fs::write(set.join("instances.csv"), csv).unwrap();
    let out = bench_verify_ia(&set, "regions");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("5/6"), "{stdout}");
    assert!(stderr.contains("missing.vnnlib"), "{stderr}");
}

/// `bench verify --make` builds a set for a 3-input network too (its optima by branching, as
/// the regions are too many beyond 2 inputs), and branching decides every instance of it.
#[test]
fn bench_verify_makes_and_decides_a_three_input_set_by_branching() {
    let dir = tempfile::tempdir().unwrap();
    let net = reluscope::network::RandomNetwork {
        seed: 5,
        ..reluscope::network::RandomNetwork::new(&[3, 10, 10, 1])
    }
    .build()
    .unwrap();
    let set = make_instance_set(dir.path(), &net, "three");
    let out = bench_verify_ia(&set, "branch");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("5/5"), "{stdout}");
}

/// Saves `network` as `NAME.json` in `dir/nets` and runs `bench verify --make dir/nets/set` on
/// that folder; the instance set's folder.
fn make_instance_set(dir: &Path, network: &Network, name: &str) -> std::path::PathBuf {
    let nets = dir.join("nets");
    std::fs::create_dir(&nets).unwrap();
    reluscope::save_network(network, nets.join(format!("{name}.json"))).unwrap();
    let set = nets.join("set");
    let made = run(&[
        "bench",
        "verify",
        "--make",
        set.to_str().unwrap(),
        nets.to_str().unwrap(),
    ]);
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    set
}

/// `bench verify` of the set in `set` with interval bounds and `method`.
fn bench_verify_ia(set: &std::path::Path, method: &str) -> std::process::Output {
    let csv = set.join("instances.csv");
    run(&[
        "bench",
        "verify",
        csv.to_str().unwrap(),
        "--bounds",
        "ia",
        "--method",
        method,
    ])
}
