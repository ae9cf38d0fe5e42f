//! The rows the golden record writes for a batch: built in memory per accepted or refused
//! event, then written with one multi-row statement per table.
use super::row_codec::{instant, to_json};
use crate::entity::{
    cattle, cattle_event, client, duplicate_event, rejected_event, valuation, weighing,
};
use crate::views::bulk_rows::insert_rows;
use crate::views::LogPosition;
use domain::payloads::ValuationUpdated;
use domain::{EventEnvelope, EventPayload, EventType, FoldedStream, StreamState};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, DatabaseTransaction, DbErr, Iterable};
use std::collections::BTreeMap;

/// Why rows could not be written.
#[derive(Debug)]
pub enum RowError {
    /// The event cannot be held by the rows; decided before anything is kept, from the
    /// event alone, so every replay decides the same.
    Refused {
        /// A stable reason code.
        code: &'static str,
        /// The reason in words.
        reason: String,
    },
    /// The database refused (retried).
    Database(DbErr),
}

impl From<DbErr> for RowError {
    fn from(error: DbErr) -> Self {
        RowError::Database(error)
    }
}

fn malformed(reason: String) -> RowError {
    RowError::Refused {
        code: "MALFORMED",
        reason,
    }
}

/// Everything one batch writes to the golden record.
#[derive(Default)]
pub struct GoldenRows {
    /// The latest state of each animal the batch changed.
    cattle: BTreeMap<i64, cattle::ActiveModel>,
    clients: Vec<client::ActiveModel>,
    events: Vec<cattle_event::ActiveModel>,
    valuations: Vec<valuation::ActiveModel>,
    weighings: Vec<weighing::ActiveModel>,
    rejections: Vec<rejected_event::ActiveModel>,
    duplicates: Vec<duplicate_event::ActiveModel>,
}

impl GoldenRows {
    /// Keeps the rows of one accepted event, or refuses it before keeping anything.
    pub fn accept(
        &mut self,
        envelope: &EventEnvelope,
        folded: &FoldedStream,
        position: LogPosition<'_>,
    ) -> Result<(), RowError> {
        let meta = &envelope.metadata;
        let occurred_at = instant(&meta.occurred_at).map_err(malformed)?;
        let recorded_at = instant(&meta.recorded_at).map_err(malformed)?;
        let valued = if meta.event_type == EventType::ValuationUpdated {
            let payload = domain::upcast(meta.event_type, meta.schema_version, &envelope.payload)
                .map_err(|e| malformed(e.to_string()))?;
            Some(ValuationUpdated::from_payload(&payload).map_err(malformed)?)
        } else {
            None
        };
        let weighed_kg = domain::weighing_of(envelope).map(|w| w.kg);
        // The fold has just computed and checked it: the head's last hash is this event's.
        let hash = match &folded.head.last_event_hash {
            Some(hash) => hash.clone(),
            None => domain::event_hash(envelope).map_err(|e| malformed(e.to_string()))?,
        };
        let head = to_json(&folded.head)?;
        let event = cattle_event::ActiveModel {
            event_id: Set(meta.event_id.clone()),
            event_type: Set(meta.event_type.as_str().to_string()),
            cattle_id: Set(meta.cattle_id.0),
            sequence: Set(meta.sequence as i64),
            occurred_at: Set(occurred_at),
            recorded_at: Set(recorded_at),
            payload: Set(envelope.payload.clone()),
            payload_hash: Set(envelope.cryptography.payload_hash.clone()),
            signature: Set(envelope.cryptography.signature.clone()),
            public_key: Set(envelope.cryptography.public_key.clone()),
            previous_hash: Set(envelope.cryptography.previous_hash.clone()),
            event_hash: Set(hash),
            merkle_root: Set(envelope.cryptography.merkle_root.clone()),
            idempotency_key: Set(meta.idempotency_key.clone()),
            created_by: Set(meta.created_by.clone()),
            kafka_topic: Set(position.topic.to_string()),
            kafka_partition: Set(position.partition),
            kafka_offset: Set(position.offset),
            envelope: Set(to_json(envelope)?),
        };
        match &folded.state {
            StreamState::Cattle(state) => {
                let created_at = instant(&state.created_at).unwrap_or(occurred_at);
                let row = cattle::ActiveModel {
                    id: Set(meta.cattle_id.0),
                    nlis_id: Set(state.nlis_id.clone()),
                    breed: Set(state.breed.clone()),
                    sex: Set(state.sex.as_str().to_string()),
                    client_id: Set(state.client_id),
                    current_valuation: Set(state.current_valuation),
                    status: Set(state.status.as_str().to_string()),
                    confidence_score: Set(i32::from(state.confidence_score)),
                    risk_level: Set(state.risk_level.as_str().to_string()),
                    created_at: Set(created_at),
                    updated_at: Set(occurred_at),
                    sequence: Set(folded.head.sequence as i64),
                    chain_head: Set(head),
                    state: Set(to_json(state)?),
                    offered_to_client: Set(state
                        .pending_transfer
                        .as_ref()
                        .map(|offer| offer.to_client_id)),
                    mob: Set(state.mob.clone()),
                    withholding_until: Set(state.withholding_until.clone()),
                };
                self.cattle.insert(meta.cattle_id.0, row);
            }
            StreamState::Client(state) => self.clients.push(client::ActiveModel {
                id: Set(state.client_id),
                name: Set(state.name.clone()),
                pic: Set(state.pic.clone()),
                aggregate_id: Set(meta.cattle_id.0),
                created_at: Set(occurred_at),
                sequence: Set(folded.head.sequence as i64),
                chain_head: Set(head),
                state: Set(to_json(state)?),
                registered_by: Set(meta.created_by.clone()),
            }),
        }
        if let Some(valued) = valued {
            self.valuations.push(valuation::ActiveModel {
                event_id: Set(meta.event_id.clone()),
                cattle_id: Set(meta.cattle_id.0),
                amount_cents: Set(valued.amount_cents),
                method: Set(valued.method.as_str().to_string()),
                valued_at: Set(occurred_at),
                created_by: Set(meta.created_by.clone()),
            });
        }
        if let Some(kg) = weighed_kg {
            self.weighings.push(weighing::ActiveModel {
                event_id: Set(meta.event_id.clone()),
                cattle_id: Set(meta.cattle_id.0),
                weighed_at: Set(occurred_at),
                weight_kg: Set(kg),
            });
        }
        self.events.push(event);
        Ok(())
    }

    /// Keeps the record of a refused message, once per log position.
    pub fn reject(
        &mut self,
        position: LogPosition<'_>,
        event_id: &Option<String>,
        cattle_id: Option<i64>,
        code: &str,
        reason: &str,
        body: &[u8],
    ) {
        let sequence = serde_json::from_slice::<serde_json::Value>(body)
            .ok()
            .and_then(|v| v.pointer("/metadata/sequence").and_then(|s| s.as_i64()));
        self.rejections.push(rejected_event::ActiveModel {
            kafka_topic: Set(position.topic.to_string()),
            kafka_partition: Set(position.partition),
            kafka_offset: Set(position.offset),
            event_id: Set(event_id.clone()),
            cattle_id: Set(cattle_id),
            sequence: Set(sequence),
            reason_code: Set(code.to_string()),
            reason: Set(reason.to_string()),
            envelope: Set(String::from_utf8_lossy(body).into_owned()),
        });
    }

    /// Keeps the record of an event dropped as the same fact as `original`, so its status
    /// names the original. A redelivery of the original itself is not recorded.
    pub fn duplicate(
        &mut self,
        position: LogPosition<'_>,
        envelope: &EventEnvelope,
        original: &str,
    ) {
        let meta = &envelope.metadata;
        if meta.event_id == original {
            return;
        }
        self.duplicates.push(duplicate_event::ActiveModel {
            event_id: Set(meta.event_id.clone()),
            original_event_id: Set(original.to_string()),
            cattle_id: Set(meta.cattle_id.0),
            sequence: Set(meta.sequence as i64),
            kafka_topic: Set(position.topic.to_string()),
            kafka_partition: Set(position.partition),
            kafka_offset: Set(position.offset),
        });
    }

    /// Writes every kept row, a few multi-row statements per table.
    pub async fn write(self, txn: &DatabaseTransaction) -> Result<(), DbErr> {
        let animals: Vec<_> = self.cattle.into_values().collect();
        let changing = cattle::Column::iter().filter(|c| !matches!(c, cattle::Column::Id));
        let upsert = OnConflict::column(cattle::Column::Id)
            .update_columns(changing)
            .to_owned();
        insert_rows(txn, animals, Some(upsert)).await?;
        insert_rows(txn, self.clients, None).await?;
        insert_rows(txn, self.events, None).await?;
        insert_rows(txn, self.valuations, None).await?;
        insert_rows(txn, self.weighings, None).await?;
        let position = [
            rejected_event::Column::KafkaTopic,
            rejected_event::Column::KafkaPartition,
            rejected_event::Column::KafkaOffset,
        ];
        let once = OnConflict::columns(position).do_nothing().to_owned();
        insert_rows(txn, self.rejections, Some(once)).await?;
        // The first drop of an event id is the one kept.
        let first = OnConflict::column(duplicate_event::Column::EventId)
            .do_nothing()
            .to_owned();
        insert_rows(txn, self.duplicates, Some(first)).await
    }
}
