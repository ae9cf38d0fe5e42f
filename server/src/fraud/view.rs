use crate::entity::{fraud_alert, risk_score, view_head};
use crate::golden::row_codec::{instant, to_json};
use crate::keys::TrustedKeys;
use crate::views::sql_batch::{Fresh, SqlView};
use crate::views::Applied;
use domain::payloads::{FraudAlertResolved, FraudDetected};
use domain::{fold_verified_with, ChainHead, EventEnvelope, EventPayload, EventType, StreamState};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, DatabaseConnection, DatabaseTransaction, DbErr, EntityTrait};

/// The checkpoint name of this view.
pub const PROJECTION: &str = "fraud_view";

/// The fraud view over a database connection.
#[derive(Clone)]
pub struct FraudView {
    db: DatabaseConnection,
    trusted: TrustedKeys,
}

impl FraudView {
    /// A fraud view that accepts events signed by `trusted` keys.
    pub fn new(db: DatabaseConnection, trusted: TrustedKeys) -> Self {
        Self { db, trusted }
    }

    async fn apply_envelope(
        &self,
        txn: &DatabaseTransaction,
        envelope: &EventEnvelope,
        trusted: bool,
    ) -> Result<Applied, DbErr> {
        let meta = &envelope.metadata;
        let id = meta.cattle_id.0;
        let stored = view_head::Entity::find_by_id((PROJECTION.to_string(), id))
            .one(txn)
            .await?;
        let decode_err = |e: serde_json::Error| DbErr::Custom(format!("stream {id}: {e}"));
        let (head, state): (ChainHead, Option<StreamState>) = match &stored {
            Some(row) => (
                serde_json::from_value(row.chain_head.clone()).map_err(decode_err)?,
                Some(serde_json::from_value(row.state.clone()).map_err(decode_err)?),
            ),
            None => (ChainHead::default(), None),
        };
        let folded =
            match fold_verified_with(envelope, &head, state, trusted, self.trusted.checked()) {
                Ok(folded) => folded,
                // The golden record keeps the register of refusals; this view only skips them.
                Err(refusal) => {
                    return Ok(Applied::Rejected {
                        event_id: Some(meta.event_id.clone()),
                        cattle_id: Some(id),
                        code: refusal.code().to_string(),
                        reason: refusal.to_string(),
                    })
                }
            };
        let occurred_at = instant(&meta.occurred_at).map_err(DbErr::Custom)?;
        let head_row = view_head::ActiveModel {
            projection: Set(PROJECTION.to_string()),
            aggregate_id: Set(id),
            chain_head: Set(to_json(&folded.head)?),
            state: Set(to_json(&folded.state)?),
        };
        if stored.is_some() {
            view_head::Entity::update(head_row).exec(txn).await?;
        } else {
            view_head::Entity::insert(head_row).exec(txn).await?;
        }
        if let StreamState::Cattle(state) = &folded.state {
            risk_score::Entity::insert(risk_score::ActiveModel {
                cattle_id: Set(id),
                confidence_score: Set(i32::from(state.confidence_score)),
                risk_level: Set(state.risk_level.as_str().to_string()),
                last_updated: Set(occurred_at),
            })
            .on_conflict(
                OnConflict::column(risk_score::Column::CattleId)
                    .update_columns([
                        risk_score::Column::ConfidenceScore,
                        risk_score::Column::RiskLevel,
                        risk_score::Column::LastUpdated,
                    ])
                    .to_owned(),
            )
            .exec(txn)
            .await?;
        }
        let payload = domain::upcast(meta.event_type, meta.schema_version, &envelope.payload)
            .map_err(|e| DbErr::Custom(e.to_string()))?;
        match meta.event_type {
            EventType::FraudDetected => {
                let detected = FraudDetected::from_payload(&payload).map_err(DbErr::Custom)?;
                fraud_alert::Entity::insert(fraud_alert::ActiveModel {
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
                })
                .on_conflict(
                    OnConflict::column(fraud_alert::Column::Id)
                        .do_nothing()
                        .to_owned(),
                )
                .exec_without_returning(txn)
                .await?;
            }
            EventType::FraudAlertResolved => {
                let resolved = FraudAlertResolved::from_payload(&payload).map_err(DbErr::Custom)?;
                if let Some(alert) = fraud_alert::Entity::find_by_id(resolved.alert_id)
                    .one(txn)
                    .await?
                {
                    let mut alert: fraud_alert::ActiveModel = alert.into();
                    alert.resolved = Set(true);
                    alert.resolution = Set(Some(resolved.resolution.as_str().to_string()));
                    alert.resolved_at = Set(Some(occurred_at));
                    fraud_alert::Entity::update(alert).exec(txn).await?;
                }
            }
            _ => {}
        }
        Ok(Applied::Applied {
            cattle_id: id,
            event_id: meta.event_id.clone(),
            event_type: meta.event_type.as_str().to_string(),
            sequence: meta.sequence,
        })
    }
}

#[async_trait::async_trait]
impl SqlView for FraudView {
    fn name(&self) -> &'static str {
        PROJECTION
    }

    fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    fn trusted_keys(&self) -> &TrustedKeys {
        &self.trusted
    }

    async fn write_rows(
        &self,
        txn: &DatabaseTransaction,
        fresh: &[Fresh<'_>],
    ) -> Result<Vec<Applied>, DbErr> {
        let mut outcomes = Vec::with_capacity(fresh.len());
        for message in fresh {
            outcomes.push(match &message.envelope {
                Ok(envelope) => self.apply_envelope(txn, envelope, message.trusted).await?,
                Err(reason) => Applied::Rejected {
                    event_id: None,
                    cattle_id: None,
                    code: "MALFORMED".into(),
                    reason: reason.clone(),
                },
            });
        }
        Ok(outcomes)
    }
}
