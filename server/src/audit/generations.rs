//! The archive's generations in one object store, so a rebuild can write a whole new
//! archive beside the one in use (blue/green). The object `generation` names the one in use,
//! kept under `generations/{name}/`; without it the archive is at the store's root, where
//! every archive was before its first rebuild. The object `rebuilding` names the generation a
//! rebuild is writing, so an interrupted rebuild goes on with it. Naming the rebuilt one in
//! use is one object written: a reader who reads `generation` first sees one whole archive.
use super::archive::{ArchiveError, AuditArchive};
use super::archive_generation::ArchiveGeneration;
use futures::StreamExt;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use std::sync::Arc;

/// The object naming the generation in use.
const IN_USE: &str = "generation";
/// The object naming the generation a rebuild is writing.
const REBUILDING: &str = "rebuilding";
/// What a generation at the store's root holds (the root also holds the other generations).
const ROOT_FOLDERS: [&str; 2] = ["events", "checkpoints"];

/// Every generation of the archive in one store; clones share the store.
#[derive(Clone)]
pub struct ArchiveGenerations {
    store: Arc<dyn ObjectStore>,
}

impl ArchiveGenerations {
    /// The generations kept in `store`.
    pub fn new(store: Arc<dyn ObjectStore>) -> Self {
        Self { store }
    }

    async fn read_name(&self, object: &str) -> Result<Option<ArchiveGeneration>, ArchiveError> {
        match self.store.get(&Path::from(object)).await {
            Ok(found) => {
                let bytes = found.bytes().await?;
                Ok(Some(ArchiveGeneration::named(&String::from_utf8_lossy(
                    &bytes,
                ))))
            }
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(error) => Err(error.into()),
        }
    }

    /// The generation in use.
    pub async fn in_use(&self) -> Result<ArchiveGeneration, ArchiveError> {
        Ok(self.read_name(IN_USE).await?.unwrap_or_default())
    }

    /// The archive writing into `generation`.
    pub fn archive(&self, generation: ArchiveGeneration) -> AuditArchive {
        AuditArchive::at(self.store.clone(), generation)
    }

    /// The archive in use.
    pub async fn archive_in_use(&self) -> Result<AuditArchive, ArchiveError> {
        Ok(self.archive(self.in_use().await?))
    }

    /// The generation a rebuild writes: one an interrupted rebuild left, or a new one, named
    /// as being rebuilt before anything is written into it.
    pub async fn start_rebuilding(&self) -> Result<ArchiveGeneration, ArchiveError> {
        let in_use = self.in_use().await?;
        if let Some(left) = self.read_name(REBUILDING).await? {
            if left != in_use && !left.name().is_empty() {
                return Ok(left);
            }
        }
        let generation =
            ArchiveGeneration::named(&format!("g-{}", chrono::Utc::now().timestamp_millis()));
        self.store
            .put(
                &Path::from(REBUILDING),
                PutPayload::from(generation.name().to_string()),
            )
            .await?;
        Ok(generation)
    }

    /// Names `generation` in use, in one write; no rebuild is under way after it.
    pub async fn name_in_use(&self, generation: &ArchiveGeneration) -> Result<(), ArchiveError> {
        self.store
            .put(
                &Path::from(IN_USE),
                PutPayload::from(generation.name().to_string()),
            )
            .await?;
        self.forget_rebuilding().await
    }

    /// No rebuild is under way any more (after a cancel).
    pub async fn forget_rebuilding(&self) -> Result<(), ArchiveError> {
        match self.store.delete(&Path::from(REBUILDING)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(error) => Err(error.into()),
        }
    }

    /// Removes every object of `generation`.
    pub async fn remove(&self, generation: &ArchiveGeneration) -> Result<(), ArchiveError> {
        let folders: Vec<Path> = if generation.is_root() {
            ROOT_FOLDERS
                .iter()
                .map(|folder| Path::from(*folder))
                .collect()
        } else {
            vec![generation.path("")]
        };
        for folder in folders {
            let mut listing = self.store.list(Some(&folder));
            while let Some(meta) = listing.next().await {
                match self.store.delete(&meta?.location).await {
                    Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                    Err(error) => return Err(error.into()),
                }
            }
        }
        Ok(())
    }
}
