//! Applies batches of the cattle log to the golden record, each in one transaction with its
//! checkpoints: verified, deduplicated, deterministic.
use super::known_streams::KnownStreams;
use super::rows::{GoldenRows, RowError};
use crate::checked_signatures::CheckedSignatures;
use crate::keys::TrustedKeys;
use crate::views::sql_batch::{apply_sql_batch, Fresh, SqlView};
use crate::views::{Applied, LogMessage};
use app::model::ViewName;
use domain::fold_verified_with;
use sea_orm::{DatabaseConnection, DatabaseTransaction, DbErr};

/// The checkpoint name of this projection.
pub const PROJECTION: ViewName = ViewName::GoldenRecord;

/// The golden record view over a database connection.
#[derive(Clone)]
pub struct GoldenRecord {
    db: DatabaseConnection,
    trusted: TrustedKeys,
}

fn rejected(event_id: Option<&str>, cattle_id: Option<i64>, code: &str, reason: String) -> Applied {
    Applied::Rejected {
        event_id: event_id.map(str::to_string),
        cattle_id,
        code: code.to_string(),
        reason,
    }
}

impl GoldenRecord {
    /// A golden record that accepts events signed by `trusted` keys.
    pub fn new(db: DatabaseConnection, trusted: TrustedKeys) -> Self {
        Self { db, trusted }
    }

    /// The database this view lives in.
    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Applies the message at (`topic`, `partition`, `offset`) exactly once: a batch of one.
    pub async fn apply_at(
        &self,
        topic: &str,
        partition: i32,
        offset: i64,
        body: &[u8],
    ) -> Result<Applied, DbErr> {
        let message =
            LogMessage::decoded(topic.to_string(), partition, offset, None, body.to_vec());
        apply_sql_batch(self, std::slice::from_ref(&message))
            .await?
            .pop()
            .ok_or_else(|| DbErr::Custom("a batch of one gave no outcome".into()))
    }
}

/// Decides one message against what the golden record holds so far, keeping its rows.
async fn fold_one(
    txn: &DatabaseTransaction,
    known: &mut KnownStreams,
    rows: &mut GoldenRows,
    message: &Fresh<'_>,
    checked: &CheckedSignatures,
) -> Result<Applied, DbErr> {
    let envelope = match message.envelope {
        Ok(envelope) => envelope,
        Err(reason) => return Ok(rejected(None, None, "MALFORMED", reason.clone())),
    };
    let meta = &envelope.metadata;
    let (event_id, stream_id) = (Some(meta.event_id.as_str()), Some(meta.cattle_id.0));
    if let Some(original) = known.original_of(envelope) {
        rows.duplicate(message.position, envelope, &original);
        let dropped = (meta.event_id != original).then(|| meta.event_id.clone());
        return Ok(Applied::Duplicate {
            event_id: original,
            dropped,
            cattle_id: Some(meta.cattle_id.0),
        });
    }
    let (head, state) = known.stream(envelope);
    let folded = match fold_verified_with(envelope, &head, state, message.trusted, checked) {
        Ok(folded) => folded,
        Err(refusal) => {
            return Ok(rejected(
                event_id,
                stream_id,
                refusal.code(),
                refusal.to_string(),
            ))
        }
    };
    if let Some(reason) = known.client_taken(txn, &folded.state).await? {
        return Ok(rejected(event_id, stream_id, "RULE", reason));
    }
    match rows.accept(envelope, &folded, message.position) {
        Ok(()) => {}
        Err(RowError::Refused { code, reason }) => {
            return Ok(rejected(event_id, stream_id, code, reason))
        }
        Err(RowError::Database(error)) => return Err(error),
    }
    known.record(envelope, folded);
    Ok(Applied::Applied {
        cattle_id: meta.cattle_id.0,
        event_id: meta.event_id.clone(),
        event_type: meta.event_type,
        sequence: meta.sequence,
    })
}

#[async_trait::async_trait]
impl SqlView for GoldenRecord {
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
        let mut known = KnownStreams::load(txn, fresh).await?;
        let mut rows = GoldenRows::default();
        let mut outcomes = Vec::with_capacity(fresh.len());
        for message in fresh {
            let outcome =
                fold_one(txn, &mut known, &mut rows, message, self.trusted.checked()).await?;
            if let Applied::Rejected {
                event_id,
                cattle_id,
                code,
                reason,
            } = &outcome
            {
                rows.reject(
                    message.position,
                    event_id,
                    *cattle_id,
                    code,
                    reason,
                    message.body,
                );
            }
            outcomes.push(outcome);
        }
        rows.write(txn).await?;
        Ok(outcomes)
    }

    fn announces_rejections(&self) -> bool {
        true
    }
}
