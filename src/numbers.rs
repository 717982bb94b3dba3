//! Small numeric helpers shared by every layer: the median, a dot product, and the one way
//! numbers are written for people (CLI tables and the app alike).

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

/// `Σᵢ aᵢbᵢ` over the shorter of `a`, `b`, in four running sums. A single running sum makes
/// every addition wait for the previous one; branching's box bounds (forward passes through
/// 25-wide layers) spent most of their forward time in that wait.
#[inline]
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut sums = [0.0_f64; 4];
    let (a4, b4) = (a.chunks_exact(4), b.chunks_exact(4));
    let (ra, rb) = (a4.remainder(), b4.remainder());
    for (x, y) in a4.zip(b4) {
        for k in 0..4 {
            sums[k] += x[k] * y[k];
        }
    }
    let tail: f64 = ra.iter().zip(rb).map(|(x, y)| x * y).sum();
    (sums[0] + sums[1]) + (sums[2] + sums[3]) + tail
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
    fn dot_sums_every_product_whatever_the_length() {
        for n in 0..11 {
            let a: Vec<f64> = (0..n).map(|i| i as f64 + 1.0).collect();
            let b: Vec<f64> = (0..n)
                .map(|i| if i % 2 == 0 { 2.0 } else { -1.0 })
                .collect();
            let plain: f64 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
            assert_eq!(dot(&a, &b), plain, "length {n}");
        }
        assert_eq!(dot(&[1.0, 2.0, 3.0], &[1.0]), 1.0);
        assert!(dot(&[f64::NAN, 0.0, 0.0, 0.0, 0.0], &[1.0; 5]).is_nan());
    }

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
