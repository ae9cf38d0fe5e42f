//! How a view's consumer reads the log: a batch at a time, the next one read ahead while a
//! full one is applied, and the group's turns taken between batches.
use super::group_turns::{GroupTurn, ViewConsumer};
use super::read_ahead::{prepared, LogRecord, ReadAheadStopped};
use super::LogMessage;
use crate::checked_signatures::CheckedSignatures;
use app::model::ViewName;
use rdkafka::message::BorrowedMessage;
use rdkafka::Message;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::task::JoinHandle;

/// The most messages a view applies in one transaction.
pub(super) const BATCH_LIMIT: usize = 1000;

fn record(message: &BorrowedMessage<'_>) -> LogRecord {
    LogRecord {
        topic: message.topic().to_string(),
        partition: message.partition(),
        offset: message.offset(),
        key: message.key().map(<[u8]>::to_vec),
        body: message.payload().unwrap_or_default().to_vec(),
    }
}

/// Waits for the next record, then takes what the consumer already holds without waiting
/// more: a lone event is applied at once, a burst in one transaction.
async fn next_records(consumer: &ViewConsumer, view: ViewName) -> Vec<LogRecord> {
    let first = loop {
        match consumer.recv().await {
            Ok(message) => break record(&message),
            Err(error) => {
                tracing::warn!(view = view.as_str(), %error, "could not read the log; retrying");
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
    };
    let mut batch = vec![first];
    while batch.len() < BATCH_LIMIT {
        // A zero timeout still polls the read once: it answers what is ready, never waits.
        match tokio::time::timeout(Duration::ZERO, consumer.recv()).await {
            Ok(Ok(message)) => batch.push(record(&message)),
            Ok(Err(error)) => {
                tracing::warn!(view = view.as_str(), %error,
                    "could not read the log; applying what was read");
                break;
            }
            Err(_) => break,
        }
    }
    batch
}

/// The next batch, being read and prepared in a task of its own while the consumer applies
/// a full one before it. Dropping it stops the reading, so a stopped view leaves no reader.
pub(super) struct NextBatch(JoinHandle<Result<Vec<LogMessage>, ReadAheadStopped>>);

impl NextBatch {
    pub(super) fn start(
        consumer: &Arc<ViewConsumer>,
        view: ViewName,
        checked: &CheckedSignatures,
    ) -> Self {
        let (consumer, checked) = (Arc::clone(consumer), checked.clone());
        Self(tokio::spawn(async move {
            prepared(next_records(&consumer, view).await, &checked).await
        }))
    }

    async fn batch(&mut self) -> Result<Vec<LogMessage>, ReadAheadStopped> {
        match (&mut self.0).await {
            Ok(batch) => batch,
            Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
            Err(error) => Err(ReadAheadStopped::new(error.to_string())),
        }
    }

    /// Stops the reading and waits until it has stopped, so that nothing it reads races a
    /// new assignment.
    pub(super) async fn cancel(mut self) {
        self.0.abort();
        let _ = (&mut self.0).await;
    }
}

impl Drop for NextBatch {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// What the consumer acts on next.
pub(super) enum Input {
    /// A batch to apply.
    Batch(Vec<LogMessage>),
    /// A turn of the view's group, taken before anything more is read.
    Turn(GroupTurn),
}

/// Where a view's consumer reads from: the consumer, the batch read ahead, and the turns
/// its group gave.
pub(super) struct LogReading {
    pub(super) consumer: Arc<ViewConsumer>,
    pub(super) ahead: Option<NextBatch>,
    pub(super) turns: UnboundedReceiver<GroupTurn>,
}

impl LogReading {
    /// The next batch, or a turn of the group when one came first. A turn is taken as soon
    /// as it comes, even while waiting for the log, so a member that has nothing to read
    /// still gives its partitions up when asked.
    pub(super) async fn next(
        &mut self,
        view: ViewName,
        checked: &CheckedSignatures,
    ) -> Result<Input, ReadAheadStopped> {
        if let Ok(turn) = self.turns.try_recv() {
            return Ok(Input::Turn(turn));
        }
        match self.ahead.as_mut() {
            Some(next) => {
                tokio::select! {
                    batch = next.batch() => {
                        self.ahead = None;
                        Ok(Input::Batch(batch?))
                    }
                    Some(turn) = self.turns.recv() => Ok(Input::Turn(turn)),
                }
            }
            // Read here, in the consumer's own task: a live event waits for no other task.
            None => {
                tokio::select! {
                    records = next_records(&self.consumer, view) => {
                        Ok(Input::Batch(prepared(records, checked).await?))
                    }
                    Some(turn) = self.turns.recv() => Ok(Input::Turn(turn)),
                }
            }
        }
    }

    /// Starts reading the next batch while this one is applied.
    pub(super) fn read_ahead(&mut self, view: ViewName, checked: &CheckedSignatures) {
        self.ahead = Some(NextBatch::start(&self.consumer, view, checked));
    }

    /// Stops the reading ahead: what it read came from positions about to change.
    pub(super) async fn drop_ahead(&mut self) {
        if let Some(next) = self.ahead.take() {
            next.cancel().await;
        }
    }
}
