//! `cattle.withholding_until`: the last day an animal's treatments withhold it from
//! slaughter ("YYYY-MM-DD"), so "the animals in withholding today" is one indexed read for the
//! herd list's filter. Null when no treatment withholds it; a view column, rebuilt from the log.
use crate::view_column::{add_indexed, drop_indexed};
use sea_orm_migration::prelude::*;

/// Adds `cattle.withholding_until` and its index.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0015_withholding"
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Cattle {
    Table,
    WithholdingUntil,
}

const INDEX: &str = "idx_cattle_withholding_until";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let kind = ColumnDef::string;
        add_indexed(
            manager,
            Cattle::Table,
            Cattle::WithholdingUntil,
            kind,
            INDEX,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_indexed(manager, Cattle::Table, Cattle::WithholdingUntil, INDEX).await
    }
}
