//! `users.user_id`: an opaque, stable id per user. Events carry it as `created_by` and the
//! published keys name owners by it, so neither reveals the names people sign in with.
//! Accounts made before keep their username as their id: the events they signed already
//! name them so.
use sea_orm_migration::prelude::*;

/// Adds `users.user_id`, unique.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0010_user_ids"
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    UserId,
}

const INDEX: &str = "idx_users_user_id";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(
                        ColumnDef::new(Users::UserId)
                            .string()
                            .not_null()
                            .default(""),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared("UPDATE users SET user_id = username WHERE user_id = ''")
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(Users::Table)
                    .col(Users::UserId)
                    .unique()
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name(INDEX).table(Users::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .drop_column(Users::UserId)
                    .to_owned(),
            )
            .await
    }
}
