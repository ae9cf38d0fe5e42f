//! Reads of one animal: its record, where its events sit in the log, and for its page the
//! row, its folded state, its valuations and every envelope of its stream the log holds
//! (applied and refused), in log order.
use super::row_codec::{decode_row, to_record};
use crate::entity::{cattle, cattle_event, client, rejected_event, valuation};
use app::model::{AnimalPage, CattleRecord, ClientSummary, ValuationEntry};
use chrono::SecondsFormat;
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder};

/// One animal, or `None` when the golden record does not know it.
pub async fn cattle_by_id(db: &DatabaseConnection, id: i64) -> Result<Option<CattleRecord>, DbErr> {
    Ok(cattle::Entity::find_by_id(id).one(db).await?.map(to_record))
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

/// The animal's accepted events from `sequence` on, in sequence order (time travel from a
/// snapshot reads only these).
pub async fn events_from(
    db: &DatabaseConnection,
    cattle_id: i64,
    sequence: i64,
) -> Result<Vec<cattle_event::Model>, DbErr> {
    cattle_event::Entity::find()
        .filter(cattle_event::Column::CattleId.eq(cattle_id))
        .filter(cattle_event::Column::Sequence.gte(sequence))
        .order_by_asc(cattle_event::Column::Sequence)
        .all(db)
        .await
}

/// The owner of an animal, when the golden record knows the animal.
pub async fn owner_of(db: &DatabaseConnection, cattle_id: i64) -> Result<Option<i64>, DbErr> {
    Ok(cattle::Entity::find_by_id(cattle_id)
        .one(db)
        .await?
        .map(|row| row.client_id))
}

/// Everything the animal page shows; `mine` marks whether the owner is the user's client.
pub async fn animal_page(
    db: &DatabaseConnection,
    cattle_id: i64,
    mine: impl Fn(i64) -> bool,
) -> Result<Option<AnimalPage>, DbErr> {
    let Some(row) = cattle::Entity::find_by_id(cattle_id).one(db).await? else {
        return Ok(None);
    };
    let (_, state) =
        decode_row(&row).map_err(|e| DbErr::Custom(format!("cattle {cattle_id}: {e}")))?;
    let Some(state) = state else {
        return Ok(None);
    };
    let owner = client::Entity::find_by_id(row.client_id)
        .one(db)
        .await?
        .map(|c| ClientSummary {
            mine: mine(c.id),
            id: c.id,
            name: c.name,
            pic: c.pic,
        });
    let valuations = valuation::Entity::find()
        .filter(valuation::Column::CattleId.eq(cattle_id))
        .order_by_asc(valuation::Column::ValuedAt)
        .all(db)
        .await?
        .into_iter()
        .map(|v| ValuationEntry {
            valued_at: v.valued_at.to_rfc3339_opts(SecondsFormat::Millis, true),
            amount_cents: v.amount_cents,
            method: v.method,
            created_by: v.created_by,
        })
        .collect();
    let mut positioned: Vec<((i32, i64), String)> = cattle_event::Entity::find()
        .filter(cattle_event::Column::CattleId.eq(cattle_id))
        .all(db)
        .await?
        .into_iter()
        .map(|e| ((e.kafka_partition, e.kafka_offset), e.envelope.to_string()))
        .collect();
    positioned.extend(
        rejected_event::Entity::find()
            .filter(rejected_event::Column::CattleId.eq(cattle_id))
            .all(db)
            .await?
            .into_iter()
            .map(|r| ((r.kafka_partition, r.kafka_offset), one_line(&r.envelope))),
    );
    positioned.sort();
    Ok(Some(AnimalPage {
        record: to_record(row),
        state,
        owner,
        valuations,
        envelopes: positioned.into_iter().map(|(_, text)| text).collect(),
    }))
}

/// A refused message as one compact JSON line (the timeline is verified as JSON lines).
fn one_line(text: &str) -> String {
    serde_json::from_str::<serde_json::Value>(text)
        .map(|value| value.to_string())
        .unwrap_or_else(|_| text.replace(['\n', '\r'], " "))
}
