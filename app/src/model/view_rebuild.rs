//! Rebuilding a view blue/green: a fresh copy replayed from offset 0 beside the live one,
//! which keeps serving until the copy has caught up and replaces it in one transaction.
use super::ViewName;
use serde::{Deserialize, Serialize};

/// Where a rebuild stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RebuildState {
    /// No rebuild of this view since the server started.
    NeverRun,
    /// The copy is replaying the log while the live view serves.
    Running,
    /// The copy caught up: the live view is being replaced (seconds).
    Swapping,
    /// The copy replaced the live view.
    Finished,
    /// An administrator stopped it; the live view was never touched and the copy is gone.
    Cancelled,
    /// It stopped on a failure (`error` says which); the live view was never touched.
    Failed,
}

impl RebuildState {
    /// Whether a rebuild is under way.
    pub fn is_active(self) -> bool {
        matches!(self, Self::Running | Self::Swapping)
    }

    /// The word on the wire, e.g. `RUNNING`, lower-cased for a page's data attribute.
    pub fn word(self) -> &'static str {
        match self {
            Self::NeverRun => "never-run",
            Self::Running => "running",
            Self::Swapping => "swapping",
            Self::Finished => "finished",
            Self::Cancelled => "cancelled",
            Self::Failed => "failed",
        }
    }
}

/// The latest rebuild of one view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ViewRebuild {
    /// The view.
    pub view: ViewName,
    /// Where it stands.
    pub state: RebuildState,
    /// When it started (RFC 3339).
    pub started_at: Option<String>,
    /// When it ended (RFC 3339).
    pub finished_at: Option<String>,
    /// Messages of the log the copy has applied.
    pub done: u64,
    /// Messages the log holds (it grows while commands arrive).
    pub total: u64,
    /// Messages a copy left by an earlier, interrupted rebuild had applied: it went on from there.
    pub resumed_from: u64,
    /// Messages applied per second since it started.
    pub per_second: f64,
    /// Seconds until the copy catches up, at that rate.
    pub seconds_left: Option<u64>,
    /// Why it failed.
    pub error: Option<String>,
}

impl ViewRebuild {
    /// No rebuild of `view` yet.
    pub fn never_run(view: ViewName) -> Self {
        Self {
            view,
            state: RebuildState::NeverRun,
            started_at: None,
            finished_at: None,
            done: 0,
            total: 0,
            resumed_from: 0,
            per_second: 0.0,
            seconds_left: None,
            error: None,
        }
    }

    /// How far it is, from 0 to 100.
    pub fn percent(&self) -> u64 {
        match (self.state, self.total) {
            (RebuildState::Finished, _) => 100,
            (_, 0) => 0,
            (_, total) => (self.done.min(total) * 100) / total,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_percentage_never_passes_100_and_is_100_once_swapped() {
        let mut run = ViewRebuild::never_run(ViewName::GoldenRecord);
        assert_eq!(run.percent(), 0);
        run.state = RebuildState::Running;
        (run.done, run.total) = (50, 200);
        assert_eq!(run.percent(), 25);
        (run.done, run.total) = (300, 200);
        assert_eq!(run.percent(), 100);
        run.state = RebuildState::Finished;
        run.total = 0;
        assert_eq!(run.percent(), 100);
    }

    #[test]
    fn states_travel_in_capitals() {
        let json = serde_json::to_string(&RebuildState::NeverRun).unwrap();
        assert_eq!(json, "\"NEVER_RUN\"");
        assert!(RebuildState::Swapping.is_active());
        assert!(!RebuildState::Cancelled.is_active());
    }
}
