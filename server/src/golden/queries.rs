//! Reads of the golden record.
use super::row_codec::decode_row;
use crate::entity::{cattle, cattle_event, client, duplicate_event, rejected_event};
use app::model::{CattleRecord, EventStatus};
use chrono::SecondsFormat;
use domain::{CattleState, ChainHead};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

/// The most animals one herd listing returns.
pub const HERD_PAGE_LIMIT: u64 = 500;

/// A row as the API and the pages show it.
pub fn to_record(row: cattle::Model) -> CattleRecord {
    CattleRecord {
        id: row.id,
        nlis_id: row.nlis_id,
        breed: row.breed,
        sex: row.sex,
        client_id: row.client_id,
        current_valuation: row.current_valuation,
        status: row.status,
        confidence_score: row.confidence_score,
        risk_level: row.risk_level,
        created_at: row.created_at.to_rfc3339_opts(SecondsFormat::Millis, true),
        updated_at: row.updated_at.to_rfc3339_opts(SecondsFormat::Millis, true),
        sequence: row.sequence,
    }
}

/// One animal, or `None` when the golden record does not know it.
pub async fn cattle_by_id(db: &DatabaseConnection, id: i64) -> Result<Option<CattleRecord>, DbErr> {
    Ok(cattle::Entity::find_by_id(id).one(db).await?.map(to_record))
}

/// The herd, most recently changed first.
pub async fn herd(db: &DatabaseConnection) -> Result<Vec<CattleRecord>, DbErr> {
    let rows = cattle::Entity::find()
        .order_by_desc(cattle::Column::UpdatedAt)
        .order_by_asc(cattle::Column::Id)
        .limit(HERD_PAGE_LIMIT)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(to_record).collect())
}

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

/// What the golden record knows of an event.
pub async fn event_status(db: &DatabaseConnection, event_id: &str) -> Result<EventStatus, DbErr> {
    if let Some(event) = cattle_event::Entity::find_by_id(event_id.to_string())
        .one(db)
        .await?
    {
        return Ok(EventStatus {
            event_id: event_id.to_string(),
            status: "APPLIED".into(),
            cattle_id: Some(event.cattle_id),
            sequence: Some(event.sequence),
            code: None,
            reason: None,
            duplicate_of: None,
        });
    }
    if let Some(rejected) = rejected_event::Entity::find()
        .filter(rejected_event::Column::EventId.eq(event_id))
        .one(db)
        .await?
    {
        return Ok(EventStatus {
            event_id: event_id.to_string(),
            status: "REJECTED".into(),
            cattle_id: rejected.cattle_id,
            sequence: rejected.sequence,
            code: Some(rejected.reason_code),
            reason: Some(rejected.reason),
            duplicate_of: None,
        });
    }
    if let Some(duplicate) = duplicate_event::Entity::find_by_id(event_id.to_string())
        .one(db)
        .await?
    {
        let original = duplicate.original_event_id;
        return Ok(EventStatus {
            event_id: event_id.to_string(),
            status: "DUPLICATE".into(),
            cattle_id: Some(duplicate.cattle_id),
            sequence: Some(duplicate.sequence),
            code: Some("DUPLICATE".into()),
            reason: Some(format!("DUPLICATE of {original}")),
            duplicate_of: Some(original),
        });
    }
    Ok(EventStatus {
        event_id: event_id.to_string(),
        status: "PENDING".into(),
        cattle_id: None,
        sequence: None,
        code: None,
        reason: None,
        duplicate_of: None,
    })
}

/// Where each applied event of a stream sits in the log, in sequence order.
pub async fn event_positions(
    db: &DatabaseConnection,
    cattle_id: i64,
) -> Result<Vec<cattle_event::Model>, DbErr> {
    cattle_event::Entity::find()
        .filter(cattle_event::Column::CattleId.eq(cattle_id))
        .order_by_asc(cattle_event::Column::Sequence)
        .all(db)
        .await
}

/// Whether a registered client already has this client id.
pub async fn client_id_taken(db: &DatabaseConnection, client_id: i64) -> Result<bool, DbErr> {
    Ok(client::Entity::find_by_id(client_id)
        .one(db)
        .await?
        .is_some())
}
