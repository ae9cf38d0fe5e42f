//! Checkpoints of the SQL views, written in the same transaction as their rows.
use crate::entity::checkpoint;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use std::collections::{BTreeMap, HashMap};

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
