//! What a rebuild reads and writes: the live database, the log, the keys and the live
//! views it stops and starts.
use super::live_view_slot::LiveViewSlot;
use crate::cache::{CacheKeys, SharedCache};
use crate::keys::TrustedKeys;
use crate::search::{IndexHome, SwappableSearch};
use app::model::ViewName;
use sea_orm::DatabaseConnection;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// What a rebuild reads and writes.
#[derive(Clone)]
pub struct RebuildSources {
    /// The live database.
    pub db: DatabaseConnection,
    /// Its URL, to open the copy beside it.
    pub db_url: String,
    /// Where SQLite files live.
    pub data_dir: PathBuf,
    /// Kafka bootstrap servers.
    pub brokers: String,
    /// The cattle log.
    pub topic: String,
    /// The consumer group a copy reports its progress under, before `-{view}`.
    pub group: String,
    /// The keys whose signatures the views accept.
    pub trusted: TrustedKeys,
    /// The live views of this instance that a rebuild can stop and start.
    pub live: BTreeMap<ViewName, LiveViewSlot>,
    /// The cache view's store.
    pub cache: SharedCache,
    /// The cache view's keys in use, which a rebuilt generation replaces.
    pub cache_keys: CacheKeys,
    /// The search index in use, which a rebuilt one replaces.
    pub search: SwappableSearch,
    /// Where the embedded search index keeps its generations; `None` for a Meilisearch
    /// server, which is not rebuilt from here.
    pub search_home: Option<IndexHome>,
}

impl RebuildSources {
    /// Whether `view` is one a rebuild can put a copy beside.
    pub fn rebuildable(&self, view: ViewName) -> bool {
        match view {
            ViewName::SearchIndex => self.search_home.is_some(),
            ViewName::CacheView => true,
            other => super::row_swap::tables_of(other).is_some(),
        }
    }
}
