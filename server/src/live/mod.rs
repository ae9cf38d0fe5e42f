//! Live push: read models announce committed changes; WebSocket clients receive them.
mod hub;
mod redis_fanout;

pub use hub::LiveHub;
