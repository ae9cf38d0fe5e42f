//! The copy of the cache view: a new generation of its keys beside the one in use, fed by
//! its own cache view, and swapped in by naming it in use in the store and moving this
//! instance's readers and writers to it at once (other instances follow within seconds;
//! until then a miss reads the golden record, as every miss does). The replaced generation's
//! keys are removed.
use super::view_copy::{spawn_copy, CopyConsumer, CopyError, Replaced, ViewCopy};
use crate::cache::{saved_checkpoints, CacheKeys, CacheOp, CacheView, SharedCache};
use crate::keys::TrustedKeys;
use crate::views::consumer::ConsumerSource;
use std::collections::BTreeMap;

/// The cache view's copy.
pub struct CacheCopy {
    store: SharedCache,
    live: CacheKeys,
    copy: CacheKeys,
    /// The generation the copy replaced, once swapped in.
    replaced: Replaced<String>,
}

impl CacheCopy {
    /// Opens the copy beside the generation `live` names: one an interrupted rebuild left,
    /// or a new one, named in the store as being rebuilt.
    pub async fn open(store: SharedCache, live: CacheKeys) -> Result<Self, CopyError> {
        let generation = match store.get(&live.rebuild_pointer()).await? {
            Some(left) if left != live.generation() => left,
            _ => format!("g-{}", chrono::Utc::now().timestamp_millis()),
        };
        store
            .apply(&[CacheOp::Set {
                key: live.rebuild_pointer(),
                value: generation.clone(),
                ttl: None,
            }])
            .await?;
        let copy = CacheKeys::at_generation(live.base(), &generation);
        Ok(Self {
            store,
            live,
            copy,
            replaced: Replaced::default(),
        })
    }
}

#[async_trait::async_trait]
impl ViewCopy for CacheCopy {
    fn describe(&self) -> String {
        format!("cache keys {}", self.copy.prefix())
    }

    async fn applied(&self, topic: &str) -> Result<BTreeMap<i32, i64>, CopyError> {
        let saved = saved_checkpoints(self.store.as_ref(), &self.copy, topic).await?;
        Ok(saved.into_iter().collect())
    }

    fn spawn(&self, source: ConsumerSource, trusted: TrustedKeys) -> CopyConsumer {
        spawn_copy(
            CacheView::new(self.store.clone(), self.copy.clone(), trusted),
            source,
        )
    }

    async fn swap_in(&self) -> Result<u64, CopyError> {
        let generation = self.copy.generation();
        let named = [
            self.live.name_in_use(&generation),
            CacheOp::Delete {
                key: self.live.rebuild_pointer(),
            },
        ];
        self.store.apply(&named).await?;
        let previous = self.live.generation();
        self.live.move_to(&generation);
        self.replaced.set(previous);
        Ok(0)
    }

    async fn discard(self: Box<Self>) -> Result<(), CopyError> {
        let gone = match self.replaced.take() {
            Some(previous) => CacheKeys::at_generation(self.live.base(), &previous),
            None => {
                self.store
                    .apply(&[CacheOp::Delete {
                        key: self.live.rebuild_pointer(),
                    }])
                    .await?;
                self.copy.clone()
            }
        };
        Ok(gone.clear_generation(self.store.as_ref()).await?)
    }
}
