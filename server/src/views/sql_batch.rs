//! The skeleton every SQL view shares, shaped for batches: in one transaction, skip what the
//! checkpoints say was applied, decode each message once, let the view write its rows, save
//! one checkpoint per partition, commit. So commits and round trips are per batch, not per
//! event, and a failure applies none of the batch (it is retried whole).
use super::{sql_checkpoint, Applied, LogMessage, LogPosition, LogView, ViewError};
use crate::checked_signatures::CheckedSignatures;
use crate::keys::TrustedKeys;
use app::model::ViewName;
use domain::EventEnvelope;
use sea_orm::{DatabaseConnection, DatabaseTransaction, DbErr};
use std::collections::{BTreeMap, HashMap};

/// A message the view has not applied yet, decoded once.
pub struct Fresh<'a> {
    /// Where it sits in the log.
    pub position: LogPosition<'a>,
    /// The bytes as received.
    pub body: &'a [u8],
    /// The envelope, or why the bytes are not one.
    pub envelope: &'a Result<EventEnvelope, String>,
    /// Whether the envelope's key may sign for its author (false when undecodable).
    pub trusted: bool,
}

/// A view kept in SQL tables next to its checkpoints.
#[async_trait::async_trait]
pub trait SqlView: Clone + Send + Sync + 'static {
    /// The view's checkpoint name.
    fn name(&self) -> ViewName;

    /// The database the view lives in.
    fn db(&self) -> &DatabaseConnection;

    /// The keys whose signatures the view accepts.
    fn trusted_keys(&self) -> &TrustedKeys;

    /// Writes the rows of `fresh` (in log order within each partition) inside `txn` and
    /// answers one outcome per message, in the same order.
    async fn write_rows(
        &self,
        txn: &DatabaseTransaction,
        fresh: &[Fresh<'_>],
    ) -> Result<Vec<Applied>, DbErr>;

    /// See [`LogView::announces_rejections`].
    fn announces_rejections(&self) -> bool {
        false
    }
}

/// The messages of a batch a view has not applied yet, by its checkpoints.
pub struct Unapplied<'b> {
    /// Each message past its partition's checkpoint, decoded once.
    pub fresh: Vec<Fresh<'b>>,
    /// Where each of `fresh` sits in the batch.
    pub at: Vec<usize>,
    /// The last offset of each partition among them: the checkpoints to save.
    pub reached: BTreeMap<(&'b str, i32), i64>,
}

/// The messages of `batch` past the checkpoints `saved`, each judged for whether its key may
/// sign for its author (give the keys to `TrustedKeys::learn` first).
pub fn unapplied<'b>(
    batch: &'b [LogMessage],
    saved: &HashMap<(String, i32), i64>,
    keys: &TrustedKeys,
) -> Unapplied<'b> {
    let mut fresh = Vec::with_capacity(batch.len());
    let mut at_of = Vec::with_capacity(batch.len());
    let mut reached: BTreeMap<(&str, i32), i64> = BTreeMap::new();
    for (at, message) in batch.iter().enumerate() {
        let place = (message.topic.as_str(), message.partition);
        let done = saved
            .get(&(message.topic.clone(), message.partition))
            .copied()
            .max(reached.get(&place).copied());
        if done.is_some_and(|offset| message.offset <= offset) {
            continue;
        }
        let envelope = &message.envelope;
        let trusted = envelope
            .as_ref()
            .is_ok_and(|envelope| keys.accepts(envelope));
        reached.insert(place, message.offset);
        fresh.push(Fresh {
            position: message.position(),
            body: &message.body,
            envelope,
            trusted,
        });
        at_of.push(at);
    }
    Unapplied {
        fresh,
        at: at_of,
        reached,
    }
}

/// Applies `batch` to `view` exactly once, in one transaction with its checkpoints.
pub async fn apply_sql_batch<V: SqlView>(
    view: &V,
    batch: &[LogMessage],
) -> Result<Vec<Applied>, DbErr> {
    let keys = view.trusted_keys();
    // Looked up before the transaction: a lookup inside it would need a second connection
    // while holding one.
    keys.learn_envelopes(
        batch
            .iter()
            .filter_map(|message| message.envelope.as_ref().ok()),
    )
    .await?;
    let txn = crate::database::begin_write(view.db()).await?;
    sql_checkpoint::hold_partitions(&txn, view.name().as_str(), batch).await?;
    let saved = sql_checkpoint::all_of(&txn, view.name().as_str()).await?;
    let mut outcomes = vec![Applied::AlreadyCheckpointed; batch.len()];
    let Unapplied {
        fresh,
        at: fresh_at,
        reached,
    } = unapplied(batch, &saved, keys);
    if fresh.is_empty() {
        return Ok(outcomes);
    }
    let applied = view.write_rows(&txn, &fresh).await?;
    if applied.len() != fresh.len() {
        return Err(DbErr::Custom(format!(
            "view {} answered {} outcomes for {} messages",
            view.name(),
            applied.len(),
            fresh.len()
        )));
    }
    for (at, outcome) in fresh_at.into_iter().zip(applied) {
        outcomes[at] = outcome;
    }
    sql_checkpoint::save_all(&txn, view.name().as_str(), &reached).await?;
    txn.commit().await?;
    Ok(outcomes)
}

#[async_trait::async_trait]
impl<V: SqlView> LogView for V {
    fn name(&self) -> ViewName {
        SqlView::name(self)
    }

    async fn checkpoints(&self, topic: &str) -> Result<Vec<(i32, i64)>, ViewError> {
        Ok(sql_checkpoint::checkpoints(self.db(), SqlView::name(self).as_str(), topic).await?)
    }

    async fn apply_batch(&self, batch: &[LogMessage]) -> Result<Vec<Applied>, ViewError> {
        Ok(apply_sql_batch(self, batch).await?)
    }

    fn announces_rejections(&self) -> bool {
        SqlView::announces_rejections(self)
    }

    fn checked_signatures(&self) -> &CheckedSignatures {
        self.trusted_keys().checked()
    }
}
