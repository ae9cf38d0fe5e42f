//! The leaves of the heads' trees, read from the golden record: every event it applied
//! (its `cattle_events`), by partition in log order, up to its checkpoint on each partition.
//! The golden record writes an event's row and its checkpoint in one transaction, so below a
//! checkpoint no leaf can still be missing.
use crate::entity::cattle_event;
use crate::golden::projection::PROJECTION;
use crate::views::sql_checkpoint;
use domain::AnimalHead;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use std::collections::BTreeMap;

/// One applied event as a leaf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leaf {
    /// Its offset in the partition.
    pub offset: i64,
    /// The stream.
    pub cattle_id: i64,
    /// Its sequence in the stream.
    pub sequence: i64,
    /// Its event hash, hex.
    pub event_hash: String,
}

impl Leaf {
    /// Keeps this leaf in `newest` if it is its stream's newest event so far.
    pub fn note_newest(&self, newest: &mut BTreeMap<i64, AnimalHead>) {
        let sequence = self.sequence.max(0) as u64;
        if newest
            .get(&self.cattle_id)
            .is_none_or(|known| known.sequence < sequence)
        {
            newest.insert(
                self.cattle_id,
                AnimalHead {
                    cattle_id: self.cattle_id,
                    sequence,
                    event_hash: self.event_hash.clone(),
                },
            );
        }
    }
}

/// Where an applied event sits in the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeafPosition {
    /// The partition.
    pub partition: i32,
    /// The event's offset.
    pub offset: i64,
    /// Its index among the partition's leaves.
    pub index: u64,
}

/// The golden record's checkpoint (last applied offset) on each partition of `topic`.
pub async fn applied_up_to<C: ConnectionTrait>(
    db: &C,
    topic: &str,
) -> Result<Vec<(i32, i64)>, DbErr> {
    let mut checkpoints = sql_checkpoint::checkpoints(db, PROJECTION.as_str(), topic).await?;
    checkpoints.sort_unstable();
    Ok(checkpoints)
}

/// Up to `limit` leaves of `partition` after offset `after`, up to offset `up_to`, in order.
pub async fn leaves_between<C: ConnectionTrait>(
    db: &C,
    topic: &str,
    partition: i32,
    after: i64,
    up_to: i64,
    limit: u64,
) -> Result<Vec<Leaf>, DbErr> {
    use cattle_event::Column;
    let rows: Vec<(i64, i64, i64, String)> = cattle_event::Entity::find()
        .select_only()
        .columns([
            Column::KafkaOffset,
            Column::CattleId,
            Column::Sequence,
            Column::EventHash,
        ])
        .filter(Column::KafkaTopic.eq(topic))
        .filter(Column::KafkaPartition.eq(partition))
        .filter(Column::KafkaOffset.gt(after))
        .filter(Column::KafkaOffset.lte(up_to))
        .order_by_asc(Column::KafkaOffset)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(offset, cattle_id, sequence, event_hash)| Leaf {
            offset,
            cattle_id,
            sequence,
            event_hash,
        })
        .collect())
}

/// The first `size` leaves of `partition`, in order, read in pages.
pub async fn first_leaves<C: ConnectionTrait>(
    db: &C,
    topic: &str,
    partition: i32,
    size: u64,
) -> Result<Vec<Leaf>, DbErr> {
    const PAGE: u64 = 5_000;
    let mut leaves: Vec<Leaf> = Vec::new();
    while (leaves.len() as u64) < size {
        let after = leaves.last().map_or(-1, |leaf| leaf.offset);
        let want = PAGE.min(size - leaves.len() as u64);
        let page = leaves_between(db, topic, partition, after, i64::MAX, want).await?;
        if page.is_empty() {
            break;
        }
        leaves.extend(page);
    }
    Ok(leaves)
}

/// Where the event `sequence` of stream `cattle_id` sits among its partition's leaves, if
/// the golden record applied it.
pub async fn position_of<C: ConnectionTrait>(
    db: &C,
    topic: &str,
    cattle_id: i64,
    sequence: i64,
) -> Result<Option<LeafPosition>, DbErr> {
    use cattle_event::Column;
    let found: Option<(i32, i64)> = cattle_event::Entity::find()
        .select_only()
        .columns([Column::KafkaPartition, Column::KafkaOffset])
        .filter(Column::KafkaTopic.eq(topic))
        .filter(Column::CattleId.eq(cattle_id))
        .filter(Column::Sequence.eq(sequence))
        .into_tuple()
        .one(db)
        .await?;
    let Some((partition, offset)) = found else {
        return Ok(None);
    };
    let index = cattle_event::Entity::find()
        .filter(Column::KafkaTopic.eq(topic))
        .filter(Column::KafkaPartition.eq(partition))
        .filter(Column::KafkaOffset.lt(offset))
        .count(db)
        .await?;
    Ok(Some(LeafPosition {
        partition,
        offset,
        index,
    }))
}

/// The partition `cattle_id`'s events are in, if the golden record applied any.
pub async fn partition_of<C: ConnectionTrait>(
    db: &C,
    topic: &str,
    cattle_id: i64,
) -> Result<Option<i32>, DbErr> {
    use cattle_event::Column;
    cattle_event::Entity::find()
        .select_only()
        .column(Column::KafkaPartition)
        .filter(Column::KafkaTopic.eq(topic))
        .filter(Column::CattleId.eq(cattle_id))
        .into_tuple()
        .one(db)
        .await
}

/// The offset of leaf `index` of `partition`, if there is one.
pub async fn offset_of_leaf<C: ConnectionTrait>(
    db: &C,
    topic: &str,
    partition: i32,
    index: u64,
) -> Result<Option<i64>, DbErr> {
    use cattle_event::Column;
    cattle_event::Entity::find()
        .select_only()
        .column(Column::KafkaOffset)
        .filter(Column::KafkaTopic.eq(topic))
        .filter(Column::KafkaPartition.eq(partition))
        .order_by_asc(Column::KafkaOffset)
        .offset(index)
        .limit(1)
        .into_tuple()
        .one(db)
        .await
}

/// The newest sequence of `cattle_id` among its events at or before `offset`.
pub async fn newest_sequence_until<C: ConnectionTrait>(
    db: &C,
    topic: &str,
    cattle_id: i64,
    offset: i64,
) -> Result<Option<i64>, DbErr> {
    use cattle_event::Column;
    cattle_event::Entity::find()
        .select_only()
        .column(Column::Sequence)
        .filter(Column::KafkaTopic.eq(topic))
        .filter(Column::CattleId.eq(cattle_id))
        .filter(Column::KafkaOffset.lte(offset))
        .order_by_desc(Column::Sequence)
        .limit(1)
        .into_tuple()
        .one(db)
        .await
}
