//! `cattle.offered_to_client`: the client a transfer waiting for acceptance offers the animal
//! to, so a farmer's incoming offers are one indexed read. Null when no offer waits; a view
//! column, rebuilt from the log like the rest of the row.
use crate::view_column::{add_indexed, drop_indexed};
use sea_orm_migration::prelude::*;

/// Adds `cattle.offered_to_client` and its index.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0008_transfer_offers"
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Cattle {
    Table,
    OfferedToClient,
}

const INDEX: &str = "idx_cattle_offered_to_client";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_indexed(
            manager,
            Cattle::Table,
            Cattle::OfferedToClient,
            ColumnDef::big_integer,
            INDEX,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_indexed(manager, Cattle::Table, Cattle::OfferedToClient, INDEX).await
    }
}
