//! `weighings`: every weighing of an animal (a health record with a weight), one row per
//! event, so a mob's average daily gain is one indexed read. A golden-record table, rebuilt
//! from the log like `valuations`; weighings recorded before it existed appear once the
//! golden record is rebuilt.
use sea_orm_migration::prelude::*;

/// Creates `weighings` and its index on the animal.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0016_weighings"
    }
}

#[derive(DeriveIden)]
enum Weighings {
    Table,
    EventId,
    CattleId,
    WeighedAt,
    WeightKg,
}

const INDEX: &str = "idx_weighings_cattle_id";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Weighings::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(Weighings::EventId)
                            .string_len(64)
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Weighings::CattleId).big_integer().not_null())
                    .col(
                        ColumnDef::new(Weighings::WeighedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Weighings::WeightKg).double().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(Weighings::Table)
                    .col(Weighings::CattleId)
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Weighings::Table).if_exists().to_owned())
            .await
    }
}
