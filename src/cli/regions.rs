//! `reluscope regions`: count the linear regions of a network over its box.

use super::args::NetworkArgs;
use super::print_json;
use super::table::Table;
use anyhow::{Context, Result};
use clap::Args;
use reluscope::control::TaskControl;
use reluscope::network::{InputBox, Network};
use reluscope::regions::{
    CountMethod, DEFAULT_MAX_MEMORY_BYTES, DEFAULT_MAX_REGIONS, LpBackend, Method, RegionCount,
    RegionOptions, Slice, count_regions, default_method,
};

/// Arguments of `regions`.
#[derive(Debug, Args)]
pub struct RegionsArgs {
    #[command(flatten)]
    pub network: NetworkArgs,
    /// Exact count by layer-by-layer splitting with LPs (any input dimension).
    #[arg(long, conflicts_with_all = ["exact_2d", "sample"])]
    pub exact: bool,
    /// Exact count by splitting polygons (2 inputs, or a 2-D --slice).
    #[arg(long = "exact-2d", conflicts_with = "sample")]
    pub exact_2d: bool,
    /// Estimate: distinct activation patterns over N random points (a lower bound).
    #[arg(long, value_name = "N")]
    pub sample: Option<usize>,
    /// Seed of --sample.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Count on the plane "i,j@x0,x1,...": inputs i and j free, the others fixed at the
    /// point (without "@..." at the centre of the box).
    #[arg(long, value_name = "SLICE", allow_hyphen_values = true)]
    pub slice: Option<String>,
    /// Stop once a layer has more regions than this; the count is then "at least N".
    #[arg(long, default_value_t = DEFAULT_MAX_REGIONS, value_name = "N")]
    pub max_regions: usize,
    /// Stop after this many seconds; the count is then "at least N".
    #[arg(long, value_name = "SECONDS", allow_negative_numbers = true)]
    pub time_limit: Option<f64>,
    /// Stop once the cells of a layer take more than this many MiB; the count is then
    /// "at least N".
    #[arg(long, default_value_t = DEFAULT_MAX_MEMORY_BYTES >> 20, value_name = "MIB")]
    pub max_memory: usize,
    /// LP solver of the exact method: dense (built-in, fast in low dimension) or highs.
    #[arg(long, default_value = "dense", value_parser = parse_lp)]
    pub lp: LpBackend,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

fn parse_lp(text: &str) -> Result<LpBackend, String> {
    match text {
        "dense" => Ok(LpBackend::Dense),
        "highs" => Ok(LpBackend::Highs),
        other => Err(format!("unknown LP solver '{other}' (known: dense, highs)")),
    }
}

/// Runs `regions`: one network's regions, or each network's of a problem file (over the
/// problem's box).
pub fn run(args: &RegionsArgs) -> Result<()> {
    if let Some(t) = args.time_limit
        && !(t.is_finite() && t > 0.0)
    {
        anyhow::bail!("--time-limit must be a positive number of seconds, found {t}");
    }
    let slice = args
        .slice
        .as_deref()
        .map(Slice::parse)
        .transpose()
        .context("--slice")?;
    let Some(problem) = args.network.problem()? else {
        let (network, input_box) = args.network.load()?;
        let count = count_one(args, &network, &input_box, slice.as_ref())?;
        if args.json {
            return print_json(&json_of(args, &network, &input_box, &count)?);
        }
        print_count(args, &network, &input_box, &count);
        return Ok(());
    };
    let mut values = Vec::new();
    for (k, named) in problem.networks.iter().enumerate() {
        let network = named.network.clone().named(named.name.clone());
        let count = count_one(args, &network, &problem.input_box, slice.as_ref())?;
        if args.json {
            values.push(json_of(args, &network, &problem.input_box, &count)?);
        } else {
            if k > 0 {
                outln!("");
            }
            print_count(args, &network, &problem.input_box, &count);
        }
    }
    if args.json {
        return print_json(&serde_json::json!({ "networks": values }));
    }
    Ok(())
}

/// Counts the regions of `network` over `input_box` as the arguments say.
fn count_one(
    args: &RegionsArgs,
    network: &Network,
    input_box: &InputBox,
    slice: Option<&Slice>,
) -> Result<RegionCount> {
    let method = match (args.sample, args.exact, args.exact_2d) {
        (Some(samples), _, _) => Method::Sampled {
            samples,
            seed: args.seed,
        },
        (None, true, _) => Method::Exact,
        (None, false, true) => Method::Exact2d,
        (None, false, false) => default_method(network.input_dim(), slice.is_some()),
    };
    let options = RegionOptions {
        max_regions: args.max_regions,
        time_limit: args.time_limit,
        max_memory_bytes: args.max_memory.saturating_mul(1 << 20),
        lp: args.lp,
        ..RegionOptions::default()
    };
    Ok(count_regions(
        network,
        input_box,
        slice,
        method,
        &options,
        // --time-limit bounds sampling too (the exact methods also read it from `options`).
        &TaskControl::default().with_time_limit(args.time_limit),
    )?)
}

fn json_of(
    args: &RegionsArgs,
    network: &Network,
    input_box: &InputBox,
    count: &RegionCount,
) -> Result<serde_json::Value> {
    let mut value = serde_json::to_value(count)?;
    value["network"] = network.name.clone().into();
    value["architecture"] = network.architecture().into();
    value["input_box"] = serde_json::to_value(input_box.pairs())?;
    if let Some(s) = &args.slice {
        value["slice"] = s.clone().into();
    }
    Ok(value)
}

fn print_count(args: &RegionsArgs, network: &Network, input_box: &InputBox, count: &RegionCount) {
    outln!(
        "{} ({}) over {}{}",
        network.name,
        network.architecture(),
        input_box.describe(),
        args.slice
            .as_ref()
            .map_or(String::new(), |s| format!(", slice {s}"))
    );
    outln!("regions   {}", describe_count(count));
    outln!("method    {}", count.method.key());
    outln!("time      {:.3} s", count.time_s);
    if let Some(eps) = count.tolerance {
        outln!("tolerance {eps:.1e} (regions thinner than this are merged)");
    }
    let widths: Vec<usize> = network
        .hidden_layers()
        .iter()
        .map(|l| l.outputs())
        .collect();
    let mut table = Table::new(&["layer", "neurons", "regions"]);
    for (k, regions) in count.per_layer.iter().enumerate() {
        let last_partial = !count.exact && k + 1 == count.per_layer.len();
        table.row(vec![
            (k + 1).to_string(),
            widths.get(k).map_or("-".into(), usize::to_string),
            if last_partial || count.method == CountMethod::Sampled {
                format!("≥ {regions}")
            } else {
                regions.to_string()
            },
        ]);
    }
    out!("{}", table.render());
}

/// `760`, `at least 1000 (the region cap was reached)` or `at least 701 (distinct patterns
/// over 100000 samples)`.
fn describe_count(count: &RegionCount) -> String {
    if count.exact {
        return count.count.to_string();
    }
    match (count.samples, count.stopped) {
        (Some(n), _) => format!(
            "at least {} (distinct activation patterns over {n} samples: a lower bound)",
            count.count
        ),
        (None, Some(reason)) => format!("at least {} ({})", count.count, reason.describe()),
        (None, None) => format!("at least {}", count.count),
    }
}
