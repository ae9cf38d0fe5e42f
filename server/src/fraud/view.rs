//! The fraud view: folds each batch in memory on the heads it keeps in `view_heads`, then
//! writes the heads, risk scores and alerts with one multi-row statement per table.
use super::fraud_rows::FraudRows;
use crate::checked_signatures::CheckedSignatures;
use crate::keys::TrustedKeys;
use crate::views::sql_batch::{Fresh, SqlView};
use crate::views::stream_heads::{self, StreamHead};
use crate::views::Applied;
use app::model::ViewName;
use domain::{fold_verified_with, ChainHead, EventEnvelope};
use sea_orm::{DatabaseConnection, DatabaseTransaction, DbErr};
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
) -> Result<HashMap<i64, StreamHead>, DbErr> {
    let ids = fresh
        .iter()
        .filter_map(|message| message.envelope.as_ref().ok())
        .map(|envelope| envelope.metadata.cattle_id.0);
    stream_heads::load(txn, PROJECTION.as_str(), ids).await
}

/// Folds one envelope on the head this view holds, keeping its rows.
fn fold_one(
    heads: &mut HashMap<i64, StreamHead>,
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
