//! `reluscope info`: what is in a network file.

use super::args::NetworkArgs;
use super::print_json;
use super::table::{Table, num};
use anyhow::Result;
use clap::Args;
use reluscope::formats::load_network;
use reluscope::network::Activation;
use reluscope::problem::Problem;
use serde_json::json;

/// Arguments of `info`.
#[derive(Debug, Args)]
pub struct InfoArgs {
    #[command(flatten)]
    network: NetworkArgs,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    json: bool,
}

/// Runs `info`.
pub fn run(args: &InfoArgs) -> Result<()> {
    if let Some(problem) = args.network.problem()? {
        return problem_info(args, &problem);
    }
    let mut network = load_network(&args.network.network)?;
    if args.network.input_box.is_some() {
        network = args.network.load()?.0;
    }
    let layers: Vec<_> = network
        .layers()
        .iter()
        .enumerate()
        .map(|(k, l)| {
            json!({
                "index": k + 1,
                "inputs": l.inputs(),
                "neurons": l.outputs(),
                "activation": l.activation.name(),
                "cap": match l.activation { Activation::ClippedRelu { cap } => Some(cap), _ => None },
            })
        })
        .collect();
    if args.json {
        return print_json(&json!({
            "name": network.name,
            "architecture": network.architecture(),
            "inputs": network.input_dim(),
            "outputs": network.output_dim(),
            "hidden_neurons": network.hidden_neurons(),
            "parameters": network.parameter_count(),
            "input_box": network.input_box().map(|b| b.pairs()),
            "layers": layers,
            "metadata": network.metadata,
        }));
    }
    outln!("{}  ({})", network.name, args.network.network.display());
    outln!(
        "architecture  {}  ({} hidden neurons, {} parameters)",
        network.architecture(),
        network.hidden_neurons(),
        network.parameter_count()
    );
    match network.input_box() {
        Some(b) => outln!("input box     {}", b.describe()),
        None => outln!("input box     none stored (give one with --box)"),
    }
    let mut table = Table::new(&["layer", "inputs", "neurons", "activation"]);
    for l in &layers {
        let act = match l["cap"].as_f64() {
            Some(c) => format!("clipped_relu (cap {})", num(c)),
            None => l["activation"].as_str().unwrap_or("").to_string(),
        };
        table.row(vec![
            l["index"].to_string(),
            l["inputs"].to_string(),
            l["neurons"].to_string(),
            act,
        ]);
    }
    out!("{}", table.render());
    if !network.metadata.is_null() {
        outln!("metadata      {}", network.metadata);
    }
    Ok(())
}

/// `info PROBLEM.json`: its networks, box, constraints, alternatives and objective.
fn problem_info(args: &InfoArgs, problem: &Problem) -> Result<()> {
    let lines = problem.describe_lines();
    if args.json {
        let networks: Vec<_> = problem
            .networks
            .iter()
            .map(|n| {
                json!({
                    "name": n.name,
                    "architecture": n.network.architecture(),
                    "inputs": n.network.input_dim(),
                    "outputs": n.network.output_dim(),
                })
            })
            .collect();
        return print_json(&json!({
            "networks": networks,
            "input_box": problem.input_box.pairs(),
            "constraints": problem.constraints.len(),
            "alternatives": problem.disjuncts.len(),
            "objective": problem.objective.is_some(),
            "lines": lines,
        }));
    }
    outln!("problem  ({})", args.network.network.display());
    for n in &problem.networks {
        outln!("network  {}  {}", n.name, n.network.architecture());
    }
    outln!("box      {}", problem.input_box.describe());
    if problem.objective.is_none() {
        outln!("question is there a feasible point? (no objective)");
    }
    for line in lines {
        outln!("         {line}");
    }
    Ok(())
}
