//! What a rebuild reads and writes: the live database, the log, the keys and the live
//! views it stops and starts.
use super::live_view_slot::LiveViewSlot;
use crate::keys::TrustedKeys;
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
}
