//! The rows the golden record writes for one accepted event.
use super::projection::LogPosition;
use crate::entity::{cattle, cattle_event, client, rejected_event, valuation};
use chrono::{DateTime, Utc};
use domain::payloads::ValuationUpdated;
use domain::{EventEnvelope, EventPayload, EventType, FoldedStream, StreamState};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, DatabaseTransaction, DbErr, EntityTrait, QueryFilter,
};

/// Why rows could not be written.
#[derive(Debug)]
pub enum RowError {
    /// The event cannot be held by the rows; decided before anything is written, from the
    /// rows alone, so every replay decides the same.
    Refused {
        /// A stable reason code.
        code: &'static str,
        /// The reason in words.
        reason: String,
    },
    /// The database refused (retried).
    Database(DbErr),
}

impl RowError {
    /// The database error, for the retry path.
    pub fn into_db(self) -> DbErr {
        match self {
            RowError::Database(error) => error,
            RowError::Refused { reason, .. } => DbErr::Custom(reason),
        }
    }
}

impl From<DbErr> for RowError {
    fn from(error: DbErr) -> Self {
        RowError::Database(error)
    }
}

/// Parses an RFC 3339 timestamp of an envelope or a state.
pub fn instant(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("timestamp {text:?}: {e}"))
}

fn malformed(reason: String) -> RowError {
    RowError::Refused {
        code: "MALFORMED",
        reason,
    }
}

/// A value as JSON for a JSON column.
pub fn to_json<T: serde::Serialize>(value: &T) -> Result<serde_json::Value, DbErr> {
    serde_json::to_value(value).map_err(|e| DbErr::Custom(e.to_string()))
}

/// Writes the stream's row (an animal or a client) and, for a valuation, its history row.
pub async fn write_stream(
    txn: &DatabaseTransaction,
    exists: bool,
    envelope: &EventEnvelope,
    folded: &FoldedStream,
) -> Result<(), RowError> {
    let meta = &envelope.metadata;
    let occurred_at = instant(&meta.occurred_at).map_err(malformed)?;
    // Everything that can refuse the event is checked before the first write.
    let valued = if meta.event_type == EventType::ValuationUpdated {
        let payload = domain::upcast(meta.event_type, meta.schema_version, &envelope.payload)
            .map_err(|e| malformed(e.to_string()))?;
        Some(ValuationUpdated::from_payload(&payload).map_err(malformed)?)
    } else {
        None
    };
    if let StreamState::Client(state) = &folded.state {
        let taken = client::Entity::find()
            .filter(
                Condition::any()
                    .add(client::Column::Id.eq(state.client_id))
                    .add(client::Column::Pic.eq(state.pic.clone())),
            )
            .one(txn)
            .await?;
        if taken.is_some() {
            // The first registration in log order keeps the id and the PIC.
            return Err(RowError::Refused {
                code: "RULE",
                reason: format!(
                    "client {} or PIC {} is already registered",
                    state.client_id, state.pic
                ),
            });
        }
    }
    let head = to_json(&folded.head)?;
    match &folded.state {
        StreamState::Cattle(state) => {
            let created_at = instant(&state.created_at).unwrap_or(occurred_at);
            let model = cattle::ActiveModel {
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
            };
            if exists {
                cattle::Entity::update(model).exec(txn).await?;
            } else {
                cattle::Entity::insert(model).exec(txn).await?;
            }
        }
        StreamState::Client(state) => {
            let model = client::ActiveModel {
                id: Set(state.client_id),
                name: Set(state.name.clone()),
                pic: Set(state.pic.clone()),
                aggregate_id: Set(meta.cattle_id.0),
                created_at: Set(occurred_at),
                sequence: Set(folded.head.sequence as i64),
                chain_head: Set(head),
                state: Set(to_json(state)?),
                registered_by: Set(meta.created_by.clone()),
            };
            client::Entity::insert(model).exec(txn).await?;
        }
    }
    if let Some(valued) = valued {
        valuation::Entity::insert(valuation::ActiveModel {
            event_id: Set(meta.event_id.clone()),
            cattle_id: Set(meta.cattle_id.0),
            amount_cents: Set(valued.amount_cents),
            method: Set(valued.method.as_str().to_string()),
            valued_at: Set(occurred_at),
            created_by: Set(meta.created_by.clone()),
        })
        .exec(txn)
        .await?;
    }
    Ok(())
}

/// Inserts the event into `cattle_events`, with its place in the log.
pub async fn insert_event(
    txn: &DatabaseTransaction,
    envelope: &EventEnvelope,
    position: &LogPosition<'_>,
) -> Result<(), DbErr> {
    let meta = &envelope.metadata;
    let crypto = &envelope.cryptography;
    let hash = domain::event_hash(envelope).map_err(|e| DbErr::Custom(e.to_string()))?;
    let occurred_at = instant(&meta.occurred_at).map_err(DbErr::Custom)?;
    let recorded_at = instant(&meta.recorded_at).map_err(DbErr::Custom)?;
    cattle_event::Entity::insert(cattle_event::ActiveModel {
        event_id: Set(meta.event_id.clone()),
        event_type: Set(meta.event_type.as_str().to_string()),
        cattle_id: Set(meta.cattle_id.0),
        sequence: Set(meta.sequence as i64),
        occurred_at: Set(occurred_at),
        recorded_at: Set(recorded_at),
        payload: Set(envelope.payload.clone()),
        payload_hash: Set(crypto.payload_hash.clone()),
        signature: Set(crypto.signature.clone()),
        public_key: Set(crypto.public_key.clone()),
        previous_hash: Set(crypto.previous_hash.clone()),
        event_hash: Set(hash),
        merkle_root: Set(crypto.merkle_root.clone()),
        idempotency_key: Set(meta.idempotency_key.clone()),
        created_by: Set(meta.created_by.clone()),
        kafka_topic: Set(position.topic.to_string()),
        kafka_partition: Set(position.partition),
        kafka_offset: Set(position.offset),
        envelope: Set(to_json(envelope)?),
    })
    .exec(txn)
    .await?;
    Ok(())
}

/// Records a refused message, once per log position.
pub async fn record_rejection(
    txn: &DatabaseTransaction,
    position: &LogPosition<'_>,
    event_id: &Option<String>,
    cattle_id: Option<i64>,
    code: &str,
    reason: &str,
    body: &[u8],
) -> Result<(), DbErr> {
    let sequence = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.pointer("/metadata/sequence").and_then(|s| s.as_i64()));
    rejected_event::Entity::insert(rejected_event::ActiveModel {
        kafka_topic: Set(position.topic.to_string()),
        kafka_partition: Set(position.partition),
        kafka_offset: Set(position.offset),
        event_id: Set(event_id.clone()),
        cattle_id: Set(cattle_id),
        sequence: Set(sequence),
        reason_code: Set(code.to_string()),
        reason: Set(reason.to_string()),
        envelope: Set(String::from_utf8_lossy(body).into_owned()),
    })
    .on_conflict(
        OnConflict::columns([
            rejected_event::Column::KafkaTopic,
            rejected_event::Column::KafkaPartition,
            rejected_event::Column::KafkaOffset,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(txn)
    .await?;
    Ok(())
}
