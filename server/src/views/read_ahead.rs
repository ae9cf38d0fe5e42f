//! The work on a batch that needs neither the database nor log order: decoding each message
//! and checking its signature. Spread over every core, and done for the next batch while
//! the consumer applies the one before it, so the fold that follows finds every answer.
use super::LogMessage;
use crate::checked_signatures::CheckedSignatures;

/// Records below this many are decoded where they are; above, the work is spread.
const SPREAD_FROM: usize = 16;

/// A record as read from Kafka, before decoding.
#[derive(Debug, Clone)]
pub struct LogRecord {
    /// The topic.
    pub topic: String,
    /// The partition.
    pub partition: i32,
    /// The offset.
    pub offset: i64,
    /// The record's key, if it had one.
    pub key: Option<Vec<u8>>,
    /// The bytes as received.
    pub body: Vec<u8>,
}

impl LogRecord {
    fn decoded(self) -> LogMessage {
        LogMessage::decoded(self.topic, self.partition, self.offset, self.key, self.body)
    }
}

fn prepare(record: LogRecord, checked: &CheckedSignatures) -> LogMessage {
    let message = record.decoded();
    if let Ok(envelope) = &message.envelope {
        checked.check_ahead(envelope);
    }
    message
}

/// The blocking pool stopped a worker before it finished (the runtime is shutting down):
/// nothing of the batch was applied, and it is read again at the next start.
#[derive(Debug, thiserror::Error)]
#[error("the batch's decoding was stopped: {0}")]
pub struct ReadAheadStopped(String);

impl ReadAheadStopped {
    /// Says why the reading stopped.
    pub fn new(reason: String) -> Self {
        Self(reason)
    }
}

/// Decodes `records` and checks their signatures into `checked`, keeping their order.
pub async fn prepared(
    records: Vec<LogRecord>,
    checked: &CheckedSignatures,
) -> Result<Vec<LogMessage>, ReadAheadStopped> {
    if records.len() < SPREAD_FROM {
        // Checked where it is folded: checking it here too would hash it twice for nothing.
        return Ok(records.into_iter().map(LogRecord::decoded).collect());
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let size = records.len().div_ceil(cores);
    let mut chunks = Vec::with_capacity(cores);
    let mut rest = records;
    while rest.len() > size {
        let tail = rest.split_off(size);
        chunks.push(rest);
        rest = tail;
    }
    chunks.push(rest);
    let workers: Vec<_> = chunks
        .into_iter()
        .map(|chunk| {
            let checked = checked.clone();
            tokio::task::spawn_blocking(move || {
                chunk
                    .into_iter()
                    .map(|r| prepare(r, &checked))
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut messages = Vec::new();
    for worker in workers {
        match worker.await {
            Ok(part) => messages.extend(part),
            // Decoding untrusted bytes must never panic: a panic is a bug, passed on.
            Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
            Err(error) => return Err(ReadAheadStopped::new(error.to_string())),
        }
    }
    Ok(messages)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(offset: i64, body: &[u8]) -> LogRecord {
        LogRecord {
            topic: "t".into(),
            partition: 0,
            offset,
            key: None,
            body: body.to_vec(),
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_spread_batch_keeps_its_order_and_says_what_is_undecodable() {
        let records: Vec<LogRecord> = (0..100).map(|o| record(o, b"not json")).collect();
        let messages = prepared(records, &CheckedSignatures::default())
            .await
            .expect("decoded");
        let offsets: Vec<i64> = messages.iter().map(|m| m.offset).collect();
        assert_eq!(offsets, (0..100).collect::<Vec<_>>());
        assert!(messages.iter().all(|m| m.envelope.is_err()));
    }
}
