//! Applies one message of the cattle log to the golden record, in one transaction with
//! its checkpoint: verified, deduplicated, deterministic.
use super::entity::{cattle, cattle_event, checkpoint, rejected_event};
use crate::keys::TrustedKeys;
use chrono::{DateTime, Utc};
use domain::{apply, event_hash, verify_next, CattleState, ChainHead, EventEnvelope};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, DatabaseTransaction, DbErr, EntityTrait,
    QueryFilter, TransactionTrait,
};

/// The checkpoint name of this projection.
pub const PROJECTION: &str = "golden_record";

/// What applying one message did.
#[derive(Debug, Clone, PartialEq)]
pub enum Applied {
    /// The event changed the animal.
    Applied {
        /// The animal.
        cattle_id: i64,
        /// The event.
        event_id: String,
        /// Its type.
        event_type: String,
        /// The animal's sequence afterwards.
        sequence: u64,
    },
    /// The same event (or the same business fact) was applied before: nothing changed.
    Duplicate {
        /// The event already applied.
        event_id: String,
    },
    /// The event failed verification or the animal's rules: recorded, never applied.
    Rejected {
        /// The event, when readable.
        event_id: Option<String>,
        /// The animal, when readable.
        cattle_id: Option<i64>,
        /// A stable reason code.
        code: String,
        /// A sentence for people.
        reason: String,
    },
    /// This log position was applied before (a redelivery): nothing changed.
    AlreadyCheckpointed,
}

/// The golden record view over a database connection.
#[derive(Clone)]
pub struct GoldenRecord {
    db: DatabaseConnection,
    trusted: TrustedKeys,
}

/// Parses an RFC 3339 timestamp of an envelope (verified upstream, so rarely wrong).
fn instant(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("timestamp {text:?}: {e}"))
}

impl GoldenRecord {
    /// A golden record that accepts events signed by `trusted` keys.
    pub fn new(db: DatabaseConnection, trusted: TrustedKeys) -> Self {
        Self { db, trusted }
    }

    /// The database this view lives in.
    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Applies the message at (`topic`, `partition`, `offset`) exactly once.
    pub async fn apply_message(
        &self,
        topic: &str,
        partition: i32,
        offset: i64,
        body: &[u8],
    ) -> Result<Applied, DbErr> {
        let txn = self.db.begin().await?;
        let seen =
            checkpoint::Entity::find_by_id((PROJECTION.to_string(), topic.to_string(), partition))
                .one(&txn)
                .await?;
        if seen.is_some_and(|c| offset <= c.offset) {
            return Ok(Applied::AlreadyCheckpointed);
        }
        let position = LogPosition {
            topic,
            partition,
            offset,
        };
        let applied = self.apply_in(&txn, &position, body).await?;
        if let Applied::Rejected {
            event_id,
            cattle_id,
            code,
            reason,
        } = &applied
        {
            record_rejection(&txn, &position, event_id, *cattle_id, code, reason, body).await?;
        }
        save_checkpoint(&txn, &position).await?;
        txn.commit().await?;
        Ok(applied)
    }

    async fn apply_in(
        &self,
        txn: &DatabaseTransaction,
        position: &LogPosition<'_>,
        body: &[u8],
    ) -> Result<Applied, DbErr> {
        let parsed = std::str::from_utf8(body)
            .map_err(|e| e.to_string())
            .and_then(|text| EventEnvelope::from_json_str(text).map_err(|e| e.to_string()));
        let envelope = match parsed {
            Ok(envelope) => envelope,
            Err(error) => {
                return Ok(Applied::Rejected {
                    event_id: None,
                    cattle_id: None,
                    code: "MALFORMED".into(),
                    reason: format!("not an event envelope: {error}"),
                })
            }
        };
        let meta = &envelope.metadata;
        let cattle_id = meta.cattle_id.0;
        let rejected = |code: &str, reason: String| Applied::Rejected {
            event_id: Some(meta.event_id.clone()),
            cattle_id: Some(cattle_id),
            code: code.to_string(),
            reason,
        };

        if cattle_event::Entity::find_by_id(meta.event_id.clone())
            .one(txn)
            .await?
            .is_some()
        {
            return Ok(Applied::Duplicate {
                event_id: meta.event_id.clone(),
            });
        }
        if let Some(original) = cattle_event::Entity::find()
            .filter(cattle_event::Column::IdempotencyKey.eq(&meta.idempotency_key))
            .one(txn)
            .await?
        {
            return Ok(Applied::Duplicate {
                event_id: original.event_id,
            });
        }
        if !self.trusted.trusts(&envelope.cryptography.public_key) {
            return Ok(rejected(
                "UNKNOWN_KEY",
                format!(
                    "signed by an unknown key {}",
                    envelope.cryptography.public_key
                ),
            ));
        }

        let row = cattle::Entity::find_by_id(cattle_id).one(txn).await?;
        let (head, state) = match &row {
            Some(row) => match decode_row(row) {
                Ok(decoded) => decoded,
                Err(error) => return Err(DbErr::Custom(format!("cattle {cattle_id}: {error}"))),
            },
            None => (ChainHead::default(), None),
        };
        let new_head = match verify_next(&envelope, &head) {
            Ok(new_head) => new_head,
            Err(failure) => return Ok(rejected(failure.code(), failure.to_string())),
        };
        let new_state = match apply(state, &envelope) {
            Ok(state) => state,
            Err(error) => return Ok(rejected("RULE", error.to_string())),
        };
        let hash = match event_hash(&envelope) {
            Ok(hash) => hash,
            Err(error) => return Ok(rejected("MALFORMED", error.to_string())),
        };
        let occurred_at = match instant(&meta.occurred_at) {
            Ok(t) => t,
            Err(reason) => return Ok(rejected("MALFORMED", reason)),
        };
        let recorded_at = match instant(&meta.recorded_at) {
            Ok(t) => t,
            Err(reason) => return Ok(rejected("MALFORMED", reason)),
        };

        write_cattle(
            txn,
            row.is_some(),
            cattle_id,
            &new_head,
            &new_state,
            occurred_at,
        )
        .await?;
        let crypto = &envelope.cryptography;
        cattle_event::Entity::insert(cattle_event::ActiveModel {
            event_id: Set(meta.event_id.clone()),
            event_type: Set(meta.event_type.as_str().to_string()),
            cattle_id: Set(cattle_id),
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
            envelope: Set(
                serde_json::to_value(&envelope).map_err(|e| DbErr::Custom(e.to_string()))?
            ),
        })
        .exec(txn)
        .await?;
        Ok(Applied::Applied {
            cattle_id,
            event_id: meta.event_id.clone(),
            event_type: meta.event_type.as_str().to_string(),
            sequence: meta.sequence,
        })
    }
}

/// A message's place in the log.
struct LogPosition<'a> {
    topic: &'a str,
    partition: i32,
    offset: i64,
}

/// The chain head and state stored with an animal's row.
pub fn decode_row(
    row: &cattle::Model,
) -> Result<(ChainHead, Option<CattleState>), serde_json::Error> {
    let head: ChainHead = serde_json::from_value(row.chain_head.clone())?;
    let state: CattleState = serde_json::from_value(row.state.clone())?;
    Ok((head, Some(state)))
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<serde_json::Value, DbErr> {
    serde_json::to_value(value).map_err(|e| DbErr::Custom(e.to_string()))
}

/// Writes the animal's row from its folded state.
async fn write_cattle(
    txn: &DatabaseTransaction,
    exists: bool,
    cattle_id: i64,
    head: &ChainHead,
    state: &CattleState,
    occurred_at: DateTime<Utc>,
) -> Result<(), DbErr> {
    let created_at = instant(&state.created_at).unwrap_or(occurred_at);
    let model = cattle::ActiveModel {
        id: Set(cattle_id),
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
        sequence: Set(head.sequence as i64),
        chain_head: Set(to_json(head)?),
        state: Set(to_json(state)?),
    };
    if exists {
        cattle::Entity::update(model).exec(txn).await?;
    } else {
        cattle::Entity::insert(model).exec(txn).await?;
    }
    Ok(())
}

async fn record_rejection(
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

async fn save_checkpoint(
    txn: &DatabaseTransaction,
    position: &LogPosition<'_>,
) -> Result<(), DbErr> {
    checkpoint::Entity::insert(checkpoint::ActiveModel {
        projection: Set(PROJECTION.to_string()),
        topic: Set(position.topic.to_string()),
        partition: Set(position.partition),
        offset: Set(position.offset),
    })
    .on_conflict(
        OnConflict::columns([
            checkpoint::Column::Projection,
            checkpoint::Column::Topic,
            checkpoint::Column::Partition,
        ])
        .update_column(checkpoint::Column::Offset)
        .to_owned(),
    )
    .exec(txn)
    .await?;
    Ok(())
}
