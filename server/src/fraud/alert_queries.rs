//! The fraud desk's reads: alerts from the fraud view, each with its animal's tag and owner
//! from the golden record; open ones first, the most serious and newest first among them.
use crate::entity::{cattle, client, fraud_alert};
use crate::views::bulk_rows::key_lists;
use app::model::{severity_rank, FraudAlert};
use domain::{RiskLevel, SuspicionType};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use std::collections::HashMap;

/// The most alerts the desk lists (open ones are never crowded out by resolved ones).
pub const ALERTS_LISTED: u64 = 500;

/// The alerts the desk lists: every open one up to the limit, then the latest resolved.
pub async fn alerts(db: &DatabaseConnection) -> Result<Vec<FraudAlert>, DbErr> {
    let rows = fraud_alert::Entity::find()
        .order_by_asc(fraud_alert::Column::Resolved)
        .order_by_desc(fraud_alert::Column::DetectedAt)
        .limit(ALERTS_LISTED)
        .all(db)
        .await?;
    let animals = animals_of(db, rows.iter().map(|row| row.cattle_id)).await?;
    let mut listed: Vec<FraudAlert> = rows
        .into_iter()
        .map(|row| to_alert(row, &animals))
        .collect::<Result<_, _>>()?;
    listed.sort_by(|a, b| {
        (!a.is_open(), severity_rank(a.severity))
            .cmp(&(!b.is_open(), severity_rank(b.severity)))
            .then_with(|| b.detected_at.cmp(&a.detected_at))
    });
    Ok(listed)
}

/// How many alerts wait for an assessor.
pub async fn open_count(db: &DatabaseConnection) -> Result<u64, DbErr> {
    fraud_alert::Entity::find()
        .filter(fraud_alert::Column::Resolved.eq(false))
        .count(db)
        .await
}

/// Each animal's tag and its owner's name and PIC.
async fn animals_of(
    db: &DatabaseConnection,
    ids: impl IntoIterator<Item = i64>,
) -> Result<HashMap<i64, (String, Option<String>)>, DbErr> {
    let mut animals = HashMap::new();
    let mut owners = HashMap::new();
    for ids in key_lists(ids) {
        let rows: Vec<(i64, String, i64)> = cattle::Entity::find()
            .select_only()
            .column(cattle::Column::Id)
            .column(cattle::Column::NlisId)
            .column(cattle::Column::ClientId)
            .filter(cattle::Column::Id.is_in(ids))
            .into_tuple()
            .all(db)
            .await?;
        for (id, nlis, owner) in rows {
            animals.insert(id, (nlis, owner));
        }
    }
    for ids in key_lists(animals.values().map(|(_, owner)| *owner)) {
        for row in client::Entity::find()
            .filter(client::Column::Id.is_in(ids))
            .all(db)
            .await?
        {
            owners.insert(row.id, format!("{} ({})", row.name, row.pic));
        }
    }
    Ok(animals
        .into_iter()
        .map(|(id, (nlis, owner))| (id, (nlis, owners.get(&owner).cloned())))
        .collect())
}

fn to_alert(
    row: fraud_alert::Model,
    animals: &HashMap<i64, (String, Option<String>)>,
) -> Result<FraudAlert, DbErr> {
    let unreadable = |what: &str, value: &str| {
        DbErr::Custom(format!("alert {}: {what} {value} is not known", row.id))
    };
    let suspicion = SuspicionType::parse(&row.suspicion_type)
        .ok_or_else(|| unreadable("suspicion", &row.suspicion_type))?;
    let severity =
        RiskLevel::parse(&row.severity).ok_or_else(|| unreadable("severity", &row.severity))?;
    let (nlis_id, owner) = animals
        .get(&row.cattle_id)
        .cloned()
        .unwrap_or_else(|| (String::new(), None));
    Ok(FraudAlert {
        alert_id: row.id,
        cattle_id: row.cattle_id,
        nlis_id,
        owner,
        suspicion,
        severity,
        description: row.description,
        evidence: row.evidence,
        detected_at: row.detected_at.to_rfc3339(),
        resolution: row.resolved.then(|| row.resolution.unwrap_or_default()),
        resolved_at: row.resolved_at.map(|at| at.to_rfc3339()),
    })
}
