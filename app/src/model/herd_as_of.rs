//! The herd as it was at a date or time: the dashboard's figures computed again from every
//! animal's accepted events up to that point, as a background job a user starts and follows.
use super::Tally;
use serde::{Deserialize, Serialize};

/// Where a job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum HerdAsOfState {
    /// Folding the animals' events.
    Running,
    /// Every animal was folded; `figures` holds the herd.
    Finished,
    /// The events could not be read to the end (`error` says why).
    Failed,
}

impl HerdAsOfState {
    /// The state lower-cased, for a page's data attribute.
    pub fn word(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Finished => "finished",
            Self::Failed => "failed",
        }
    }
}

/// The herd's head, value and breakdowns at one point, as the dashboard counts them today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HerdFigures {
    /// Head count.
    pub head_count: u64,
    /// Head count by status, largest first.
    pub by_status: Vec<Tally>,
    /// Head count by breed, largest first.
    pub by_breed: Vec<Tally>,
    /// Animals by risk level, largest first.
    pub by_risk: Vec<Tally>,
    /// Sum of the latest valuations known at that point, in cents.
    pub herd_value_cents: i64,
}

impl From<domain::HerdTally> for HerdFigures {
    fn from(tally: domain::HerdTally) -> Self {
        Self {
            head_count: tally.head_count,
            by_status: Tally::ranked(tally.by_status),
            by_breed: Tally::ranked(tally.by_breed),
            by_risk: Tally::ranked(tally.by_risk),
            herd_value_cents: tally.value_cents,
        }
    }
}

/// One job computing the herd as of a point in time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HerdAsOfRun {
    /// The job's id, to follow it by.
    pub job_id: String,
    /// The point as the user wrote it (`2026-11-30`, `2026-11-30T08:00:00Z`).
    pub as_of: String,
    /// The instant it stands for (RFC 3339, UTC): a date is the end of that day in UTC.
    pub as_of_instant: String,
    /// Where it stands.
    pub state: HerdAsOfState,
    /// When it started (RFC 3339).
    pub started_at: String,
    /// When it ended (RFC 3339).
    pub finished_at: Option<String>,
    /// Events of the golden record read so far.
    pub done: u64,
    /// Events the golden record held when the job started.
    pub total: u64,
    /// The herd, once every animal is folded.
    pub figures: Option<HerdFigures>,
    /// Why it failed.
    pub error: Option<String>,
}

impl HerdAsOfRun {
    /// How far the job is, from 0 to 100.
    pub fn percent(&self) -> u64 {
        match (self.state, self.total) {
            (HerdAsOfState::Finished, _) => 100,
            (_, 0) => 0,
            (_, total) => (self.done.min(total) * 100) / total,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(state: HerdAsOfState, done: u64, total: u64) -> HerdAsOfRun {
        HerdAsOfRun {
            job_id: "j".into(),
            as_of: "2026-11-30".into(),
            as_of_instant: "2026-11-30T23:59:59.999Z".into(),
            state,
            started_at: "2026-12-03T06:00:00Z".into(),
            finished_at: None,
            done,
            total,
            figures: None,
            error: None,
        }
    }

    #[test]
    fn the_percentage_never_passes_100_and_a_finished_job_is_whole() {
        assert_eq!(run(HerdAsOfState::Running, 0, 0).percent(), 0);
        assert_eq!(run(HerdAsOfState::Running, 50, 200).percent(), 25);
        // Events recorded after the job started are read too.
        assert_eq!(run(HerdAsOfState::Running, 260, 200).percent(), 100);
        assert_eq!(run(HerdAsOfState::Finished, 0, 0).percent(), 100);
        assert_eq!(run(HerdAsOfState::Failed, 10, 20).percent(), 50);
    }
}
