//! `sessions.idle_until`: a session unused until then has ended (the idle timeout); each use
//! moves it on. Null for sessions opened before idle timeouts (only their expiry ends them).
use sea_orm_migration::prelude::*;

/// Adds `sessions.idle_until`.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0007_session_idle"
    }
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    IdleUntil,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Sessions::Table)
                    .add_column(
                        ColumnDef::new(Sessions::IdleUntil)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Sessions::Table)
                    .drop_column(Sessions::IdleUntil)
                    .to_owned(),
            )
            .await
    }
}
