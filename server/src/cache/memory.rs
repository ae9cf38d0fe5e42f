use super::store::{CacheError, CacheOp, CacheStore};
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A value and the moment it expires, if it does.
type Entry = (String, Option<Instant>);

/// The embedded default: the cache view in this process's memory.
#[derive(Default)]
pub struct MemoryCache {
    entries: Mutex<HashMap<String, Entry>>,
}

impl MemoryCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    fn locked(&self) -> Result<std::sync::MutexGuard<'_, HashMap<String, Entry>>, CacheError> {
        self.entries
            .lock()
            .map_err(|_| CacheError("the in-process cache was poisoned by a panic".into()))
    }
}

fn live(entry: &Entry, now: Instant) -> bool {
    entry.1.is_none_or(|expiry| expiry > now)
}

#[async_trait::async_trait]
impl CacheStore for MemoryCache {
    fn kind(&self) -> &'static str {
        "memory"
    }

    async fn ping(&self) -> Result<&'static str, CacheError> {
        drop(self.locked()?);
        Ok("in process")
    }

    async fn get(&self, key: &str) -> Result<Option<String>, CacheError> {
        let now = Instant::now();
        Ok(self
            .locked()?
            .get(key)
            .filter(|entry| live(entry, now))
            .map(|entry| entry.0.clone()))
    }

    async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<String>>, CacheError> {
        let now = Instant::now();
        let entries = self.locked()?;
        Ok(keys
            .iter()
            .map(|key| {
                entries
                    .get(key)
                    .filter(|entry| live(entry, now))
                    .map(|entry| entry.0.clone())
            })
            .collect())
    }

    async fn apply(&self, ops: &[CacheOp]) -> Result<(), CacheError> {
        let mut entries = self.locked()?;
        let now = Instant::now();
        for op in ops {
            match op {
                CacheOp::Set { key, value, ttl } => {
                    entries.insert(key.clone(), (value.clone(), ttl.map(|t| now + t)));
                }
                CacheOp::Delete { key } => {
                    entries.remove(key);
                }
            }
        }
        Ok(())
    }

    async fn fill(&self, key: &str, value: &str, ttl: Duration) -> Result<(), CacheError> {
        let mut entries = self.locked()?;
        let now = Instant::now();
        if !entries.get(key).is_some_and(|entry| live(entry, now)) {
            entries.insert(key.to_string(), (value.to_string(), Some(now + ttl)));
        }
        Ok(())
    }

    async fn dump(&self, prefix: &str) -> Result<BTreeMap<String, String>, CacheError> {
        let now = Instant::now();
        Ok(self
            .locked()?
            .iter()
            .filter(|(key, entry)| key.starts_with(prefix) && live(entry, now))
            .map(|(key, entry)| (key.clone(), entry.0.clone()))
            .collect())
    }

    async fn clear(&self, prefix: &str) -> Result<(), CacheError> {
        self.locked()?.retain(|key, _| !key.starts_with(prefix));
        Ok(())
    }
}
