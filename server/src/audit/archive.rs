use super::archive_generation::ArchiveGeneration;
use super::batch::{batch_start, object_path, Batch};
use super::flush_schedule::{FlushSchedule, TICK};
use crate::kafka::envelope_body::decode;
use crate::kafka::reader_config::follower_config;
use crate::kafka::topics::partition_count;
use crate::views::consumer::ConsumerSource;
use crate::views::progress::{while_paused, ViewProgress};
use app::model::ViewName;
use futures::StreamExt;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::error::KafkaError;
use rdkafka::{Message, Offset, TopicPartitionList};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The checkpoint name of the archive.
pub const PROJECTION: ViewName = ViewName::AuditArchive;

/// Why the archive could not run.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// The object store refused.
    #[error("object store: {0}")]
    Store(#[from] object_store::Error),
    /// Kafka refused.
    #[error("kafka: {0}")]
    Kafka(#[from] KafkaError),
    /// The archive URL is not one we can use.
    #[error("AUDIT_URL {0:?} is neither a directory nor an s3:// URL")]
    BadUrl(String),
    /// The topic does not exist.
    #[error("topic {0} does not exist")]
    NoTopic(String),
    /// The local directory could not be made.
    #[error("could not create {0}: {1}")]
    Directory(String, std::io::Error),
}

/// Opens the archive's object store: `s3://bucket/…` (credentials from the usual AWS_*
/// variables) or a local directory.
pub fn open_store(url: &str) -> Result<Arc<dyn ObjectStore>, ArchiveError> {
    if url.starts_with("s3://") {
        return Ok(Arc::new(AmazonS3Builder::from_env().with_url(url).build()?));
    }
    let dir = url.strip_prefix("file://").unwrap_or(url);
    if dir.is_empty() || dir.contains("://") {
        return Err(ArchiveError::BadUrl(url.to_string()));
    }
    std::fs::create_dir_all(dir).map_err(|e| ArchiveError::Directory(dir.to_string(), e))?;
    // A replaced generation's folders go with its last object.
    Ok(Arc::new(
        LocalFileSystem::new_with_prefix(dir)?.with_automatic_cleanup(true),
    ))
}

/// Copies the log to object storage, batch by batch, restartable from its checkpoints.
#[derive(Clone)]
pub struct AuditArchive {
    store: Arc<dyn ObjectStore>,
    generation: ArchiveGeneration,
    progress: ViewProgress,
}

impl AuditArchive {
    /// An archive at the root of `store`.
    pub fn new(store: Arc<dyn ObjectStore>) -> Self {
        Self::at(store, ArchiveGeneration::default())
    }

    /// An archive in `generation` of `store`.
    pub fn at(store: Arc<dyn ObjectStore>, generation: ArchiveGeneration) -> Self {
        Self {
            store,
            generation,
            progress: ViewProgress::default(),
        }
    }

    fn checkpoints_folder(&self, topic: &str) -> Path {
        self.generation
            .path(&format!("checkpoints/{PROJECTION}/{topic}"))
    }

    fn checkpoint_path(&self, topic: &str, partition: i32) -> Path {
        self.checkpoints_folder(topic).join(partition.to_string())
    }

    /// The archive reporting how far it has written to `progress`, and paused by it.
    pub fn reporting_to(mut self, progress: ViewProgress) -> Self {
        self.progress = progress;
        self
    }

    /// The last archived offset of a partition, kept beside the batches.
    pub async fn checkpoint(
        &self,
        topic: &str,
        partition: i32,
    ) -> Result<Option<i64>, ArchiveError> {
        match self
            .store
            .get(&self.checkpoint_path(topic, partition))
            .await
        {
            Ok(found) => {
                let bytes = found.bytes().await?;
                Ok(String::from_utf8_lossy(&bytes).trim().parse().ok())
            }
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(error) => Err(error.into()),
        }
    }

    /// The last archived offset of every partition of `topic` with one.
    pub async fn checkpoints(&self, topic: &str) -> Result<BTreeMap<i32, i64>, ArchiveError> {
        let mut listing = self.store.list(Some(&self.checkpoints_folder(topic)));
        let mut partitions = Vec::new();
        while let Some(meta) = listing.next().await {
            let meta = meta?;
            if let Some(partition) = meta.location.filename().and_then(|f| f.parse().ok()) {
                partitions.push(partition);
            }
        }
        let mut reached = BTreeMap::new();
        for partition in partitions {
            if let Some(offset) = self.checkpoint(topic, partition).await? {
                reached.insert(partition, offset);
            }
        }
        Ok(reached)
    }

    /// Every batch object with its contents, by its path inside the generation (`events/…`),
    /// sorted (for audits and tests).
    pub async fn objects(&self) -> Result<BTreeMap<String, Vec<u8>>, ArchiveError> {
        let mut listing = self.store.list(Some(&self.generation.path("events")));
        let mut objects = BTreeMap::new();
        while let Some(meta) = listing.next().await {
            let meta = meta?;
            let bytes = self.store.get(&meta.location).await?.bytes().await?;
            objects.insert(self.generation.inside(&meta.location), bytes.to_vec());
        }
        Ok(objects)
    }

    /// Forgets every checkpoint, so the next run rewrites every batch.
    pub async fn forget_checkpoints(&self) -> Result<(), ArchiveError> {
        let mut listing = self.store.list(Some(&self.generation.path("checkpoints")));
        while let Some(meta) = listing.next().await {
            self.store.delete(&meta?.location).await?;
        }
        Ok(())
    }

    async fn flush(&self, topic: &str, partition: i32, batch: Batch) -> Result<(), ArchiveError> {
        let Some(last) = batch.last_offset else {
            return Ok(());
        };
        if let (Some(first), Some(recorded_at)) = (batch.first_offset, &batch.first_recorded_at) {
            let inside = object_path(recorded_at, topic, partition, first);
            let path = self.generation.path(inside.as_ref());
            self.store.put(&path, PutPayload::from(batch.lines)).await?;
        }
        // Written after the batch: a crash in between rewrites the same object, never skips it.
        self.store
            .put(
                &self.checkpoint_path(topic, partition),
                PutPayload::from(last.to_string()),
            )
            .await?;
        Ok(())
    }

    /// Runs until the task is dropped; failures are retried, so nothing is skipped.
    pub async fn run(self, source: ConsumerSource) -> Result<(), ArchiveError> {
        let consumer: StreamConsumer = follower_config(&source.brokers, &source.group).create()?;
        let partitions = partition_count(&consumer, &source.topic)?;
        if partitions == 0 {
            return Err(ArchiveError::NoTopic(source.topic.clone()));
        }
        let mut switch = self.progress.join(PROJECTION);
        let mut assignment = TopicPartitionList::new();
        // The unfinished batch is read again from its start: only what lies past the
        // checkpoint is counted as handled.
        let mut counted_past: BTreeMap<i32, i64> = BTreeMap::new();
        for partition in 0..partitions {
            // From the start of the unfinished batch, so its object is rewritten whole.
            let checkpoint = self.checkpoint(&source.topic, partition).await?;
            let next = match checkpoint {
                Some(offset) => Offset::Offset(batch_start(offset + 1)),
                None => Offset::Beginning,
            };
            let written = checkpoint.map_or(0, |offset| offset + 1);
            counted_past.insert(partition, written - 1);
            self.progress.reached(PROJECTION, partition, written);
            assignment.add_partition_offset(&source.topic, partition, next)?;
        }
        consumer.assign(&assignment)?;
        tracing::info!(topic = %source.topic, "audit archive started");

        let mut batches: BTreeMap<i32, Batch> = BTreeMap::new();
        let mut schedule = FlushSchedule::default();
        let mut ticks = tokio::time::interval(TICK);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                received = consumer.recv() => match received {
                    Ok(message) => {
                        // Paused while waiting: the message waits too.
                        while_paused(&mut switch, PROJECTION).await;
                        let partition = message.partition();
                        let starts_new_range = batches
                            .get(&partition)
                            .and_then(|b| b.first_offset)
                            .is_some_and(|start| start != batch_start(message.offset()));
                        if starts_new_range {
                            self.write_retrying(&source.topic, partition, &batches)
                                .await;
                            batches.remove(&partition);
                            schedule.written(partition);
                        }
                        let body = message.payload().unwrap_or_default();
                        let recorded_at = decode(body).ok().map(|e| e.metadata.recorded_at);
                        let batch = batches.entry(partition).or_default();
                        batch.push(message.offset(), body, recorded_at.as_deref());
                        schedule.read(partition, Instant::now());
                        if counted_past.get(&partition).is_none_or(|past| message.offset() > *past) {
                            metrics::counter!(crate::telemetry::EVENTS_PROCESSED, "view" => PROJECTION.as_str())
                                .increment(1);
                            self.progress.counted(PROJECTION, 1, 0);
                        }
                    }
                    Err(error) => {
                        tracing::warn!(%error, "audit archive could not read; retrying");
                        tokio::time::sleep(Duration::from_millis(500)).await;
                    }
                },
                // Each unfinished range stays in memory, so its object is rewritten whole as
                // it grows.
                _ = ticks.tick() => {
                    for partition in schedule.due(Instant::now()) {
                        self.write_retrying(&source.topic, partition, &batches)
                            .await;
                    }
                }
            }
        }
    }

    /// Writes a range as far as it has been read, retrying until the store takes it.
    async fn write_retrying(&self, topic: &str, partition: i32, batches: &BTreeMap<i32, Batch>) {
        let Some(batch) = batches.get(&partition) else {
            return;
        };
        let mut backoff = Duration::from_millis(100);
        loop {
            match self.flush(topic, partition, batch.clone()).await {
                Ok(()) => {
                    if let Some(last) = batch.last_offset {
                        self.progress.reached(PROJECTION, partition, last + 1);
                    }
                    return;
                }
                Err(error) => {
                    tracing::error!(%error, partition, "could not write an audit batch; retrying");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(5));
                }
            }
        }
    }
}
