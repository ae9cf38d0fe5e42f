//! `refused_records`: the records the fraud detector saw refused for tampering, under the
//! key that signed them, so it can tell when one key's records are refused again and again
//! across animals. A view of the log like the detector's heads; a record read twice (a
//! replay, a copy) is one row.
use sea_orm_migration::prelude::*;

/// Creates `refused_records`.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0011_refused_records"
    }
}

#[derive(DeriveIden)]
enum RefusedRecords {
    Table,
    PublicKey,
    EventId,
    CattleId,
    Failure,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RefusedRecords::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(RefusedRecords::PublicKey)
                            .string()
                            .not_null(),
                    )
                    .col(ColumnDef::new(RefusedRecords::EventId).string().not_null())
                    .col(
                        ColumnDef::new(RefusedRecords::CattleId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(RefusedRecords::Failure).text().not_null())
                    .primary_key(
                        Index::create()
                            .col(RefusedRecords::PublicKey)
                            .col(RefusedRecords::EventId),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(RefusedRecords::Table).to_owned())
            .await
    }
}
