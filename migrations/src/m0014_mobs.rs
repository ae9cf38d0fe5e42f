//! `cattle.mob`: the mob each animal runs with, so "the animals of a mob" is one indexed read
//! for the herd list's filter and its bulk actions. Null when the animal is in no mob; a view
//! column, rebuilt from the log like the rest of the row.
use crate::view_column::{add_indexed, drop_indexed};
use sea_orm_migration::prelude::*;

/// Adds `cattle.mob` and its index.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0014_mobs"
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Cattle {
    Table,
    Mob,
}

const INDEX: &str = "idx_cattle_mob";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_indexed(
            manager,
            Cattle::Table,
            Cattle::Mob,
            ColumnDef::string,
            INDEX,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_indexed(manager, Cattle::Table, Cattle::Mob, INDEX).await
    }
}
