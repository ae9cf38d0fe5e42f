use super::keys::CacheKeys;
use super::store::{CacheOp, SharedCache, CACHE_TTL};
use crate::keys::TrustedKeys;
use crate::views::{decode, Applied, LogMessage, LogView, ViewError};
use app::model::CattleRecord;
use domain::{fold_verified_with, ChainHead, EventEnvelope, StreamState};
use serde::{Deserialize, Serialize};

/// The checkpoint name of this view.
pub const PROJECTION: &str = "cache_view";

/// What the view keeps per stream to verify and fold the next event.
#[derive(Serialize, Deserialize)]
struct Fold {
    head: ChainHead,
    state: StreamState,
}

/// The cache view: folds the log itself and writes the seed's keys, with its checkpoint in
/// the same atomic batch.
#[derive(Clone)]
pub struct CacheView {
    store: SharedCache,
    keys: CacheKeys,
    trusted: TrustedKeys,
}

fn cache_error(error: super::CacheError) -> ViewError {
    ViewError::Cache(error.0)
}

fn encode<T: Serialize>(value: &T) -> Result<String, ViewError> {
    serde_json::to_string(value).map_err(|e| ViewError::Cache(format!("encoding: {e}")))
}

/// The animal as the golden record row shows it, from the folded state.
pub fn record_of(id: i64, state: &domain::CattleState) -> CattleRecord {
    CattleRecord {
        id,
        nlis_id: state.nlis_id.clone(),
        breed: state.breed.clone(),
        sex: state.sex.as_str().to_string(),
        client_id: state.client_id,
        current_valuation: state.current_valuation,
        status: state.status.as_str().to_string(),
        confidence_score: i32::from(state.confidence_score),
        risk_level: state.risk_level.as_str().to_string(),
        created_at: state.created_at.clone(),
        updated_at: state.updated_at.clone(),
        sequence: state.sequence as i64,
    }
}

impl CacheView {
    /// A cache view in `store` under `keys`, accepting events signed by `trusted` keys.
    pub fn new(store: SharedCache, keys: CacheKeys, trusted: TrustedKeys) -> Self {
        Self {
            store,
            keys,
            trusted,
        }
    }

    async fn ops_for(
        &self,
        envelope: &EventEnvelope,
    ) -> Result<(Applied, Vec<CacheOp>), ViewError> {
        let meta = &envelope.metadata;
        let id = meta.cattle_id.0;
        let stored: Option<Fold> = match self
            .store
            .get(&self.keys.fold(id))
            .await
            .map_err(cache_error)?
        {
            Some(text) => Some(
                serde_json::from_str(&text)
                    .map_err(|e| ViewError::Cache(format!("fold of stream {id}: {e}")))?,
            ),
            None => None,
        };
        let (head, before) = match stored {
            Some(fold) => (fold.head, Some(fold.state)),
            None => (ChainHead::default(), None),
        };
        let previous_owner = match &before {
            Some(StreamState::Cattle(cattle)) => Some(cattle.client_id),
            _ => None,
        };
        let trusted = self.trusted.accepts_envelope(envelope).await?;
        let folded =
            match fold_verified_with(envelope, &head, before, trusted, self.trusted.checked()) {
                Ok(folded) => folded,
                Err(refusal) => {
                    let rejected = Applied::Rejected {
                        event_id: Some(meta.event_id.clone()),
                        cattle_id: Some(id),
                        code: refusal.code().to_string(),
                        reason: refusal.to_string(),
                    };
                    return Ok((rejected, Vec::new()));
                }
            };
        let mut ops = Vec::new();
        if let StreamState::Cattle(state) = &folded.state {
            ops.push(CacheOp::Set {
                key: self.keys.cattle(id),
                value: encode(&record_of(id, state))?,
                ttl: Some(CACHE_TTL),
            });
            ops.push(match state.current_valuation {
                Some(cents) => CacheOp::Set {
                    key: self.keys.valuation(id),
                    value: cents.to_string(),
                    ttl: Some(CACHE_TTL),
                },
                None => CacheOp::Delete {
                    key: self.keys.valuation(id),
                },
            });
            ops.push(CacheOp::Set {
                key: self.keys.risk(id),
                value: encode(&serde_json::json!({
                    "confidence_score": state.confidence_score,
                    "risk_level": state.risk_level.as_str(),
                }))?,
                ttl: Some(CACHE_TTL),
            });
            // The owners' lists are rebuilt from PostgreSQL on their next read.
            ops.push(CacheOp::Delete {
                key: self.keys.client_cattle(state.client_id),
            });
            if let Some(previous) = previous_owner.filter(|p| *p != state.client_id) {
                ops.push(CacheOp::Delete {
                    key: self.keys.client_cattle(previous),
                });
            }
        }
        ops.push(CacheOp::Set {
            key: self.keys.fold(id),
            value: encode(&Fold {
                head: folded.head,
                state: folded.state,
            })?,
            ttl: None,
        });
        let applied = Applied::Applied {
            cattle_id: id,
            event_id: meta.event_id.clone(),
            event_type: meta.event_type.as_str().to_string(),
            sequence: meta.sequence,
        };
        Ok((applied, ops))
    }
}

#[async_trait::async_trait]
impl LogView for CacheView {
    fn name(&self) -> &'static str {
        PROJECTION
    }

    async fn checkpoints(&self, topic: &str) -> Result<Vec<(i32, i64)>, ViewError> {
        // Marks the store as holding this view's state from here on.
        self.store
            .apply(&[CacheOp::Set {
                key: self.keys.alive(),
                value: "1".into(),
                ttl: None,
            }])
            .await
            .map_err(cache_error)?;
        let prefix = self.keys.checkpoint_prefix(topic);
        let saved = self.store.dump(&prefix).await.map_err(cache_error)?;
        Ok(saved
            .into_iter()
            .filter_map(|(key, value)| {
                let partition = key.strip_prefix(&prefix)?.parse().ok()?;
                Some((partition, value.parse().ok()?))
            })
            .collect())
    }

    async fn apply_batch(&self, batch: &[LogMessage]) -> Result<Vec<Applied>, ViewError> {
        let mut outcomes = Vec::with_capacity(batch.len());
        for message in batch {
            outcomes.push(
                self.apply_one(
                    &message.topic,
                    message.partition,
                    message.offset,
                    &message.body,
                )
                .await?,
            );
        }
        Ok(outcomes)
    }
}

impl CacheView {
    /// Applies one message with its checkpoint in one atomic batch of the store; a retried
    /// batch finds the messages applied before the failure checkpointed.
    async fn apply_one(
        &self,
        topic: &str,
        partition: i32,
        offset: i64,
        body: &[u8],
    ) -> Result<Applied, ViewError> {
        if self
            .store
            .get(&self.keys.alive())
            .await
            .map_err(cache_error)?
            .is_none()
        {
            return Err(ViewError::Rewind(
                "the cache store lost the view's state; rebuilding it from the log".into(),
            ));
        }
        let checkpoint_key = self.keys.checkpoint(topic, partition);
        let seen = self.store.get(&checkpoint_key).await.map_err(cache_error)?;
        if seen
            .and_then(|s| s.parse::<i64>().ok())
            .is_some_and(|c| offset <= c)
        {
            return Ok(Applied::AlreadyCheckpointed);
        }
        let (applied, mut ops) = match decode(body) {
            Ok(envelope) => self.ops_for(&envelope).await?,
            Err(reason) => (
                Applied::Rejected {
                    event_id: None,
                    cattle_id: None,
                    code: "MALFORMED".into(),
                    reason,
                },
                Vec::new(),
            ),
        };
        ops.push(CacheOp::Set {
            key: checkpoint_key,
            value: offset.to_string(),
            ttl: None,
        });
        self.store.apply(&ops).await.map_err(cache_error)?;
        Ok(applied)
    }
}
