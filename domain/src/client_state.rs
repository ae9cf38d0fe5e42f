//! The client (cattle owner) aggregate: registered once per PIC.

use crate::payloads::{ClientRegistered, EventPayload};
use crate::upcast::upcast;
use crate::{ApplyError, CattleId, EventEnvelope, EventType};
use serde::{Deserialize, Serialize};

/// A registered client, folded from its stream (aggregate id `CattleId::for_client_pic`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientState {
    /// The stream's aggregate id.
    pub aggregate_id: CattleId,
    /// The client id cattle refer to.
    pub client_id: i64,
    /// Name.
    pub name: String,
    /// Property Identification Code.
    pub pic: String,
    /// When registered (occurred_at).
    pub registered_at: String,
    /// Sequence of the latest event applied.
    pub sequence: u64,
}

/// Folds one envelope of a client stream: only CLIENT_REGISTERED, only once.
pub fn apply_client(
    state: Option<ClientState>,
    envelope: &EventEnvelope,
) -> Result<ClientState, ApplyError> {
    let m = &envelope.metadata;
    if m.event_type != EventType::ClientRegistered {
        return Err(ApplyError::WrongAggregate(m.event_type));
    }
    if let Some(existing) = state {
        return Err(ApplyError::AlreadyExists(existing.aggregate_id));
    }
    if m.sequence != 1 {
        return Err(ApplyError::OutOfSequence {
            expected: 1,
            found: m.sequence,
        });
    }
    let payload = upcast(m.event_type, m.schema_version, &envelope.payload)?;
    let p = ClientRegistered::from_payload(&payload).map_err(ApplyError::Payload)?;
    Ok(ClientState {
        aggregate_id: m.cattle_id,
        client_id: p.client_id,
        name: p.name,
        pic: p.pic,
        registered_at: m.occurred_at.clone(),
        sequence: m.sequence,
    })
}
