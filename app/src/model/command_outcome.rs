use domain::FieldError;
use serde::{Deserialize, Serialize};

/// What an accepted command led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AckStatus {
    /// The log has the event; read models follow.
    Published,
    /// The same command (or business fact) was accepted before: `event_id` names that event
    /// and nothing new was published.
    Duplicate,
}

/// The answer to an accepted command: the event is in Kafka, not yet necessarily applied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommandAck {
    /// The published event's id.
    pub event_id: String,
    /// Published now, or the same command was published before (the original's event).
    pub status: AckStatus,
    /// The animal the event is about.
    pub cattle_id: i64,
    /// The per-animal sequence number the event claims.
    pub sequence: u64,
    /// A sentence for people.
    pub message: String,
}

/// Why a command was not published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CommandFailure {
    /// The command itself is malformed: each error names its field.
    #[error("the command has {} invalid field(s)", errors.len())]
    Invalid {
        /// One entry per offending field.
        errors: Vec<FieldError>,
    },
    /// Well-formed, but the animal's current state forbids it.
    #[error("{message}")]
    Rejected {
        /// A stable code such as `ALREADY_REGISTERED`.
        code: String,
        /// A sentence for people.
        message: String,
        /// The field the refusal is about, when there is one (e.g. `nlisId`).
        field: Option<String>,
    },
    /// Nobody is signed in (or the session expired).
    #[error("please sign in first")]
    SignedOut,
    /// The signed-in user may not send this command (their role, or not their animal).
    #[error("{message}")]
    Forbidden {
        /// What is not allowed, for people.
        message: String,
    },
    /// Too many failed sign-ins for the account or from the address: wait, then try again.
    #[error("too many failed sign-ins; try again in {retry_after_secs} seconds")]
    TooManyAttempts {
        /// Seconds until the next try is taken.
        retry_after_secs: u64,
    },
    /// A technical failure; nothing was published and the user may retry.
    #[error("{message}")]
    Unavailable {
        /// A short sentence for people; details are in the server log.
        message: String,
    },
}

impl CommandFailure {
    /// Why the registry refused the command itself (its fields or the animal's state), in
    /// words; `None` when the user was refused or the failure was technical.
    pub fn refusal(&self) -> Option<String> {
        match self {
            CommandFailure::Invalid { errors } => Some(
                errors
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            CommandFailure::Rejected { .. } => Some(self.to_string()),
            _ => None,
        }
    }
}

/// What to do with one command's answer when many are sent together.
#[derive(Debug, Clone, PartialEq)]
pub enum ChunkAnswer<O> {
    /// The command ended this way.
    Ended(O),
    /// A technical failure: send it again (the registry recognises it when it comes again).
    Again(String),
    /// The registry refused the user themselves: send no more.
    StopAll(String),
}
