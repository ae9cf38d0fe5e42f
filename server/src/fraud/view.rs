//! The fraud view: folds each batch in memory on the heads it keeps in `view_heads`, then
//! writes the heads, risk scores and alerts with one multi-row statement per table.
use super::fraud_rows::FraudRows;
use crate::checked_signatures::CheckedSignatures;
use crate::entity::view_head;
use crate::keys::TrustedKeys;
use crate::views::bulk_rows::key_lists;
use crate::views::sql_batch::{Fresh, SqlView};
use crate::views::Applied;
use app::model::ViewName;
use domain::{fold_verified_with, ChainHead, EventEnvelope, StreamState};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DatabaseTransaction, DbErr, EntityTrait, QueryFilter,
};
use std::collections::HashMap;

/// The checkpoint name of this view.
pub const PROJECTION: ViewName = ViewName::FraudView;

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
}

/// The heads this view keeps for the streams of `fresh`.
async fn heads_of(
    txn: &DatabaseTransaction,
    fresh: &[Fresh<'_>],
) -> Result<HashMap<i64, (ChainHead, StreamState)>, DbErr> {
    let ids = fresh
        .iter()
        .filter_map(|message| message.envelope.as_ref().ok())
        .map(|envelope| envelope.metadata.cattle_id.0);
    let mut heads = HashMap::new();
    for ids in key_lists(ids) {
        let rows = view_head::Entity::find()
            .filter(view_head::Column::Projection.eq(PROJECTION.as_str()))
            .filter(view_head::Column::AggregateId.is_in(ids))
            .all(txn)
            .await?;
        for row in rows {
            let id = row.aggregate_id;
            let corrupt = |e: serde_json::Error| DbErr::Custom(format!("stream {id}: {e}"));
            let head = serde_json::from_value(row.chain_head).map_err(corrupt)?;
            let state = serde_json::from_value(row.state).map_err(corrupt)?;
            heads.insert(id, (head, state));
        }
    }
    Ok(heads)
}

/// Folds one envelope on the head this view holds, keeping its rows.
fn fold_one(
    heads: &mut HashMap<i64, (ChainHead, StreamState)>,
    rows: &mut FraudRows,
    envelope: &EventEnvelope,
    trusted: bool,
    checked: &CheckedSignatures,
) -> Result<Applied, DbErr> {
    let meta = &envelope.metadata;
    let id = meta.cattle_id.0;
    let (head, state) = match heads.get(&id) {
        Some((head, state)) => (head.clone(), Some(state.clone())),
        None => (ChainHead::default(), None),
    };
    let folded = match fold_verified_with(envelope, &head, state, trusted, checked) {
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
    rows.accept(envelope, &folded)?;
    heads.insert(id, (folded.head, folded.state));
    Ok(Applied::Applied {
        cattle_id: id,
        event_id: meta.event_id.clone(),
        event_type: meta.event_type,
        sequence: meta.sequence,
    })
}

#[async_trait::async_trait]
impl SqlView for FraudView {
    fn name(&self) -> ViewName {
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
        let mut heads = heads_of(txn, fresh).await?;
        let mut rows = FraudRows::default();
        let mut outcomes = Vec::with_capacity(fresh.len());
        for message in fresh {
            outcomes.push(match &message.envelope {
                Ok(envelope) => fold_one(
                    &mut heads,
                    &mut rows,
                    envelope,
                    message.trusted,
                    self.trusted.checked(),
                )?,
                Err(reason) => Applied::Rejected {
                    event_id: None,
                    cattle_id: None,
                    code: "MALFORMED".into(),
                    reason: reason.clone(),
                },
            });
        }
        rows.write(txn, PROJECTION.as_str()).await?;
        Ok(outcomes)
    }
}
