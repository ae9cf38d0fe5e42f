//! Opens the read-model database (PostgreSQL or the embedded SQLite file) and brings its
//! schema up to date.
use migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};
use std::path::Path;

/// Why the database could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum DatabaseError {
    /// The folder of the SQLite file could not be made.
    #[error("could not create {0}: {1}")]
    DataDir(String, std::io::Error),
    /// Connecting or migrating failed.
    #[error("database {url}: {source}")]
    Engine {
        /// The URL, without secrets.
        url: String,
        /// The cause.
        source: DbErr,
    },
}

/// Hides a password in a URL before it reaches a log line or an error.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}://…@{}", &url[..scheme], &url[at + 1..])
        }
        _ => url.to_string(),
    }
}

/// Connects to `url` and runs every pending migration.
pub async fn open(url: &str, data_dir: &Path) -> Result<DatabaseConnection, DatabaseError> {
    if url.starts_with("sqlite:") {
        std::fs::create_dir_all(data_dir)
            .map_err(|e| DatabaseError::DataDir(data_dir.display().to_string(), e))?;
    }
    let engine = |source| DatabaseError::Engine {
        url: redact(url),
        source,
    };
    let mut options = ConnectOptions::new(url.to_string());
    options.sqlx_logging(false).max_connections(16);
    if url.starts_with("sqlite:") {
        // One writer at a time is what SQLite allows; more connections only contend.
        options.max_connections(1);
    }
    let db = Database::connect(options).await.map_err(engine)?;
    Migrator::up(&db, None).await.map_err(engine)?;
    Ok(db)
}
