//! Live push: read models announce committed changes; WebSocket clients receive them.
mod hub;

pub use hub::LiveHub;
