//! What a command builds on: a stream's chain head and state, and where they came from.
use crate::written_streams::WrittenStream;
use domain::{CattleState, ChainHead};

/// Where the head a command builds on came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum HeadSource {
    /// The golden record holds no such stream.
    NewStream,
    /// The golden record's row.
    Golden,
    /// This instance's own last acknowledged event on the stream.
    Memory,
}

impl HeadSource {
    /// Whether the golden record may hold an event of this type with the same idempotency
    /// key. Keys name the stream, so a stream it does not hold has none. A key named by the
    /// next sequence is new on any head, the golden record's included: every event it
    /// applied names a sequence up to its head. (One it applies between the head's read and
    /// this lookup would have been found; published again, it is dropped as `DUPLICATE of`
    /// the first, which the event's status says.) A key named by the fact (a registration,
    /// a resolution, a request key) may have been applied already: only then is it asked,
    /// which saves a query for most commands.
    pub(super) fn may_hold(self, event_type: domain::EventType, keyed_request: bool) -> bool {
        match self {
            HeadSource::NewStream => false,
            HeadSource::Golden | HeadSource::Memory => {
                keyed_request || domain::has_natural_ref(event_type)
            }
        }
    }
}

/// The chain head and state a command builds on, and where they came from.
pub(super) struct StreamBase {
    pub(super) head: ChainHead,
    pub(super) state: Option<CattleState>,
    pub(super) source: HeadSource,
}

impl StreamBase {
    /// A stream nobody wrote yet.
    pub(super) fn new_stream() -> Self {
        Self {
            head: ChainHead::default(),
            state: None,
            source: HeadSource::NewStream,
        }
    }

    /// What this instance last wrote to the stream, which the golden record may not hold yet.
    pub(super) fn written(written: &WrittenStream, animal: &CattleState) -> Self {
        Self {
            head: written.head.clone(),
            state: Some(animal.clone()),
            source: HeadSource::Memory,
        }
    }
}
