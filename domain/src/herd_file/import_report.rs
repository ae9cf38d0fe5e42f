//! What became of each row of an import, and the report of it a farmer downloads.

use super::HerdFileRow;
use serde::{Deserialize, Serialize};

/// What became of one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RowOutcome {
    /// Registered now: the log has its event.
    Imported {
        /// The animal's id.
        cattle_id: i64,
        /// The registration's event.
        event_id: String,
    },
    /// The registry held this registration already (an earlier import of the row): nothing
    /// new was written.
    AlreadyRegistered {
        /// The animal's id.
        cattle_id: i64,
        /// The earlier registration's event.
        event_id: String,
    },
    /// The row was not sent: what is wrong with it.
    Invalid {
        /// Each problem, named by the file's column.
        problems: String,
    },
    /// The registry refused the row (another herd holds the tag, …).
    Refused {
        /// The registry's reason.
        reason: String,
    },
    /// The row could not be sent (the server was unreachable or failed); sending the file
    /// again sends it again.
    NotSent {
        /// What went wrong.
        reason: String,
    },
}

impl RowOutcome {
    /// The outcome of a row that was never sent because it is invalid; None for a valid row.
    pub fn of_invalid(row: &HerdFileRow) -> Option<RowOutcome> {
        let errors = row.checked.as_ref().err()?;
        let problems = errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("; ");
        Some(RowOutcome::Invalid { problems })
    }

    /// The word for it in the report.
    pub fn word(&self) -> &'static str {
        match self {
            RowOutcome::Imported { .. } => "imported",
            RowOutcome::AlreadyRegistered { .. } => "already registered",
            RowOutcome::Invalid { .. } => "invalid",
            RowOutcome::Refused { .. } => "refused",
            RowOutcome::NotSent { .. } => "not sent",
        }
    }

    /// Whether the animal is in the registry after this outcome.
    pub fn is_registered(&self) -> bool {
        matches!(
            self,
            RowOutcome::Imported { .. } | RowOutcome::AlreadyRegistered { .. }
        )
    }

    fn detail(&self) -> (String, String, &str) {
        match self {
            RowOutcome::Imported {
                cattle_id,
                event_id,
            }
            | RowOutcome::AlreadyRegistered {
                cattle_id,
                event_id,
            } => (cattle_id.to_string(), event_id.clone(), ""),
            RowOutcome::Invalid { problems } => (String::new(), String::new(), problems),
            RowOutcome::Refused { reason } | RowOutcome::NotSent { reason } => {
                (String::new(), String::new(), reason)
            }
        }
    }
}

/// The report of an import as CSV: one line per row, in file order, with the row's line,
/// NLIS id, outcome, the animal's id and event when it is registered, and why when not.
pub fn import_report_csv(rows: &[(&HerdFileRow, &RowOutcome)]) -> String {
    let mut out = csv::Writer::from_writer(Vec::new());
    let header = [
        "line",
        "NLIS ID",
        "outcome",
        "cattle id",
        "event id",
        "detail",
    ];
    let mut lines: Vec<[String; 6]> = Vec::with_capacity(rows.len());
    for (row, outcome) in rows {
        let (cattle_id, event_id, detail) = outcome.detail();
        lines.push([
            row.line.to_string(),
            inert(&row.nlis_id),
            outcome.word().to_string(),
            cattle_id,
            event_id,
            inert(detail),
        ]);
    }
    // Writing to a Vec fails only when memory does; such a report is cut short, not lost
    // silently: the caller holds every outcome and reports the counts itself.
    let _ = out.write_record(header);
    for line in &lines {
        let _ = out.write_record(line);
    }
    let bytes = out.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

/// A cell as text a spreadsheet will not run: what the file wrote can start with `=`, and a
/// spreadsheet opening the report would take it for a formula.
fn inert(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CreateCattle, FieldError, Sex};

    fn row(line: u64, nlis: &str, valid: bool) -> HerdFileRow {
        HerdFileRow {
            line,
            nlis_id: nlis.into(),
            checked: if valid {
                Ok(CreateCattle {
                    nlis_id: nlis.into(),
                    breed: "Angus".into(),
                    sex: Sex::Male,
                    client_id: 1,
                    birth_date: None,
                })
            } else {
                Err(vec![
                    FieldError::new("Sex", "\"calf\" is not a sex"),
                    FieldError::new("Breed", "must not be empty"),
                ])
            },
        }
    }

    #[test]
    fn the_report_has_a_line_per_row_with_what_became_of_it() {
        let good = row(2, "3ABCD123XBC12345", true);
        let bad = row(3, "3ABCD123XBC12346", false);
        let imported = RowOutcome::Imported {
            cattle_id: 7,
            event_id: "evt_1".into(),
        };
        let invalid = RowOutcome::of_invalid(&bad).unwrap_or(RowOutcome::NotSent {
            reason: String::new(),
        });
        let report = import_report_csv(&[(&good, &imported), (&bad, &invalid)]);
        let lines: Vec<&str> = report.lines().collect();
        assert_eq!(lines[0], "line,NLIS ID,outcome,cattle id,event id,detail");
        assert_eq!(lines[1], "2,3ABCD123XBC12345,imported,7,evt_1,");
        assert_eq!(
            lines[2],
            "3,3ABCD123XBC12346,invalid,,,\"Sex: \"\"calf\"\" is not a sex; Breed: must not be empty\""
        );
        assert!(RowOutcome::of_invalid(&good).is_none());
        let formula = row(4, "=HYPERLINK(\"X\")", false);
        let report = import_report_csv(&[(&formula, &invalid)]);
        assert!(report.contains("4,\"'=HYPERLINK"), "{report}");
        assert!(imported.is_registered() && !invalid.is_registered());
    }
}
