//! `users.must_change_password`: set for an account whose password was made by the registry
//! and printed (the first administrator's); it may do nothing but choose its own password
//! until then.
use sea_orm_migration::prelude::*;

/// Adds `users.must_change_password`.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0009_password_change"
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    MustChangePassword,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(
                        ColumnDef::new(Users::MustChangePassword)
                            .boolean()
                            .not_null()
                            .default(false),
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
                    .drop_column(Users::MustChangePassword)
                    .to_owned(),
            )
            .await
    }
}
