//! `claimed_facts`: the business facts (idempotency keys) an instance is publishing, each
//! with the event that carries it and whether the broker acknowledged that event. Instances
//! share the database, not their memory: the same command sent to two instances at once is
//! claimed by one, and the other answers with the claimant's event instead of publishing a
//! second. Not a view of the log: a claim only bridges the moments between publishing and
//! the golden record holding the event, and claims are deleted once they are older than
//! that can take.
use sea_orm_migration::prelude::*;

/// Creates `claimed_facts`.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0018_claimed_facts"
    }
}

#[derive(DeriveIden)]
enum ClaimedFacts {
    Table,
    IdempotencyKey,
    EventId,
    ClaimedAt,
    Published,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ClaimedFacts::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(ClaimedFacts::IdempotencyKey)
                            .string_len(64)
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(ClaimedFacts::EventId)
                            .string_len(128)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ClaimedFacts::ClaimedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ClaimedFacts::Published)
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
            .drop_table(
                Table::drop()
                    .table(ClaimedFacts::Table)
                    .if_exists()
                    .to_owned(),
            )
            .await
    }
}
