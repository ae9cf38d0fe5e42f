//! The chain heads and states a view keeps for itself in `view_heads`, one row per stream
//! under the view's name, so a view that folds the log needs no other view's tables.
use super::bulk_rows::{insert_rows, key_lists};
use crate::entity::view_head;
use domain::{ChainHead, StreamState};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait,
    QueryFilter,
};
use std::collections::{BTreeMap, HashMap};

/// A stream's head and state as a view holds them.
pub type StreamHead = (ChainHead, StreamState);

/// The heads `projection` keeps for the streams `ids`.
pub async fn load<C: ConnectionTrait>(
    db: &C,
    projection: &str,
    ids: impl IntoIterator<Item = i64>,
) -> Result<HashMap<i64, StreamHead>, DbErr> {
    let mut heads = HashMap::new();
    for ids in key_lists(ids) {
        let rows = view_head::Entity::find()
            .filter(view_head::Column::Projection.eq(projection))
            .filter(view_head::Column::AggregateId.is_in(ids))
            .all(db)
            .await?;
        for row in rows {
            let id = row.aggregate_id;
            let corrupt = |e: serde_json::Error| DbErr::Custom(format!("stream {id}: {e}"));
            let head = serde_json::from_value(row.chain_head).map_err(corrupt)?;
            let state = serde_json::from_value(row.state).map_err(corrupt)?;
            heads.insert(id, (head, state));
        }
    }
    Ok(heads)
}

/// The states of every stream `projection` keeps, for a view that starts with them in memory.
pub async fn all_states<C: ConnectionTrait>(
    db: &C,
    projection: &str,
) -> Result<Vec<StreamState>, DbErr> {
    let rows = view_head::Entity::find()
        .filter(view_head::Column::Projection.eq(projection))
        .all(db)
        .await?;
    rows.into_iter()
        .map(|row| {
            let id = row.aggregate_id;
            serde_json::from_value(row.state)
                .map_err(|e| DbErr::Custom(format!("stream {id}: {e}")))
        })
        .collect()
}

/// Stores the heads of `heads` (head and state as JSON) for `projection`, replacing older ones.
pub async fn save(
    txn: &DatabaseTransaction,
    projection: &str,
    heads: BTreeMap<i64, (serde_json::Value, serde_json::Value)>,
) -> Result<(), DbErr> {
    let rows: Vec<view_head::ActiveModel> = heads
        .into_iter()
        .map(|(id, (head, state))| view_head::ActiveModel {
            projection: Set(projection.to_string()),
            aggregate_id: Set(id),
            chain_head: Set(head),
            state: Set(state),
        })
        .collect();
    let upsert = OnConflict::columns([
        view_head::Column::Projection,
        view_head::Column::AggregateId,
    ])
    .update_columns([view_head::Column::ChainHead, view_head::Column::State])
    .to_owned();
    insert_rows(txn, rows, Some(upsert)).await
}
