//! The detector as a view of the log. Each batch is read twice: first, with no transaction
//! open, it is folded on the heads the detector keeps, the rules run on the state before each
//! event (`Judging`: the animal's own rules, its value against its peers', and a key's
//! records refused again and again) and the findings are raised; then, like any SQL view,
//! the same fold's heads, the records refused for tampering and the batch's checkpoints are
//! written in one transaction. Nothing is held open while a
//! finding waits for the golden record (on SQLite that would stop every other view), and a
//! crash between the two raises the findings again on the replay, which the command handler
//! recognises by their idempotency keys (an alert's id comes from its rule, its animal and
//! the event that raised it), so an alert is in the log once.
use super::judging::Judging;
use super::refused_records;
use crate::checked_signatures::CheckedSignatures;
use crate::command_handler::fraud_findings::FindingToRaise;
use crate::command_handler::CommandHandler;
use crate::keys::TrustedKeys;
use crate::views::sql_batch::{apply_sql_batch, unapplied, Fresh, SqlView, Unapplied};
use crate::views::stream_heads::{self, StreamHead};
use crate::views::{sql_checkpoint, Applied, LogMessage, LogView, ViewError};
use app::model::ViewName;
use domain::payloads::FraudDetected;
use domain::{
    fold_verified_with, upcast, CattleId, ChainHead, EventEnvelope, EventPayload, EventType,
    FraudFinding, RefusedRecord, SigningKeyPair, StreamRefusal, StreamState, VerificationFailure,
};
use sea_orm::{DatabaseConnection, DatabaseTransaction, DbErr};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};

/// The checkpoint name of the detector.
pub const PROJECTION: ViewName = ViewName::FraudDetector;

/// The fraud detector over the read-model database, raising alerts through `commands`.
#[derive(Clone)]
pub struct FraudDetector {
    folds: DetectorFolds,
    commands: CommandHandler,
    key: Arc<SigningKeyPair>,
    /// For a rebuild's copy: the live detector's tables, whose checkpoints mark the
    /// messages already judged. The copy raises findings only past them, so replaying the
    /// log judges no old event again (read in another order across partitions, the rules
    /// that compare an animal with its peers could judge it otherwise).
    judged_by: Option<DatabaseConnection>,
}

/// The detector's own fold of every stream, kept in `view_heads` with its checkpoints.
#[derive(Clone)]
struct DetectorFolds {
    db: DatabaseConnection,
    trusted: TrustedKeys,
    /// The detector's public key: its own events that lost a race are raised again.
    own_key: String,
    /// What the rules need across animals; loaded with the first batch, then kept by the
    /// raising fold.
    judging: Arc<Mutex<Option<Judging>>>,
}

/// What a fold of a batch found: the findings to raise, and the records refused for
/// tampering under their keys.
struct Folded {
    suspected: Vec<Suspected>,
    refused: Vec<(String, RefusedRecord)>,
}

/// A finding, the animal it is about and the event that raised it.
struct Suspected {
    cattle_id: CattleId,
    finding: FraudFinding,
    cause: String,
    /// The sequence the detector had folded the stream to: the alert goes after it.
    after_sequence: u64,
    /// The detector's own earlier event of this finding, which the chain refused.
    refused: Option<String>,
    /// The partition and offset of the message that raised it.
    raised_at: (i32, i64),
}

impl FraudDetector {
    /// A detector folding the events `trusted` keys signed, raising alerts through
    /// `commands` signed with `key` (which `trusted` must hold as a producer's).
    pub fn new(
        db: DatabaseConnection,
        trusted: TrustedKeys,
        commands: CommandHandler,
        key: Arc<SigningKeyPair>,
    ) -> Self {
        Self {
            folds: DetectorFolds {
                db,
                trusted,
                own_key: key.public_key_hex(),
                judging: Arc::default(),
            },
            commands,
            key,
            judged_by: None,
        }
    }

    /// A detector raising through the same command handler with the same key, but
    /// folding into `db` (a rebuild's copy, or the live tables again) with nothing in memory:
    /// what it keeps across animals is loaded from `db` with its first batch.
    pub fn folding_into(&self, db: DatabaseConnection) -> Self {
        Self::new(
            db,
            self.folds.trusted.clone(),
            self.commands.clone(),
            self.key.clone(),
        )
    }

    /// A rebuild's copy of this detector, folding into `db`: it raises only the findings
    /// of messages this (live) detector has not judged yet, such as those that arrive while
    /// the live one is stopped for the swap.
    pub fn copy_into(&self, db: DatabaseConnection) -> Self {
        Self {
            judged_by: Some(self.folds.db.clone()),
            ..self.folding_into(db)
        }
    }

    /// Keeps the findings of messages past what the live detector has judged.
    async fn not_yet_judged(
        &self,
        topic: &str,
        suspected: Vec<Suspected>,
    ) -> Result<Vec<Suspected>, DbErr> {
        let Some(live) = &self.judged_by else {
            return Ok(suspected);
        };
        let judged = sql_checkpoint::all_of(live, PROJECTION.as_str()).await?;
        Ok(suspected
            .into_iter()
            .filter(|suspect| {
                let (partition, offset) = suspect.raised_at;
                judged
                    .get(&(topic.to_string(), partition))
                    .is_none_or(|last| offset > *last)
            })
            .collect())
    }

    /// Folds the batch's unapplied messages on the stored heads, without a transaction,
    /// and raises what the rules find.
    async fn raise_findings(&self, batch: &[LogMessage]) -> Result<(), DbErr> {
        let folds = &self.folds;
        folds
            .trusted
            .learn_envelopes(
                batch
                    .iter()
                    .filter_map(|message| message.envelope.as_ref().ok()),
            )
            .await?;
        let saved = sql_checkpoint::all_of(&folds.db, PROJECTION.as_str()).await?;
        let Unapplied { fresh, .. } = unapplied(batch, &saved, &folds.trusted);
        if fresh.is_empty() {
            return Ok(());
        }
        let mut heads =
            stream_heads::load(&folds.db, PROJECTION.as_str(), stream_ids(&fresh)).await?;
        let mut judging = folds.judging().await?;
        let folded = folds.fold(&fresh, &mut heads, &mut BTreeMap::new(), Some(&mut judging))?;
        *folds.judging.lock().unwrap_or_else(PoisonError::into_inner) = Some(judging);
        let topic = batch.first().map_or("", |message| message.topic.as_str());
        let suspected = self.not_yet_judged(topic, folded.suspected).await?;
        for suspect in &suspected {
            let raising = FindingToRaise {
                cattle_id: suspect.cattle_id,
                finding: &suspect.finding,
                cause: Some(&suspect.cause),
                after_sequence: suspect.after_sequence,
                refused: suspect.refused.as_deref(),
            };
            let raised = self
                .commands
                .raise_alert(raising, &self.key)
                .await
                .map_err(|failure| {
                    DbErr::Custom(format!(
                        "raising alert {} on animal {}: {failure:?}",
                        suspect.finding.alert_id, suspect.cattle_id.0
                    ))
                })?;
            tracing::debug!(alert_id = %suspect.finding.alert_id, ?raised, "fraud finding");
        }
        Ok(())
    }
}

fn stream_ids<'a>(fresh: &'a [Fresh<'_>]) -> impl Iterator<Item = i64> + 'a {
    fresh
        .iter()
        .filter_map(|message| message.envelope.as_ref().ok())
        .map(|envelope| envelope.metadata.cattle_id.0)
}

fn to_json(value: &impl serde::Serialize) -> Result<serde_json::Value, DbErr> {
    serde_json::to_value(value).map_err(|e| DbErr::Custom(e.to_string()))
}

impl DetectorFolds {
    /// What the rules need across animals: in memory, or else loaded from the tables.
    async fn judging(&self) -> Result<Judging, DbErr> {
        let kept = self
            .judging
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        match kept {
            Some(judging) => Ok(judging),
            None => Judging::load(&self.db, PROJECTION.as_str()).await,
        }
    }

    /// Folds `fresh` on `heads`; the heads it changed are kept in `changed` as the JSON
    /// `view_heads` stores, with the records refused for tampering. With `judging`, the
    /// rules run and learn as they go, and the findings are answered.
    fn fold(
        &self,
        fresh: &[Fresh<'_>],
        heads: &mut HashMap<i64, StreamHead>,
        changed: &mut BTreeMap<i64, (serde_json::Value, serde_json::Value)>,
        mut judging: Option<&mut Judging>,
    ) -> Result<Folded, DbErr> {
        let checked = self.trusted.checked();
        let mut suspected = Vec::new();
        let mut refused = Vec::new();
        for message in fresh {
            let Ok(envelope) = message.envelope else {
                continue;
            };
            let id = envelope.metadata.cattle_id.0;
            let (head, state) = match heads.get(&id) {
                Some((head, state)) => (head.clone(), Some(state.clone())),
                None => (ChainHead::default(), None),
            };
            let before = match &state {
                Some(StreamState::Cattle(animal)) => Some(animal.clone()),
                _ => None,
            };
            let findings =
                match fold_verified_with(envelope, &head, state, message.trusted, checked) {
                    Ok(folded) => {
                        changed.insert(id, (to_json(&folded.head)?, to_json(&folded.state)?));
                        let mut findings = Vec::new();
                        if let Some(judging) = judging.as_deref_mut() {
                            if let Some(before) = &before {
                                findings = judging.accepted(before, envelope);
                            }
                            judging.learn(&folded.state);
                        }
                        heads.insert(id, (folded.head, folded.state));
                        findings
                    }
                    Err(refusal) => {
                        let raised_at = (message.position.partition, message.position.offset);
                        if let Some(lost) =
                            self.lost_race(envelope, &refusal, head.sequence, raised_at)
                        {
                            suspected.push(lost);
                            continue;
                        }
                        let record = RefusedRecord::of(envelope, &refusal);
                        let findings = judging.as_deref_mut().map_or_else(Vec::new, |judging| {
                            judging.refused(
                                before.as_ref(),
                                envelope,
                                &refusal,
                                record.as_ref(),
                                checked,
                            )
                        });
                        if let Some(record) = record {
                            refused.push((envelope.cryptography.public_key.clone(), record));
                        }
                        findings
                    }
                };
            let after_sequence = heads.get(&id).map_or(0, |(head, _)| head.sequence);
            suspected.extend(findings.into_iter().map(|finding| Suspected {
                cattle_id: envelope.metadata.cattle_id,
                finding,
                cause: envelope.metadata.event_id.clone(),
                after_sequence,
                refused: None,
                raised_at: (message.position.partition, message.position.offset),
            }));
        }
        Ok(Folded { suspected, refused })
    }

    /// The finding of one of the detector's own FRAUD_DETECTED events that lost its place in
    /// the chain to another writer, to be raised again on the head that won.
    fn lost_race(
        &self,
        envelope: &EventEnvelope,
        refusal: &StreamRefusal,
        folded_to: u64,
        raised_at: (i32, i64),
    ) -> Option<Suspected> {
        let meta = &envelope.metadata;
        let raced = matches!(
            refusal,
            StreamRefusal::Verification(
                VerificationFailure::SequenceGap { .. } | VerificationFailure::ChainLink { .. }
            )
        );
        if !raced
            || meta.event_type != EventType::FraudDetected
            || envelope.cryptography.public_key != self.own_key
        {
            return None;
        }
        let payload = upcast(meta.event_type, meta.schema_version, &envelope.payload).ok()?;
        let detected = FraudDetected::from_payload(&payload).ok()?;
        Some(Suspected {
            cattle_id: meta.cattle_id,
            finding: FraudFinding {
                alert_id: detected.alert_id,
                suspicion: detected.suspicion,
                severity: detected.severity,
                description: detected.description,
                evidence: detected.evidence,
            },
            cause: meta
                .causation_id
                .clone()
                .unwrap_or_else(|| meta.event_id.clone()),
            after_sequence: folded_to,
            refused: Some(meta.event_id.clone()),
            raised_at,
        })
    }
}

#[async_trait::async_trait]
impl SqlView for DetectorFolds {
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
        let mut heads = stream_heads::load(txn, PROJECTION.as_str(), stream_ids(fresh)).await?;
        let mut changed = BTreeMap::new();
        // The findings were raised before this transaction began.
        let folded = self.fold(fresh, &mut heads, &mut changed, None)?;
        stream_heads::save(txn, PROJECTION.as_str(), changed).await?;
        refused_records::save(txn, folded.refused).await?;
        Ok(vec![Applied::Passed; fresh.len()])
    }
}

#[async_trait::async_trait]
impl LogView for FraudDetector {
    fn name(&self) -> ViewName {
        PROJECTION
    }

    async fn checkpoints(&self, topic: &str) -> Result<Vec<(i32, i64)>, ViewError> {
        Ok(sql_checkpoint::checkpoints(&self.folds.db, PROJECTION.as_str(), topic).await?)
    }

    async fn apply_batch(&self, batch: &[LogMessage]) -> Result<Vec<Applied>, ViewError> {
        self.raise_findings(batch).await?;
        Ok(apply_sql_batch(&self.folds, batch).await?)
    }

    fn checked_signatures(&self) -> &CheckedSignatures {
        self.folds.trusted.checked()
    }
}
