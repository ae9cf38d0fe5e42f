//! What a rebuild reads and writes: the live database, the log, the keys and the live
//! views it stops and starts.
use super::live_view_slot::LiveViewSlot;
use crate::audit::ArchiveGenerations;
use crate::cache::{CacheKeys, SharedCache};
use crate::fraud_detector::FraudDetector;
use crate::keys::TrustedKeys;
use crate::search::{SearchHome, SwappableSearch};
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
    /// Where a rebuilt search index is written beside the one in use.
    pub search_home: SearchHome,
    /// The live fraud detector, whose copy raises through the same command handler; `None`
    /// when the detector does not run.
    pub fraud_detector: Option<FraudDetector>,
    /// The audit archive in use, which a rebuilt generation replaces; `None` when the
    /// archive does not run here.
    pub audit: Option<ArchiveGenerations>,
}

impl RebuildSources {
    /// Whether `view` is one a rebuild can put a copy beside.
    pub fn rebuildable(&self, view: ViewName) -> bool {
        match view {
            ViewName::SearchIndex => true,
            ViewName::CacheView => true,
            ViewName::FraudDetector => self.fraud_detector.is_some(),
            ViewName::AuditArchive => self.audit.is_some(),
            other => super::row_swap::tables_of(other).is_some(),
        }
    }
}
