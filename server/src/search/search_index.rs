//! The port every search index implements: what the search view writes and the office
//! reads.

use super::search_fold::{SearchDocument, SearchFold};
use app::model::{SearchRequest, SearchResults};
use domain::ClientState;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// Why the search index did not answer.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The index's files could not be opened, read or written.
    #[error("search index: {0}")]
    Index(String),
    /// A stored document could not be read back.
    #[error("search document of stream {stream}: {reason}")]
    Document {
        /// The stream the document is for.
        stream: i64,
        /// What is wrong with it.
        reason: String,
    },
}

/// Where one partition of a topic has been applied up to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchCheckpoint {
    /// The topic.
    pub topic: String,
    /// The partition.
    pub partition: i32,
    /// The last offset applied.
    pub offset: i64,
}

/// Every stream's document as an index stores it, by stream id: the fold's JSON and, for
/// an animal, the hit's JSON (what a rebuild must reproduce).
pub type StoredDocuments = BTreeMap<i64, (String, Option<String>)>;

/// A full-text index of the herd, fed by the search view and read by the office.
#[async_trait::async_trait]
pub trait SearchIndex: Send + Sync + 'static {
    /// The last applied offset of each partition of `topic` the index holds.
    async fn checkpoints(&self, topic: &str) -> Result<Vec<(i32, i64)>, SearchError>;

    /// The folds the index holds for these streams (animals and clients).
    async fn folds(&self, streams: &[i64]) -> Result<HashMap<i64, SearchFold>, SearchError>;

    /// The clients of these client ids the index holds.
    async fn clients(&self, client_ids: &[i64]) -> Result<HashMap<i64, ClientState>, SearchError>;

    /// The folds of the animals the client `client_id` owns.
    async fn owned_by(&self, client_id: i64) -> Result<Vec<SearchFold>, SearchError>;

    /// Replaces these streams' documents and moves the checkpoints, all or nothing.
    async fn write(
        &self,
        documents: Vec<SearchDocument>,
        checkpoints: Vec<SearchCheckpoint>,
    ) -> Result<(), SearchError>;

    /// The animals matching `request` among those of `owners` (every animal when `None`).
    async fn search(
        &self,
        request: &SearchRequest,
        owners: Option<&[i64]>,
    ) -> Result<SearchResults, SearchError>;

    /// Every stream's document as stored.
    async fn documents(&self) -> Result<StoredDocuments, SearchError>;

    /// Whether the index answers: what it is and how many documents it holds.
    async fn ping(&self) -> Result<String, SearchError>;

    /// The index's name in logs and metrics.
    fn kind(&self) -> &'static str;
}

/// The shared handle to the search index in use.
pub type SharedSearch = Arc<dyn SearchIndex>;
