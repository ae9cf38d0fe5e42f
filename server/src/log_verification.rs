//! "Verify the whole log", run by an administrator: every message of the cattle log read
//! from its first offset to the end it had when the run started, each checked with the
//! domain's verifier against the published keys, and every snapshot on the snapshots topic
//! held to the fold of the events it covers; in a blocking task with its progress readable
//! at any time. One run at a time per instance.
use crate::kafka::log_reader::{each_message, TopicMessage};
use crate::snapshot_audit::SnapshotAudit;
use app::model::{BrokenEvent, LogVerificationRun, VerificationState, BROKEN_SHOWN};
use domain::{EventEnvelope, KeyRegistry, LogVerifier};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// The longest a run may read before it gives up.
const READ_WITHIN: Duration = Duration::from_secs(1800);

/// A run is under way already.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("a verification of the whole log is running already")]
pub struct AlreadyRunning;

/// The instance's verification runs; clones share the latest.
#[derive(Clone)]
pub struct LogVerification(Arc<Mutex<LogVerificationRun>>);

impl Default for LogVerification {
    fn default() -> Self {
        Self(Arc::new(Mutex::new(LogVerificationRun::never_run())))
    }
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

impl LogVerification {
    fn run(&self) -> MutexGuard<'_, LogVerificationRun> {
        // Plain counters stay worth reading after a panic elsewhere.
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The latest run, as far as it got.
    pub fn latest(&self) -> LogVerificationRun {
        self.run().clone()
    }

    /// Starts verifying `topic` and the snapshots on `snapshot_topic` at `brokers` against
    /// `keys` in the background.
    pub fn start(
        &self,
        brokers: String,
        topic: String,
        snapshot_topic: String,
        keys: KeyRegistry,
    ) -> Result<(), AlreadyRunning> {
        {
            let mut run = self.run();
            if run.state == VerificationState::Running {
                return Err(AlreadyRunning);
            }
            *run = LogVerificationRun {
                state: VerificationState::Running,
                started_at: Some(now()),
                ..LogVerificationRun::never_run()
            };
        }
        let shared = self.clone();
        tokio::task::spawn_blocking(move || {
            shared.verify(&brokers, &topic, &snapshot_topic, &keys)
        });
        Ok(())
    }

    fn count(&self, checked: u64, broken: impl IntoIterator<Item = BrokenEvent>) {
        let mut run = self.run();
        run.checked += checked;
        for broken in broken {
            run.broken_count += 1;
            if run.broken.len() < BROKEN_SHOWN {
                run.broken.push(broken);
            }
        }
    }

    fn verify(&self, brokers: &str, topic: &str, snapshot_topic: &str, keys: &KeyRegistry) {
        tracing::info!(%topic, "verifying the whole log");
        let mut audit = SnapshotAudit::new(snapshot_topic.to_string());
        // The snapshots first, so the one pass over the log can hold each to its events.
        let snapshots = each_message(
            brokers,
            snapshot_topic,
            READ_WITHIN,
            |total| self.run().total = total,
            |message| self.count(1, audit.open(keys, message)),
        );
        let mut verifier = LogVerifier::default();
        let read = snapshots.and_then(|()| {
            each_message(
                brokers,
                topic,
                READ_WITHIN,
                |total| self.run().total += total,
                |message| {
                    let (broken, accepted) = judge(&mut verifier, keys, topic, message);
                    let settled = accepted.map(|e| audit.follow(&e)).unwrap_or_default();
                    self.count(1, broken.into_iter().chain(settled));
                },
            )
        });
        if read.is_ok() {
            self.count(0, audit.unreached());
        }
        let mut run = self.run();
        run.finished_at = Some(now());
        match read {
            Ok(()) => {
                run.state = VerificationState::Finished;
                tracing::info!(
                    checked = run.checked,
                    broken = run.broken_count,
                    "the whole log verified"
                );
            }
            Err(error) => {
                tracing::error!(%error, "the whole log could not be verified");
                run.state = VerificationState::Failed;
                run.error = Some(error.to_string());
            }
        }
    }
}

/// The verifier's verdict on one message: what broke, or the envelope it accepted.
fn judge(
    verifier: &mut LogVerifier,
    keys: &KeyRegistry,
    topic: &str,
    message: TopicMessage<'_>,
) -> (Option<BrokenEvent>, Option<EventEnvelope>) {
    let broken = |event_id, cattle_id, code: &str, reason: String| BrokenEvent {
        topic: topic.to_string(),
        partition: message.partition,
        offset: message.offset,
        event_id,
        cattle_id,
        code: code.to_string(),
        reason,
    };
    let text = match std::str::from_utf8(message.body) {
        Ok(text) => text,
        Err(error) => {
            return (
                Some(broken(None, None, "MALFORMED", error.to_string())),
                None,
            )
        }
    };
    let envelope = match EventEnvelope::from_json_str(text) {
        Ok(envelope) => envelope,
        Err(error) => {
            return (
                Some(broken(None, None, "MALFORMED", error.to_string())),
                None,
            )
        }
    };
    match verifier.check(&envelope, keys) {
        Ok(()) => (None, Some(envelope)),
        Err(failure) => {
            let m = &envelope.metadata;
            let broken = broken(
                Some(m.event_id.clone()),
                Some(m.cattle_id.0),
                failure.code(),
                failure.to_string(),
            );
            (Some(broken), None)
        }
    }
}
