//! `duplicate_events`: events the golden record dropped because the same business fact (its
//! idempotency key) was applied as another event, so their status names the original
//! instead of staying `PENDING` forever. A view of the log like the golden record.
use sea_orm_migration::prelude::*;

/// Creates `duplicate_events`.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0004_duplicate_events"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(DuplicateEvents::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(DuplicateEvents::EventId)
                            .string_len(128)
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(DuplicateEvents::OriginalEventId)
                            .string_len(128)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(DuplicateEvents::CattleId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(DuplicateEvents::Sequence)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(DuplicateEvents::KafkaTopic)
                            .string_len(255)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(DuplicateEvents::KafkaPartition)
                            .integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(DuplicateEvents::KafkaOffset)
                            .big_integer()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(DuplicateEvents::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum DuplicateEvents {
    Table,
    EventId,
    OriginalEventId,
    CattleId,
    Sequence,
    KafkaTopic,
    KafkaPartition,
    KafkaOffset,
}
