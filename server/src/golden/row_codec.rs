//! How the golden record's rows hold what the domain folds: JSON columns and RFC 3339 times.
use crate::entity::cattle;
use chrono::{DateTime, Utc};
use domain::ChainHead;
use sea_orm::DbErr;

/// The chain head and state stored with an animal's row.
pub fn decode_row(
    row: &cattle::Model,
) -> Result<(ChainHead, Option<domain::CattleState>), serde_json::Error> {
    let head: ChainHead = serde_json::from_value(row.chain_head.clone())?;
    let state: domain::CattleState = serde_json::from_value(row.state.clone())?;
    Ok((head, Some(state)))
}

/// Parses an RFC 3339 timestamp of an envelope or a state.
pub fn instant(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("timestamp {text:?}: {e}"))
}

/// A value as JSON for a JSON column.
pub fn to_json<T: serde::Serialize>(value: &T) -> Result<serde_json::Value, DbErr> {
    serde_json::to_value(value).map_err(|e| DbErr::Custom(e.to_string()))
}
