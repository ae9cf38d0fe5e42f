//! A column added to a view table with an index on it: a view column, rebuilt from the log
//! like the rest of the row, indexed because a page filters on it.
use sea_orm_migration::prelude::*;

/// Adds `column` (nullable, of `kind`) to `table` and indexes it as `index`.
pub(crate) async fn add_indexed<T, C>(
    manager: &SchemaManager<'_>,
    table: T,
    column: C,
    kind: fn(&mut ColumnDef) -> &mut ColumnDef,
    index: &str,
) -> Result<(), DbErr>
where
    T: Iden + Copy + 'static,
    C: Iden + Copy + 'static,
{
    let mut def = ColumnDef::new(column);
    kind(&mut def).null();
    manager
        .alter_table(Table::alter().table(table).add_column(&mut def).to_owned())
        .await?;
    manager
        .create_index(
            Index::create()
                .name(index)
                .table(table)
                .col(column)
                .if_not_exists()
                .to_owned(),
        )
        .await
}

/// Drops what `add_indexed` added.
pub(crate) async fn drop_indexed<T, C>(
    manager: &SchemaManager<'_>,
    table: T,
    column: C,
    index: &str,
) -> Result<(), DbErr>
where
    T: Iden + Copy + 'static,
    C: Iden + Copy + 'static,
{
    manager
        .drop_index(Index::drop().name(index).table(table).to_owned())
        .await?;
    manager
        .alter_table(Table::alter().table(table).drop_column(column).to_owned())
        .await
}
