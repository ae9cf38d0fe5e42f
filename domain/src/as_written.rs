//! What people write, in the registry's words: ids in upper case without spaces, a sex from
//! the words stock people use, a date written day first as in Australia. Herd files and the
//! forms read what is typed through these before the command's rules judge it.

use crate::{is_valid_date, Sex};

/// An NLIS id or a PIC as written (`3abc 1234`): upper case, spaces and dashes dropped.
pub fn id_as_written(written: &str) -> String {
    written
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .collect()
}

/// The sex a word names: MALE, FEMALE, M, F, or a bull, steer, cow or heifer.
pub fn sex_as_written(written: &str) -> Result<Sex, String> {
    let word = written.trim().to_lowercase();
    match word.as_str() {
        "male" | "m" | "bull" | "steer" | "mc" | "male castrate" | "bullock" => Ok(Sex::Male),
        "female" | "f" | "cow" | "heifer" | "spayed heifer" | "fs" => Ok(Sex::Female),
        "" => Err("is empty; write male or female".to_string()),
        _ => Err(format!(
            "\"{}\" is not a sex; write male or female (or M, F, bull, steer, cow, heifer)",
            written.trim()
        )),
    }
}

/// A date as `YYYY-MM-DD`, from that form, `YYYY/MM/DD` or day first: `15/08/2024`,
/// `15-08-2024`, `15.8.2024`.
pub fn date_as_written(written: &str) -> Result<String, String> {
    let written = written.trim();
    let parts: Vec<&str> = written.split(['/', '-', '.']).collect();
    let numbers: Option<Vec<u32>> = parts
        .iter()
        .map(|part| {
            (!part.is_empty() && part.len() <= 4 && part.bytes().all(|b| b.is_ascii_digit()))
                .then(|| part.parse().ok())
                .flatten()
        })
        .collect();
    let (year, month, day) = match (numbers.as_deref(), parts.first()) {
        (Some(&[y, m, d]), Some(first)) if first.len() == 4 => (y, m, d),
        (Some(&[d, m, y]), _) if parts[2].len() == 4 => (y, m, d),
        _ => {
            return Err(format!(
                "\"{written}\" is not a date; write it as 15/08/2024 (day first) or 2024-08-15"
            ))
        }
    };
    let iso = format!("{year:04}-{month:02}-{day:02}");
    if is_valid_date(&iso) {
        Ok(iso)
    } else {
        Err(format!(
            "\"{written}\" is not a day of the calendar between 1980 and 2100"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_lose_case_spaces_and_dashes() {
        assert_eq!(id_as_written(" 3abcd123 xbc12345 "), "3ABCD123XBC12345");
        assert_eq!(id_as_written("qtst-0001"), "QTST0001");
    }

    #[test]
    fn sexes_are_read_from_the_words_stock_people_use() {
        for word in ["MALE", "m", "Bull", " steer "] {
            assert_eq!(sex_as_written(word), Ok(Sex::Male), "{word}");
        }
        for word in ["female", "F", "Cow", "HEIFER"] {
            assert_eq!(sex_as_written(word), Ok(Sex::Female), "{word}");
        }
        assert!(sex_as_written("calf").is_err_and(|e| e.contains("\"calf\" is not a sex")));
        assert!(sex_as_written(" ").is_err_and(|e| e.contains("is empty")));
    }

    #[test]
    fn dates_are_read_day_first_or_year_first() {
        assert_eq!(date_as_written("15/08/2024").as_deref(), Ok("2024-08-15"));
        assert_eq!(date_as_written("5/8/2024").as_deref(), Ok("2024-08-05"));
        assert_eq!(date_as_written("15-08-2024").as_deref(), Ok("2024-08-15"));
        assert_eq!(date_as_written("15.08.2024").as_deref(), Ok("2024-08-15"));
        assert_eq!(date_as_written("2024-08-15").as_deref(), Ok("2024-08-15"));
        assert_eq!(date_as_written("2024/8/15").as_deref(), Ok("2024-08-15"));
    }

    proptest::proptest! {
        #[test]
        fn any_text_is_read_or_refused_without_panicking(written in "\\PC{0,40}") {
            let _ = date_as_written(&written);
            let _ = sex_as_written(&written);
            let id = id_as_written(&written);
            proptest::prop_assert!(!id.contains(char::is_whitespace));
        }

        #[test]
        fn any_day_written_day_first_is_that_day(
            year in 1980u32..=2100, month in 1u32..=12, day in 1u32..=28, sep in "[/.-]"
        ) {
            let written = format!("{day}{sep}{month}{sep}{year}");
            proptest::prop_assert_eq!(
                date_as_written(&written),
                Ok(format!("{year:04}-{month:02}-{day:02}"))
            );
        }
    }

    #[test]
    fn impossible_and_ambiguous_dates_are_refused_by_what_they_say() {
        assert!(
            date_as_written("31/02/2024").is_err_and(|e| e.contains("not a day of the calendar"))
        );
        assert!(date_as_written("15/08/24").is_err_and(|e| e.contains("is not a date")));
        assert!(date_as_written("Aug 15 2024").is_err_and(|e| e.contains("is not a date")));
        assert!(date_as_written("15/08/1890").is_err_and(|e| e.contains("between 1980 and 2100")));
    }
}
