//! The library in ten lines: load a sample, tighten its bounds by LP, rescale, and minimise
//! its output with the big-M MILP. `cargo run --release --example quickstart [NET]`.

use reluscope::{BoundMethod, MilpSetup, Objective, ScalingMethod, Sense, TaskControl};

fn main() -> reluscope::Result<()> {
    let path = std::env::args().nth(1);
    let path = path.as_deref().unwrap_or("sample_networks/peaks_25x2.json");
    let (network, input_box) = reluscope::load(path, None)?;
    let setup = MilpSetup {
        bounds: BoundMethod::LpObbt,
        scaling: ScalingMethod::Balanced,
        ..MilpSetup::default()
    };
    let prepared = reluscope::prepare_milp(&network, &input_box, &setup, &TaskControl::default())?;
    let analysis = prepared.report(&network, &input_box);
    let objective = Objective::output(Sense::Minimize, 0, network.output_dim())?;
    let solution = prepared.solve(&input_box, &objective)?;
    println!("network     {} ({})", network.name, network.architecture());
    println!(
        "stable      {:.1} % of hidden neurons, {} binaries",
        analysis.stable_percent, analysis.binaries
    );
    println!("status      {}", solution.status);
    println!("minimum     {:.10}", solution.objective.unwrap_or(f64::NAN));
    println!("x*          {:?}", solution.x.unwrap_or_default());
    println!(
        "f(x*)       {:.10}",
        solution.forward_value.unwrap_or(f64::NAN)
    );
    Ok(())
}
