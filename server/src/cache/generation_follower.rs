//! Another instance's rebuild of the cache view names a new generation in the store; this
//! instance's readers follow it within a few seconds (until then a miss reads the golden
//! record, as any miss does).
use super::keys::CacheKeys;
use super::store::SharedCache;
use std::time::Duration;
use tokio::task::JoinHandle;

/// How often the generation in use is read from the store.
const EVERY: Duration = Duration::from_secs(5);

/// Keeps `keys` on the generation the store names, until the instance stops.
pub fn follow_generation(store: SharedCache, keys: CacheKeys) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(EVERY);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            match keys.follow(store.as_ref()).await {
                Ok(true) => {
                    tracing::info!(generation = %keys.generation(), "the cache view moved to a rebuilt generation")
                }
                Ok(false) => {}
                Err(error) => tracing::debug!(%error, "could not read the cache's generation"),
            }
        }
    })
}
