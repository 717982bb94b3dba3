//! Which exact path [`solve`](super::solve) takes when asked for the fastest
//! ([`SolveMethod::Auto`]): the region enumeration, branching over the input box (alone or
//! raced against the MILP) or the MILP, from the input dimension and the network's size and
//! depth, each threshold measured.

use crate::formulation::OutputConstraint;
use crate::network::{InputBox, Network};

/// How [`solve`](super::solve) finds the optimum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum SolveMethod {
    /// The fastest exact path for the problem's shape ([`choose_method`]).
    #[default]
    Auto,
    /// The big-M MILP on HiGHS, with the chosen bounds and rescaling.
    Milp,
    /// The best of the exact optima over the linear regions (no MILP).
    Regions,
    /// Branch and bound over the input box, small boxes finished by their regions (no MILP).
    Branch,
}

impl SolveMethod {
    /// Every method, `auto` first.
    pub const ALL: [SolveMethod; 4] = [
        SolveMethod::Auto,
        SolveMethod::Milp,
        SolveMethod::Regions,
        SolveMethod::Branch,
    ];

    /// The name on the command line and in JSON.
    pub fn key(self) -> &'static str {
        match self {
            SolveMethod::Auto => "auto",
            SolveMethod::Milp => "milp",
            SolveMethod::Regions => "regions",
            SolveMethod::Branch => "branch",
        }
    }

    /// The method named `key`.
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.key() == key)
    }
}

/// The most inputs for which [`SolveMethod::Auto`] enumerates linear regions. Measured with
/// `../shared/anchors/side_by_side.py` on 2-input networks: the region solver (with pruning)
/// is 30–3000× faster than Gurobi and far faster than the MILP; from 3 inputs on branching
/// over the input box is faster than enumerating (ackley:3 3×25: 0.06 s against 0.56 s;
/// ackley:4 2×50: 0.25 s against 15 s).
pub const AUTO_REGIONS_MAX_INPUTS: usize = 2;

/// The most inputs for which [`SolveMethod::Auto`] always branches over the input box alone,
/// on both cores, without racing the MILP (beyond, it races on small or deep networks and
/// from [`AUTO_BRANCH_MAX_INPUTS`]` + 1` inputs on every one: [`auto_races`]). Measured on
/// trained Ackley networks (wall s, `solve --method branch|milp`, 2026-11-29, with the box
/// bounds' chosen slopes): 3 inputs 2×25 0.01/0.23, 3×25 0.03/5.7, 3×50 0.23/over 60; 4 inputs 2×25 0.03/0.15, 2×50 0.08/7.6,
/// 3×50 0.42/over 60, 4×25 0.58/7.4 — branching 5–230× faster, and the race (one core each)
/// 1.5–1.8× slower than branching alone.
pub const AUTO_BRANCH_ALONE_MAX_INPUTS: usize = 4;

/// The most inputs for which [`SolveMethod::Auto`] branches over the input box alone on both
/// cores, except on small or deep networks ([`auto_races`]), from
/// [`AUTO_BRANCH_ALONE_MAX_INPUTS`]` + 1` on.
pub const AUTO_BRANCH_MAX_INPUTS: usize = 5;

/// The most inputs for which [`SolveMethod::Auto`] races branching over the input box against
/// the MILP (one core each) on every network, from [`AUTO_BRANCH_MAX_INPUTS`]` + 1` on; beyond,
/// the MILP alone. Measured on trained Ackley networks (2026-11-30, wall s, branching on both
/// cores / the MILP, after branching kept its boxes near cubes): 6 inputs 2×25 0.74/0.32,
/// 3×25 1.1/1.0, 2×50 1.0/15, 2×100 6.4/over 32; 7 inputs 2×25 0.49/0.28, 2×50 4.0/over 37;
/// 8 inputs 2×25 4.7/0.25, 2×50 18/over 37 — each wins by far on some; 9 and 10 inputs 2×50
/// over 60/18 and over 60/26. Before (bisecting by slack among sides a quarter as wide),
/// the MILP was 2–170× faster than branching at 6–10 inputs. The race, one core each, on the
/// same 6–8-input networks: 0.34, 2.2, 1.8, 13, 0.42, 7.4, 0.31, 36 s — at most 2.2× the
/// better path alone, where taking the wrong one alone costs up to 19× or a time-out.
pub const AUTO_RACE_MAX_INPUTS: usize = 8;

/// At [`AUTO_BRANCH_MAX_INPUTS`] inputs, a network with at most this many hidden neurons is
/// raced (branching against the MILP, one core each) rather than branched alone: its MILP is
/// small enough to be solved at the root. 5-input 4×10 (40 neurons): MILP 0.061 s, branching
/// 0.123 s, the race 0.069 s.
pub const AUTO_RACE_MAX_HIDDEN_NEURONS: usize = 40;

/// At [`AUTO_BRANCH_MAX_INPUTS`] inputs, a network with at least this many hidden layers is
/// raced rather than branched alone: box bounds loosen with depth. 5-input 6×50: neither
/// path proves the optimum within 30 s, and the MILP's incumbent is the better one (3.186
/// against branching's 3.236).
pub const AUTO_RACE_MIN_HIDDEN_LAYERS: usize = 5;

/// Whether [`SolveMethod::Auto`] races branching against the MILP (one core each, the first
/// to prove its optimum winning) instead of taking one path: at [`AUTO_BRANCH_MAX_INPUTS`]
/// inputs for a small ([`AUTO_RACE_MAX_HIDDEN_NEURONS`]) or deep
/// ([`AUTO_RACE_MIN_HIDDEN_LAYERS`]) network, and on every network of
/// [`AUTO_BRANCH_MAX_INPUTS`]` + 1` to [`AUTO_RACE_MAX_INPUTS`] inputs. Measured on trained
/// 5-input Ackley networks (2026-11-29, wall s, branching alone / the race / the MILP alone):
/// 1×50 0.023/0.033/0.072, 2×25 0.191/0.213/0.221, 3×25 0.49/0.90/4.4, 2×50 0.46/0.89/12.1,
/// 4×25 3.3/6.6/41, 2×100 2.8/5.4/over 30 — branching alone on both cores was faster on every
/// network of 50 or more neurons in at most 4 hidden layers.
pub fn auto_races(network: &Network) -> bool {
    let hidden = &network.layers()[..network.layers().len().saturating_sub(1)];
    let neurons: usize = hidden.iter().map(|l| l.outputs()).sum();
    let d = network.input_dim();
    let small_or_deep =
        neurons <= AUTO_RACE_MAX_HIDDEN_NEURONS || hidden.len() >= AUTO_RACE_MIN_HIDDEN_LAYERS;
    (d > AUTO_BRANCH_ALONE_MAX_INPUTS && d <= AUTO_BRANCH_MAX_INPUTS && small_or_deep)
        || (d > AUTO_BRANCH_MAX_INPUTS && d <= AUTO_RACE_MAX_INPUTS)
}

/// The hidden neurons from which, where [`auto_races`], the app (which runs one path, to show
/// its progress) branches rather than solving the MILP at more than
/// [`AUTO_BRANCH_MAX_INPUTS`] inputs: at 6–8 inputs branching won on every network of 100 or
/// more (2×50: 4–15× and more), the MILP on every one of 50 (2×25: 1.7–19×); 3×25 (75) was a
/// tie (see [`AUTO_RACE_MAX_INPUTS`]).
pub const AUTO_BRANCH_MIN_HIDDEN_NEURONS: usize = 75;

/// The one path likelier to win where [`auto_races`]: for one run that shows its progress (the
/// app's) rather than a race. At [`AUTO_BRANCH_MAX_INPUTS`] inputs, branching (alone, on both
/// cores); beyond, branching on networks of [`AUTO_BRANCH_MIN_HIDDEN_NEURONS`] or more hidden
/// neurons, else the MILP.
pub fn likelier_race_winner(network: &Network) -> SolveMethod {
    let hidden = &network.layers()[..network.layers().len().saturating_sub(1)];
    let neurons: usize = hidden.iter().map(|l| l.outputs()).sum();
    if network.input_dim() <= AUTO_BRANCH_MAX_INPUTS || neurons >= AUTO_BRANCH_MIN_HIDDEN_NEURONS {
        SolveMethod::Branch
    } else {
        SolveMethod::Milp
    }
}

/// The path [`SolveMethod::Auto`] takes for `network` over `input_box` under `constraints`
/// (an objective's), and why (one line for reports). [`SolveMethod::Branch`] here means
/// branching alone on both cores, or raced against the MILP where [`auto_races`]; a box with
/// a side of zero width (which the region enumeration cannot split) sends few inputs to the
/// MILP. Constraints on the outputs take the same paths (each bounds them, box by box or
/// region by region): deciding `y ≤ c`-style properties of trained Ackley networks of 4–7
/// inputs (2×25, 2×50; sat, unsat near the optimum and far from it), branching took
/// 0.002–3.0 s where the MILP took 0.33–25 s or timed out at 60 s (2026-11-30).
pub fn choose_method(
    network: &Network,
    input_box: &InputBox,
    constraints: &[OutputConstraint],
) -> (SolveMethod, String) {
    let d = network.input_dim();
    let flat = input_box
        .lower()
        .iter()
        .zip(input_box.upper())
        .any(|(l, u)| l == u);
    if d <= AUTO_REGIONS_MAX_INPUTS && flat {
        return (
            SolveMethod::Milp,
            format!(
                "{d} input(s), but the box has a side of zero width, which the region \
                 enumeration cannot split: the big-M MILP with LP-tightened bounds"
            ),
        );
    }
    let (method, why) = choose_unconstrained(network, d);
    if constraints.is_empty() {
        (method, why)
    } else {
        (
            method,
            format!("{why}; the constraints on the outputs bounded alongside"),
        )
    }
}

/// [`choose_method`]'s path by the input dimension and the network's shape, for a box it can
/// split.
fn choose_unconstrained(network: &Network, d: usize) -> (SolveMethod, String) {
    if d <= AUTO_REGIONS_MAX_INPUTS {
        (
            SolveMethod::Regions,
            format!(
                "{d} input(s): enumerating the linear regions (with pruning) is exact and much \
                 faster than branch and bound at this dimension"
            ),
        )
    } else if d <= AUTO_BRANCH_ALONE_MAX_INPUTS {
        (
            SolveMethod::Branch,
            format!(
                "{d} inputs: branching over the input box on both cores (at 3–4 inputs it was \
                 5–230× faster than the MILP)"
            ),
        )
    } else if auto_races(network) && d <= AUTO_BRANCH_MAX_INPUTS {
        (
            SolveMethod::Branch,
            format!(
                "{d} inputs and a small or deep network: branching over the input box raced \
                 against the MILP with LP-tightened bounds, one core each"
            ),
        )
    } else if auto_races(network) {
        (
            SolveMethod::Branch,
            format!(
                "{d} inputs: branching over the input box raced against the MILP with \
                 LP-tightened bounds, one core each (at 6–8 inputs each was 2–19× faster than \
                 the other on some networks)"
            ),
        )
    } else if d <= AUTO_BRANCH_MAX_INPUTS {
        (
            SolveMethod::Branch,
            format!(
                "{d} inputs: branching over the input box on both cores (at 5 inputs it was \
                 1.2–26× faster than the MILP on networks of 50 or more neurons in 1–4 layers)"
            ),
        )
    } else {
        (
            SolveMethod::Milp,
            format!(
                "{d} inputs: too many for branching over the input box; the big-M MILP with \
                 LP-tightened bounds"
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::RandomNetwork;

    fn net(widths: &[usize]) -> Network {
        RandomNetwork::new(widths).build().unwrap()
    }

    #[test]
    fn five_inputs_race_small_or_deep_networks_six_to_eight_every_one() {
        assert!(!auto_races(&net(&[5, 25, 25, 1])));
        assert!(!auto_races(&net(&[5, 50, 1])));
        assert!(auto_races(&net(&[5, 10, 10, 10, 10, 1])), "40 neurons");
        assert!(
            auto_races(&net(&[5, 50, 50, 50, 50, 50, 1])),
            "5 hidden layers"
        );
        assert!(
            !auto_races(&net(&[4, 10, 10, 10, 10, 1])),
            "4 inputs branch alone"
        );
        assert!(auto_races(&net(&[6, 10, 1])), "6 inputs: always raced");
        assert!(auto_races(&net(&[8, 50, 50, 1])), "8 inputs: always raced");
        assert!(!auto_races(&net(&[9, 50, 50, 1])), "9 inputs: the MILP");
        let large = net(&[5, 25, 25, 1]);
        let (method, why) = choose_method(&large, large.input_box().unwrap(), &[]);
        assert_eq!(method, SolveMethod::Branch);
        assert!(
            why.contains("both cores") && !why.contains("raced"),
            "{why}"
        );
        let small = net(&[5, 8, 8, 1]);
        let (method, why) = choose_method(&small, small.input_box().unwrap(), &[]);
        assert_eq!(method, SolveMethod::Branch);
        assert!(why.contains("raced"), "{why}");
        let six = net(&[6, 25, 25, 1]);
        let (method, why) = choose_method(&six, six.input_box().unwrap(), &[]);
        assert_eq!(method, SolveMethod::Branch);
        assert!(why.contains("raced"), "{why}");
        assert_eq!(likelier_race_winner(&six), SolveMethod::Milp);
        assert_eq!(
            likelier_race_winner(&net(&[6, 50, 50, 1])),
            SolveMethod::Branch
        );
        assert_eq!(likelier_race_winner(&small), SolveMethod::Branch);
        let nine = net(&[9, 50, 50, 1]);
        assert_eq!(
            choose_method(&nine, nine.input_box().unwrap(), &[]).0,
            SolveMethod::Milp
        );
    }
}
