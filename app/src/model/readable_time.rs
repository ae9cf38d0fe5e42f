//! Days and instants as people read them ("2 Dec 2026", "2 Dec 2026, 23:52 UTC") instead
//! of the registry's ISO forms; the browser then says instants in its own time zone.

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `YYYY-MM-DD` (the start of anything longer) as "2 Dec 2026"; anything else as given.
pub fn readable_day(iso: &str) -> String {
    parse_day(iso).map_or_else(
        || iso.to_string(),
        |(year, month, day)| format!("{day} {} {year}", MONTHS[month - 1]),
    )
}

/// An RFC 3339 instant in UTC ("2026-12-02T23:52:50.123Z") as "2 Dec 2026, 23:52 UTC": what
/// a page says before the browser can put it in the reader's time zone. Anything else is
/// shown as given.
pub fn readable_instant(rfc3339: &str) -> String {
    let utc = rfc3339.ends_with('Z') || rfc3339.ends_with("+00:00");
    let minute = rfc3339
        .get(10..16)
        .filter(|t| t.starts_with('T') && t.as_bytes()[3] == b':');
    match (parse_day(rfc3339), minute, utc) {
        (Some(_), Some(time), true) => format!("{}, {} UTC", readable_day(rfc3339), &time[1..]),
        _ => rfc3339.to_string(),
    }
}

fn parse_day(iso: &str) -> Option<(u32, usize, u32)> {
    let day = iso.get(..10)?;
    let bytes = day.as_bytes();
    if bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let year = day[..4].parse().ok()?;
    let month: usize = day[5..7].parse().ok()?;
    let date: u32 = day[8..10].parse().ok()?;
    ((1..=12).contains(&month) && (1..=31).contains(&date)).then_some((year, month, date))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn days_and_instants_read_as_people_write_them() {
        assert_eq!(readable_day("2026-12-02"), "2 Dec 2026");
        assert_eq!(readable_day("2024-08-15T10:00:00Z"), "15 Aug 2024");
        assert_eq!(
            readable_instant("2026-12-02T23:52:50.123Z"),
            "2 Dec 2026, 23:52 UTC"
        );
        assert_eq!(
            readable_instant("2026-01-09T07:05:00+00:00"),
            "9 Jan 2026, 07:05 UTC"
        );
    }

    #[test]
    fn what_is_not_a_day_is_shown_as_given() {
        assert_eq!(readable_day("soon"), "soon");
        assert_eq!(readable_day("2026-13-02"), "2026-13-02");
        assert_eq!(
            readable_instant("2026-12-02T23:52:50+10:00"),
            "2026-12-02T23:52:50+10:00"
        );
        assert_eq!(readable_instant("2026-12-02"), "2026-12-02");
    }

    proptest! {
        #[test]
        fn any_text_reads_without_panicking(text in "\\PC{0,40}") {
            let _ = readable_day(&text);
            let _ = readable_instant(&text);
        }
    }
}
