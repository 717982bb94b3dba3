//! The colour scheme shared by every figure: one colour per bound method in the fixed order
//! ia → symbolic → lp → milp, a dashed line for a rescaled variant, and a categorical
//! palette for everything else (functions, variants, runs).

/// An sRGB colour.
pub type Rgb = (u8, u8, u8);

/// The colour of bound method `key` (`ia`, `symbolic`, `lp`, `milp`); other keys get a
/// categorical colour from their position in [`categorical`] by a stable hash.
pub fn method_colour(key: &str) -> Rgb {
    match key {
        "ia" => (214, 96, 77),
        "symbolic" => (230, 159, 0),
        "lp" => (0, 114, 178),
        "milp" => (0, 158, 115),
        other => categorical(other.bytes().map(usize::from).sum()),
    }
}

/// Whether a series of rescaling `key` is drawn dashed (every rescaling but `none`).
pub fn rescaled_dashed(key: &str) -> bool {
    key != "none"
}

/// The `index`-th colour of a palette distinguishable with colour-vision deficiencies
/// (Okabe–Ito, without yellow, which vanishes on white), repeating after eight.
pub fn categorical(index: usize) -> Rgb {
    const COLOURS: [Rgb; 8] = [
        (0, 114, 178),
        (213, 94, 0),
        (0, 158, 115),
        (204, 121, 167),
        (86, 180, 233),
        (230, 159, 0),
        (90, 90, 90),
        (160, 60, 60),
    ];
    COLOURS[index % COLOURS.len()]
}

/// A sequential colour for `t ∈ [0, 1]` (dark blue → teal → yellow, like viridis), for
/// heat maps and colour bars; values outside are clamped, NaN is grey.
pub fn sequential(t: f64) -> Rgb {
    if t.is_nan() {
        return (160, 160, 160);
    }
    const STOPS: [Rgb; 5] = [
        (68, 1, 84),
        (59, 82, 139),
        (33, 145, 140),
        (94, 201, 98),
        (253, 231, 37),
    ];
    let t = t.clamp(0.0, 1.0) * (STOPS.len() - 1) as f64;
    let i = (t.floor() as usize).min(STOPS.len() - 2);
    let f = t - i as f64;
    let mix = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * f).round() as u8;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    (mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_have_distinct_colours_and_sequential_ends_match_its_stops() {
        let colours: Vec<Rgb> = ["ia", "symbolic", "lp", "milp"]
            .iter()
            .map(|k| method_colour(k))
            .collect();
        for (i, a) in colours.iter().enumerate() {
            for b in &colours[i + 1..] {
                assert_ne!(a, b);
            }
        }
        assert_eq!(sequential(0.0), (68, 1, 84));
        assert_eq!(sequential(1.0), (253, 231, 37));
        assert_eq!(sequential(7.0), sequential(1.0));
        assert_eq!(sequential(f64::NAN), (160, 160, 160));
        assert!(rescaled_dashed("balanced") && !rescaled_dashed("none"));
    }
}
