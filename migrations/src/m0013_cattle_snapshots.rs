//! `cattle_snapshots`: where each animal's latest snapshot sits on the snapshots topic, so
//! `from-log` can start there instead of at the animal's first event. An index of the
//! snapshots topic, not a source of truth: without it a replay reads every event.
use sea_orm_migration::prelude::*;

/// Creates `cattle_snapshots`.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0013_cattle_snapshots"
    }
}

#[derive(DeriveIden)]
enum CattleSnapshots {
    Table,
    CattleId,
    Sequence,
    EventId,
    KafkaTopic,
    KafkaPartition,
    KafkaOffset,
    TakenAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CattleSnapshots::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(CattleSnapshots::CattleId)
                            .big_integer()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(CattleSnapshots::Sequence)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(CattleSnapshots::EventId).string().not_null())
                    .col(
                        ColumnDef::new(CattleSnapshots::KafkaTopic)
                            .string()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CattleSnapshots::KafkaPartition)
                            .integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CattleSnapshots::KafkaOffset)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CattleSnapshots::TakenAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CattleSnapshots::Table).to_owned())
            .await
    }
}
