//! The copy a rebuild replays the log into, beside the live view, whatever keeps the view:
//! SQL tables in a schema or file of their own (`sql_copy.rs`), a new generation of the
//! cache's keys (`cache_copy.rs`), of the embedded search index (`search_copy.rs`) or of the
//! audit archive (`audit_copy.rs`). The rebuild drives every copy alike.
use super::shadow_store::ShadowError;
use crate::audit::ArchiveError;
use crate::cache::CacheError;
use crate::keys::TrustedKeys;
use crate::live::LiveHub;
use crate::search::SearchError;
use crate::views::consumer::{self, ConsumerSource};
use crate::views::progress::ViewProgress;
use crate::views::LogView;
use sea_orm::DbErr;
use std::collections::BTreeMap;
use tokio::task::JoinHandle;

/// Why a copy could not be made, read, swapped in or removed.
#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    /// The SQL copy's schema or file.
    #[error(transparent)]
    Shadow(#[from] ShadowError),
    /// A statement of the swap or of reading the copy's checkpoints.
    #[error("database: {0}")]
    Database(#[from] DbErr),
    /// The search index's copy.
    #[error(transparent)]
    Search(#[from] SearchError),
    /// The cache store holding the cache view's copy.
    #[error("cache store: {0}")]
    Cache(#[from] CacheError),
    /// The object store holding the audit archive's copy.
    #[error("audit archive: {0}")]
    Archive(#[from] ArchiveError),
}

/// The copy's consumer, stopped when the rebuild ends, however it ends.
pub struct CopyConsumer(JoinHandle<Result<(), String>>);

impl CopyConsumer {
    /// The consumer `task` runs.
    pub fn from_task(task: JoinHandle<Result<(), String>>) -> Self {
        Self(task)
    }

    /// Whether the consumer stopped by itself (a failure it logged).
    pub fn has_stopped(&self) -> bool {
        self.0.is_finished()
    }

    /// Stops the consumer and waits until it has.
    pub async fn stop(self) {
        self.0.abort();
        let _ = (&mut { self }.0).await;
    }
}

impl Drop for CopyConsumer {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Runs `copy` from its own checkpoints on the log; its live updates go to a hub of its own:
/// browsers hear of the rebuilt view through the live one, after the swap.
pub fn spawn_copy<V: LogView>(copy: V, source: ConsumerSource) -> CopyConsumer {
    CopyConsumer::from_task(tokio::spawn(async move {
        consumer::run_reporting(copy, source, LiveHub::new(), ViewProgress::default())
            .await
            .map_err(|error| error.to_string())
    }))
}

/// What a copy replaced, once swapped in: removed by the copy's `discard`, which removes
/// the copy itself when nothing was replaced (a cancel).
pub struct Replaced<T>(std::sync::Mutex<Option<T>>);

impl<T> Default for Replaced<T> {
    fn default() -> Self {
        Self(std::sync::Mutex::new(None))
    }
}

impl<T> Replaced<T> {
    fn slot(&self) -> std::sync::MutexGuard<'_, Option<T>> {
        // A panic while holding it leaves a plain value behind, still right.
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The swap replaced `previous`.
    pub fn set(&self, previous: T) {
        *self.slot() = Some(previous);
    }

    /// What the swap replaced, if it happened.
    pub fn take(&self) -> Option<T> {
        self.slot().take()
    }
}

/// A view's copy beside the live one.
#[async_trait::async_trait]
pub trait ViewCopy: Send + Sync {
    /// Where the copy is, for people.
    fn describe(&self) -> String;

    /// The last offset of each partition of `topic` the copy has applied.
    async fn applied(&self, topic: &str) -> Result<BTreeMap<i32, i64>, CopyError>;

    /// Starts the copy's consumer from its checkpoints, accepting `trusted` keys.
    fn spawn(&self, source: ConsumerSource, trusted: TrustedKeys) -> CopyConsumer;

    /// With the live view and the copy's consumer stopped: the copy becomes the live view
    /// at once for every reader. Answers how many rows were copied (none for a swap that
    /// copies nothing).
    async fn swap_in(&self) -> Result<u64, CopyError>;

    /// Removes what is left of the copy (after a cancel) or of the view it replaced.
    async fn discard(self: Box<Self>) -> Result<(), CopyError>;
}

/// How many messages of the log `ends` (next offset per partition) the `applied` offsets
/// leave to apply.
pub fn left_to_apply(applied: &BTreeMap<i32, i64>, ends: &BTreeMap<i32, i64>) -> i64 {
    ends.iter()
        .map(|(partition, end)| {
            let done = applied.get(partition).map_or(0, |offset| offset + 1);
            (end - done).max(0)
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_left_counts_each_partition_from_its_last_applied_offset() {
        let ends = BTreeMap::from([(0, 10), (1, 0), (2, 5)]);
        assert_eq!(left_to_apply(&BTreeMap::new(), &ends), 15);
        let applied = BTreeMap::from([(0, 9), (2, 1)]);
        assert_eq!(left_to_apply(&applied, &ends), 3);
        // A copy ahead of the ends read earlier has nothing left, not less than nothing.
        assert_eq!(
            left_to_apply(&BTreeMap::from([(0, 20)]), &BTreeMap::from([(0, 10)])),
            0
        );
    }
}
