//! The copy of a search index on a Meilisearch server: an index of its own beside the one in
//! use (`{index}_rebuild`), fed by its own search view, and swapped with the one in use by
//! the server's index swap, which every instance's searches see at once. The checkpoints are
//! documents of the index, so they move with it. The index left beside holds what was
//! replaced and is deleted.
use super::view_copy::{spawn_copy, CopyConsumer, CopyError, ViewCopy};
use crate::keys::TrustedKeys;
use crate::search::{MeiliIndex, SearchIndex, SearchView};
use crate::views::consumer::ConsumerSource;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The Meilisearch index's copy.
pub struct MeiliCopy {
    live: MeiliIndex,
    copy: MeiliIndex,
}

/// The name of the copy of the index `live`: the same for every rebuild, so an interrupted
/// one is resumed from the checkpoints the copy holds.
pub fn copy_uid(live: &str) -> String {
    format!("{live}_rebuild")
}

impl MeiliCopy {
    /// Opens the copy beside `live`: one an interrupted rebuild left, or a new one.
    pub async fn open(live: MeiliIndex) -> Result<Self, CopyError> {
        let copy = live.beside(&copy_uid(live.uid())).await?;
        Ok(Self { live, copy })
    }
}

#[async_trait::async_trait]
impl ViewCopy for MeiliCopy {
    fn describe(&self) -> String {
        format!("Meilisearch index {}", self.copy.uid())
    }

    async fn applied(&self, topic: &str) -> Result<BTreeMap<i32, i64>, CopyError> {
        Ok(self.copy.checkpoints(topic).await?.into_iter().collect())
    }

    fn spawn(&self, source: ConsumerSource, trusted: TrustedKeys) -> CopyConsumer {
        spawn_copy(
            SearchView::new(Arc::new(self.copy.clone()), trusted),
            source,
        )
    }

    async fn swap_in(&self) -> Result<u64, CopyError> {
        self.live.swap_with(&self.copy).await?;
        Ok(0)
    }

    /// After the swap the copy's name holds the replaced documents; after a cancel, the
    /// copy's own. Either way it goes.
    async fn discard(self: Box<Self>) -> Result<(), CopyError> {
        Ok(self.copy.delete().await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_copy_is_named_after_the_index_in_use() {
        assert_eq!(copy_uid("cattle"), "cattle_rebuild");
    }
}
