//! Small numeric helpers shared by every layer: the median, and the one way numbers are
//! written for people (CLI tables and the app alike).

/// The median of sorted values (the mean of the two middle ones for an even count); `None`
/// when empty.
pub fn median_of_sorted(values: &[f64]) -> Option<f64> {
    let n = values.len();
    (n > 0).then(|| 0.5 * (values[(n - 1) / 2] + values[n / 2]))
}

/// The median of `values` (sorted in place, `NaN` last); see [`median_of_sorted`].
pub fn median(values: &mut [f64]) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    median_of_sorted(values)
}

/// A number in a compact human form: 4 significant digits, whole numbers below 10⁶ without
/// decimals, scientific (`1.500e7`, `2.500e-4`) below 10⁻³ and from 10⁶ on.
pub fn format_number(v: f64) -> String {
    if v == 0.0 {
        "0".into()
    } else if v.fract() == 0.0 && v.abs() < 1e6 {
        format!("{v:.0}")
    } else if !(1e-3..1e6).contains(&v.abs()) {
        format!("{v:.3e}")
    } else {
        let digits = (3 - v.abs().log10().floor() as i32).max(0) as usize;
        format!("{v:.digits$}")
    }
}

/// [`format_number`], or `-` when there is no number.
pub fn format_optional(v: Option<f64>) -> String {
    v.map_or_else(|| "-".into(), format_number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_four_significant_digits() {
        assert_eq!(format_number(2.866831), "2.867");
        assert_eq!(format_number(-6.7916), "-6.792");
        assert_eq!(format_number(123.456), "123.5");
        assert_eq!(format_number(0.0021), "0.002100");
        assert_eq!(format_number(123456.0), "123456");
        assert_eq!(format_number(1.5e7), "1.500e7");
        assert_eq!(format_number(7.321e-6), "7.321e-6");
        assert_eq!(format_number(f64::NAN), "NaN");
        assert_eq!(format_optional(None), "-");
    }

    #[test]
    fn median_takes_the_middle_or_the_mean_of_the_two_middle_values() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [3.0]), Some(3.0));
        assert_eq!(median(&mut [10.0, 1.0, 3.0]), Some(3.0));
        assert_eq!(median(&mut [10.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median_of_sorted(&[1.0, 2.0, 3.0, 10.0]), Some(2.5));
    }
}
