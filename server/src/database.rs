//! Opens the read-model database (PostgreSQL or the embedded SQLite file) and brings its
//! schema up to date.
use migrations::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseBackend, DatabaseConnection,
    DatabaseTransaction, DbErr, TransactionTrait,
};
use std::path::Path;
use std::time::Duration;

/// How long a SQLite writer waits for another to finish before it gives up.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(30);

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
    open_in(url, data_dir, None).await
}

/// [`open`], with PostgreSQL's tables made and read in `schema` instead of the default one:
/// a copy of the read models beside the live ones.
pub async fn open_in(
    url: &str,
    data_dir: &Path,
    schema: Option<&str>,
) -> Result<DatabaseConnection, DatabaseError> {
    if url.starts_with("sqlite:") {
        std::fs::create_dir_all(data_dir)
            .map_err(|e| DatabaseError::DataDir(data_dir.display().to_string(), e))?;
    }
    let engine = |source| DatabaseError::Engine {
        url: redact(url),
        source,
    };
    let mut options = ConnectOptions::new(url.to_string());
    // No ping before each use: it was a round trip per query and 2 % of the CPU under load.
    // A connection the server dropped fails its next query, which is retried (views) or
    // answered "please try again" (requests), and the pool then replaces it.
    options
        .sqlx_logging(false)
        .max_connections(16)
        .test_before_acquire(false);
    if url.starts_with("sqlite:") {
        // Write-ahead logging lets pages and `?wait=applied` read while a view writes; the
        // views' transactions queue for SQLite's one write lock (see `begin_write`) instead
        // of for a single pooled connection, which a view holding it could never get back.
        options.max_connections(8).map_sqlx_sqlite_opts(|sqlite| {
            sqlite
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(SQLITE_BUSY_TIMEOUT)
        });
    }
    if let Some(schema) = schema {
        options.set_schema_search_path(schema);
    }
    let db = Database::connect(options).await.map_err(engine)?;
    Migrator::up(&db, None).await.map_err(engine)?;
    Ok(db)
}

/// Begins a transaction that will write. On SQLite it takes the write lock at once (waiting
/// for it up to the busy timeout), as `BEGIN IMMEDIATE` would: a transaction that read first
/// and then tried to write after another writer committed would fail with `SQLITE_BUSY`
/// instead of waiting.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    let txn = db.begin().await?;
    if db.get_database_backend() == DatabaseBackend::Sqlite {
        // A write that changes nothing: enough for SQLite to take the write lock.
        txn.execute_unprepared(
            "UPDATE projection_checkpoints SET \"offset\" = \"offset\" WHERE 0 = 1",
        )
        .await?;
    }
    Ok(txn)
}
