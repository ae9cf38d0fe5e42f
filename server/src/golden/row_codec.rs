//! How the golden record's rows hold what the domain folds (JSON columns, RFC 3339 times) and
//! how a row reads as the record the API and the pages show.
use crate::entity::cattle;
use app::model::CattleRecord;
use chrono::{DateTime, SecondsFormat, Utc};
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

/// A row as the API and the pages show it.
pub fn to_record(row: cattle::Model) -> CattleRecord {
    // The paddock is shown, never filtered on: the stored state holds it, no column needed.
    let paddock = row
        .state
        .get("last_location")
        .and_then(|fix| fix.get("paddock"))
        .and_then(serde_json::Value::as_str)
        .map(str::to_string);
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
        mob: row.mob,
        paddock,
        withholding_until: row.withholding_until,
    }
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
