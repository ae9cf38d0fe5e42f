//! Event timestamps: RFC 3339 UTC with exactly millisecond precision.
//!
//! One fixed spelling ("YYYY-MM-DDTHH:MM:SS.sssZ") keeps hashes independent of how a
//! producer's clock library prints time.

/// True if `s` is exactly "YYYY-MM-DDTHH:MM:SS.sssZ" and names a real UTC instant.
pub fn is_valid_timestamp(s: &str) -> bool {
    timestamp_millis(s).is_some()
}

/// Milliseconds since 1970-01-01T00:00:00.000Z of a valid timestamp, or None.
pub fn timestamp_millis(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 24 {
        return None;
    }
    let separators = [
        (4, b'-'),
        (7, b'-'),
        (10, b'T'),
        (13, b':'),
        (16, b':'),
        (19, b'.'),
        (23, b'Z'),
    ];
    if separators.iter().any(|&(i, c)| b[i] != c) {
        return None;
    }
    let year = digits(&b[0..4])?;
    let month = digits(&b[5..7])?;
    let day = digits(&b[8..10])?;
    let hour = digits(&b[11..13])?;
    let minute = digits(&b[14..16])?;
    let second = digits(&b[17..19])?;
    let millis = digits(&b[20..23])?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    // No leap seconds: the log orders events, it does not keep astronomical time.
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + millis)
}

/// True if `s` is a calendar date "YYYY-MM-DD" between 1980-01-01 and 2100-12-31.
pub fn is_valid_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    match (digits(&b[0..4]), digits(&b[5..7]), digits(&b[8..10])) {
        (Some(y), Some(m), Some(d)) => {
            (1980..=2100).contains(&y)
                && (1..=12).contains(&m)
                && d >= 1
                && d <= days_in_month(y, m)
        }
        _ => false,
    }
}

/// Parses ASCII decimal digits only (no sign, no spaces).
fn digits(b: &[u8]) -> Option<i64> {
    b.iter().try_fold(0i64, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
    })
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The UTC day ("YYYY-MM-DD") `days` days after the day of a valid timestamp, or None.
pub fn day_after(timestamp: &str, days: u32) -> Option<String> {
    let day = timestamp_millis(timestamp)?.div_euclid(86_400_000) + i64::from(days);
    Some(civil_day(day))
}

/// The UTC day ("YYYY-MM-DD") of an instant in milliseconds since 1970-01-01.
pub fn day_of_millis(millis: i64) -> String {
    civil_day(millis.div_euclid(86_400_000))
}

fn civil_day(days: i64) -> String {
    let (year, month, day) = civil_from_days(days);
    format!("{year:04}-{month:02}-{day:02}")
}

/// The proleptic Gregorian date of a count of days since 1970-01-01 (the inverse of
/// `days_from_civil`, Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn days_after_cross_months_years_and_leap_days() {
        let at = "2024-02-28T23:59:59.999Z";
        assert_eq!(day_after(at, 0).as_deref(), Some("2024-02-28"));
        assert_eq!(day_after(at, 1).as_deref(), Some("2024-02-29"));
        assert_eq!(day_after(at, 2).as_deref(), Some("2024-03-01"));
        assert_eq!(
            day_after("2026-12-20T08:00:00.000Z", 21).as_deref(),
            Some("2027-01-10")
        );
        assert_eq!(day_after("not a time", 1), None);
        assert_eq!(day_of_millis(1_717_243_200_000), "2024-06-01");
    }

    proptest! {
        #[test]
        fn civil_days_round_trip(days in -1_000_000i64..1_000_000) {
            let (year, month, day) = civil_from_days(days);
            prop_assert!((1..=12).contains(&month));
            prop_assert!(day >= 1 && day <= days_in_month(year, month));
            prop_assert_eq!(days_from_civil(year, month, day), days);
        }
    }

    #[test]
    fn accepts_only_the_exact_millisecond_form() {
        assert!(is_valid_timestamp("2024-02-29T23:59:59.999Z"));
        assert!(!is_valid_timestamp("2023-02-29T00:00:00.000Z"));
        assert!(!is_valid_timestamp("2024-01-01T00:00:00Z"));
        assert!(!is_valid_timestamp("2024-01-01T00:00:00.000+00:00"));
        assert!(!is_valid_timestamp("2024-01-01 00:00:00.000Z"));
        assert!(!is_valid_timestamp("2024-13-01T00:00:00.000Z"));
        assert!(!is_valid_timestamp("2024-01-01T24:00:00.000Z"));
        assert!(!is_valid_timestamp("2024-01-01T00:00:60.000Z"));
        assert!(!is_valid_timestamp("+024-01-01T00:00:00.000Z"));
        assert!(!is_valid_timestamp("2024-01-01T00:00:00.00ZZ"));
    }

    #[test]
    fn millis_match_unix_time() {
        assert_eq!(timestamp_millis("1970-01-01T00:00:00.000Z"), Some(0));
        assert_eq!(
            timestamp_millis("2000-03-01T00:00:00.001Z"),
            Some(951_868_800_001)
        );
        assert_eq!(
            timestamp_millis("2024-06-01T12:00:00.000Z"),
            Some(1_717_243_200_000)
        );
    }

    #[test]
    fn dates_are_checked_for_range_and_calendar() {
        assert!(is_valid_date("2023-07-15"));
        assert!(!is_valid_date("1979-12-31"));
        assert!(!is_valid_date("2023-02-30"));
        assert!(!is_valid_date("2023-7-15"));
    }
}
