//! `reluscope bench verify`: a folder of VNN-COMP instances (`instances.csv`) decided with each
//! bound method, answers and times side by side, checked against `expected.csv` when there is
//! one; and `--make DIR`, which builds such a folder from networks whose answers are known
//! exactly (the region optimum over each box).
//!
//! The set `--make` builds, per network `f` over its box `B` with exact minimum `m`, maximum
//! `M` and margin `δ = 0.02 (M − m)`: `f ≤ m + δ` (sat), `f ≤ m − δ` (unsat), `f ≥ M + δ`
//! (unsat); and, robustness-style, around two seeded points `p` with local boxes of a tenth of
//! `B`'s widths and local maxima `Mₚ`: `f ≥ f(p) + ½(Mₚ − f(p))` (sat) and `f ≥ Mₚ + δ` on
//! either local box (a disjunction of input boxes, unsat).

use crate::cli::table::Table;
use crate::cli::verify::{problem_of, read_instances};
use anyhow::{Context, Result, bail};
use clap::Args;
use rand::{Rng, SeedableRng};
use reluscope::bounds::BoundMethod;
use reluscope::formats::load_network;
use reluscope::milp::{NetworkSolveOptions, Objective, Sense, SolveControl};
use reluscope::network::{InputBox, Network};
use reluscope::pipeline::{MilpSetup, SolveMethod, verify};
use reluscope::regions::{RegionOptions, solve_by_regions_with};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Arguments of `bench verify`.
#[derive(Debug, Args)]
pub struct VerifyBenchArgs {
    /// The instances.csv to run (with --make: the networks to build the set from).
    #[arg(default_value = "sample_networks/properties/instances.csv")]
    paths: Vec<PathBuf>,
    /// Bound methods to compare, comma-separated: ia, symbolic, lp, milp.
    #[arg(long, default_value = "ia,lp", value_delimiter = ',')]
    bounds: Vec<String>,
    /// Solver of each alternative: auto, milp, regions or branch (the bound method matters for
    /// milp).
    #[arg(long, default_value = "milp", value_parser = crate::cli::solve::parse_method)]
    method: SolveMethod,
    /// Time limit per instance, seconds (the CSV's, if smaller).
    #[arg(long, default_value_t = 60.0)]
    time_limit: f64,
    /// Build an instance folder here from the networks given instead of running one.
    #[arg(long, value_name = "DIR")]
    make: Option<PathBuf>,
}

/// Runs `bench verify`.
pub fn run(args: &VerifyBenchArgs) -> Result<()> {
    if let Some(dir) = &args.make {
        return make_set(dir, &super::collect_networks(&args.paths)?);
    }
    let methods: Vec<BoundMethod> = args
        .bounds
        .iter()
        .map(|k| BoundMethod::from_key(k).with_context(|| format!("unknown bound method '{k}'")))
        .collect::<Result<_>>()?;
    let [csv] = args.paths.as_slice() else {
        bail!("give one instances.csv (or --make DIR with networks)");
    };
    let base = csv.parent().unwrap_or(Path::new("."));
    let instances = read_instances(csv)?;
    let expected = read_expected(&base.join("expected.csv"))?;
    let mut header = vec!["instance".to_string(), "expected".to_string()];
    header.extend(methods.iter().map(|m| m.key().to_string()));
    let header_refs: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut table = Table::new(&header_refs);
    let mut totals = vec![(0usize, 0usize, 0.0f64); methods.len()];
    let mut wrong = Vec::new();
    let mut errors = Vec::new();
    for (i, inst) in instances.iter().enumerate() {
        eprint!("\r[{}/{}] {}\x1b[K", i + 1, instances.len(), inst.vnnlib);
        let want = expected
            .iter()
            .find(|(v, _)| *v == inst.vnnlib)
            .map(|(_, e)| e.as_str());
        let mut row = vec![inst.vnnlib.clone(), want.unwrap_or("-").to_string()];
        // An instance that cannot be read or decided is an `error` in its row, as in
        // `verify --instances`; the others still run.
        let problem = match problem_of(&base.join(&inst.onnx), &base.join(&inst.vnnlib)) {
            Ok(p) => p,
            Err(e) => {
                errors.push(format!("{}: {e:#}", inst.vnnlib));
                row.extend(methods.iter().map(|_| "error".to_string()));
                totals.iter_mut().for_each(|t| t.1 += 1);
                table.row(row);
                continue;
            }
        };
        for (k, &bounds) in methods.iter().enumerate() {
            let mut options = NetworkSolveOptions::default();
            options.solver.time_limit = Some(args.time_limit.min(inst.timeout));
            let setup = MilpSetup {
                bounds,
                ..MilpSetup::default()
            };
            let started = Instant::now();
            let outcome = verify(
                &problem,
                args.method,
                &setup,
                &options,
                &RegionOptions::default(),
                &SolveControl::default(),
            );
            let seconds = started.elapsed().as_secs_f64();
            let word = match &outcome {
                Ok(v) => v.result_word(),
                Err(e) => {
                    errors.push(format!("{} with {}: {e}", inst.vnnlib, bounds.key()));
                    "error"
                }
            };
            let decided = matches!(word, "sat" | "unsat");
            if decided && want.is_some_and(|w| w != word) {
                wrong.push(format!(
                    "{} with {}: {word}, expected {}",
                    inst.vnnlib,
                    bounds.key(),
                    want.unwrap_or("-")
                ));
            }
            totals[k].0 += usize::from(decided);
            totals[k].1 += 1;
            totals[k].2 += seconds;
            row.push(format!("{word} {seconds:.3}s"));
        }
        table.row(row);
    }
    eprint!("\r\x1b[K");
    let mut summary = vec!["decided / total".to_string(), String::new()];
    summary.extend(totals.iter().map(|(d, n, t)| format!("{d}/{n} in {t:.2}s")));
    table.row(summary);
    outln!(
        "{}: {} instances, method {}, time limit {} s",
        csv.display(),
        instances.len(),
        args.method.key(),
        args.time_limit
    );
    out!("{}", table.render());
    for e in &errors {
        eprintln!("error: {e}");
    }
    if !wrong.is_empty() {
        bail!("wrong answers: {}", wrong.join("; "));
    }
    Ok(())
}

/// `expected.csv`: lines "vnnlib,answer" (none when the file is absent).
fn read_expected(path: &Path) -> Result<Vec<(String, String)>> {
    if !path.exists() {
        return Ok(Vec::new());
    }
    let text = std::fs::read_to_string(path).with_context(|| format!("{}", path.display()))?;
    Ok(text
        .lines()
        .filter_map(|l| l.split_once(','))
        .map(|(v, a)| (v.trim().to_string(), a.trim().to_string()))
        .collect())
}

/// The exact optimum of output 0 over `b`: the region solver for up to 2 inputs, branching
/// over the input box beyond (where the regions are too many to enumerate).
fn exact(network: &Network, b: &InputBox, sense: Sense) -> Result<f64> {
    let objective = Objective::output(sense, 0, network.output_dim())?;
    let report = if network.input_dim() <= reluscope::pipeline::AUTO_REGIONS_MAX_INPUTS {
        solve_by_regions_with(
            network,
            b,
            &objective,
            &RegionOptions::default(),
            &Default::default(),
        )?
    } else {
        reluscope::branching::solve_by_branching(
            network,
            b,
            &objective,
            &reluscope::branching::BranchOptions::default(),
            &Default::default(),
        )?
    };
    if report.status != "optimal" {
        bail!("{}: the exact optimum is {}", network.name, report.status);
    }
    report.objective.context("no optimum")
}

/// A VNNLIB property: the boxes (one alternative each) and one output atom for all of them.
/// `outputs` is the network's number of outputs: VNNLIB declares every one, though the atom
/// reads `Y_0` only.
fn property(boxes: &[InputBox], outputs: usize, atom: &str) -> String {
    let d = boxes[0].dim();
    let mut text = String::new();
    for i in 0..d {
        text.push_str(&format!("(declare-const X_{i} Real)\n"));
    }
    for j in 0..outputs {
        text.push_str(&format!("(declare-const Y_{j} Real)\n"));
    }
    let bounds = |b: &InputBox| {
        (0..d)
            .map(|i| {
                format!(
                    "(>= X_{i} {:e}) (<= X_{i} {:e})",
                    b.lower()[i],
                    b.upper()[i]
                )
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    if let [b] = boxes {
        for i in 0..d {
            text.push_str(&format!(
                "(assert (>= X_{i} {:e}))\n(assert (<= X_{i} {:e}))\n",
                b.lower()[i],
                b.upper()[i]
            ));
        }
        text.push_str(&format!("(assert {atom})\n"));
    } else {
        let alternatives: Vec<String> = boxes
            .iter()
            .map(|b| format!("  (and {} {atom})", bounds(b)))
            .collect();
        text.push_str(&format!("(assert (or\n{}\n))\n", alternatives.join("\n")));
    }
    text
}

/// Writes the instance set of the module docs for `networks` into `dir`.
fn make_set(dir: &Path, networks: &[PathBuf]) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("{}", dir.display()))?;
    let mut instances = String::new();
    let mut expected = String::new();
    let mut rng = rand_pcg::Pcg64::seed_from_u64(0);
    for path in networks {
        let network = load_network(path)?;
        let b = network
            .input_box()
            .cloned()
            .with_context(|| format!("{}: no box", path.display()))?;
        let (m, big_m) = (
            exact(&network, &b, Sense::Minimize)?,
            exact(&network, &b, Sense::Maximize)?,
        );
        let delta = 0.02 * (big_m - m).max(1e-9);
        let local = |p: &[f64]| -> Result<InputBox> {
            let (lo, hi): (Vec<f64>, Vec<f64>) = (0..b.dim())
                .map(|i| {
                    let r = 0.05 * (b.upper()[i] - b.lower()[i]);
                    ((p[i] - r).max(b.lower()[i]), (p[i] + r).min(b.upper()[i]))
                })
                .unzip();
            Ok(InputBox::new(lo, hi)?)
        };
        let points: Vec<Vec<f64>> = (0..2)
            .map(|_| {
                (0..b.dim())
                    .map(|i| rng.random_range(b.lower()[i]..=b.upper()[i]))
                    .collect()
            })
            .collect();
        let boxes: Vec<InputBox> = points.iter().map(|p| local(p)).collect::<Result<_>>()?;
        let local_max: Vec<f64> = boxes
            .iter()
            .map(|lb| exact(&network, lb, Sense::Maximize))
            .collect::<Result<_>>()?;
        let f0 = network.forward(&points[0])[0];
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("net");
        let cases = [
            (
                "min_sat",
                vec![b.clone()],
                format!("(<= Y_0 {:e})", m + delta),
                "sat",
            ),
            (
                "min_unsat",
                vec![b.clone()],
                format!("(<= Y_0 {:e})", m - delta),
                "unsat",
            ),
            (
                "max_unsat",
                vec![b.clone()],
                format!("(>= Y_0 {:e})", big_m + delta),
                "unsat",
            ),
            (
                "local_sat",
                vec![boxes[0].clone()],
                format!("(>= Y_0 {:e})", f0 + 0.5 * (local_max[0] - f0)),
                "sat",
            ),
            (
                "local_either_unsat",
                boxes.clone(),
                format!("(>= Y_0 {:e})", local_max[0].max(local_max[1]) + delta),
                "unsat",
            ),
        ];
        let relative = pathdiff(path, dir);
        for (name, boxes, atom, answer) in cases {
            let file = format!("{stem}_{name}.vnnlib");
            std::fs::write(
                dir.join(&file),
                property(&boxes, network.output_dim(), &atom),
            )?;
            instances.push_str(&format!("{relative},{file},60\n"));
            expected.push_str(&format!("{file},{answer}\n"));
        }
        eprintln!("{stem}: min {m:.6}, max {big_m:.6}");
    }
    std::fs::write(dir.join("instances.csv"), instances)?;
    std::fs::write(dir.join("expected.csv"), expected)?;
    eprintln!(
        "wrote {} instances to {}",
        networks.len() * 5,
        dir.display()
    );
    Ok(())
}

/// `path` relative to `dir` when `dir` is its parent or a child of its parent (the layout
/// `--make` is used with); otherwise `path` made absolute.
fn pathdiff(path: &Path, dir: &Path) -> String {
    let absolute = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let (file, dir) = (absolute(path), absolute(dir));
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    match file.parent() {
        Some(parent) if parent == dir => name,
        Some(parent) if dir.parent() == Some(parent) => format!("../{name}"),
        _ => file.display().to_string(),
    }
}
