//! The copy of the audit archive: a new generation of the archive in the same object store,
//! written by its own archive from offset 0 while the one in use goes on, and swapped in by
//! naming it in use (one object written). The replaced generation's objects are removed.
use super::view_copy::{CopyConsumer, CopyError, Replaced, ViewCopy};
use crate::audit::{ArchiveGeneration, ArchiveGenerations};
use crate::keys::TrustedKeys;
use crate::views::consumer::ConsumerSource;
use std::collections::BTreeMap;

/// The audit archive's copy.
pub struct AuditCopy {
    generations: ArchiveGenerations,
    copy: ArchiveGeneration,
    /// The generation the copy replaced, once swapped in.
    replaced: Replaced<ArchiveGeneration>,
}

impl AuditCopy {
    /// Opens the copy: the generation an interrupted rebuild left, or a new one.
    pub async fn open(generations: ArchiveGenerations) -> Result<Self, CopyError> {
        let copy = generations.start_rebuilding().await?;
        Ok(Self {
            generations,
            copy,
            replaced: Replaced::default(),
        })
    }
}

#[async_trait::async_trait]
impl ViewCopy for AuditCopy {
    fn describe(&self) -> String {
        format!("audit archive generation {}", self.copy.name())
    }

    async fn applied(&self, topic: &str) -> Result<BTreeMap<i32, i64>, CopyError> {
        let archive = self.generations.archive(self.copy.clone());
        Ok(archive.checkpoints(topic).await?)
    }

    /// The archive checks nothing (it keeps every envelope as it was written), so the keys
    /// are not needed.
    fn spawn(&self, source: ConsumerSource, _trusted: TrustedKeys) -> CopyConsumer {
        let archive = self.generations.archive(self.copy.clone());
        CopyConsumer::from_task(tokio::spawn(async move {
            archive.run(source).await.map_err(|error| error.to_string())
        }))
    }

    async fn swap_in(&self) -> Result<u64, CopyError> {
        let previous = self.generations.in_use().await?;
        self.generations.name_in_use(&self.copy).await?;
        self.replaced.set(previous);
        Ok(0)
    }

    async fn discard(self: Box<Self>) -> Result<(), CopyError> {
        let gone = match self.replaced.take() {
            Some(previous) => previous,
            None => {
                self.generations.forget_rebuilding().await?;
                self.copy.clone()
            }
        };
        Ok(self.generations.remove(&gone).await?)
    }
}
