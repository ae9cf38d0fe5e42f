//! Checkpoints of the SQL views, written in the same transaction as their rows.
use crate::entity::checkpoint;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

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

/// Whether the view already applied this log position.
pub async fn already_applied<C: ConnectionTrait>(
    db: &C,
    projection: &str,
    topic: &str,
    partition: i32,
    offset: i64,
) -> Result<bool, DbErr> {
    let seen =
        checkpoint::Entity::find_by_id((projection.to_string(), topic.to_string(), partition))
            .one(db)
            .await?;
    Ok(seen.is_some_and(|c| offset <= c.offset))
}

/// Records that the view applied everything up to `offset` of the partition.
pub async fn save<C: ConnectionTrait>(
    db: &C,
    projection: &str,
    topic: &str,
    partition: i32,
    offset: i64,
) -> Result<(), DbErr> {
    checkpoint::Entity::insert(checkpoint::ActiveModel {
        projection: Set(projection.to_string()),
        topic: Set(topic.to_string()),
        partition: Set(partition),
        offset: Set(offset),
    })
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
