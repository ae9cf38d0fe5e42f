//! The audit archive's copy of the signed tree heads: `heads/{number}.json` (the number
//! padded to 20 digits) at the archive store's root, beside its generations. A head is not
//! rebuilt from the cattle log, so it belongs to no generation: rebuilding the archive
//! neither writes nor removes it.
use domain::TreeHead;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use std::sync::Arc;

/// Where in the archive's store the heads are kept.
const FOLDER: &str = "heads";

/// The archive store the heads are copied into.
#[derive(Clone)]
pub struct HeadArchive {
    store: Arc<dyn ObjectStore>,
}

/// The object of head `number`.
pub fn head_path(number: u64) -> Path {
    Path::from(format!("{FOLDER}/{number:020}.json"))
}

impl HeadArchive {
    /// Copies heads into `store`.
    pub fn new(store: Arc<dyn ObjectStore>) -> Self {
        Self { store }
    }

    /// Writes `head` (as published) to its object.
    pub async fn copy(&self, head: &TreeHead) -> Result<(), object_store::Error> {
        let body = serde_json::to_vec(head).map_err(|error| object_store::Error::Generic {
            store: "heads",
            source: Box::new(error),
        })?;
        self.store
            .put(&head_path(head.number()), PutPayload::from(body))
            .await
            .map(|_| ())
    }

    /// Whether head `number` is in the archive.
    pub async fn holds(&self, number: u64) -> Result<bool, object_store::Error> {
        match self.store.head(&head_path(number)).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(error) => Err(error),
        }
    }

    /// The head kept as `number`, if any.
    pub async fn read(&self, number: u64) -> Result<Option<TreeHead>, object_store::Error> {
        match self.store.get(&head_path(number)).await {
            Ok(found) => {
                let bytes = found.bytes().await?;
                Ok(serde_json::from_slice(&bytes).ok())
            }
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(error) => Err(error),
        }
    }
}
