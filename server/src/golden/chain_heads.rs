//! What the command handler reads of the golden record before it decides: a stream's chain
//! head and state, whether a client id is taken, and which event already carries a key.
use super::row_codec::decode_row;
use crate::entity::{cattle, cattle_event, client};
use domain::{CattleState, ChainHead};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter};

/// The chain head and state a new command for this animal builds on.
pub async fn head_and_state(
    db: &DatabaseConnection,
    id: i64,
) -> Result<(ChainHead, Option<CattleState>), DbErr> {
    match cattle::Entity::find_by_id(id).one(db).await? {
        Some(row) => decode_row(&row).map_err(|e| DbErr::Custom(format!("cattle {id}: {e}"))),
        None => Ok((ChainHead::default(), None)),
    }
}

/// The chain head of a client stream, if the client is registered.
pub async fn client_head(
    db: &DatabaseConnection,
    aggregate_id: i64,
) -> Result<Option<ChainHead>, DbErr> {
    let row = client::Entity::find()
        .filter(client::Column::AggregateId.eq(aggregate_id))
        .one(db)
        .await?;
    row.map(|r| serde_json::from_value(r.chain_head))
        .transpose()
        .map_err(|e| DbErr::Custom(format!("client stream {aggregate_id}: {e}")))
}

/// Whether a registered client already has this client id.
pub async fn client_id_taken(db: &DatabaseConnection, client_id: i64) -> Result<bool, DbErr> {
    Ok(client::Entity::find_by_id(client_id)
        .one(db)
        .await?
        .is_some())
}

/// The applied event carrying this idempotency key, if any.
pub async fn event_with_idempotency_key(
    db: &DatabaseConnection,
    key: &str,
) -> Result<Option<String>, DbErr> {
    Ok(cattle_event::Entity::find()
        .filter(cattle_event::Column::IdempotencyKey.eq(key))
        .one(db)
        .await?
        .map(|e| e.event_id))
}
