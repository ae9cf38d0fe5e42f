//! The rows the fraud view writes for a batch: each stream's last head, each animal's last
//! risk score and (when an alert came or went) its suspicions, new alerts and resolutions,
//! written with multi-row statements.
use crate::entity::{fraud_alert, risk_score, suspicion};
use crate::golden::row_codec::{instant, to_json};
use crate::views::bulk_rows::{insert_rows, key_lists};
use crate::views::stream_heads;
use chrono::{DateTime, Utc};
use domain::payloads::{FraudAlertResolved, FraudDetected};
use domain::{EventEnvelope, EventPayload, EventType, FoldedStream, StreamState};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter,
};
use std::collections::BTreeMap;

/// An alert resolved by an event of the batch.
struct Resolution {
    alert_id: String,
    resolution: String,
    at: DateTime<Utc>,
}

/// Everything one batch writes to the fraud view.
#[derive(Default)]
pub struct FraudRows {
    heads: BTreeMap<i64, (serde_json::Value, serde_json::Value)>,
    risks: BTreeMap<i64, risk_score::ActiveModel>,
    alerts: Vec<fraud_alert::ActiveModel>,
    resolutions: Vec<Resolution>,
    /// The animals whose suspicions an alert or a resolution changed: their flags now.
    suspicions: BTreeMap<i64, Vec<suspicion::ActiveModel>>,
}

impl FraudRows {
    /// Keeps the rows of one accepted event.
    pub fn accept(&mut self, envelope: &EventEnvelope, folded: &FoldedStream) -> Result<(), DbErr> {
        let meta = &envelope.metadata;
        let id = meta.cattle_id.0;
        let occurred_at = instant(&meta.occurred_at).map_err(DbErr::Custom)?;
        self.heads
            .insert(id, (to_json(&folded.head)?, to_json(&folded.state)?));
        if let StreamState::Cattle(state) = &folded.state {
            self.risks.insert(
                id,
                risk_score::ActiveModel {
                    cattle_id: Set(id),
                    confidence_score: Set(i32::from(state.confidence_score)),
                    risk_level: Set(state.risk_level.as_str().to_string()),
                    last_updated: Set(occurred_at),
                },
            );
        }
        if !matches!(
            meta.event_type,
            EventType::FraudDetected | EventType::FraudAlertResolved
        ) {
            return Ok(());
        }
        if let StreamState::Cattle(state) = &folded.state {
            let flags = state.suspicions.iter().map(|flag| suspicion::ActiveModel {
                cattle_id: Set(id),
                suspicion_type: Set(flag.as_str().to_string()),
                confirmed: Set(state.confirmed_suspicions.contains(flag)),
                updated_at: Set(occurred_at),
            });
            self.suspicions.insert(id, flags.collect());
        }
        let payload = domain::upcast(meta.event_type, meta.schema_version, &envelope.payload)
            .map_err(|e| DbErr::Custom(e.to_string()))?;
        if meta.event_type == EventType::FraudDetected {
            let detected = FraudDetected::from_payload(&payload).map_err(DbErr::Custom)?;
            self.alerts.push(fraud_alert::ActiveModel {
                id: Set(detected.alert_id),
                cattle_id: Set(id),
                suspicion_type: Set(detected.suspicion.as_str().to_string()),
                severity: Set(detected.severity.as_str().to_string()),
                description: Set(detected.description),
                evidence: Set(detected.evidence),
                detected_at: Set(occurred_at),
                resolved: Set(false),
                resolution: Set(None),
                resolved_at: Set(None),
            });
        } else {
            let resolved = FraudAlertResolved::from_payload(&payload).map_err(DbErr::Custom)?;
            self.resolutions.push(Resolution {
                alert_id: resolved.alert_id,
                resolution: resolved.resolution.as_str().to_string(),
                at: occurred_at,
            });
        }
        Ok(())
    }

    /// Writes every kept row; resolutions after the alerts, in log order.
    pub async fn write(self, txn: &DatabaseTransaction, projection: &str) -> Result<(), DbErr> {
        stream_heads::save(txn, projection, self.heads).await?;
        let risks: Vec<_> = self.risks.into_values().collect();
        let risks_upsert = OnConflict::column(risk_score::Column::CattleId)
            .update_columns([
                risk_score::Column::ConfidenceScore,
                risk_score::Column::RiskLevel,
                risk_score::Column::LastUpdated,
            ])
            .to_owned();
        insert_rows(txn, risks, Some(risks_upsert)).await?;
        if !self.suspicions.is_empty() {
            // Rare: only an alert raised or resolved changes an animal's flags.
            for ids in key_lists(self.suspicions.keys().copied()) {
                suspicion::Entity::delete_many()
                    .filter(suspicion::Column::CattleId.is_in(ids))
                    .exec(txn)
                    .await?;
            }
            let flags = self.suspicions.into_values().flatten().collect();
            insert_rows(txn, flags, None).await?;
        }
        let first = OnConflict::column(fraud_alert::Column::Id)
            .do_nothing()
            .to_owned();
        insert_rows(txn, self.alerts, Some(first)).await?;
        for resolved in self.resolutions {
            // Rare, and an alert raised earlier in the batch must be in place first.
            if let Some(alert) = fraud_alert::Entity::find_by_id(resolved.alert_id)
                .one(txn)
                .await?
            {
                let mut alert: fraud_alert::ActiveModel = alert.into();
                alert.resolved = Set(true);
                alert.resolution = Set(Some(resolved.resolution));
                alert.resolved_at = Set(Some(resolved.at));
                fraud_alert::Entity::update(alert).exec(txn).await?;
            }
        }
        Ok(())
    }
}
