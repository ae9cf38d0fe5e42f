//! The records the detector saw refused for tampering, by signing key, in `refused_records`:
//! read when the detector starts, written with each batch's checkpoint.
use crate::entity::refused_record;
use crate::views::bulk_rows::insert_rows;
use domain::{CattleId, RefusedRecord};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, DatabaseConnection, DatabaseTransaction, DbErr, EntityTrait};
use std::collections::{BTreeMap, BTreeSet};

/// Each key's refused records, as far as the detector has read.
pub type RefusedByKey = BTreeMap<String, Vec<RefusedRecord>>;

/// Every refused record kept.
pub async fn all(db: &DatabaseConnection) -> Result<RefusedByKey, DbErr> {
    let mut found = RefusedByKey::new();
    for row in refused_record::Entity::find().all(db).await? {
        found
            .entry(row.public_key)
            .or_default()
            .push(RefusedRecord {
                event_id: row.event_id,
                cattle_id: CattleId(row.cattle_id),
                failure: row.failure,
            });
    }
    Ok(found)
}

/// Keeps `records` (key, record); a record kept before stays as it was.
pub async fn save(
    txn: &DatabaseTransaction,
    records: Vec<(String, RefusedRecord)>,
) -> Result<(), DbErr> {
    let mut seen = BTreeSet::new();
    let rows: Vec<refused_record::ActiveModel> = records
        .into_iter()
        .filter(|(key, record)| seen.insert((key.clone(), record.event_id.clone())))
        .map(|(key, record)| refused_record::ActiveModel {
            public_key: Set(key),
            event_id: Set(record.event_id),
            cattle_id: Set(record.cattle_id.0),
            failure: Set(record.failure),
        })
        .collect();
    let keep_first = OnConflict::columns([
        refused_record::Column::PublicKey,
        refused_record::Column::EventId,
    ])
    .do_nothing()
    .to_owned();
    insert_rows(txn, rows, Some(keep_first)).await
}
