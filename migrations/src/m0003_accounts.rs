//! Credentials: users (with their role and signing key) and sessions. These are not views
//! of the log (DESIGN §6: credentials are not domain events); the only view column added
//! here is `clients.registered_by`, the user who registered the client, from the event's
//! `created_by`, which decides whose clients a farmer manages.
use sea_orm_migration::prelude::*;

/// Creates `users` and `sessions` and adds `clients.registered_by`.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0003_accounts"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(Users::Username)
                            .string_len(64)
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Users::Role).string_len(16).not_null())
                    .col(
                        ColumnDef::new(Users::PasswordHash)
                            .string_len(255)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Users::SigningSeed).string_len(64).not_null())
                    .col(
                        ColumnDef::new(Users::PublicKey)
                            .string_len(64)
                            .not_null()
                            .unique_key(),
                    )
                    .col(
                        ColumnDef::new(Users::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Users::CreatedBy).string_len(64).null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Sessions::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(Sessions::TokenHash)
                            .string_len(64)
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Sessions::Username).string_len(64).not_null())
                    .col(
                        ColumnDef::new(Sessions::ExpiresAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Clients::Table)
                    .add_column(ColumnDef::new(Clients::RegisteredBy).string_len(64).null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("clients_registered_by")
                    .table(Clients::Table)
                    .col(Clients::RegisteredBy)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("clients_registered_by")
                    .table(Clients::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Clients::Table)
                    .drop_column(Clients::RegisteredBy)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(Sessions::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Users::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Username,
    Role,
    PasswordHash,
    SigningSeed,
    PublicKey,
    CreatedAt,
    CreatedBy,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    TokenHash,
    Username,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum Clients {
    Table,
    RegisteredBy,
}
