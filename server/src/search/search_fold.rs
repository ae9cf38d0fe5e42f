//! What the search view keeps per stream, and the document an animal becomes in the index.

use app::model::SearchHit;
use domain::payloads::{EventPayload, HealthRecorded};
use domain::{
    timestamp_millis, upcast, ChainHead, ClientState, EventEnvelope, EventType, FoldedStream,
    StreamState,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// How many of an animal's latest health notes are searchable.
pub const HEALTH_NOTES_KEPT: usize = 20;

/// One stream as the search view folded it: enough to verify and fold its next event, and
/// the health notes, which the golden state does not keep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchFold {
    /// The chain's head.
    pub head: ChainHead,
    /// The folded state.
    pub state: StreamState,
    /// "kind notes" of the latest health records, oldest first.
    #[serde(default)]
    pub health_notes: Vec<String>,
}

impl SearchFold {
    /// The fold after `envelope`, which the chain accepted as `folded`.
    pub fn after(
        previous: Option<&SearchFold>,
        folded: FoldedStream,
        envelope: &EventEnvelope,
    ) -> Self {
        let mut health_notes = previous
            .map(|fold| fold.health_notes.clone())
            .unwrap_or_default();
        if let Some(note) = health_note(envelope) {
            health_notes.push(note);
            let over = health_notes.len().saturating_sub(HEALTH_NOTES_KEPT);
            health_notes.drain(..over);
        }
        Self {
            head: folded.head,
            state: folded.state,
            health_notes,
        }
    }

    /// The stream's id (an animal's cattle id, or a client's aggregate id).
    pub fn stream_id(&self) -> i64 {
        match &self.state {
            StreamState::Cattle(cattle) => cattle.cattle_id.0,
            StreamState::Client(client) => client.aggregate_id.0,
        }
    }

    /// The client this is, when it is a client's stream.
    pub fn client(&self) -> Option<&ClientState> {
        match &self.state {
            StreamState::Client(client) => Some(client),
            StreamState::Cattle(_) => None,
        }
    }

    /// The owner's client id, when this is an animal.
    pub fn owner(&self) -> Option<i64> {
        match &self.state {
            StreamState::Cattle(cattle) => Some(cattle.client_id),
            StreamState::Client(_) => None,
        }
    }
}

fn health_note(envelope: &EventEnvelope) -> Option<String> {
    let meta = &envelope.metadata;
    if meta.event_type != EventType::HealthRecorded {
        return None;
    }
    let payload = upcast(meta.event_type, meta.schema_version, &envelope.payload).ok()?;
    let record = HealthRecorded::from_payload(&payload).ok()?;
    Some(format!(
        "{} {}",
        record.kind.as_str().to_lowercase(),
        record.notes.trim()
    ))
}

/// An animal as the index finds, filters, sorts and shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct AnimalEntry {
    /// What a result shows (the distance is added per search).
    pub hit: SearchHit,
    /// Every searchable word: NLIS id, breed, owner's name and PIC, health notes.
    pub text: String,
    /// When it last changed, in milliseconds since the epoch.
    pub updated_ms: i64,
}

/// One stream's document: its fold, and for an animal what is searched.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchDocument {
    /// What the view folds the next event on.
    pub fold: SearchFold,
    /// What is searched, for an animal; none for a client.
    pub animal: Option<AnimalEntry>,
}

impl SearchDocument {
    /// The document of `fold`, its owner named from `clients` (by client id) when known.
    pub fn of(fold: SearchFold, clients: &HashMap<i64, ClientState>) -> Self {
        let animal = match &fold.state {
            StreamState::Client(_) => None,
            StreamState::Cattle(cattle) => {
                let owner = clients.get(&cattle.client_id);
                let mut words = vec![cattle.nlis_id.clone(), cattle.breed.clone()];
                if let Some(owner) = owner {
                    words.extend([owner.name.clone(), owner.pic.clone()]);
                }
                words.extend(fold.health_notes.iter().cloned());
                Some(AnimalEntry {
                    hit: SearchHit {
                        cattle_id: cattle.cattle_id.0,
                        nlis_id: cattle.nlis_id.clone(),
                        breed: cattle.breed.clone(),
                        sex: cattle.sex,
                        status: cattle.status,
                        risk_level: cattle.risk_level,
                        owner_client_id: cattle.client_id,
                        owner_name: owner.map(|o| o.name.clone()),
                        owner_pic: owner.map(|o| o.pic.clone()),
                        value_cents: cattle.current_valuation,
                        updated_at: cattle.updated_at.clone(),
                        sequence: cattle.sequence,
                        location: cattle
                            .last_location
                            .as_ref()
                            .map(|fix| (fix.latitude, fix.longitude)),
                        distance_km: None,
                    },
                    text: words.join(" "),
                    updated_ms: timestamp_millis(&cattle.updated_at).unwrap_or_default(),
                })
            }
        };
        Self { fold, animal }
    }
}
