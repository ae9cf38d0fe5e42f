use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// How long a cached read model entry lives (the seed's 5 minutes).
pub const CACHE_TTL: Duration = Duration::from_secs(300);

/// Why the cache store did not answer.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct CacheError(pub String);

/// One write of an atomic batch.
#[derive(Debug, Clone, PartialEq)]
pub enum CacheOp {
    /// Sets a key, expiring after `ttl` when given.
    Set {
        /// The key.
        key: String,
        /// The value.
        value: String,
        /// Its lifetime; `None` keeps it.
        ttl: Option<Duration>,
    },
    /// Removes a key.
    Delete {
        /// The key.
        key: String,
    },
}

/// A key-value store holding the cache view (Redis, or in-process).
#[async_trait::async_trait]
pub trait CacheStore: Send + Sync + 'static {
    /// The value of `key`, if present and not expired.
    async fn get(&self, key: &str) -> Result<Option<String>, CacheError>;
    /// The values of `keys`, in the same order (one round trip).
    async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<String>>, CacheError>;
    /// Applies every op or none.
    async fn apply(&self, ops: &[CacheOp]) -> Result<(), CacheError>;
    /// Sets `key` only if it is absent (a read-through fill never overwrites the view).
    async fn fill(&self, key: &str, value: &str, ttl: Duration) -> Result<(), CacheError>;
    /// Every key under `prefix` with its value, sorted.
    async fn dump(&self, prefix: &str) -> Result<BTreeMap<String, String>, CacheError>;
    /// Removes every key under `prefix` (drops the view).
    async fn clear(&self, prefix: &str) -> Result<(), CacheError>;
    /// Whether the store answers, and what it is.
    async fn ping(&self) -> Result<&'static str, CacheError>;
    /// The store's name in metrics: `redis` or `memory`.
    fn kind(&self) -> &'static str;
}

/// The shared handle to the cache store in use.
pub type SharedCache = Arc<dyn CacheStore>;
