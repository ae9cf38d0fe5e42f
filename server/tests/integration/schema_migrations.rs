//! Every migration of the read-model schema goes back down, on PostgreSQL and on the
//! embedded SQLite: an operator who rolls a release back, one migration at a time, ends with
//! an empty schema, and going up again gives the same tables and columns as before.
use crate::support;

use migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, Database, DatabaseBackend, DatabaseConnection};

/// Every table and column with its type, one line each, in order.
async fn schema(db: &DatabaseConnection) -> Vec<String> {
    let sql = match db.get_database_backend() {
        DatabaseBackend::Postgres => {
            "SELECT table_name || '.' || column_name || ': ' || data_type AS v \
             FROM information_schema.columns WHERE table_schema = 'public' ORDER BY v"
        }
        _ => {
            "SELECT m.name || '.' || p.name || ': ' || p.type AS v \
             FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY v"
        }
    };
    support::strings(db, sql).await
}

/// Up to the newest, then down one migration at a time naming each that fails, then up
/// again: the schema after that equals the first.
async fn every_migration_goes_down_and_up_again(db: &DatabaseConnection) {
    Migrator::up(db, None).await.expect("the migrations go up");
    let newest = schema(db).await;
    assert!(
        newest.iter().any(|column| column.starts_with("cattle.")),
        "{newest:?}"
    );
    let migrations = Migrator::migrations();
    for migration in migrations.iter().rev() {
        Migrator::down(db, Some(1))
            .await
            .unwrap_or_else(|error| panic!("{} does not go down: {error}", migration.name()));
    }
    let left: Vec<String> = schema(db)
        .await
        .into_iter()
        .filter(|column| !column.starts_with("seaql_migrations."))
        .collect();
    assert_eq!(left, Vec::<String>::new(), "left behind by the downs");
    assert!(Migrator::get_applied_migrations(db)
        .await
        .expect("the applied migrations")
        .is_empty());
    Migrator::up(db, None)
        .await
        .expect("the migrations go up again");
    assert_eq!(schema(db).await, newest);
}

// Each test's settings own its database and data directory and remove them when dropped,
// also when an assertion fails.
#[tokio::test]
async fn every_migration_goes_down_and_up_again_on_postgresql() {
    let settings = support::settings("migrations").await;
    let url = settings.database_url.clone().expect("a test database");
    let db = Database::connect(&url).await.expect("the test database");
    every_migration_goes_down_and_up_again(&db).await;
    db.close().await.expect("closed");
}

#[tokio::test]
async fn every_migration_goes_down_and_up_again_on_sqlite() {
    let settings = support::settings("migrations_sqlite").await;
    std::fs::create_dir_all(&settings.data_dir).expect("a directory");
    let file = settings.data_dir.join("icattle.db");
    let db = Database::connect(format!("sqlite://{}?mode=rwc", file.display()))
        .await
        .expect("the SQLite file");
    every_migration_goes_down_and_up_again(&db).await;
    db.close().await.expect("closed");
}
