//! Every event the golden record accepted, read in pages in stream order (animal, then
//! sequence): how a job folds the whole registry without holding it in memory.
use crate::entity::cattle_event;
use sea_orm::sea_query::Expr;
use sea_orm::{
    DatabaseConnection, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

/// Where a page ends: the stream and sequence of its last event.
pub type PagePosition = (i64, i64);

/// One accepted event: its stream, its sequence and its envelope as stored.
pub type StoredEvent = (i64, i64, serde_json::Value);

/// How many events the golden record holds.
pub async fn event_count(db: &DatabaseConnection) -> Result<u64, DbErr> {
    cattle_event::Entity::find().count(db).await
}

/// Up to `limit` events after `after` (from the first when `None`), in stream order.
pub async fn events_after(
    db: &DatabaseConnection,
    after: Option<PagePosition>,
    limit: u64,
) -> Result<Vec<StoredEvent>, DbErr> {
    let mut query = cattle_event::Entity::find()
        .select_only()
        .column(cattle_event::Column::CattleId)
        .column(cattle_event::Column::Sequence)
        .column(cattle_event::Column::Envelope)
        .order_by_asc(cattle_event::Column::CattleId)
        .order_by_asc(cattle_event::Column::Sequence)
        .limit(limit);
    if let Some((stream, sequence)) = after {
        // A row comparison walks the (cattle_id, sequence) index from where the page ended.
        let position = Expr::tuple([
            Expr::col(cattle_event::Column::CattleId).into(),
            Expr::col(cattle_event::Column::Sequence).into(),
        ]);
        query = query.filter(position.gt(Expr::tuple([stream.into(), sequence.into()])));
    }
    query.into_tuple().all(db).await
}
