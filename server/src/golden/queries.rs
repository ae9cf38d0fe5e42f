//! Reads of the golden record.
use super::projection::decode_row;
use crate::entity::cattle;
use app::model::CattleRecord;
use chrono::SecondsFormat;
use domain::{CattleState, ChainHead};
use sea_orm::{DatabaseConnection, DbErr, EntityTrait, QueryOrder, QuerySelect};

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
