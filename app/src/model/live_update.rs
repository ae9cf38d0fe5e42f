use super::ViewName;
use domain::EventType;
use serde::{Deserialize, Serialize};

/// A message pushed over the WebSocket after a read model committed a change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LiveUpdate {
    /// A view applied an event to this animal (or client).
    CattleChanged {
        /// The view that changed.
        view: ViewName,
        /// The animal.
        cattle_id: i64,
        /// The applied event.
        event_id: String,
        /// Its type.
        event_type: EventType,
        /// The animal's sequence after applying it.
        sequence: u64,
    },
    /// A projection refused an event (bad signature, broken chain, lost race, …).
    EventRejected {
        /// The refused event, when it could be read.
        event_id: Option<String>,
        /// Its animal, when it could be read.
        cattle_id: Option<i64>,
        /// A stable code such as `SIGNATURE`.
        code: String,
        /// A sentence for people.
        reason: String,
    },
    /// The golden record dropped an event as the same business fact as one it applied.
    EventDuplicate {
        /// The dropped event.
        event_id: String,
        /// Its stream.
        cattle_id: Option<i64>,
        /// The event applied in its place.
        original: String,
    },
    /// This instance's engines, alerts, views, rebuilds or whole-log verification moved
    /// (administrators only): the operations page reads them again.
    OperationsChanged,
}

impl LiveUpdate {
    /// The event the update is about, when it is known.
    pub fn event_id(&self) -> Option<&str> {
        match self {
            Self::CattleChanged { event_id, .. } | Self::EventDuplicate { event_id, .. } => {
                Some(event_id)
            }
            Self::EventRejected { event_id, .. } => event_id.as_deref(),
            Self::OperationsChanged => None,
        }
    }
}
