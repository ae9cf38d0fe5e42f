//! The import page's run: what the registry's answer to a row means, how far the run is,
//! and the report as a link the browser downloads.
use super::{AckStatus, ChunkAnswer, CommandAck, CommandFailure};
use domain::herd_file::RowOutcome;

/// The most commands one `submit_commands` call takes.
pub const MOST_COMMANDS_AT_ONCE: usize = 100;

/// What to do with one row's answer.
pub type RowAnswer = ChunkAnswer<RowOutcome>;

/// An accepted row: imported now, or registered by an earlier import (a duplicate).
pub fn acknowledged_row(ack: CommandAck) -> RowOutcome {
    if ack.status == AckStatus::Duplicate {
        RowOutcome::AlreadyRegistered {
            cattle_id: ack.cattle_id,
            event_id: ack.event_id,
        }
    } else {
        RowOutcome::Imported {
            cattle_id: ack.cattle_id,
            event_id: ack.event_id,
        }
    }
}

/// Reads the registry's answer to one row.
pub fn row_answer(answer: Result<CommandAck, CommandFailure>) -> RowAnswer {
    match answer {
        Ok(ack) => RowAnswer::Ended(acknowledged_row(ack)),
        Err(failure) => match failure.refusal() {
            Some(reason) => RowAnswer::Ended(RowOutcome::Refused { reason }),
            // Refused the user: every row would be.
            None if matches!(
                failure,
                CommandFailure::SignedOut | CommandFailure::Forbidden { .. }
            ) =>
            {
                RowAnswer::StopAll(failure.to_string())
            }
            None => RowAnswer::Again(failure.to_string()),
        },
    }
}

/// How far an import is.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ImportProgress {
    /// Rows to send.
    pub total: usize,
    /// Rows answered.
    pub done: usize,
    /// Milliseconds since the run started.
    pub elapsed_ms: f64,
}

impl ImportProgress {
    /// Rows answered a second so far.
    pub fn per_second(&self) -> f64 {
        if self.elapsed_ms <= 0.0 {
            return 0.0;
        }
        self.done as f64 * 1000.0 / self.elapsed_ms
    }

    /// "12 of 47 rows · 30 a second · about 2 s left".
    pub fn describe(&self) -> String {
        self.describe_in("rows")
    }

    /// As `describe`, counting in `unit` ("12 of 47 animals · …").
    pub fn describe_in(&self, unit: &str) -> String {
        let rate = self.per_second();
        let left = self.total.saturating_sub(self.done);
        let mut text = format!("{} of {} {unit}", self.done, self.total);
        if self.done > 0 {
            text.push_str(&format!(" · {rate:.0} a second"));
            if left > 0 && rate > 0.0 {
                text.push_str(&format!(
                    " · about {:.0} s left",
                    (left as f64 / rate).ceil()
                ));
            }
        }
        text
    }

    /// Done as a share of 100, for a progress bar.
    pub fn percent(&self) -> f64 {
        if self.total == 0 {
            return 100.0;
        }
        self.done as f64 * 100.0 / self.total as f64
    }
}

/// A `data:` link holding `csv`, for a download that needs no request.
pub fn csv_data_url(csv: &str) -> String {
    let mut url = String::from("data:text/csv;charset=utf-8,");
    for byte in csv.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            url.push(byte as char);
        } else {
            url.push_str(&format!("%{byte:02X}"));
        }
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ack(status: AckStatus) -> CommandAck {
        CommandAck {
            event_id: "evt_1".into(),
            status,
            cattle_id: 7,
            sequence: 1,
            message: String::new(),
        }
    }

    #[test]
    fn answers_end_a_row_retry_it_or_stop_the_run() {
        assert!(matches!(
            row_answer(Ok(ack(AckStatus::Published))),
            RowAnswer::Ended(RowOutcome::Imported { cattle_id: 7, .. })
        ));
        assert!(matches!(
            row_answer(Ok(ack(AckStatus::Duplicate))),
            RowAnswer::Ended(RowOutcome::AlreadyRegistered { .. })
        ));
        let taken = CommandFailure::Rejected {
            code: "TAG_TAKEN".into(),
            message: "another herd holds the tag".into(),
            field: None,
        };
        assert!(matches!(
            row_answer(Err(taken)),
            RowAnswer::Ended(RowOutcome::Refused { reason }) if reason.contains("another herd")
        ));
        assert!(matches!(
            row_answer(Err(CommandFailure::Unavailable {
                message: "down".into()
            })),
            RowAnswer::Again(_)
        ));
        assert!(matches!(
            row_answer(Err(CommandFailure::SignedOut)),
            RowAnswer::StopAll(_)
        ));
    }

    #[test]
    fn progress_says_rate_and_time_left() {
        let progress = ImportProgress {
            total: 47,
            done: 12,
            elapsed_ms: 400.0,
        };
        assert_eq!(
            progress.describe(),
            "12 of 47 rows · 30 a second · about 2 s left"
        );
        assert_eq!(
            ImportProgress {
                total: 3,
                done: 0,
                elapsed_ms: 0.0
            }
            .describe(),
            "0 of 3 rows"
        );
        assert_eq!(ImportProgress::default().percent(), 100.0);
    }

    #[test]
    fn a_report_link_holds_the_csv_escaped() {
        assert_eq!(
            csv_data_url("a,b\n\"c\" é\n"),
            "data:text/csv;charset=utf-8,a%2Cb%0A%22c%22%20%C3%A9%0A"
        );
    }
}
