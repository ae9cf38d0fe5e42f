//! What the golden record already holds about the streams and facts a batch touches, read in
//! a few queries at the start of the batch and kept up to date as the batch is folded.
use super::row_codec::decode_row;
use crate::entity::{cattle, cattle_event, client};
use crate::views::sql_batch::Fresh;
use domain::{ChainHead, EventEnvelope, EventType, FoldedStream, StreamState};
use sea_orm::sea_query::Condition;
use sea_orm::{ColumnTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter, QuerySelect};
use std::collections::{BTreeSet, HashMap, HashSet};

/// Values per `IN (…)` list: well under the bind-parameter limits of PostgreSQL and SQLite.
const KEYS_PER_QUERY: usize = 1000;

/// The golden record's view of a batch's streams, as of the event being folded.
#[derive(Default)]
pub struct KnownStreams {
    event_ids: HashSet<String>,
    /// Idempotency key → the event that holds it.
    facts: HashMap<String, String>,
    /// Keyed by (is a client stream, id): a client's and an animal's streams never mix.
    streams: HashMap<(bool, i64), (ChainHead, StreamState)>,
    client_ids: HashSet<i64>,
    pics: HashSet<String>,
}

/// Which stream an envelope belongs to: a client's (registrations) or an animal's.
fn stream_key(envelope: &EventEnvelope) -> (bool, i64) {
    let meta = &envelope.metadata;
    (
        meta.event_type == EventType::ClientRegistered,
        meta.cattle_id.0,
    )
}

fn corrupt(id: i64) -> impl Fn(serde_json::Error) -> DbErr {
    move |e| DbErr::Custom(format!("stream {id}: {e}"))
}

impl KnownStreams {
    /// Reads what the golden record holds for the envelopes of `fresh`.
    pub async fn load(txn: &DatabaseTransaction, fresh: &[Fresh<'_>]) -> Result<Self, DbErr> {
        let envelopes: Vec<&EventEnvelope> = fresh
            .iter()
            .filter_map(|message| message.envelope.as_ref().ok())
            .collect();
        let mut known = Self::default();
        let ids: BTreeSet<&str> = envelopes
            .iter()
            .map(|e| e.metadata.event_id.as_str())
            .collect();
        for chunk in ids.into_iter().collect::<Vec<_>>().chunks(KEYS_PER_QUERY) {
            let found: Vec<String> = cattle_event::Entity::find()
                .select_only()
                .column(cattle_event::Column::EventId)
                .filter(cattle_event::Column::EventId.is_in(chunk.iter().copied()))
                .into_tuple()
                .all(txn)
                .await?;
            known.event_ids.extend(found);
        }
        let keys: BTreeSet<&str> = envelopes
            .iter()
            .map(|e| e.metadata.idempotency_key.as_str())
            .collect();
        for chunk in keys.into_iter().collect::<Vec<_>>().chunks(KEYS_PER_QUERY) {
            let found: Vec<(String, String)> = cattle_event::Entity::find()
                .select_only()
                .column(cattle_event::Column::IdempotencyKey)
                .column(cattle_event::Column::EventId)
                .filter(cattle_event::Column::IdempotencyKey.is_in(chunk.iter().copied()))
                .into_tuple()
                .all(txn)
                .await?;
            known.facts.extend(found);
        }
        let (client_streams, cattle_streams): (Vec<&EventEnvelope>, Vec<&EventEnvelope>) =
            envelopes
                .iter()
                .partition(|e| e.metadata.event_type == EventType::ClientRegistered);
        let cattle_ids: BTreeSet<i64> = cattle_streams
            .iter()
            .map(|e| e.metadata.cattle_id.0)
            .collect();
        for chunk in cattle_ids
            .into_iter()
            .collect::<Vec<_>>()
            .chunks(KEYS_PER_QUERY)
        {
            let rows = cattle::Entity::find()
                .filter(cattle::Column::Id.is_in(chunk.iter().copied()))
                .all(txn)
                .await?;
            for row in rows {
                let (head, state) = decode_row(&row).map_err(corrupt(row.id))?;
                if let Some(state) = state {
                    known
                        .streams
                        .insert((false, row.id), (head, StreamState::Cattle(state)));
                }
            }
        }
        let client_streams: BTreeSet<i64> = client_streams
            .iter()
            .map(|e| e.metadata.cattle_id.0)
            .collect();
        for chunk in client_streams
            .into_iter()
            .collect::<Vec<_>>()
            .chunks(KEYS_PER_QUERY)
        {
            let rows = client::Entity::find()
                .filter(client::Column::AggregateId.is_in(chunk.iter().copied()))
                .all(txn)
                .await?;
            for row in rows {
                let id = row.aggregate_id;
                let head = serde_json::from_value(row.chain_head).map_err(corrupt(id))?;
                let state = serde_json::from_value(row.state).map_err(corrupt(id))?;
                known
                    .streams
                    .insert((true, id), (head, StreamState::Client(state)));
            }
        }
        Ok(known)
    }

    /// The event already applied as this one: the same event id, or the same business fact.
    pub fn original_of(&self, envelope: &EventEnvelope) -> Option<String> {
        let meta = &envelope.metadata;
        if self.event_ids.contains(&meta.event_id) {
            return Some(meta.event_id.clone());
        }
        self.facts.get(&meta.idempotency_key).cloned()
    }

    /// The chain head and state of the stream `envelope` belongs to (default and none for a
    /// new stream), from the client or the cattle rows as its type says.
    pub fn stream(&self, envelope: &EventEnvelope) -> (ChainHead, Option<StreamState>) {
        match self.streams.get(&stream_key(envelope)) {
            Some((head, state)) => (head.clone(), Some(state.clone())),
            None => (ChainHead::default(), None),
        }
    }

    /// Why a client registration cannot be held: its id or PIC is already registered (the
    /// first registration in log order keeps both).
    pub async fn client_taken(
        &self,
        txn: &DatabaseTransaction,
        state: &StreamState,
    ) -> Result<Option<String>, DbErr> {
        let StreamState::Client(state) = state else {
            return Ok(None);
        };
        let mut taken =
            self.client_ids.contains(&state.client_id) || self.pics.contains(&state.pic);
        if !taken {
            // Registrations are rare: one lookup each is cheaper than reading every client.
            taken = client::Entity::find()
                .filter(
                    Condition::any()
                        .add(client::Column::Id.eq(state.client_id))
                        .add(client::Column::Pic.eq(state.pic.clone())),
                )
                .one(txn)
                .await?
                .is_some();
        }
        Ok(taken.then(|| {
            format!(
                "client {} or PIC {} is already registered",
                state.client_id, state.pic
            )
        }))
    }

    /// Remembers an accepted event, so the rest of the batch folds on top of it.
    pub fn record(&mut self, envelope: &EventEnvelope, folded: FoldedStream) {
        let meta = &envelope.metadata;
        self.event_ids.insert(meta.event_id.clone());
        self.facts
            .insert(meta.idempotency_key.clone(), meta.event_id.clone());
        if let StreamState::Client(state) = &folded.state {
            self.client_ids.insert(state.client_id);
            self.pics.insert(state.pic.clone());
        }
        self.streams
            .insert(stream_key(envelope), (folded.head, folded.state));
    }
}
