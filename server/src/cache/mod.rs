//! The cache view: the seed's Redis keys (`cattle:{id}`, `cattle:{id}:valuation`,
//! `cattle:{id}:risk`, `client:{id}:cattle`) with a 5-minute TTL, written by its own
//! consumer, read cache-first with PostgreSQL behind it. An in-process store is the
//! embedded default; Redis is used when `REDIS_URL` is set. Every key carries the view's
//! generation, so a rebuild can write a new one beside it (`keys.rs`).
mod generation_follower;
mod keys;
mod memory;
mod reader;
mod redis_store;
mod store;
pub mod view;

pub use generation_follower::follow_generation;
pub use keys::{CacheKeys, FIRST_GENERATION};
pub use memory::MemoryCache;
pub use reader::CattleReader;
pub use redis_store::RedisCache;
pub use store::{CacheError, CacheOp, CacheStore, SharedCache, CACHE_TTL};
pub use view::{saved_checkpoints, CacheView, PROJECTION};
