//! The study's findings stated as checks on the data of a study directory: each claim holds,
//! holds mostly, fails, or cannot be tested on this grid, with the counts behind the verdict.

use super::cell::CellResult;
use serde::Serialize;

/// How a claim fares on the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// True in every comparison (for a trend: the expected sign, |ρ| ≥ 0.3).
    Holds,
    /// True in most comparisons, not all (for a trend: the expected sign, |ρ| < 0.3).
    Mostly,
    /// False in half the comparisons or more (for a trend: the other sign).
    Fails,
    /// The grid has nothing to compare (e.g. no LP-OBBT, no L1 variant).
    NotTested,
}

impl Verdict {
    /// A word for tables.
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Holds => "holds",
            Verdict::Mostly => "mostly",
            Verdict::Fails => "fails",
            Verdict::NotTested => "not tested",
        }
    }

    fn of_counts(true_count: usize, total: usize) -> Self {
        if total == 0 {
            Verdict::NotTested
        } else if true_count == total {
            Verdict::Holds
        } else if 2 * true_count > total {
            Verdict::Mostly
        } else {
            Verdict::Fails
        }
    }
}

/// One claim and its verdict on the data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// The claim.
    pub claim: String,
    /// How it fares.
    pub verdict: Verdict,
    /// The counts or the correlation behind the verdict.
    pub evidence: String,
}

fn counted(claim: &str, true_count: usize, total: usize, unit: &str) -> Finding {
    Finding {
        claim: claim.into(),
        verdict: Verdict::of_counts(true_count, total),
        evidence: format!("true in {true_count} of {total} {unit}"),
    }
}

/// Spearman's rank correlation of paired values (ties get their mean rank); `None` for fewer
/// than four pairs or a constant series.
pub(super) fn spearman(pairs: &[(f64, f64)]) -> Option<f64> {
    if pairs.len() < 4 {
        return None;
    }
    let ranks = |values: Vec<f64>| -> Vec<f64> {
        let mut order: Vec<usize> = (0..values.len()).collect();
        order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
        let mut ranks = vec![0.0; values.len()];
        let mut i = 0;
        while i < order.len() {
            let mut j = i;
            while j + 1 < order.len() && values[order[j + 1]] == values[order[i]] {
                j += 1;
            }
            let mean = (i + j) as f64 / 2.0;
            for &k in &order[i..=j] {
                ranks[k] = mean;
            }
            i = j + 1;
        }
        ranks
    };
    let a = ranks(pairs.iter().map(|p| p.0).collect());
    let b = ranks(pairs.iter().map(|p| p.1).collect());
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let cov: f64 = a.iter().zip(&b).map(|(x, y)| (x - ma) * (y - mb)).sum();
    let va: f64 = a.iter().map(|x| (x - ma).powi(2)).sum();
    let vb: f64 = b.iter().map(|y| (y - mb).powi(2)).sum();
    (va > 0.0 && vb > 0.0).then(|| cov / (va * vb).sqrt())
}

fn trend(claim: &str, pairs: &[(f64, f64)], expect_positive: bool, what: &str) -> Finding {
    let Some(rho) = spearman(pairs) else {
        return Finding {
            claim: claim.into(),
            verdict: Verdict::NotTested,
            evidence: format!("{} {what}: too few to correlate", pairs.len()),
        };
    };
    let signed = if expect_positive { rho } else { -rho };
    let verdict = if signed >= 0.3 {
        Verdict::Holds
    } else if signed > 0.0 {
        Verdict::Mostly
    } else {
        Verdict::Fails
    };
    Finding {
        claim: claim.into(),
        verdict,
        evidence: format!("Spearman ρ = {rho:.2} over {} {what}", pairs.len()),
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * (1.0 + a.abs().max(b.abs()))
}

/// The checks, in a fixed order, on the finished cells of a study.
pub fn findings(cells: &[CellResult]) -> Vec<Finding> {
    let ok: Vec<&CellResult> = cells.iter().filter(|c| c.error.is_none()).collect();
    let baseline_bounds = ok
        .iter()
        .find_map(|c| c.treatments.first().map(|t| t.bounds.clone()))
        .unwrap_or_default();
    let mut out = Vec::new();

    // 1. Every optimum is checked and every path agrees.
    let (mut checked, mut total) = (0, 0);
    for c in &ok {
        let solves: Vec<_> = c
            .treatments
            .iter()
            .filter_map(|t| t.milp.as_ref())
            .chain(&c.solves)
            .filter(|s| s.status == "optimal")
            .collect();
        let reference = solves.iter().find_map(|s| s.objective);
        for s in &solves {
            total += 1;
            let agrees = matches!((s.objective, reference), (Some(a), Some(b)) if close(a, b));
            if s.forward_ok && agrees {
                checked += 1;
            }
        }
    }
    let unreliable = ok
        .iter()
        .flat_map(|c| {
            c.treatments
                .iter()
                .filter_map(|t| t.milp.as_ref())
                .chain(&c.solves)
        })
        .filter(|s| s.status == crate::milp::UNRELIABLE)
        .count();
    let mut f = counted(
        "Every optimum passes its forward check and all solve paths agree",
        checked,
        total,
        "optimal solves",
    );
    if unreliable > 0 {
        // A result the checks refuted is reported as such, not as an optimum: say so here.
        f.evidence += &format!("; {unreliable} solve(s) numerically unreliable (not optimal)");
        if f.verdict == Verdict::Holds {
            f.verdict = Verdict::Mostly;
        }
    }
    out.push(f);

    // 2. Interval big-M grows with depth.
    let (mut grows, mut deep) = (0, 0);
    for c in &ok {
        if let Some(t) = c.treatment("ia", "none")
            && t.layers.len() >= 2
            && let (Some(first), Some(last)) = (
                t.layers.first().and_then(|l| l.max_big_m),
                t.layers.last().and_then(|l| l.max_big_m),
            )
        {
            deep += 1;
            if last > first {
                grows += 1;
            }
        }
    }
    out.push(counted(
        "Interval arithmetic's largest big-M grows from the first to the last hidden layer",
        grows,
        deep,
        "networks",
    ));

    // 3. LP-OBBT lowers the max big-M in every hidden layer ≥ 2.
    let (mut lower, mut layers, mut looser) = (0, 0, 0);
    let complete = |c: &'_ CellResult, b: &str| {
        c.treatment(b, "none")
            .filter(|t| t.bounds_stopped.is_none())
            .cloned()
    };
    let cut_short = ok
        .iter()
        .filter(|c| {
            ["ia", "lp"].iter().any(|b| {
                c.treatment(b, "none")
                    .is_some_and(|t| t.bounds_stopped.is_some())
            })
        })
        .count();
    let left_out = if cut_short > 0 {
        format!("; {cut_short} network(s) left out: bounds cut short by the time limit")
    } else {
        String::new()
    };
    for c in &ok {
        if let (Some(ia), Some(lp)) = (complete(c, "ia"), complete(c, "lp")) {
            for (a, b) in ia.layers.iter().zip(&lp.layers).skip(1) {
                if let Some(ma) = a.max_big_m {
                    layers += 1;
                    match b.max_big_m {
                        None => lower += 1,
                        Some(mb) if mb < ma * (1.0 - 1e-9) => lower += 1,
                        Some(mb) if mb > ma * (1.0 + 1e-9) => looser += 1,
                        Some(_) => {}
                    }
                }
            }
        }
    }
    let mut f = counted(
        "LP-OBBT lowers the largest big-M in every hidden layer from the second on",
        lower,
        layers,
        "layers",
    );
    if looser > 0 {
        f.verdict = Verdict::Fails;
        f.evidence += &format!("; LOOSER than interval arithmetic in {looser}");
    }
    f.evidence += &left_out;
    out.push(f);

    // 4. LP-OBBT never lowers the stable share, and raises it somewhere (ties are no
    // evidence either way).
    let pairs: Vec<(f64, f64)> = ok
        .iter()
        .filter_map(|c| {
            Some((
                complete(c, "ia")?.stable_percent,
                complete(c, "lp")?.stable_percent,
            ))
        })
        .collect();
    let raised = pairs.iter().filter(|(a, b)| b > a).count();
    let lowered = pairs.iter().filter(|(a, b)| b < a).count();
    out.push(Finding {
        claim: "LP-OBBT never lowers the share of stable neurons and raises it somewhere".into(),
        verdict: if pairs.is_empty() {
            Verdict::NotTested
        } else if lowered > 0 || raised == 0 {
            Verdict::Fails
        } else {
            Verdict::Holds
        },
        evidence: format!(
            "raised in {raised}, equal in {}, lowered in {lowered} of {} networks{left_out}",
            pairs.len() - raised - lowered,
            pairs.len()
        ),
    });

    // 5. L1 raises the stable share (against plain, same function, layout and seed).
    let (mut raised, mut compared) = (0, 0);
    for c in ok
        .iter()
        .filter(|c| c.cell.variant().starts_with("l1=") && !c.cell.variant().contains('+'))
    {
        let plain = ok.iter().find(|p| {
            p.cell.variant() == "plain"
                && p.function() == c.function()
                && p.layout() == c.layout()
                && seed_of(p) == seed_of(c)
        });
        if let (Some(p), Some(t)) = (plain, c.treatment(&baseline_bounds, "none"))
            && let Some(tp) = p.treatment(&baseline_bounds, "none")
        {
            compared += 1;
            if t.stable_percent > tp.stable_percent {
                raised += 1;
            }
        }
    }
    out.push(counted(
        &format!("L1 regularisation raises the share of stable neurons ({baseline_bounds} bounds)"),
        raised,
        compared,
        "L1 networks against plain",
    ));

    // 6., 7. Trends of the MILP time.
    let milp_points = |x: &dyn Fn(&CellResult, &super::Treatment) -> Option<f64>| {
        ok.iter()
            .flat_map(|c| {
                c.treatments
                    .iter()
                    .filter(|t| t.rescaling == "none")
                    .filter_map(move |t| {
                        let m = t.milp.as_ref().filter(|m| m.status == "optimal")?;
                        Some((x(c, t)?, m.time_s))
                    })
            })
            .collect::<Vec<_>>()
    };
    out.push(trend(
        "More stable neurons, a faster MILP",
        &milp_points(&|_, t| Some(t.stable_percent)),
        false,
        "optimal MILPs",
    ));
    out.push(trend(
        "More linear regions, a slower MILP",
        &milp_points(&|c, _| c.regions.as_ref().map(|r| r.count as f64)),
        true,
        "optimal MILPs",
    ));

    // 8. LP-OBBT pays for itself: its bounds + MILP time against interval bounds + MILP.
    let total = |t: &super::Treatment| Some(t.bounds_time_s + t.milp.as_ref()?.time_s);
    let savings: Vec<f64> = ok
        .iter()
        .filter_map(|c| {
            Some(total(c.treatment("ia", "none")?)? - total(c.treatment("lp", "none")?)?)
        })
        .collect();
    out.push(counted(
        "LP-OBBT pays for itself (its time < the MILP time it saves against interval bounds)",
        savings.iter().filter(|&&s| s > 0.0).count(),
        savings.len(),
        "networks",
    ));

    // 9., 10. Rescaling keeps the optimum, and speeds up the MILP.
    let (mut same, mut rescaled, mut faster) = (0, 0, 0);
    for c in &ok {
        for t in c.treatments.iter().filter(|t| t.rescaling != "none") {
            let plain = c.treatment(&t.bounds, "none").and_then(|u| u.milp.as_ref());
            if let (Some(m), Some(u)) = (t.milp.as_ref(), plain)
                && m.status == "optimal"
                && u.status == "optimal"
                && let (Some(a), Some(b)) = (m.objective, u.objective)
            {
                rescaled += 1;
                if close(a, b) {
                    same += 1;
                }
                if m.time_s + t.scaling_time_s < u.time_s {
                    faster += 1;
                }
            }
        }
    }
    out.push(counted(
        "A rescaled network has the same optimum",
        same,
        rescaled,
        "rescaled MILPs",
    ));
    out.push(counted(
        "Rescaling makes the MILP faster (its time included)",
        faster,
        rescaled,
        "rescaled MILPs",
    ));
    out
}

fn seed_of(c: &CellResult) -> Option<u64> {
    match &c.cell.source {
        super::CellSource::Trained { seed, .. } => Some(*seed),
        super::CellSource::File { .. } => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::study::{CellSource, CellSpec, LayerFigures, SolveFigures, Treatment};

    /// A treatment with largest big-M `m` per layer, stable share `stable`, bounds taking
    /// `bounds_s` and an optimal MILP taking `milp_s` with objective −1.
    fn treatment(bounds: &str, m: &[f64], stable: f64, bounds_s: f64, milp_s: f64) -> Treatment {
        Treatment {
            bounds: bounds.into(),
            rescaling: "none".into(),
            bounds_time_s: bounds_s,
            scaling_time_s: 0.0,
            stable_percent: stable,
            binaries: 0,
            max_big_m: m.iter().copied().reduce(f64::max),
            layers: m
                .iter()
                .map(|&m| LayerFigures {
                    stable_percent: stable,
                    binaries: 0,
                    max_big_m: Some(m),
                    median_big_m: Some(m),
                })
                .collect(),
            bounds_stopped: None,
            milp: Some(SolveFigures {
                method: "milp".into(),
                status: "optimal".into(),
                objective: Some(-1.0),
                best_bound: Some(-1.0),
                gap: Some(0.0),
                nodes: 1.0,
                time_s: milp_s,
                times_s: vec![milp_s],
                x: Some(vec![0.0]),
                forward_value: Some(-1.0),
                forward_ok: true,
            }),
            net_saving_s: None,
        }
    }

    fn cell(id: &str, treatments: Vec<Treatment>) -> CellResult {
        CellResult {
            cell: CellSpec {
                id: id.into(),
                source: CellSource::File { path: id.into() },
            },
            network_file: String::new(),
            architecture: "1-2-2-1".into(),
            input_box: vec![[0.0, 1.0]],
            test_rmse: None,
            epochs: None,
            train_time_s: None,
            regions: None,
            treatments,
            solves: Vec::new(),
            error: None,
            time_s: 0.0,
        }
    }

    #[test]
    fn the_bound_findings_count_what_was_compared_by_hand() {
        let mut cut_short = treatment("lp", &[3.0, 1.0], 90.0, 0.0, 1.0);
        cut_short.bounds_stopped = Some("time limit".into());
        let cells = [
            // LP tighter in layer 2 and more stable; it pays (5 s against 0.5 + 1 s).
            cell(
                "a",
                vec![
                    treatment("ia", &[2.0, 10.0], 10.0, 0.0, 5.0),
                    treatment("lp", &[2.0, 5.0], 20.0, 0.5, 1.0),
                ],
            ),
            // LP equal; it costs 0.2 s more than it saves.
            cell(
                "b",
                vec![
                    treatment("ia", &[2.0, 8.0], 30.0, 0.0, 0.1),
                    treatment("lp", &[2.0, 8.0], 30.0, 0.2, 0.1),
                ],
            ),
            // LP bounds cut short: left out of the bound comparisons, not of the timing.
            cell(
                "c",
                vec![treatment("ia", &[3.0, 4.0], 0.0, 0.0, 2.0), cut_short],
            ),
        ];
        let f = findings(&cells);
        assert_eq!(f[0].verdict, Verdict::Holds, "{}", f[0].evidence);
        assert_eq!(f[0].evidence, "true in 6 of 6 optimal solves");
        assert_eq!(f[1].evidence, "true in 3 of 3 networks");
        assert_eq!(f[2].verdict, Verdict::Fails);
        assert_eq!(
            f[2].evidence,
            "true in 1 of 2 layers; 1 network(s) left out: bounds cut short by the time limit"
        );
        assert_eq!(f[3].verdict, Verdict::Holds);
        assert!(
            f[3].evidence
                .starts_with("raised in 1, equal in 1, lowered in 0 of 2 networks")
        );
        assert_eq!(
            (f[7].verdict, f[7].evidence.as_str()),
            (Verdict::Mostly, "true in 2 of 3 networks")
        );
    }

    #[test]
    fn spearman_matches_hand_computed_values() {
        let up: Vec<(f64, f64)> = (0..6).map(|i| (i as f64, (i * i) as f64)).collect();
        assert!((spearman(&up).unwrap() - 1.0).abs() < 1e-12);
        let down: Vec<(f64, f64)> = (0..6).map(|i| (i as f64, -(i as f64).exp())).collect();
        assert!((spearman(&down).unwrap() + 1.0).abs() < 1e-12);
        // Ranks x: 1..5, y: 2,1,4,3,5 → d² = 1+1+1+1+0 = 4, ρ = 1 − 6·4/(5·24) = 0.8.
        let pairs = [(1.0, 2.0), (2.0, 1.0), (3.0, 4.0), (4.0, 3.0), (5.0, 5.0)];
        assert!((spearman(&pairs).unwrap() - 0.8).abs() < 1e-12);
        assert_eq!(spearman(&pairs[..3]), None);
        assert_eq!(spearman(&[(1.0, 1.0); 5]), None);
        assert_eq!(Verdict::of_counts(3, 3), Verdict::Holds);
        assert_eq!(Verdict::of_counts(2, 3), Verdict::Mostly);
        assert_eq!(Verdict::of_counts(1, 2), Verdict::Fails);
        assert_eq!(Verdict::of_counts(0, 0), Verdict::NotTested);
    }
}
