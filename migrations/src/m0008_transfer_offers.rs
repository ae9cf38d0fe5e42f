//! `cattle.offered_to_client`: the client a transfer waiting for acceptance offers the animal
//! to, so a farmer's incoming offers are one indexed read. Null when no offer waits; a view
//! column, rebuilt from the log like the rest of the row.
use sea_orm_migration::prelude::*;

/// Adds `cattle.offered_to_client` and its index.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0008_transfer_offers"
    }
}

#[derive(DeriveIden)]
enum Cattle {
    Table,
    OfferedToClient,
}

const INDEX: &str = "idx_cattle_offered_to_client";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Cattle::Table)
                    .add_column(ColumnDef::new(Cattle::OfferedToClient).big_integer().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(Cattle::Table)
                    .col(Cattle::OfferedToClient)
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name(INDEX).table(Cattle::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Cattle::Table)
                    .drop_column(Cattle::OfferedToClient)
                    .to_owned(),
            )
            .await
    }
}
