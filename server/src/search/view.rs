//! The search view: folds the log itself (like the cache view) and hands the index each
//! batch's documents with the batch's checkpoints, to be kept together.

use super::search_fold::{SearchDocument, SearchFold};
use super::search_index::{SearchCheckpoint, SearchError, SharedSearch};
use crate::checked_signatures::CheckedSignatures;
use crate::keys::TrustedKeys;
use crate::views::{Applied, LogMessage, LogView, ViewError};
use app::model::ViewName;
use domain::{fold_verified_with, ClientState, EventEnvelope};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

/// The checkpoint name of this view.
pub const PROJECTION: ViewName = ViewName::SearchIndex;

fn search_error(error: SearchError) -> ViewError {
    ViewError::Search(error.to_string())
}

/// Feeds the search index from the cattle log.
#[derive(Clone)]
pub struct SearchView {
    index: SharedSearch,
    trusted: TrustedKeys,
    /// Clients read before (a client never changes once registered).
    clients: Arc<Mutex<HashMap<i64, ClientState>>>,
}

impl SearchView {
    /// A view writing into `index`, accepting events signed by `trusted` keys.
    pub fn new(index: SharedSearch, trusted: TrustedKeys) -> Self {
        Self {
            index,
            trusted,
            clients: Arc::default(),
        }
    }

    /// Folds one message on the folds read so far; the stream's new fold goes into `folds`.
    fn fold(&self, envelope: &EventEnvelope, folds: &mut HashMap<i64, SearchFold>) -> Applied {
        let meta = &envelope.metadata;
        let id = meta.cattle_id.0;
        let previous = folds.get(&id);
        let head = previous.map(|f| f.head.clone()).unwrap_or_default();
        let state = previous.map(|f| f.state.clone());
        let trusted = self.trusted.accepts(envelope);
        match fold_verified_with(envelope, &head, state, trusted, self.trusted.checked()) {
            Ok(folded) => {
                let fold = SearchFold::after(previous, folded, envelope);
                folds.insert(id, fold);
                Applied::Applied {
                    cattle_id: id,
                    event_id: meta.event_id.clone(),
                    event_type: meta.event_type,
                    sequence: meta.sequence,
                }
            }
            Err(refusal) => Applied::Rejected {
                event_id: Some(meta.event_id.clone()),
                cattle_id: Some(id),
                code: refusal.code().to_string(),
                reason: refusal.to_string(),
            },
        }
    }

    /// The owners of `folds`' animals, from this batch, memory, or the index.
    async fn owners(&self, folds: &[&SearchFold]) -> Result<HashMap<i64, ClientState>, ViewError> {
        let mut known = self
            .clients
            .lock()
            .map_err(|_| ViewError::Search("the clients' lock was poisoned".into()))?
            .clone();
        for client in folds.iter().filter_map(|f| f.client()) {
            known.insert(client.client_id, client.clone());
        }
        let missing: Vec<i64> = folds
            .iter()
            .filter_map(|f| f.owner())
            .filter(|owner| !known.contains_key(owner))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        if !missing.is_empty() {
            known.extend(self.index.clients(&missing).await.map_err(search_error)?);
        }
        Ok(known)
    }

    /// Remembers the clients the index will hold once the batch is written.
    fn remember(&self, clients: &HashMap<i64, ClientState>) {
        if let Ok(mut known) = self.clients.lock() {
            known.extend(clients.iter().map(|(id, c)| (*id, c.clone())));
        }
    }
}

#[async_trait::async_trait]
impl LogView for SearchView {
    fn name(&self) -> ViewName {
        PROJECTION
    }

    fn checked_signatures(&self) -> &CheckedSignatures {
        self.trusted.checked()
    }

    async fn checkpoints(&self, topic: &str) -> Result<Vec<(i32, i64)>, ViewError> {
        self.index.checkpoints(topic).await.map_err(search_error)
    }

    /// Applies a batch as one write of the index: the folds it touches are read once, the
    /// events folded in log order, each touched animal rendered once, with the owners'
    /// names; a client registered in the batch re-renders the animals it already owns.
    async fn apply_batch(&self, batch: &[LogMessage]) -> Result<Vec<Applied>, ViewError> {
        let mut reached: BTreeMap<(String, i32), i64> = BTreeMap::new();
        for topic in batch
            .iter()
            .map(|m| m.topic.clone())
            .collect::<BTreeSet<_>>()
        {
            for (partition, offset) in self.index.checkpoints(&topic).await.map_err(search_error)? {
                reached.insert((topic.clone(), partition), offset);
            }
        }
        let envelopes: Vec<&EventEnvelope> = batch
            .iter()
            .filter_map(|m| m.envelope.as_ref().ok())
            .collect();
        self.trusted
            .learn_envelopes(envelopes.iter().copied())
            .await
            .map_err(|e| ViewError::Keys(e.to_string()))?;
        let streams: Vec<i64> = envelopes
            .iter()
            .map(|e| e.metadata.cattle_id.0)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut folds = self.index.folds(&streams).await.map_err(search_error)?;
        let mut touched = BTreeSet::new();
        let mut moved = BTreeSet::new();
        let mut outcomes = Vec::with_capacity(batch.len());
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
            outcomes.push(match &message.envelope {
                Ok(envelope) => {
                    let applied = self.fold(envelope, &mut folds);
                    if let Applied::Applied { cattle_id, .. } = applied {
                        touched.insert(cattle_id);
                    }
                    applied
                }
                Err(reason) => Applied::Rejected {
                    event_id: None,
                    cattle_id: None,
                    code: "MALFORMED".into(),
                    reason: reason.clone(),
                },
            });
        }
        let registered: Vec<i64> = touched
            .iter()
            .filter_map(|id| folds.get(id)?.client().map(|c| c.client_id))
            .collect();
        for client_id in registered {
            for fold in self.index.owned_by(client_id).await.map_err(search_error)? {
                let id = fold.stream_id();
                if touched.insert(id) {
                    folds.insert(id, fold);
                }
            }
        }
        let changed: Vec<&SearchFold> = touched.iter().filter_map(|id| folds.get(id)).collect();
        let owners = self.owners(&changed).await?;
        let documents = changed
            .into_iter()
            .map(|fold| SearchDocument::of(fold.clone(), &owners))
            .collect();
        let checkpoints = moved
            .into_iter()
            .map(|(topic, partition)| SearchCheckpoint {
                offset: reached
                    .get(&(topic.clone(), partition))
                    .copied()
                    .unwrap_or_default(),
                topic,
                partition,
            })
            .collect::<Vec<_>>();
        if !checkpoints.is_empty() {
            self.index
                .write(documents, checkpoints)
                .await
                .map_err(search_error)?;
            self.remember(&owners);
        }
        Ok(outcomes)
    }
}
