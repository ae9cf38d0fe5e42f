//! "Verify the whole log", run by an administrator: every message of the cattle log read
//! from its first offset to the end it had when the run started, each checked with the
//! domain's verifier against the published keys, in a blocking task with its progress
//! readable at any time. One run at a time per instance.
use crate::kafka::log_reader::{each_message, TopicMessage};
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

    /// Starts verifying `topic` at `brokers` against `keys` in the background.
    pub fn start(
        &self,
        brokers: String,
        topic: String,
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
        tokio::task::spawn_blocking(move || shared.verify(&brokers, &topic, &keys));
        Ok(())
    }

    fn verify(&self, brokers: &str, topic: &str, keys: &KeyRegistry) {
        tracing::info!(%topic, "verifying the whole log");
        let mut verifier = LogVerifier::default();
        let read = each_message(
            brokers,
            topic,
            READ_WITHIN,
            |total| self.run().total = total,
            |message| {
                let broken = judge(&mut verifier, keys, message);
                let mut run = self.run();
                run.checked += 1;
                if let Some(broken) = broken {
                    run.broken_count += 1;
                    if run.broken.len() < BROKEN_SHOWN {
                        run.broken.push(broken);
                    }
                }
            },
        );
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

/// The verifier's verdict on one message: `None` when it verifies.
fn judge(
    verifier: &mut LogVerifier,
    keys: &KeyRegistry,
    message: TopicMessage<'_>,
) -> Option<BrokenEvent> {
    let broken = |event_id, cattle_id, code: &str, reason: String| BrokenEvent {
        partition: message.partition,
        offset: message.offset,
        event_id,
        cattle_id,
        code: code.to_string(),
        reason,
    };
    let text = match std::str::from_utf8(message.body) {
        Ok(text) => text,
        Err(error) => return Some(broken(None, None, "MALFORMED", error.to_string())),
    };
    let envelope = match EventEnvelope::from_json_str(text) {
        Ok(envelope) => envelope,
        Err(error) => return Some(broken(None, None, "MALFORMED", error.to_string())),
    };
    let failure = verifier.check(&envelope, keys).err()?;
    let m = &envelope.metadata;
    Some(broken(
        Some(m.event_id.clone()),
        Some(m.cattle_id.0),
        failure.code(),
        failure.to_string(),
    ))
}
