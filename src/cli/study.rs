//! `reluscope study`: the study's grid in one command, into a directory of cells with
//! results, a report and figures; `--list-cells` / `--shard I/N` / `study merge` spread it
//! over machines.

use super::table::{Table, num, opt};
use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use reluscope::control::TaskControl;
use reluscope::study::{
    CellSource, RunOptions, StudyEvent, StudySpec, TrainingSettings, findings, list_cells,
    merge_studies, read_cells, read_spec, results_json, run_study, store::select_cells,
};
use std::path::{Path, PathBuf};

/// Arguments of `study`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct StudyArgs {
    #[command(subcommand)]
    command: Option<StudyCommand>,
    #[command(flatten)]
    run: StudyRunArgs,
}

#[derive(Debug, Subcommand)]
enum StudyCommand {
    /// Combine shard directories (`study --shard I/N --out DIR_I`) into one study directory
    /// with the report an unsharded run would give.
    Merge {
        /// The merged study directory.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Shard directories.
        #[arg(required = true, value_name = "SHARD_DIR")]
        shards: Vec<PathBuf>,
    },
}

/// The grid and how to run it.
#[derive(Debug, Args)]
struct StudyRunArgs {
    /// Network files to study as they are (besides or instead of trained ones).
    #[arg(value_name = "NET")]
    networks: Vec<PathBuf>,
    /// Benchmark functions: peaks, himmelblau, ackley, ackley:D ("none" with files only).
    #[arg(long, alias = "function", value_delimiter = ',')]
    functions: Vec<String>,
    /// Hidden layouts such as 25x25,25x25x25,50x50.
    #[arg(long, value_delimiter = ',')]
    hidden: Vec<String>,
    /// Training variants: plain, l1=λ, l2=λ, clip=c, dropout=p, or combinations joined by '+'.
    #[arg(long, value_delimiter = ',')]
    variants: Vec<String>,
    /// Training seeds.
    #[arg(long, value_delimiter = ',')]
    seeds: Vec<u64>,
    /// Bound methods: ia, symbolic, lp, milp.
    #[arg(long, value_delimiter = ',')]
    bounds: Vec<String>,
    /// Rescalings after the bounds: none, balanced, range, unit.
    #[arg(long, value_delimiter = ',')]
    rescale: Vec<String>,
    /// Solve methods (milp per treatment; regions, branch, auto per network), or none.
    #[arg(long, value_delimiter = ',')]
    solve: Vec<String>,
    /// HiGHS seeds per MILP (times and nodes are medians).
    #[arg(long)]
    solve_seeds: Option<u32>,
    /// Time limit of each solve and region count, seconds.
    #[arg(long, allow_hyphen_values = true)]
    time_limit: Option<f64>,
    /// Points sampled from each function.
    #[arg(long)]
    samples: Option<usize>,
    /// Most training epochs.
    #[arg(long)]
    epochs: Option<usize>,
    /// Early-stopping patience in epochs.
    #[arg(long)]
    patience: Option<usize>,
    /// Start from the small grid (18 cells, seconds in a release build; flags above still
    /// apply).
    #[arg(long)]
    quick: bool,
    /// Start from the grid stored in this study.json (flags above still apply).
    #[arg(long, value_name = "FILE", conflicts_with = "quick")]
    spec: Option<PathBuf>,
    /// The study directory: cells, networks, results.csv/json, report.md, figures/.
    #[arg(long, value_name = "DIR", required_unless_present = "list_cells")]
    out: Option<PathBuf>,
    /// Continue a study in --out, skipping the cells it finished.
    #[arg(long)]
    resume: bool,
    /// Run every N-th cell: I/N runs cells I, I+N, I+2N, … (1-based).
    #[arg(long, value_name = "I/N", value_parser = parse_shard)]
    shard: Option<(usize, usize)>,
    /// Run only this cell (an id from --list-cells).
    #[arg(long, value_name = "ID")]
    cell: Option<String>,
    /// Print one command line per cell (to run with GNU parallel or a Slurm array) and stop.
    #[arg(long)]
    list_cells: bool,
    /// Print results.json on stdout at the end instead of tables.
    #[arg(long)]
    json: bool,
}

fn parse_shard(text: &str) -> Result<(usize, usize), String> {
    let parsed = text
        .split_once('/')
        .and_then(|(i, n)| Some((i.trim().parse().ok()?, n.trim().parse().ok()?)));
    match parsed {
        Some((i, n)) if n >= 1 && (1..=n).contains(&i) => Ok((i, n)),
        _ => Err(format!("'{text}': expected I/N with 1 ≤ I ≤ N, e.g. 2/8")),
    }
}

fn parse_layout(text: &str) -> Result<Vec<usize>> {
    text.split('x')
        .map(|w| {
            w.trim()
                .parse::<usize>()
                .ok()
                .filter(|&w| w > 0)
                .with_context(|| format!("--hidden '{text}': expected widths like 25x25"))
        })
        .collect()
}

impl StudyRunArgs {
    /// The grid: the base (default, quick or a stored spec) with the flags applied.
    fn spec(&self) -> Result<StudySpec> {
        let mut spec = match &self.spec {
            Some(path) => read_spec_file(path)?,
            None if self.quick => StudySpec::quick(),
            None => StudySpec::default(),
        };
        if !self.networks.is_empty() {
            spec.networks = self.networks.clone();
            // Files alone unless functions are asked for too.
            if self.functions.is_empty() {
                spec.functions.clear();
            }
        }
        if !self.functions.is_empty() {
            spec.functions = if self.functions == ["none"] {
                Vec::new()
            } else {
                self.functions.clone()
            };
        }
        if !self.hidden.is_empty() {
            spec.hidden = self
                .hidden
                .iter()
                .map(|h| parse_layout(h))
                .collect::<Result<_>>()?;
        }
        let replace = |target: &mut Vec<String>, given: &[String]| {
            if !given.is_empty() {
                *target = given.to_vec();
            }
        };
        replace(&mut spec.variants, &self.variants);
        replace(&mut spec.bounds, &self.bounds);
        replace(&mut spec.rescalings, &self.rescale);
        if self.solve == ["none"] {
            spec.solve_methods.clear();
        } else {
            replace(&mut spec.solve_methods, &self.solve);
        }
        if !self.seeds.is_empty() {
            spec.seeds = self.seeds.clone();
        }
        let t: &mut TrainingSettings = &mut spec.training;
        t.samples = self.samples.unwrap_or(t.samples);
        t.epochs = self.epochs.unwrap_or(t.epochs);
        t.patience = self.patience.unwrap_or(t.patience);
        spec.solve_seeds = self.solve_seeds.unwrap_or(spec.solve_seeds);
        spec.time_limit = self.time_limit.unwrap_or(spec.time_limit);
        spec.validate()?;
        Ok(spec)
    }
}

fn read_spec_file(path: &Path) -> Result<StudySpec> {
    let text = std::fs::read_to_string(path).with_context(|| format!("{}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{}: not a study spec", path.display()))
}

/// Runs `study`.
pub fn run(args: &StudyArgs) -> Result<()> {
    if let Some(StudyCommand::Merge { out, shards }) = &args.command {
        let outcome = merge_studies(out, shards)?;
        eprintln!(
            "merged {} cell(s) into {}: {} of {} cells present",
            outcome.ran,
            out.display(),
            outcome.present,
            outcome.total
        );
        return finish(out, args.run.json, &outcome.failed);
    }
    let a = &args.run;
    let spec = a.spec()?;
    let options = RunOptions {
        resume: a.resume,
        shard: a.shard,
        only: a.cell.clone(),
    };
    if a.list_cells {
        return print_cell_commands(&spec, a, &options);
    }
    let Some(out) = &a.out else {
        bail!("--out DIR is needed (the study directory)");
    };
    let mut on_event = |event: &StudyEvent| match event {
        StudyEvent::Started { index, total, id } => {
            eprintln!("[{}/{total}] {id} …", index + 1);
        }
        StudyEvent::Finished {
            index,
            total,
            id,
            seconds,
            eta_s,
            error,
        } => {
            let bar_width = 30;
            let filled = (index + 1) * bar_width / total.max(&1);
            eprintln!(
                "[{}{}] {}/{total} {id} {} in {seconds:.1} s, about {} left",
                "#".repeat(filled),
                "-".repeat(bar_width - filled),
                index + 1,
                if error.is_some() { "FAILED" } else { "done" },
                eta(*eta_s)
            );
            if let Some(e) = error {
                eprintln!("  {id}: {e}");
            }
        }
        StudyEvent::Skipped { id } => eprintln!("{id}: finished before, skipped"),
    };
    let outcome = run_study(&spec, out, &options, &TaskControl::default(), &mut on_event)?;
    eprintln!(
        "{}: ran {} cell(s), skipped {}; {} of {} cells present; report.md, results.csv, \
         results.json and figures/ written",
        out.display(),
        outcome.ran,
        outcome.skipped,
        outcome.present,
        outcome.total
    );
    finish(out, a.json, &outcome.failed)
}

fn eta(seconds: f64) -> String {
    if seconds < 90.0 {
        format!("{seconds:.0} s")
    } else if seconds < 5400.0 {
        format!("{:.0} min", seconds / 60.0)
    } else {
        format!("{:.1} h", seconds / 3600.0)
    }
}

/// Prints the results (tables or JSON) and fails when a cell failed.
fn finish(dir: &Path, json: bool, failed: &[(String, String)]) -> Result<()> {
    let spec = read_spec(dir)?;
    let cells = read_cells(dir, &spec)?;
    if json {
        super::print_json(&results_json(&spec, &cells))?;
    } else {
        let mut table = Table::new(&["claim", "verdict", "evidence"]);
        for f in findings(&cells) {
            table.row(vec![f.claim, f.verdict.word().into(), f.evidence]);
        }
        out!("{}", table.render());
        let mut table = Table::new(&[
            "cell",
            "test RMSE",
            "regions",
            "bounds",
            "scale",
            "stable %",
            "max M",
            "MILP s",
            "nodes",
        ]);
        for c in &cells {
            for t in &c.treatments {
                let regions = c.regions.as_ref().map_or("-".to_string(), |r| {
                    if r.exact {
                        r.count.to_string()
                    } else {
                        format!("≥ {}", r.count)
                    }
                });
                let (time, nodes) = t.milp.as_ref().map_or(("-".into(), "-".into()), |m| {
                    let time = num(m.time_s);
                    let time = if m.status == "optimal" {
                        time
                    } else {
                        format!("{time} ({})", m.status)
                    };
                    (time, num(m.nodes))
                });
                table.row(vec![
                    c.cell.id.clone(),
                    opt(c.test_rmse),
                    regions,
                    t.bounds.clone(),
                    t.rescaling.clone(),
                    format!("{:.1}", t.stable_percent),
                    opt(t.max_big_m),
                    time,
                    nodes,
                ]);
            }
        }
        out!("{}", table.render());
    }
    if !failed.is_empty() {
        let list: Vec<String> = failed.iter().map(|(id, e)| format!("{id}: {e}")).collect();
        bail!("{} cell(s) failed: {}", failed.len(), list.join("; "));
    }
    Ok(())
}

/// One shell-quoted command per selected cell: the same grid (through `DIR/grid.json`) with
/// `--cell ID`, each into its own directory under `DIR/shards/`.
fn print_cell_commands(spec: &StudySpec, a: &StudyRunArgs, options: &RunOptions) -> Result<()> {
    let out = a.out.clone().unwrap_or_else(|| PathBuf::from("study-out"));
    std::fs::create_dir_all(&out).with_context(|| format!("{}", out.display()))?;
    let spec_path = out.join("grid.json");
    std::fs::write(&spec_path, serde_json::to_vec_pretty(spec)?)
        .with_context(|| format!("{}", spec_path.display()))?;
    for cell in select_cells(list_cells(spec), options)? {
        let shard_dir = out.join("shards").join(&cell.id);
        outln!(
            "reluscope study --spec {} --cell {} --out {}",
            quote(&spec_path),
            cell.id,
            quote(&shard_dir)
        );
        if let CellSource::File { path } = &cell.source
            && !path.exists()
        {
            eprintln!("note: {} does not exist here", path.display());
        }
    }
    eprintln!(
        "grid written to {}; after the cells: reluscope study merge --out {} {}/shards/*",
        spec_path.display(),
        quote(&out),
        quote(&out)
    );
    Ok(())
}

fn quote(path: &Path) -> String {
    let text = path.display().to_string();
    if text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+:=".contains(c))
    {
        text
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}
