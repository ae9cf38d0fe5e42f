//! Users' signing seeds are stored sealed (nonce, ciphertext and tag in hex, about 180
//! characters), no longer as the 64 hex characters of the seed itself.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

/// Widens `users.signing_seed` to text.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0005_sealed_seeds"
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    SigningSeed,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite keeps any length in a VARCHAR column (and cannot alter a column's type).
        if manager.get_database_backend() == DbBackend::Sqlite {
            return Ok(());
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .modify_column(ColumnDef::new(Users::SigningSeed).text().not_null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Sqlite {
            return Ok(());
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .modify_column(ColumnDef::new(Users::SigningSeed).string_len(64).not_null())
                    .to_owned(),
            )
            .await
    }
}
