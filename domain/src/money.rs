//! Money as people read it: amounts are kept in cents everywhere and shown in dollars.

/// Formats cents as dollars for people ("$1,250.50").
pub fn dollars(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    let whole = (cents / 100).to_string();
    let mut grouped = String::new();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    format!("{sign}${grouped}.{:02}", cents % 100)
}

#[cfg(test)]
mod tests {
    use super::dollars;

    #[test]
    fn dollars_are_grouped_by_thousands() {
        assert_eq!(dollars(0), "$0.00");
        assert_eq!(dollars(125_050), "$1,250.50");
        assert_eq!(dollars(123_456_789), "$1,234,567.89");
        assert_eq!(dollars(-5), "-$0.05");
    }
}
