//! `suspicions`: each animal's current fraud flags, as the fraud view folds them (an open
//! alert's suspicion, or one an assessor confirmed), one row per animal and suspicion, so
//! "which animals are suspected of what" is one indexed read. A view of the log.
use sea_orm_migration::prelude::*;

/// Creates `suspicions`.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0012_suspicions"
    }
}

#[derive(DeriveIden)]
enum Suspicions {
    Table,
    CattleId,
    SuspicionType,
    Confirmed,
    UpdatedAt,
}

const INDEX: &str = "idx_suspicions_suspicion_type";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Suspicions::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(Suspicions::CattleId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Suspicions::SuspicionType)
                            .string()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Suspicions::Confirmed).boolean().not_null())
                    .col(
                        ColumnDef::new(Suspicions::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(Suspicions::CattleId)
                            .col(Suspicions::SuspicionType),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(Suspicions::Table)
                    .col(Suspicions::SuspicionType)
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Suspicions::Table).to_owned())
            .await
    }
}
