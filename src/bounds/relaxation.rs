//! Linear relaxations of one activation over an interval, for symbolic bounds.
//!
//! For `σ` on `[l, u]` we want lines `λₗa + μₗ ≤ σ(a) ≤ λᵤa + μᵤ` for all `a ∈ [l, u]`.
//! `σ` is piecewise linear, so a line is valid iff it is valid at the kinks inside `[l, u]`
//! and at `l`, `u`. Candidates are the lines through two of those vertices and the
//! horizontal lines through the extreme values; among the valid ones we keep the one with
//! the least area between line and `σ` (for an unstable ReLU this is DeepPoly's choice:
//! the chord `u(a − l)/(u − l)` above, and `a` or `0` below, whichever is closer).

use crate::network::Activation;

/// A line `slope · a + intercept`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Line {
    /// `λ`.
    pub slope: f64,
    /// `μ`.
    pub intercept: f64,
}

impl Line {
    /// Value at `a`.
    pub fn at(self, a: f64) -> f64 {
        self.slope * a + self.intercept
    }
}

/// Lower and upper linear bounds of `σ(a)` for `a ∈ [l, u]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Relaxation {
    /// `σ(a) ≥ lower(a)`.
    pub lower: Line,
    /// `σ(a) ≤ upper(a)`.
    pub upper: Line,
}

/// The kinks of `σ`, in increasing order.
fn kinks(activation: Activation) -> impl Iterator<Item = f64> {
    let (zero, cap) = match activation {
        Activation::Relu => (Some(0.0), None),
        Activation::ClippedRelu { cap } => (Some(0.0), Some(cap)),
        Activation::Linear => (None, None),
    };
    zero.into_iter().chain(cap)
}

/// The vertices `(a, σ(a))` of `σ` on `[l, u]`: the ends and the kinks inside.
fn vertices(activation: Activation, l: f64, u: f64) -> Vec<(f64, f64)> {
    let mut xs = vec![l];
    xs.extend(kinks(activation).filter(|&k| k > l && k < u));
    xs.push(u);
    xs.into_iter().map(|a| (a, activation.apply(a))).collect()
}

/// Area between `σ` and `line` over the piecewise-linear vertices (signed: σ − line).
fn area(vertices: &[(f64, f64)], line: Line) -> f64 {
    vertices
        .windows(2)
        .map(|w| {
            let ((a0, s0), (a1, s1)) = (w[0], w[1]);
            0.5 * (a1 - a0) * ((s0 - line.at(a0)) + (s1 - line.at(a1)))
        })
        .sum()
}

/// A family of valid relaxation lines of `σ` on `[l, u]`: the lines through the kink
/// `(pivot, σ(pivot))` with a slope in `[min_slope, max_slope]`, `σ(p) + s·(a − p)`.
///
/// An unstable ReLU (`l < 0 < u`) has the lower family through `(0, 0)` with slopes `[0, 1]`
/// (every line `s·a` lies below `max(a, 0)`); the triangle relaxation is its envelope, so a
/// slope chosen per box and objective can reach the LP bound that a fixed line misses.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LineFamily {
    /// The kink `p` every line passes through.
    pub pivot: f64,
    /// `σ(p)`.
    pub value: f64,
    /// The least valid slope.
    pub min_slope: f64,
    /// The greatest valid slope.
    pub max_slope: f64,
}

impl LineFamily {
    /// The member with slope `s` (clamped into the family's range).
    pub fn line(self, s: f64) -> Line {
        let slope = s.clamp(self.min_slope, self.max_slope);
        Line {
            slope,
            intercept: self.value - slope * self.pivot,
        }
    }
}

/// The lower and upper [`LineFamily`] of `σ` on `[l, u]`, where one exists: for a kink of a
/// ReLU or clipped ReLU inside `(l, u)` on the side where `σ` is convex (lower, at `0`) or
/// concave (upper, at the cap). `None` where `σ` is linear on `[l, u]` (its chord is exact).
///
/// With `c` the cap of a clipped ReLU: below, through `(0, 0)` with slopes `[0, min(1, c/u)]`;
/// above, through `(c, c)` with slopes `[0, min(1, c/(c − l))]`.
pub fn line_families(
    activation: Activation,
    l: f64,
    u: f64,
) -> (Option<LineFamily>, Option<LineFamily>) {
    if !(l.is_finite() && u.is_finite()) || u <= l {
        return (None, None);
    }
    let (lower_kink, cap) = match activation {
        Activation::Relu => (true, None),
        Activation::ClippedRelu { cap } => (true, Some(cap)),
        Activation::Linear => (false, None),
    };
    let lower = (lower_kink && l < 0.0 && u > 0.0).then(|| LineFamily {
        pivot: 0.0,
        value: 0.0,
        min_slope: 0.0,
        max_slope: cap.map_or(1.0, |c| (c / u).min(1.0)),
    });
    let upper = cap.filter(|&c| l < c && u > c).map(|c| LineFamily {
        pivot: c,
        value: c,
        min_slope: 0.0,
        max_slope: if l < 0.0 { c / (c - l) } else { 1.0 },
    });
    (lower, upper)
}

/// The tightest single-line relaxation of `σ` on `[l, u]` (see the module docs).
pub fn relaxation(activation: Activation, l: f64, u: f64) -> Relaxation {
    // A NaN end (`0 · ∞` in overflowed bounds) is no bound at all on that side.
    let l = if l.is_nan() { f64::NEG_INFINITY } else { l };
    let u = if u.is_nan() { f64::INFINITY } else { u };
    if !(l.is_finite() && u.is_finite()) {
        // Overflowed bounds: σ is non-decreasing, so the horizontal lines at σ(l) and σ(u)
        // are valid (if useless); no slope or area is computable.
        let horizontal = |v: f64| Line {
            slope: 0.0,
            intercept: v,
        };
        return Relaxation {
            lower: horizontal(activation.apply(l).min(activation.apply(u))),
            upper: horizontal(activation.apply(u).max(activation.apply(l))),
        };
    }
    if activation == Activation::Relu && l < 0.0 && u > 0.0 {
        // The common case without the candidate search (its result, without allocating):
        // the chord above; below, `a` when its area `l²/2` is less than `u²/2` of `0`.
        let slope = u / (u - l);
        let zero = Line {
            slope: 0.0,
            intercept: 0.0,
        };
        let identity = Line {
            slope: 1.0,
            intercept: 0.0,
        };
        return Relaxation {
            lower: if l * l < u * u { identity } else { zero },
            upper: Line {
                slope,
                intercept: -slope * l,
            },
        };
    }
    if u <= l || !kinks(activation).any(|k| k > l && k < u) {
        // σ is linear on [l, u] (or the interval is a point): the chord is exact. Every
        // stable neuron comes here, so no vertex list is built (branching bounds millions).
        let (s0, s1) = (activation.apply(l), activation.apply(u));
        let slope = if u > l { (s1 - s0) / (u - l) } else { 0.0 };
        let line = Line {
            slope,
            intercept: s0 - slope * l,
        };
        return Relaxation {
            lower: line,
            upper: line,
        };
    }
    let vs = vertices(activation, l, u);
    let mut candidates = Vec::new();
    for i in 0..vs.len() {
        for j in i + 1..vs.len() {
            let ((a0, s0), (a1, s1)) = (vs[i], vs[j]);
            if a1 > a0 {
                let slope = (s1 - s0) / (a1 - a0);
                candidates.push(Line {
                    slope,
                    intercept: s0 - slope * a0,
                });
            }
        }
    }
    let (min_s, max_s) = vs
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &(_, s)| {
            (lo.min(s), hi.max(s))
        });
    candidates.push(Line {
        slope: 0.0,
        intercept: min_s,
    });
    candidates.push(Line {
        slope: 0.0,
        intercept: max_s,
    });
    let scale = 1e-12 * (1.0 + l.abs().max(u.abs()));
    // σ is non-decreasing, so the horizontal lines at its smallest and largest value on
    // [l, u] are valid bounds; they are the answer when overflow (an infinite `l` or `u`)
    // makes every candidate fail its check.
    let best = |valid: &dyn Fn(&Line) -> bool, cost: &dyn Fn(&Line) -> f64, fallback: f64| {
        candidates
            .iter()
            .filter(|c| valid(c))
            .min_by(|a, b| cost(a).total_cmp(&cost(b)))
            .copied()
            .unwrap_or(Line {
                slope: 0.0,
                intercept: fallback,
            })
    };
    let lower = best(
        &|c| vs.iter().all(|&(a, s)| c.at(a) <= s + scale),
        &|c| area(&vs, *c),
        min_s,
    );
    let upper = best(
        &|c| vs.iter().all(|&(a, s)| c.at(a) >= s - scale),
        &|c| -area(&vs, *c),
        max_s,
    );
    Relaxation { lower, upper }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_sound(act: Activation, l: f64, u: f64) {
        let r = relaxation(act, l, u);
        for k in 0..=200 {
            let a = l + (u - l) * k as f64 / 200.0;
            let s = act.apply(a);
            assert!(r.lower.at(a) <= s + 1e-9, "{act:?} [{l},{u}] lower at {a}");
            assert!(r.upper.at(a) >= s - 1e-9, "{act:?} [{l},{u}] upper at {a}");
        }
    }

    /// Every member of a family, at its least, greatest and middle slope, lies on the right
    /// side of `σ` over `[l, u]`, and it passes through the kink.
    #[test]
    fn line_families_hold_on_their_interval() {
        let cases = [
            (Activation::Relu, -1.0, 3.0),
            (Activation::Relu, -3.0, 0.1),
            (Activation::ClippedRelu { cap: 1.0 }, -0.5, 0.7),
            (Activation::ClippedRelu { cap: 1.0 }, -0.5, 2.5),
            (Activation::ClippedRelu { cap: 1.0 }, 0.2, 2.5),
            (Activation::ClippedRelu { cap: 0.6 }, -4.0, 0.9),
        ];
        for (act, l, u) in cases {
            let (lower, upper) = line_families(act, l, u);
            assert!(lower.is_some() || upper.is_some(), "{act:?} [{l}, {u}]");
            for (family, below) in [(lower, true), (upper, false)] {
                let Some(f) = family else { continue };
                assert_eq!(act.apply(f.pivot), f.value);
                for t in [0.0, 0.5, 1.0] {
                    let line = f.line(f.min_slope + t * (f.max_slope - f.min_slope));
                    for k in 0..=400 {
                        let a = l + (u - l) * k as f64 / 400.0;
                        let (s, v) = (act.apply(a), line.at(a));
                        assert!(
                            if below {
                                v <= s + 1e-12
                            } else {
                                v >= s - 1e-12
                            },
                            "{act:?} [{l}, {u}] {} slope {} at {a}",
                            if below { "lower" } else { "upper" },
                            line.slope
                        );
                    }
                }
            }
        }
        // Linear pieces have none.
        assert_eq!(line_families(Activation::Relu, 0.5, 2.0), (None, None));
        assert_eq!(line_families(Activation::Linear, -1.0, 1.0), (None, None));
        let (lower, upper) = line_families(Activation::ClippedRelu { cap: 1.0 }, 1.5, 2.0);
        assert!(lower.is_none() && upper.is_none());
    }

    /// A NaN end (from `0 · ∞` in overflowed bounds) is read as no bound on that side: the
    /// lines stay valid wherever σ is defined, never a line through a made-up end.
    #[test]
    fn a_nan_end_is_no_bound() {
        for act in [
            Activation::Relu,
            Activation::ClippedRelu { cap: 1.0 },
            Activation::Linear,
        ] {
            let r = relaxation(act, -1.0, f64::NAN);
            for a in [-1.0, 0.0, 0.5, 3.0, 1e6] {
                let s = act.apply(a);
                assert!(r.lower.at(a) <= s, "{act:?} lower at {a}");
                assert!(r.upper.at(a) >= s, "{act:?} upper at {a}");
            }
            let r = relaxation(act, f64::NAN, 2.0);
            for a in [-1e6, -1.0, 0.0, 2.0] {
                let s = act.apply(a);
                assert!(r.lower.at(a) <= s, "{act:?} lower at {a}");
                assert!(r.upper.at(a) >= s, "{act:?} upper at {a}");
            }
        }
    }

    #[test]
    fn unstable_relu_gets_the_deeppoly_relaxation() {
        let r = relaxation(Activation::Relu, -1.0, 3.0);
        assert!((r.upper.slope - 0.75).abs() < 1e-12 && (r.upper.intercept - 0.75).abs() < 1e-12);
        assert_eq!(
            r.lower.slope, 1.0,
            "u > −l: the identity is the closer lower line"
        );
        let r = relaxation(Activation::Relu, -3.0, 1.0);
        assert_eq!((r.lower.slope, r.lower.intercept), (0.0, 0.0));
    }

    #[test]
    fn stable_neurons_are_exact() {
        let r = relaxation(Activation::Relu, 0.5, 2.0);
        assert_eq!(r.lower, r.upper);
        assert_eq!((r.lower.slope, r.lower.intercept), (1.0, 0.0));
        let r = relaxation(Activation::Relu, -2.0, -0.5);
        assert_eq!((r.upper.slope, r.upper.intercept), (0.0, 0.0));
        let r = relaxation(Activation::ClippedRelu { cap: 1.0 }, 2.0, 3.0);
        assert_eq!((r.upper.slope, r.upper.intercept), (0.0, 1.0));
        // Between a clipped ReLU's kinks, ending on one, and on a point interval.
        let r = relaxation(Activation::ClippedRelu { cap: 1.0 }, 0.0, 1.0);
        assert_eq!(r.lower, r.upper);
        assert_eq!((r.lower.slope, r.lower.intercept), (1.0, 0.0));
        let r = relaxation(Activation::ClippedRelu { cap: 1.0 }, 0.25, 0.25);
        assert_eq!(r.lower, r.upper);
        assert_eq!((r.lower.slope, r.lower.intercept), (0.0, 0.25));
        let r = relaxation(Activation::Linear, -3.0, 5.0);
        assert_eq!((r.lower.slope, r.lower.intercept), (1.0, 0.0));
    }

    #[test]
    fn relaxations_are_sound_everywhere() {
        let acts = [
            Activation::Relu,
            Activation::ClippedRelu { cap: 1.0 },
            Activation::ClippedRelu { cap: 0.1 },
        ];
        let ends = [-5.0, -1.0, -0.2, 0.0, 0.05, 0.5, 1.0, 1.5, 4.0];
        for act in acts {
            for &l in &ends {
                for &u in &ends {
                    if u >= l {
                        assert_sound(act, l, u);
                    }
                }
            }
        }
    }

    #[test]
    fn overflowing_bounds_give_valid_horizontal_lines_instead_of_a_panic() {
        for act in [Activation::Relu, Activation::ClippedRelu { cap: 2.0 }] {
            for (l, u) in [
                (f64::NEG_INFINITY, f64::INFINITY),
                (-1e308, f64::INFINITY),
                (f64::NEG_INFINITY, 3.0),
            ] {
                let r = relaxation(act, l, u);
                // Valid where σ is finite: below and above σ at sampled points.
                for a in [-1e300, -5.0, 0.0, 1.0, 5.0, 1e300] {
                    if a < l || a > u {
                        continue;
                    }
                    let s = act.apply(a);
                    assert!(r.lower.at(a) <= s, "{act:?} [{l}, {u}] lower at {a}");
                    assert!(r.upper.at(a) >= s, "{act:?} [{l}, {u}] upper at {a}");
                }
            }
        }
    }
}
