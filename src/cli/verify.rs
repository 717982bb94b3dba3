//! `reluscope verify`: decide a VNNLIB property (or a problem file's feasibility) on a
//! network — `sat` with a checked counterexample, `unsat`, or `unknown` — one instance or a
//! VNN-COMP `instances.csv`.

use super::args::{BoundsArgs, SolverArgs};
use super::print_json;
use super::solve::parse_method;
use anyhow::{Context, Result, bail};
use clap::Args;
use reluscope::formats::load_network;
use reluscope::milp::SolveControl;
use reluscope::pipeline::{SolveMethod, Verification, summarize_alternatives, verify};
use reluscope::problem::Problem;
use reluscope::problem::problem_file::{is_problem_file, read_problem};
use reluscope::problem::vnnlib::read_vnnlib;
use reluscope::regions::RegionOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Arguments of `verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The network (.onnx, .json, .nnet) — or a problem file (.json with "networks"), alone.
    #[arg(required_unless_present = "instances")]
    pub network: Option<PathBuf>,
    /// The VNNLIB property (the unsafe set: `sat` means a counterexample exists).
    pub property: Option<PathBuf>,
    /// Run every line "onnx,vnnlib,timeout" of a VNN-COMP instances.csv (paths relative to
    /// it) and print one line "onnx,vnnlib,result,seconds" per instance.
    #[arg(long, value_name = "CSV", conflicts_with_all = ["network", "property"])]
    pub instances: Option<PathBuf>,
    /// Also write the VNN-COMP result file: the result word and, for `sat`, the
    /// counterexample as ((X_0 v) … (Y_0 v) …). With --instances: the CSV lines.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub bounds: BoundsArgs,
    #[command(flatten)]
    pub solver: SolverArgs,
    /// Solver for each alternative: auto (regions for up to 2 inputs, branching over the
    /// input box for 3–5, raced against the MILP for small or deep 5-input networks and for
    /// 6–8, the MILP beyond), milp, regions or branch.
    #[arg(long, default_value = "auto", value_parser = parse_method)]
    pub method: SolveMethod,
    /// Print one JSON object (per instance) instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Runs `verify`.
pub fn run(args: &VerifyArgs) -> Result<()> {
    if let Some(csv) = &args.instances {
        return run_instances(args, csv);
    }
    let Some(network) = &args.network else {
        bail!("give a network and a property, or --instances FILE.csv");
    };
    let problem = match &args.property {
        Some(property) => problem_of(network, property)?,
        None if is_problem_file(network) => read_problem(network)?,
        None => bail!(
            "{}: give the VNNLIB property after the network (or a problem file alone)",
            network.display()
        ),
    };
    let outcome = decide(args, &problem, args.solver.time_limit)?;
    if let Some(out) = &args.out {
        std::fs::write(out, vnncomp_result(&outcome))
            .with_context(|| format!("writing {}", out.display()))?;
    }
    if args.json {
        let mut value = serde_json::to_value(&outcome)?;
        value["result"] = outcome.result_word().into();
        return print_json(&value);
    }
    outln!("{}", outcome.result_word());
    if let Some(reason) = &outcome.reason {
        outln!("reason       {reason}");
    }
    if let Some(c) = &outcome.counterexample {
        if let Some(d) = c.alternative.filter(|_| problem.disjuncts.len() > 1) {
            outln!("alternative  {} ({})", d + 1, problem.disjuncts[d].origin);
        }
        let xs: Vec<String> = c.x.iter().map(|v| format!("{v:.9}")).collect();
        outln!("x            [{}]", xs.join(", "));
        for (n, y) in problem.networks.iter().zip(&c.outputs) {
            let ys: Vec<String> = y.iter().map(|v| format!("{v:.9}")).collect();
            outln!("{:<12} [{}]", format!("{}(x)", n.name), ys.join(", "));
        }
        outln!("check        {}", c.describe_check());
    }
    outln!(
        "alternatives {} ({})",
        outcome.alternatives.len(),
        summarize_alternatives(&outcome.alternatives)
    );
    outln!("time         {:.3} s", outcome.time_s);
    Ok(())
}

/// The problem "network satisfies the property's constraints", with errors naming the files.
pub(crate) fn problem_of(network: &Path, property: &Path) -> Result<Problem> {
    let net = load_network(network)?;
    let parsed = read_vnnlib(property)?;
    Ok(Problem::from_vnnlib(net, parsed, property)?)
}

/// Verifies with the arguments' settings and `time_limit`.
fn decide(args: &VerifyArgs, problem: &Problem, time_limit: Option<f64>) -> Result<Verification> {
    let mut options = args.solver.options()?;
    options.solver.time_limit = time_limit;
    let setup = args.bounds.solve_setup()?;
    Ok(verify(
        problem,
        args.method,
        &setup,
        &options,
        &RegionOptions::default(),
        &SolveControl::default(),
    )?)
}

/// The VNN-COMP result file: the result word, and for `sat` the assignment of every input
/// and output of the first network.
fn vnncomp_result(v: &Verification) -> String {
    let mut text = format!("{}\n", v.result_word());
    if let Some(c) = &v.counterexample {
        let mut lines: Vec<String> =
            c.x.iter()
                .enumerate()
                .map(|(i, x)| format!("(X_{i} {x:e})"))
                .collect();
        if let Some(y) = c.outputs.first() {
            lines.extend(y.iter().enumerate().map(|(j, v)| format!("(Y_{j} {v:e})")));
        }
        text.push_str(&format!("({})\n", lines.join("\n ")));
    }
    text
}

/// One line of an instances.csv: network, property, timeout (seconds).
pub(crate) struct Instance {
    pub onnx: String,
    pub vnnlib: String,
    pub timeout: f64,
}

/// The instances of a VNN-COMP instances.csv (errors name the file and line).
pub(crate) fn read_instances(csv: &Path) -> Result<Vec<Instance>> {
    let text =
        std::fs::read_to_string(csv).with_context(|| format!("reading {}", csv.display()))?;
    let mut instances = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        let [onnx, vnnlib, timeout] = fields.as_slice() else {
            bail!(
                "{}:{}: expected three fields \"onnx,vnnlib,timeout\", found {}",
                csv.display(),
                n + 1,
                fields.len()
            );
        };
        let timeout: f64 = timeout
            .parse()
            .ok()
            .filter(|t: &f64| t.is_finite() && *t > 0.0)
            .with_context(|| {
                format!(
                    "{}:{}: the timeout '{timeout}' is not a positive number of seconds",
                    csv.display(),
                    n + 1
                )
            })?;
        instances.push(Instance {
            onnx: onnx.to_string(),
            vnnlib: vnnlib.to_string(),
            timeout,
        });
    }
    if instances.is_empty() {
        bail!("{}: no instances", csv.display());
    }
    Ok(instances)
}

/// Runs every instance of `csv`, printing a line per instance as it finishes and a progress
/// line on stderr.
fn run_instances(args: &VerifyArgs, csv: &Path) -> Result<()> {
    let instances = read_instances(csv)?;
    let base = csv.parent().unwrap_or(Path::new("."));
    let mut out = match &args.out {
        Some(path) => Some(
            std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?,
        ),
        None => None,
    };
    let started = Instant::now();
    let total = instances.len();
    let mut tally: Vec<(&'static str, usize)> = Vec::new();
    for (i, inst) in instances.iter().enumerate() {
        eprint!(
            "\r[{}/{total}] {} {} ({:.0} s elapsed)\x1b[K",
            i + 1,
            inst.onnx,
            inst.vnnlib,
            started.elapsed().as_secs_f64()
        );
        let one = Instant::now();
        // A per-instance limit: the CSV's, or --time-limit if smaller.
        let limit = args
            .solver
            .time_limit
            .map_or(inst.timeout, |t| t.min(inst.timeout));
        let result = problem_of(&base.join(&inst.onnx), &base.join(&inst.vnnlib))
            .and_then(|p| decide(args, &p, Some(limit)));
        let (word, detail) = match &result {
            Ok(v) => (v.result_word(), v.reason.clone()),
            Err(e) => ("error", Some(format!("{e:#}"))),
        };
        match tally.iter_mut().find(|(w, _)| *w == word) {
            Some((_, n)) => *n += 1,
            None => tally.push((word, 1)),
        }
        let seconds = one.elapsed().as_secs_f64();
        let line = if args.json {
            let mut value = match &result {
                Ok(v) => serde_json::to_value(v)?,
                Err(_) => serde_json::json!({}),
            };
            value["onnx"] = inst.onnx.as_str().into();
            value["vnnlib"] = inst.vnnlib.as_str().into();
            value["result"] = word.into();
            value["time_s"] = seconds.into();
            if let (Err(_), Some(d)) = (&result, &detail) {
                value["error"] = d.as_str().into();
            }
            serde_json::to_string(&value)?
        } else {
            format!("{},{},{word},{seconds:.3}", inst.onnx, inst.vnnlib)
        };
        eprint!("\r\x1b[K");
        outln!("{line}");
        if let (Some(d), Err(_)) = (&detail, &result) {
            eprintln!("error: {}: {d}", inst.vnnlib);
        }
        if let Some(f) = out.as_mut() {
            writeln!(f, "{},{},{word},{seconds:.3}", inst.onnx, inst.vnnlib)?;
        }
    }
    let counts: Vec<String> = tally.iter().map(|(w, n)| format!("{n} {w}")).collect();
    eprintln!(
        "{total} instance(s) in {:.1} s: {}",
        started.elapsed().as_secs_f64(),
        counts.join(", ")
    );
    Ok(())
}
