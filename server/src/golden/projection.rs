//! Applies one message of the cattle log to the golden record, in one transaction with
//! its checkpoint: verified, deduplicated, deterministic.
use super::rows;
use crate::entity::{cattle, cattle_event, client};
use crate::keys::TrustedKeys;
use crate::views::sql_checkpoint;
use crate::views::{decode, Applied, LogView, ViewError};
use domain::{fold_verified, ChainHead, EventEnvelope, EventType, StreamState};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DatabaseTransaction, DbErr, EntityTrait, QueryFilter,
};

/// The checkpoint name of this projection.
pub const PROJECTION: &str = "golden_record";

/// The golden record view over a database connection.
#[derive(Clone)]
pub struct GoldenRecord {
    db: DatabaseConnection,
    trusted: TrustedKeys,
}

/// A message's place in the log.
pub struct LogPosition<'a> {
    /// The topic.
    pub topic: &'a str,
    /// The partition.
    pub partition: i32,
    /// The offset.
    pub offset: i64,
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
    pub async fn apply_at(
        &self,
        topic: &str,
        partition: i32,
        offset: i64,
        body: &[u8],
    ) -> Result<Applied, DbErr> {
        // Looked up before the transaction: a lookup inside it would need a second connection
        // while holding one.
        let trusted = self.signer_trusted(body).await?;
        let txn = crate::database::begin_write(&self.db).await?;
        if sql_checkpoint::already_applied(&txn, PROJECTION, topic, partition, offset).await? {
            return Ok(Applied::AlreadyCheckpointed);
        }
        let position = LogPosition {
            topic,
            partition,
            offset,
        };
        let applied = self.apply_in(&txn, &position, body, trusted).await?;
        if let Applied::Rejected {
            event_id,
            cattle_id,
            code,
            reason,
        } = &applied
        {
            rows::record_rejection(&txn, &position, event_id, *cattle_id, code, reason, body)
                .await?;
        }
        sql_checkpoint::save(&txn, PROJECTION, topic, partition, offset).await?;
        txn.commit().await?;
        Ok(applied)
    }

    /// Whether the message's signing key may sign for its author (false when undecodable).
    async fn signer_trusted(&self, body: &[u8]) -> Result<bool, DbErr> {
        match decode(body) {
            Ok(envelope) => self.trusted.accepts_envelope(&envelope).await,
            Err(_) => Ok(false),
        }
    }

    async fn apply_in(
        &self,
        txn: &DatabaseTransaction,
        position: &LogPosition<'_>,
        body: &[u8],
        trusted: bool,
    ) -> Result<Applied, DbErr> {
        let envelope = match decode(body) {
            Ok(envelope) => envelope,
            Err(reason) => {
                return Ok(Applied::Rejected {
                    event_id: None,
                    cattle_id: None,
                    code: "MALFORMED".into(),
                    reason,
                })
            }
        };
        let meta = &envelope.metadata;
        let stream_id = meta.cattle_id.0;

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

        let (head, state) = stream_of(txn, &envelope).await?;
        let exists = state.is_some();
        let folded = match fold_verified(&envelope, &head, state, trusted) {
            Ok(folded) => folded,
            Err(refusal) => {
                return Ok(Applied::Rejected {
                    event_id: Some(meta.event_id.clone()),
                    cattle_id: Some(stream_id),
                    code: refusal.code().to_string(),
                    reason: refusal.to_string(),
                })
            }
        };
        let written = rows::write_stream(txn, exists, &envelope, &folded).await;
        if let Err(rows::RowError::Refused { code, reason }) = &written {
            return Ok(Applied::Rejected {
                event_id: Some(meta.event_id.clone()),
                cattle_id: Some(stream_id),
                code: code.to_string(),
                reason: reason.clone(),
            });
        }
        written.map_err(rows::RowError::into_db)?;
        rows::insert_event(txn, &envelope, position).await?;
        Ok(Applied::Applied {
            cattle_id: stream_id,
            event_id: meta.event_id.clone(),
            event_type: meta.event_type.as_str().to_string(),
            sequence: meta.sequence,
        })
    }
}

/// The chain head and state of the stream an envelope belongs to, as the golden record holds it.
async fn stream_of(
    txn: &DatabaseTransaction,
    envelope: &EventEnvelope,
) -> Result<(ChainHead, Option<StreamState>), DbErr> {
    let id = envelope.metadata.cattle_id.0;
    let decode_err = |e: serde_json::Error| DbErr::Custom(format!("stream {id}: {e}"));
    if envelope.metadata.event_type == EventType::ClientRegistered {
        let row = client::Entity::find()
            .filter(client::Column::AggregateId.eq(id))
            .one(txn)
            .await?;
        return match row {
            Some(row) => Ok((
                serde_json::from_value(row.chain_head).map_err(decode_err)?,
                Some(StreamState::Client(
                    serde_json::from_value(row.state).map_err(decode_err)?,
                )),
            )),
            None => Ok((ChainHead::default(), None)),
        };
    }
    match cattle::Entity::find_by_id(id).one(txn).await? {
        Some(row) => {
            let (head, state) = decode_row(&row).map_err(decode_err)?;
            Ok((head, state.map(StreamState::Cattle)))
        }
        None => Ok((ChainHead::default(), None)),
    }
}

/// The chain head and state stored with an animal's row.
pub fn decode_row(
    row: &cattle::Model,
) -> Result<(ChainHead, Option<domain::CattleState>), serde_json::Error> {
    let head: ChainHead = serde_json::from_value(row.chain_head.clone())?;
    let state: domain::CattleState = serde_json::from_value(row.state.clone())?;
    Ok((head, Some(state)))
}

#[async_trait::async_trait]
impl LogView for GoldenRecord {
    fn name(&self) -> &'static str {
        PROJECTION
    }

    async fn checkpoints(&self, topic: &str) -> Result<Vec<(i32, i64)>, ViewError> {
        sql_checkpoint::checkpoints(&self.db, PROJECTION, topic)
            .await
            .map_err(ViewError::from)
    }

    async fn apply_message(
        &self,
        topic: &str,
        partition: i32,
        offset: i64,
        body: &[u8],
    ) -> Result<Applied, ViewError> {
        Ok(self.apply_at(topic, partition, offset, body).await?)
    }
}
