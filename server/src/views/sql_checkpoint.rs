//! Checkpoints of the SQL views, written in the same transaction as their rows.
use super::LogMessage;
use crate::entity::checkpoint;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait,
    QueryFilter, Statement,
};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Holds the partitions of `batch` for `projection` until the transaction ends, so two
/// instances never apply the same partition at once: a member whose group turn came late
/// (its session lapsed mid-batch) waits for the new owner's transaction, then finds the
/// batch checkpointed. SQLite needs none: one process writes it, one writer at a time.
pub async fn hold_partitions<C: ConnectionTrait>(
    txn: &C,
    projection: &str,
    batch: &[LogMessage],
) -> Result<(), DbErr> {
    if txn.get_database_backend() != DatabaseBackend::Postgres {
        return Ok(());
    }
    let places: BTreeSet<(&str, i32)> = batch
        .iter()
        .map(|message| (message.topic.as_str(), message.partition))
        .collect();
    // In one order everywhere, so two holders never wait on each other.
    for (topic, partition) in places {
        txn.execute(Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            "SELECT pg_advisory_xact_lock(hashtext($1), $2)",
            [format!("{projection}/{topic}").into(), partition.into()],
        ))
        .await?;
    }
    Ok(())
}

/// Every saved (partition, last applied offset) of one view on one topic.
pub async fn checkpoints<C: ConnectionTrait>(
    db: &C,
    projection: &str,
    topic: &str,
) -> Result<Vec<(i32, i64)>, DbErr> {
    Ok(checkpoint::Entity::find()
        .filter(checkpoint::Column::Projection.eq(projection))
        .filter(checkpoint::Column::Topic.eq(topic))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.partition, c.offset))
        .collect())
}

/// Every saved (topic, partition) → last applied offset of one view.
pub async fn all_of<C: ConnectionTrait>(
    db: &C,
    projection: &str,
) -> Result<HashMap<(String, i32), i64>, DbErr> {
    Ok(checkpoint::Entity::find()
        .filter(checkpoint::Column::Projection.eq(projection))
        .all(db)
        .await?
        .into_iter()
        .map(|c| ((c.topic, c.partition), c.offset))
        .collect())
}

/// Records that the view applied everything up to each offset, one row per partition, in
/// one statement.
pub async fn save_all<C: ConnectionTrait>(
    db: &C,
    projection: &str,
    reached: &BTreeMap<(&str, i32), i64>,
) -> Result<(), DbErr> {
    if reached.is_empty() {
        return Ok(());
    }
    checkpoint::Entity::insert_many(reached.iter().map(|((topic, partition), offset)| {
        checkpoint::ActiveModel {
            projection: Set(projection.to_string()),
            topic: Set(topic.to_string()),
            partition: Set(*partition),
            offset: Set(*offset),
        }
    }))
    .on_conflict(
        OnConflict::columns([
            checkpoint::Column::Projection,
            checkpoint::Column::Topic,
            checkpoint::Column::Partition,
        ])
        .update_column(checkpoint::Column::Offset)
        .to_owned(),
    )
    .exec(db)
    .await?;
    Ok(())
}
