//! The copy of the embedded search index: a new generation of the index beside the one in
//! use (`IndexHome`), fed by its own search view, and swapped in by naming it the generation
//! in use and putting it in place for every search at once. The replaced generation is
//! removed; searches under way finish on it.
use super::view_copy::{spawn_copy, CopyConsumer, CopyError, Replaced, ViewCopy};
use crate::keys::TrustedKeys;
use crate::search::{EmbeddedIndex, IndexHome, SearchIndex, SearchView, SwappableSearch};
use crate::views::consumer::ConsumerSource;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// The search index's copy.
pub struct SearchCopy {
    home: IndexHome,
    dir: PathBuf,
    index: EmbeddedIndex,
    live: SwappableSearch,
    /// The generation the copy replaced, once swapped in.
    replaced: Replaced<PathBuf>,
}

impl SearchCopy {
    /// Opens the copy in `home` (one an interrupted rebuild left, or a new one) for the
    /// index `live` serves.
    pub fn open(home: IndexHome, live: SwappableSearch) -> Result<Self, CopyError> {
        let dir = home.copy_dir()?;
        let index = EmbeddedIndex::open(&dir)?;
        Ok(Self {
            home,
            dir,
            index,
            live,
            replaced: Replaced::default(),
        })
    }
}

#[async_trait::async_trait]
impl ViewCopy for SearchCopy {
    fn describe(&self) -> String {
        format!("search index {}", self.dir.display())
    }

    async fn applied(&self, topic: &str) -> Result<BTreeMap<i32, i64>, CopyError> {
        Ok(self.index.checkpoints(topic).await?.into_iter().collect())
    }

    fn spawn(&self, source: ConsumerSource, trusted: TrustedKeys) -> CopyConsumer {
        spawn_copy(
            SearchView::new(Arc::new(self.index.clone()), trusted),
            source,
        )
    }

    async fn swap_in(&self) -> Result<u64, CopyError> {
        let previous = self.home.current()?;
        self.home.make_current(&self.dir)?;
        self.live.replace(Arc::new(self.index.clone()));
        self.replaced.set(previous);
        Ok(0)
    }

    async fn discard(self: Box<Self>) -> Result<(), CopyError> {
        let Self {
            home,
            dir,
            index,
            replaced,
            ..
        } = *self;
        let replaced = replaced.take();
        // Swapped in: the replaced generation goes. Cancelled: the copy itself goes.
        let gone = replaced.unwrap_or(dir);
        drop(index);
        Ok(home.remove(&gone)?)
    }
}
