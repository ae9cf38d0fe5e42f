//! `tree_heads`: every signed tree head the server published to the heads topic, by number,
//! so proofs are answered without reading the topic back; and an index on where each
//! applied event sits in the log, which the heads' partition trees are built in.
use sea_orm_migration::prelude::*;

/// Creates `tree_heads` and the index on `cattle_events`' log positions.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0019_tree_heads"
    }
}

#[derive(DeriveIden)]
enum TreeHeads {
    Table,
    Number,
    HeadHash,
    Document,
}

#[derive(DeriveIden)]
enum CattleEvents {
    Table,
    KafkaTopic,
    KafkaPartition,
    KafkaOffset,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(TreeHeads::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(TreeHeads::Number)
                            .big_integer()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(TreeHeads::HeadHash)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(ColumnDef::new(TreeHeads::Document).json().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_cattle_events_log_position")
                    .table(CattleEvents::Table)
                    .col(CattleEvents::KafkaTopic)
                    .col(CattleEvents::KafkaPartition)
                    .col(CattleEvents::KafkaOffset)
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_cattle_events_log_position")
                    .table(CattleEvents::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(TreeHeads::Table).if_exists().to_owned())
            .await
    }
}
