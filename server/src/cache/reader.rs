use super::keys::CacheKeys;
use super::store::{SharedCache, CACHE_TTL};
use crate::golden::animal_queries;
use crate::telemetry::cache_tally::{count, CacheRead};
use crate::telemetry::timed_read;
use app::model::CattleRecord;
use sea_orm::{DatabaseConnection, DbErr};

/// Reads an animal cache-first; a miss, or a cache that does not answer, goes to the golden
/// record (and a miss fills the cache for the next reader).
#[derive(Clone)]
pub struct CattleReader {
    store: SharedCache,
    keys: CacheKeys,
    db: DatabaseConnection,
}

impl CattleReader {
    /// A reader over `store` (under `keys`) with `db` behind it.
    pub fn new(store: SharedCache, keys: CacheKeys, db: DatabaseConnection) -> Self {
        Self { store, keys, db }
    }

    /// One animal, or `None` when the golden record does not know it.
    pub async fn cattle(&self, id: i64) -> Result<Option<CattleRecord>, DbErr> {
        let key = self.keys.cattle(id);
        match timed_read(self.store.kind(), "cattle", self.store.get(&key)).await {
            Ok(Some(text)) => match serde_json::from_str(&text) {
                Ok(record) => {
                    count(CacheRead::Hit);
                    return Ok(Some(record));
                }
                Err(error) => {
                    count(CacheRead::Failed);
                    tracing::warn!(%error, %key, "unreadable cache entry; reading PostgreSQL")
                }
            },
            Ok(None) => count(CacheRead::Miss),
            Err(error) => {
                count(CacheRead::Failed);
                tracing::warn!(%error, "the cache does not answer; reading PostgreSQL")
            }
        }
        let store = crate::telemetry::store_label(&self.db);
        let record =
            timed_read(store, "cattle", animal_queries::cattle_by_id(&self.db, id)).await?;
        if let Some(record) = &record {
            if let Ok(text) = serde_json::to_string(record) {
                if let Err(error) = self.store.fill(&key, &text, CACHE_TTL).await {
                    tracing::debug!(%error, "could not fill the cache");
                }
            }
        }
        Ok(record)
    }
}
