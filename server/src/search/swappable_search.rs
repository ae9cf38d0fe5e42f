//! The search index in use, which a rebuild can replace while searches go on: each call is
//! answered by the index in place when it starts, so a search never sees an empty or half
//! rebuilt index, and every call after the swap reads the rebuilt one.
use super::search_fold::{SearchDocument, SearchFold};
use super::search_index::{
    SearchCheckpoint, SearchError, SearchIndex, SharedSearch, StoredDocuments,
};
use app::model::{SearchRequest, SearchResults};
use domain::ClientState;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

/// The index in use, replaceable; clones share it.
#[derive(Clone)]
pub struct SwappableSearch {
    current: Arc<RwLock<SharedSearch>>,
}

impl SwappableSearch {
    /// Serves `index` until it is replaced.
    pub fn new(index: SharedSearch) -> Self {
        Self {
            current: Arc::new(RwLock::new(index)),
        }
    }

    /// The index in place now.
    pub fn current(&self) -> SharedSearch {
        // An index handle stays sound whatever panicked while it was being replaced.
        self.current
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Puts `index` in place; answers the one it replaced.
    pub fn replace(&self, index: SharedSearch) -> SharedSearch {
        let mut current = self
            .current
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        std::mem::replace(&mut *current, index)
    }
}

#[async_trait::async_trait]
impl SearchIndex for SwappableSearch {
    async fn checkpoints(&self, topic: &str) -> Result<Vec<(i32, i64)>, SearchError> {
        self.current().checkpoints(topic).await
    }

    async fn folds(&self, streams: &[i64]) -> Result<HashMap<i64, SearchFold>, SearchError> {
        self.current().folds(streams).await
    }

    async fn clients(&self, client_ids: &[i64]) -> Result<HashMap<i64, ClientState>, SearchError> {
        self.current().clients(client_ids).await
    }

    async fn owned_by(&self, client_id: i64) -> Result<Vec<SearchFold>, SearchError> {
        self.current().owned_by(client_id).await
    }

    async fn write(
        &self,
        documents: Vec<SearchDocument>,
        checkpoints: Vec<SearchCheckpoint>,
    ) -> Result<(), SearchError> {
        self.current().write(documents, checkpoints).await
    }

    async fn search(
        &self,
        request: &SearchRequest,
        owners: Option<&[i64]>,
    ) -> Result<SearchResults, SearchError> {
        self.current().search(request, owners).await
    }

    async fn documents(&self) -> Result<StoredDocuments, SearchError> {
        self.current().documents().await
    }

    async fn ping(&self) -> Result<String, SearchError> {
        self.current().ping().await
    }

    fn kind(&self) -> &'static str {
        self.current().kind()
    }
}
