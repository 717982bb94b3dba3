//! Small numeric helpers shared by every layer: the median.

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_takes_the_middle_or_the_mean_of_the_two_middle_values() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [3.0]), Some(3.0));
        assert_eq!(median(&mut [10.0, 1.0, 3.0]), Some(3.0));
        assert_eq!(median(&mut [10.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median_of_sorted(&[1.0, 2.0, 3.0, 10.0]), Some(2.5));
    }
}
