//! The read-model schema of iCattle. Every table here is a view of the Kafka log and
//! can be dropped and rebuilt from it, except the credentials of `m0003_accounts`; the
//! same migrations run on PostgreSQL and SQLite.
pub use sea_orm_migration::prelude::*;

mod m0001_golden_record;
mod m0002_views;
mod m0003_accounts;
mod m0004_duplicate_events;
mod m0005_sealed_seeds;
mod m0006_disabled_users;
mod m0007_session_idle;
mod m0008_transfer_offers;
mod m0009_password_change;
mod m0010_user_ids;
mod m0011_refused_records;
mod m0012_suspicions;
mod m0013_cattle_snapshots;
mod m0014_mobs;
mod m0015_withholding;
mod m0016_weighings;
mod m0017_long_event_ids;
mod m0018_claimed_facts;
mod m0019_tree_heads;
mod view_column;

/// All migrations in the order they apply.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_golden_record::Migration),
            Box::new(m0002_views::Migration),
            Box::new(m0003_accounts::Migration),
            Box::new(m0004_duplicate_events::Migration),
            Box::new(m0005_sealed_seeds::Migration),
            Box::new(m0006_disabled_users::Migration),
            Box::new(m0007_session_idle::Migration),
            Box::new(m0008_transfer_offers::Migration),
            Box::new(m0009_password_change::Migration),
            Box::new(m0010_user_ids::Migration),
            Box::new(m0011_refused_records::Migration),
            Box::new(m0012_suspicions::Migration),
            Box::new(m0013_cattle_snapshots::Migration),
            Box::new(m0014_mobs::Migration),
            Box::new(m0015_withholding::Migration),
            Box::new(m0016_weighings::Migration),
            Box::new(m0017_long_event_ids::Migration),
            Box::new(m0018_claimed_facts::Migration),
            Box::new(m0019_tree_heads::Migration),
        ]
    }
}
