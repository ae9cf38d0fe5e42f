//! One rebuild of a view at a time across every instance sharing the database: the copy's
//! schema and its consumer group are named by the view alone, so two instances rebuilding
//! the same view would write into one copy. On PostgreSQL a transaction's advisory lock, its
//! transaction held open (writing nothing) for the whole rebuild, says who rebuilds; the
//! engine lets it go when the transaction or its connection ends, so an instance that dies
//! mid-rebuild leaves no stale lock, and a pooled connection is never recycled while it is
//! checked out. A SQLite file belongs to one instance, which already runs one rebuild per view.
use app::model::ViewName;
use sea_orm::{
    ConnectionTrait, DatabaseBackend, DatabaseConnection, DatabaseTransaction, DbErr, Statement,
    TransactionTrait,
};

/// Why the lock was not taken.
#[derive(Debug, thiserror::Error)]
pub enum LockRefused {
    /// Another instance holds it.
    #[error(
        "another instance sharing the database is rebuilding the {0} view; \
         one rebuild per view at a time"
    )]
    HeldElsewhere(ViewName),
    /// The engine could not be asked.
    #[error("the rebuild lock of the {0} view could not be taken: {1}")]
    Engine(ViewName, DbErr),
}

/// The lock of one view's rebuild, held until dropped or released.
pub struct RebuildLock {
    held: Option<DatabaseTransaction>,
}

/// The lock's name: the engine hashes it into the advisory lock's key.
fn lock_name(view: ViewName) -> String {
    format!("icattle rebuild {}", view.as_str())
}

impl RebuildLock {
    /// Takes the lock of `view`'s rebuild in `db`, without waiting.
    pub async fn take(db: &DatabaseConnection, view: ViewName) -> Result<Self, LockRefused> {
        if db.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(Self { held: None });
        }
        let engine = |source| LockRefused::Engine(view, source);
        let txn = db.begin().await.map_err(engine)?;
        let asked = Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            "SELECT pg_try_advisory_xact_lock(hashtext($1)) AS taken",
            [lock_name(view).into()],
        );
        let taken = txn
            .query_one(asked)
            .await
            .map_err(engine)?
            .map(|row| row.try_get::<bool>("", "taken"))
            .transpose()
            .map_err(engine)?
            .unwrap_or(false);
        if !taken {
            let _ = txn.rollback().await;
            return Err(LockRefused::HeldElsewhere(view));
        }
        Ok(Self { held: Some(txn) })
    }

    /// Lets the lock go now (dropping it does too: the transaction is rolled back).
    pub async fn release(mut self) {
        if let Some(txn) = self.held.take() {
            if let Err(error) = txn.rollback().await {
                tracing::warn!(%error, "the rebuild lock's transaction did not end cleanly");
            }
        }
    }
}
