//! The key names of the cache view, behind a configurable prefix (tests share one Redis)
//! and the view's generation: `{prefix}{generation}:cattle:{id}`. A rebuild writes a new
//! generation beside the one in use and the swap names it in `{prefix}generation`; every
//! reader and writer holding these keys moves to it at once.
use super::store::{CacheError, CacheOp, CacheStore};
use std::sync::{Arc, RwLock};

/// The generation a prefix starts with.
pub const FIRST_GENERATION: &str = "g-0";

/// The cache view's key names; clones share the generation in use.
#[derive(Debug, Clone)]
pub struct CacheKeys {
    base: String,
    generation: Arc<RwLock<String>>,
}

impl CacheKeys {
    /// The first generation's keys under `prefix`.
    pub fn new(prefix: &str) -> Self {
        Self::at_generation(prefix, FIRST_GENERATION)
    }

    /// The keys of `generation` under `prefix`.
    pub fn at_generation(prefix: &str, generation: &str) -> Self {
        Self {
            base: prefix.to_string(),
            generation: Arc::new(RwLock::new(generation.to_string())),
        }
    }

    /// The keys of the generation `store` names in use under `prefix` (the first when none
    /// is named yet). Keys an older iCattle wrote straight under the prefix are a view like
    /// any other: removed, to be replayed from the log.
    pub async fn in_use(store: &dyn CacheStore, prefix: &str) -> Result<Self, CacheError> {
        let keys = Self::new(prefix);
        match store.get(&keys.generation_pointer()).await? {
            Some(named) => keys.move_to(&named),
            None => {
                let unversioned = format!("{prefix}icattle:alive");
                if store.get(&unversioned).await?.is_some() {
                    tracing::warn!(
                        prefix,
                        "removing a cache view kept without generations; it is replayed"
                    );
                    store.clear(prefix).await?;
                }
            }
        }
        Ok(keys)
    }

    /// Moves these keys to the generation `store` names in use, if another instance's
    /// rebuild swapped one in: answers whether they moved.
    pub async fn follow(&self, store: &dyn CacheStore) -> Result<bool, CacheError> {
        match store.get(&self.generation_pointer()).await? {
            Some(named) if named != self.generation() => {
                self.move_to(&named);
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// The generation these keys name now.
    pub fn generation(&self) -> String {
        self.generation
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Moves every holder of these keys to `generation`.
    pub fn move_to(&self, generation: &str) {
        *self
            .generation
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = generation.to_string();
    }

    /// The prefix every cache key starts with, whatever its generation.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// `{prefix}generation`: the generation in use.
    pub fn generation_pointer(&self) -> String {
        format!("{}generation", self.base)
    }

    /// `{prefix}rebuilding`: the generation a rebuild is writing, until its swap.
    pub fn rebuild_pointer(&self) -> String {
        format!("{}rebuilding", self.base)
    }

    /// The write that names `generation` the one in use.
    pub fn name_in_use(&self, generation: &str) -> CacheOp {
        CacheOp::Set {
            key: self.generation_pointer(),
            value: generation.to_string(),
            ttl: None,
        }
    }

    /// Every key of the view's generation in use starts with this.
    pub fn prefix(&self) -> String {
        format!("{}{}:", self.base, self.generation())
    }

    /// `cattle:{id}`: the animal as the golden record shows it (JSON).
    pub fn cattle(&self, id: i64) -> String {
        format!("{}cattle:{id}", self.prefix())
    }

    /// `cattle:{id}:valuation`: its current valuation in cents.
    pub fn valuation(&self, id: i64) -> String {
        format!("{}cattle:{id}:valuation", self.prefix())
    }

    /// `cattle:{id}:risk`: its confidence score and risk level (JSON).
    pub fn risk(&self, id: i64) -> String {
        format!("{}cattle:{id}:risk", self.prefix())
    }

    /// `client:{id}:cattle`: the ids of the client's animals (JSON array).
    pub fn client_cattle(&self, client_id: i64) -> String {
        format!("{}client:{client_id}:cattle", self.prefix())
    }

    /// The view's own fold of a stream (chain head and state); never expires.
    pub fn fold(&self, aggregate_id: i64) -> String {
        format!("{}icattle:fold:{aggregate_id}", self.prefix())
    }

    /// The last offset applied of one partition; never expires.
    pub fn checkpoint(&self, topic: &str, partition: i32) -> String {
        format!("{}{partition}", self.checkpoint_prefix(topic))
    }

    /// The prefix of every checkpoint of `topic`.
    pub fn checkpoint_prefix(&self, topic: &str) -> String {
        format!("{}icattle:checkpoint:{topic}:", self.prefix())
    }

    /// Present while the store still holds the view's state; a store that restarted empty
    /// lacks it, and the view is rebuilt from the log.
    pub fn alive(&self) -> String {
        format!("{}icattle:alive", self.prefix())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_holder_moves_to_a_new_generation_at_once() {
        let keys = CacheKeys::new("t:");
        let reader = keys.clone();
        assert_eq!(reader.cattle(7), "t:g-0:cattle:7");
        keys.move_to("g-42");
        assert_eq!(reader.cattle(7), "t:g-42:cattle:7");
        assert_eq!(
            reader.checkpoint("log", 3),
            "t:g-42:icattle:checkpoint:log:3"
        );
        assert_eq!(reader.generation_pointer(), "t:generation");
        // Another generation's keys are their own.
        let copy = CacheKeys::at_generation("t:", "g-43");
        assert_eq!(copy.cattle(7), "t:g-43:cattle:7");
        assert_eq!(keys.cattle(7), "t:g-42:cattle:7");
    }
}
