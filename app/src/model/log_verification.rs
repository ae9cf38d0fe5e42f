//! "Verify the whole log": an administrator's check of every event in the cattle log with
//! the same verifier the browser and `icattle verify` use, and of every snapshot against the
//! events it covers, and what it found.
use serde::{Deserialize, Serialize};

/// Where a verification of the whole log stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum VerificationState {
    /// No verification ran since the server started.
    NeverRun,
    /// Reading and checking.
    Running,
    /// Every message was checked.
    Finished,
    /// The log could not be read to its end (`error` says why).
    Failed,
}

/// One message of the log that did not verify.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BrokenEvent {
    /// The topic it is on: the cattle log, or the snapshots topic for a snapshot.
    pub topic: String,
    /// Where it is in the log.
    pub partition: i32,
    /// Where it is in the log.
    pub offset: i64,
    /// Its event id, when it could be read.
    pub event_id: Option<String>,
    /// Its animal (or client) stream, when it could be read.
    pub cattle_id: Option<i64>,
    /// The first check it failed (`SIGNATURE`, `CHAIN_LINK`, `MALFORMED`, …).
    pub code: String,
    /// The failure in words.
    pub reason: String,
}

/// The latest verification of the whole log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogVerificationRun {
    /// Where it stands.
    pub state: VerificationState,
    /// When it started (RFC 3339).
    pub started_at: Option<String>,
    /// When it ended (RFC 3339).
    pub finished_at: Option<String>,
    /// Messages the log held when it started.
    pub total: u64,
    /// Messages checked so far.
    pub checked: u64,
    /// Messages that failed, all of them counted.
    pub broken_count: u64,
    /// The first failures, in log order (at most [`BROKEN_SHOWN`]).
    pub broken: Vec<BrokenEvent>,
    /// Why the log could not be read to its end.
    pub error: Option<String>,
}

/// The most failures a run lists (all are counted).
pub const BROKEN_SHOWN: usize = 500;

impl LogVerificationRun {
    /// No run yet.
    pub fn never_run() -> Self {
        Self {
            state: VerificationState::NeverRun,
            started_at: None,
            finished_at: None,
            total: 0,
            checked: 0,
            broken_count: 0,
            broken: Vec::new(),
            error: None,
        }
    }

    /// How far the run is, from 0 to 100.
    pub fn percent(&self) -> u64 {
        match (self.state, self.total) {
            (VerificationState::Finished, _) => 100,
            (_, 0) => 0,
            (_, total) => (self.checked.min(total) * 100) / total,
        }
    }
}
