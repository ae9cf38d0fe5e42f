use super::keys::CacheKeys;
use super::store::{CacheOp, SharedCache, CACHE_TTL};
use crate::checked_signatures::CheckedSignatures;
use crate::keys::TrustedKeys;
use crate::views::{Applied, LogMessage, LogView, ViewError};
use app::model::CattleRecord;
use app::model::ViewName;
use domain::{fold_verified_with, ChainHead, EventEnvelope, StreamState};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The checkpoint name of this view.
pub const PROJECTION: ViewName = ViewName::CacheView;

/// What the view keeps per stream to verify and fold the next event.
#[derive(Clone, Serialize, Deserialize)]
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

fn cache_error(error: super::store::CacheError) -> ViewError {
    ViewError::Cache(error.0)
}

fn encode<T: Serialize>(value: &T) -> Result<String, ViewError> {
    serde_json::to_string(value).map_err(|e| ViewError::Cache(format!("encoding: {e}")))
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

    /// The ops of one envelope folded on `stored`, and the stream's fold afterwards (None
    /// when the envelope was refused).
    fn ops_for(
        &self,
        envelope: &EventEnvelope,
        stored: Option<Fold>,
        trusted: bool,
    ) -> Result<(Applied, Vec<CacheOp>, Option<Fold>), ViewError> {
        let meta = &envelope.metadata;
        let id = meta.cattle_id.0;
        let (head, before) = match stored {
            Some(fold) => (fold.head, Some(fold.state)),
            None => (ChainHead::default(), None),
        };
        let previous_owner = match &before {
            Some(StreamState::Cattle(cattle)) => Some(cattle.client_id),
            _ => None,
        };
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
                    return Ok((rejected, Vec::new(), None));
                }
            };
        let mut ops = Vec::new();
        if let StreamState::Cattle(state) = &folded.state {
            ops.push(CacheOp::Set {
                key: self.keys.cattle(id),
                value: encode(&CattleRecord::from_state(id, state))?,
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
        let fold = Fold {
            head: folded.head,
            state: folded.state,
        };
        ops.push(CacheOp::Set {
            key: self.keys.fold(id),
            value: encode(&fold)?,
            ttl: None,
        });
        let applied = Applied::Applied {
            cattle_id: id,
            event_id: meta.event_id.clone(),
            event_type: meta.event_type,
            sequence: meta.sequence,
        };
        Ok((applied, ops, Some(fold)))
    }

    /// The folds the store holds for the streams of `envelopes`.
    async fn folds_of(
        &self,
        envelopes: &[&EventEnvelope],
    ) -> Result<HashMap<i64, Fold>, ViewError> {
        let ids: Vec<i64> = envelopes
            .iter()
            .map(|e| e.metadata.cattle_id.0)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let keys: Vec<String> = ids.iter().map(|id| self.keys.fold(*id)).collect();
        let values = self.store.get_many(&keys).await.map_err(cache_error)?;
        let mut folds = HashMap::new();
        for (id, value) in ids.into_iter().zip(values) {
            if let Some(text) = value {
                let fold = serde_json::from_str(&text)
                    .map_err(|e| ViewError::Cache(format!("fold of stream {id}: {e}")))?;
                folds.insert(id, fold);
            }
        }
        Ok(folds)
    }
}

/// The last offset of each partition of `topic` the cache view under `keys` has applied.
pub async fn saved_checkpoints(
    store: &dyn super::store::CacheStore,
    keys: &CacheKeys,
    topic: &str,
) -> Result<Vec<(i32, i64)>, super::store::CacheError> {
    let prefix = keys.checkpoint_prefix(topic);
    let saved = store.dump(&prefix).await?;
    Ok(saved
        .into_iter()
        .filter_map(|(key, value)| {
            let partition = key.strip_prefix(&prefix)?.parse().ok()?;
            Some((partition, value.parse().ok()?))
        })
        .collect())
}

#[async_trait::async_trait]
impl LogView for CacheView {
    fn name(&self) -> ViewName {
        PROJECTION
    }

    fn checked_signatures(&self) -> &CheckedSignatures {
        self.trusted.checked()
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
        saved_checkpoints(self.store.as_ref(), &self.keys, topic)
            .await
            .map_err(cache_error)
    }

    /// Applies a batch in one atomic batch of the store: the folds it touches are read in
    /// one round trip, the events folded in memory in log order, and their keys and the
    /// checkpoints written together.
    async fn apply_batch(&self, batch: &[LogMessage]) -> Result<Vec<Applied>, ViewError> {
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
        let places: Vec<(String, i32)> = batch
            .iter()
            .map(|m| (m.topic.clone(), m.partition))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let checkpoint_keys: Vec<String> = places
            .iter()
            .map(|(topic, partition)| self.keys.checkpoint(topic, *partition))
            .collect();
        let saved = self
            .store
            .get_many(&checkpoint_keys)
            .await
            .map_err(cache_error)?;
        let mut reached: BTreeMap<(String, i32), i64> = places
            .iter()
            .zip(saved)
            .filter_map(|(place, offset)| Some((place.clone(), offset?.parse().ok()?)))
            .collect();
        let envelopes: Vec<&EventEnvelope> = batch
            .iter()
            .filter_map(|m| m.envelope.as_ref().ok())
            .collect();
        self.trusted
            .learn_envelopes(envelopes.iter().copied())
            .await
            .map_err(|e| ViewError::Keys(e.to_string()))?;
        let mut folds = self.folds_of(&envelopes).await?;
        let mut outcomes = Vec::with_capacity(batch.len());
        let mut ops = Vec::new();
        let mut moved = BTreeSet::new();
        for message in batch {
            let place = (message.topic.clone(), message.partition);
            if reached
                .get(&place)
                .is_some_and(|done| message.offset <= *done)
            {
                outcomes.push(Applied::AlreadyCheckpointed);
                continue;
            }
            reached.insert(place.clone(), message.offset);
            moved.insert(place);
            let applied = match &message.envelope {
                Ok(envelope) => {
                    let id = envelope.metadata.cattle_id.0;
                    let trusted = self.trusted.accepts(envelope);
                    let (applied, more, fold) =
                        self.ops_for(envelope, folds.get(&id).cloned(), trusted)?;
                    ops.extend(more);
                    if let Some(fold) = fold {
                        folds.insert(id, fold);
                    }
                    applied
                }
                Err(reason) => Applied::Rejected {
                    event_id: None,
                    cattle_id: None,
                    code: "MALFORMED".into(),
                    reason: reason.clone(),
                },
            };
            outcomes.push(applied);
        }
        for place in moved {
            let offset = reached.get(&place).copied().unwrap_or_default();
            ops.push(CacheOp::Set {
                key: self.keys.checkpoint(&place.0, place.1),
                value: offset.to_string(),
                ttl: None,
            });
        }
        if !ops.is_empty() {
            self.store.apply(&ops).await.map_err(cache_error)?;
        }
        Ok(outcomes)
    }
}
