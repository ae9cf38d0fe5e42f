//! The `as_of` parameter of `GET /api/cattle/{id}`: a sequence number, a date, or a time.

use chrono::{DateTime, NaiveDate};
use domain::HistoryPoint;

/// Reads `as_of`: a whole number is a sequence (after that event; 0 is before the first),
/// a date (`2026-11-30`) means the end of that day in UTC, and an RFC 3339 time
/// (`2026-11-30T08:00:00Z`, `2026-11-30T18:00:00+10:00`) that moment.
pub fn parse_as_of(raw: &str) -> Result<HistoryPoint, String> {
    let raw = raw.trim();
    if !raw.is_empty() && raw.bytes().all(|b| b.is_ascii_digit()) {
        return raw
            .parse::<u64>()
            .map(HistoryPoint::Sequence)
            .map_err(|_| format!("as_of {raw:?} is too large for a sequence number"));
    }
    if let Ok(moment) = DateTime::parse_from_rfc3339(raw) {
        return Ok(HistoryPoint::Millis(moment.timestamp_millis()));
    }
    if let Ok(day) = NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        let end = day
            .succ_opt()
            .and_then(|next| next.and_hms_opt(0, 0, 0))
            .map(|midnight| midnight.and_utc().timestamp_millis() - 1);
        if let Some(end) = end {
            return Ok(HistoryPoint::Millis(end));
        }
    }
    Err(format!(
        "as_of {raw:?} is neither a sequence number (e.g. 12) nor a date or time \
         (e.g. 2026-11-30 or 2026-11-30T08:00:00Z)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_number_is_a_sequence_and_a_date_is_the_end_of_that_day() {
        assert_eq!(parse_as_of("0"), Ok(HistoryPoint::Sequence(0)));
        assert_eq!(parse_as_of(" 12 "), Ok(HistoryPoint::Sequence(12)));
        let day_end = DateTime::parse_from_rfc3339("2026-11-30T23:59:59.999Z")
            .map(|t| t.timestamp_millis())
            .expect("a time");
        assert_eq!(parse_as_of("2026-11-30"), Ok(HistoryPoint::Millis(day_end)));
        assert_eq!(
            parse_as_of("2026-11-30T18:00:00+10:00"),
            parse_as_of("2026-11-30T08:00:00Z")
        );
    }

    #[test]
    fn anything_else_is_named_with_examples() {
        for raw in [
            "",
            "-3",
            "yesterday",
            "30/11/2026",
            "2026-02-30",
            "99999999999999999999",
        ] {
            let error = parse_as_of(raw).expect_err(raw);
            assert!(error.starts_with("as_of"), "{error}");
        }
    }

    proptest! {
        #[test]
        fn every_sequence_reads_back(n in any::<u64>()) {
            prop_assert_eq!(parse_as_of(&n.to_string()), Ok(HistoryPoint::Sequence(n)));
        }

        #[test]
        fn every_rfc3339_time_reads_back(millis in -62_135_596_800_000i64..250_000_000_000_000) {
            let moment = DateTime::from_timestamp_millis(millis).expect("in range");
            let written = moment.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
            prop_assert_eq!(parse_as_of(&written), Ok(HistoryPoint::Millis(millis)));
        }

        #[test]
        fn any_text_is_read_or_named(raw in ".{0,40}") {
            if let Err(error) = parse_as_of(&raw) {
                prop_assert!(error.starts_with("as_of"));
            }
        }
    }
}
