//! The sizes and shape of the multi-row statements batched views write and the `IN (…)`
//! lists they read with, within the bind-parameter limits of PostgreSQL and SQLite.
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveModelTrait, DatabaseTransaction, DbErr, EntityTrait, IntoActiveModel};

/// Rows per statement.
const ROWS_PER_STATEMENT: usize = 500;

/// Values per `IN (…)` list.
const KEYS_PER_QUERY: usize = 1000;

/// Inserts `rows` a few hundred per statement, resolving conflicts as `on_conflict` says
/// (none: a conflict is an error). The rows are moved into the statements: copying them
/// (JSON documents included) cost as much as building the statements.
pub async fn insert_rows<A>(
    txn: &DatabaseTransaction,
    rows: Vec<A>,
    on_conflict: Option<OnConflict>,
) -> Result<(), DbErr>
where
    A: ActiveModelTrait + Send + Sync,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
{
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(ROWS_PER_STATEMENT).collect();
        let mut insert = A::Entity::insert_many(chunk);
        if let Some(on_conflict) = &on_conflict {
            insert = insert.on_conflict(on_conflict.clone());
        }
        insert.exec_without_returning(txn).await?;
    }
    Ok(())
}

/// Distinct keys in lists short enough for one `IN (…)` each.
pub fn key_lists<K: Ord + Clone>(keys: impl IntoIterator<Item = K>) -> Vec<Vec<K>> {
    let distinct: Vec<K> = keys
        .into_iter()
        .collect::<std::collections::BTreeSet<K>>()
        .into_iter()
        .collect();
    distinct.chunks(KEYS_PER_QUERY).map(<[K]>::to_vec).collect()
}

#[cfg(test)]
mod tests {
    use super::key_lists;

    #[test]
    fn keys_are_deduplicated_and_split() {
        assert_eq!(key_lists([3, 1, 3, 2]), vec![vec![1, 2, 3]]);
        let many = key_lists(0..2500);
        assert_eq!(
            many.iter().map(Vec::len).collect::<Vec<_>>(),
            [1000, 1000, 500]
        );
        assert!(key_lists(Vec::<i64>::new()).is_empty());
    }
}
