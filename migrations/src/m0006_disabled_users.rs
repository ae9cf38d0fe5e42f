//! `users.disabled_at`: when an administrator disabled the account (its sessions ended then,
//! and it cannot sign in until enabled again); null for an active account.
use sea_orm_migration::prelude::*;

/// Adds `users.disabled_at`.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0006_disabled_users"
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    DisabledAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(
                        ColumnDef::new(Users::DisabledAt)
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
                    .table(Users::Table)
                    .drop_column(Users::DisabledAt)
                    .to_owned(),
            )
            .await
    }
}
