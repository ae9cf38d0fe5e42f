//! An event id may be 128 code points (PROTOCOL.md §9.5) and `created_by` has no limit, but
//! the first tables held 64 and 128 characters: an event the protocol accepts stopped the
//! golden record at its insert. The id columns take 128 characters (PostgreSQL counts
//! characters, as the protocol does) and the authors any text.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

/// Widens the event id and author columns of the golden record's tables.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0017_long_event_ids"
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum CattleEvents {
    Table,
    EventId,
    CreatedBy,
}

#[derive(DeriveIden, Clone, Copy)]
enum RejectedEvents {
    Table,
    EventId,
}

#[derive(DeriveIden, Clone, Copy)]
enum Valuations {
    Table,
    EventId,
    CreatedBy,
}

#[derive(DeriveIden, Clone, Copy)]
enum Weighings {
    Table,
    EventId,
}

/// Each column, and its type before and after.
fn columns(widened: bool) -> Vec<(DynIden, ColumnDef)> {
    let id = |column: DynIden, nullable: bool| {
        let mut def = ColumnDef::new(column);
        def.string_len(if widened { 128 } else { 64 });
        if nullable {
            def.null();
        } else {
            def.not_null();
        }
        def
    };
    let author = |column: DynIden| {
        let mut def = ColumnDef::new(column);
        if widened {
            def.text();
        } else {
            def.string_len(128);
        }
        def.null();
        def
    };
    vec![
        (
            CattleEvents::Table.into_iden(),
            id(CattleEvents::EventId.into_iden(), false),
        ),
        (
            CattleEvents::Table.into_iden(),
            author(CattleEvents::CreatedBy.into_iden()),
        ),
        (
            RejectedEvents::Table.into_iden(),
            id(RejectedEvents::EventId.into_iden(), true),
        ),
        (
            Valuations::Table.into_iden(),
            id(Valuations::EventId.into_iden(), false),
        ),
        (
            Valuations::Table.into_iden(),
            author(Valuations::CreatedBy.into_iden()),
        ),
        (
            Weighings::Table.into_iden(),
            id(Weighings::EventId.into_iden(), false),
        ),
    ]
}

async fn alter(manager: &SchemaManager<'_>, widened: bool) -> Result<(), DbErr> {
    // SQLite keeps any length in a VARCHAR column (and cannot alter a column's type).
    if manager.get_database_backend() == DbBackend::Sqlite {
        return Ok(());
    }
    for (table, mut column) in columns(widened) {
        manager
            .alter_table(
                Table::alter()
                    .table(table)
                    .modify_column(&mut column)
                    .to_owned(),
            )
            .await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        alter(manager, true).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        alter(manager, false).await
    }
}
