//! What the golden record already holds about the streams and facts a batch touches, read in
//! a few queries at the start of the batch and kept up to date as the batch is folded.
use super::row_codec::decode_row;
use crate::entity::{cattle, cattle_event, client};
use crate::views::bulk_rows::key_lists;
use crate::views::sql_batch::Fresh;
use domain::{
    check_client_registration, ChainHead, ClientRegisterFacts, EventEnvelope, EventType,
    FoldedStream, StreamState,
};
use sea_orm::sea_query::Condition;
use sea_orm::{ColumnTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter, QuerySelect};
use std::collections::{HashMap, HashSet};

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
        for ids in key_lists(envelopes.iter().map(|e| e.metadata.event_id.as_str())) {
            let found: Vec<String> = cattle_event::Entity::find()
                .select_only()
                .column(cattle_event::Column::EventId)
                .filter(cattle_event::Column::EventId.is_in(ids))
                .into_tuple()
                .all(txn)
                .await?;
            known.event_ids.extend(found);
        }
        for keys in key_lists(
            envelopes
                .iter()
                .map(|e| e.metadata.idempotency_key.as_str()),
        ) {
            let found: Vec<(String, String)> = cattle_event::Entity::find()
                .select_only()
                .column(cattle_event::Column::IdempotencyKey)
                .column(cattle_event::Column::EventId)
                .filter(cattle_event::Column::IdempotencyKey.is_in(keys))
                .into_tuple()
                .all(txn)
                .await?;
            known.facts.extend(found);
        }
        let streams = key_lists(envelopes.iter().map(|e| stream_key(e)));
        for keys in streams {
            let (clients, animals): (Vec<_>, Vec<_>) = keys.into_iter().partition(|k| k.0);
            known
                .read_animals(txn, animals.into_iter().map(|k| k.1))
                .await?;
            known
                .read_clients(txn, clients.into_iter().map(|k| k.1))
                .await?;
        }
        Ok(known)
    }

    async fn read_animals(
        &mut self,
        txn: &DatabaseTransaction,
        ids: impl Iterator<Item = i64>,
    ) -> Result<(), DbErr> {
        let rows = cattle::Entity::find()
            .filter(cattle::Column::Id.is_in(ids))
            .all(txn)
            .await?;
        for row in rows {
            let (head, state) = decode_row(&row).map_err(corrupt(row.id))?;
            if let Some(state) = state {
                self.streams
                    .insert((false, row.id), (head, StreamState::Cattle(state)));
            }
        }
        Ok(())
    }

    async fn read_clients(
        &mut self,
        txn: &DatabaseTransaction,
        ids: impl Iterator<Item = i64>,
    ) -> Result<(), DbErr> {
        let rows = client::Entity::find()
            .filter(client::Column::AggregateId.is_in(ids))
            .all(txn)
            .await?;
        for row in rows {
            let id = row.aggregate_id;
            let head = serde_json::from_value(row.chain_head).map_err(corrupt(id))?;
            let state = serde_json::from_value(row.state).map_err(corrupt(id))?;
            self.streams
                .insert((true, id), (head, StreamState::Client(state)));
        }
        Ok(())
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

    /// Why a client registration cannot be held: its PIC or its client id is already
    /// registered (the first registration in log order keeps both), as
    /// `domain::check_client_registration` words it.
    pub async fn client_taken(
        &self,
        txn: &DatabaseTransaction,
        state: &StreamState,
    ) -> Result<Option<String>, DbErr> {
        let StreamState::Client(state) = state else {
            return Ok(None);
        };
        let mut facts = ClientRegisterFacts {
            pic_registered: self.pics.contains(&state.pic),
            client_id_taken: self.client_ids.contains(&state.client_id),
        };
        // A registered PIC decides the answer alone, so only then is the lookup spared;
        // otherwise the batch's clients and the stored ones together give both facts.
        // Registrations are rare: one lookup each is cheaper than reading every client.
        if !facts.pic_registered {
            let holders: Vec<(i64, String)> = client::Entity::find()
                .select_only()
                .column(client::Column::Id)
                .column(client::Column::Pic)
                .filter(
                    Condition::any()
                        .add(client::Column::Id.eq(state.client_id))
                        .add(client::Column::Pic.eq(state.pic.clone())),
                )
                .into_tuple()
                .all(txn)
                .await?;
            for (id, pic) in holders {
                facts.pic_registered |= pic == state.pic;
                facts.client_id_taken |= id == state.client_id;
            }
        }
        let verdict = check_client_registration(&state.pic, state.client_id, facts);
        Ok(verdict.err().map(|refusal| refusal.to_string()))
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
