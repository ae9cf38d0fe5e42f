//! The key names of the cache view, behind a configurable prefix (tests share one Redis)
//! and the view's generation. The first generation has the seed's names
//! (`{prefix}cattle:{id}`); a blue/green rebuild writes a new one beside it
//! (`{prefix}g-…:cattle:{id}`) and the swap names it in `{prefix}generation`; every reader
//! and writer holding these keys moves to it at once.
use super::store::{CacheError, CacheOp, CacheStore};
use std::sync::{Arc, RwLock};

/// The generation a prefix starts with: no segment of its own, the seed's key names.
pub const FIRST_GENERATION: &str = "";

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
    /// is named yet).
    pub async fn in_use(store: &dyn CacheStore, prefix: &str) -> Result<Self, CacheError> {
        let keys = Self::new(prefix);
        if let Some(named) = store.get(&keys.generation_pointer()).await? {
            keys.move_to(&named);
        }
        Ok(keys)
    }

    /// What every key of this generation starts with, and no key of another generation nor
    /// the pointers: the seed's `cattle:` and `client:` keys and the view's own `icattle:`.
    pub fn view_prefixes(&self) -> [String; 3] {
        let prefix = self.prefix();
        [
            format!("{prefix}cattle:"),
            format!("{prefix}client:"),
            format!("{prefix}icattle:"),
        ]
    }

    /// Removes every key of this generation, and only those.
    pub async fn clear_generation(&self, store: &dyn CacheStore) -> Result<(), CacheError> {
        for prefix in self.view_prefixes() {
            store.clear(&prefix).await?;
        }
        Ok(())
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

    /// Every key of the view's generation in use starts with this (and, for the first
    /// generation, every other generation's key and the pointers too: see `view_prefixes`).
    pub fn prefix(&self) -> String {
        match self.generation().as_str() {
            FIRST_GENERATION => self.base.clone(),
            generation => format!("{}{generation}:", self.base),
        }
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
        assert_eq!(
            reader.cattle(7),
            "t:cattle:7",
            "the first generation has the seed's names"
        );
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
        // A generation's keys are all under its three prefixes, and no other's are.
        let first = CacheKeys::new("t:");
        let names = [
            first.cattle(1),
            first.client_cattle(2),
            first.fold(3),
            first.alive(),
            first.checkpoint("log", 0),
        ];
        for name in &names {
            assert!(
                first
                    .view_prefixes()
                    .iter()
                    .any(|p| name.starts_with(p.as_str())),
                "{name}"
            );
        }
        for other in [
            copy.cattle(1),
            copy.alive(),
            first.generation_pointer(),
            first.rebuild_pointer(),
        ] {
            assert!(
                !first
                    .view_prefixes()
                    .iter()
                    .any(|p| other.starts_with(p.as_str())),
                "{other}"
            );
        }
    }
}
