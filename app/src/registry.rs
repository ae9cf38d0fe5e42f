//! What the server functions need from the server, provided through Leptos context.
use crate::model::{CattleRecord, CommandAck, CommandFailure};
use std::sync::Arc;

/// The livestock registry as the web app sees it: send commands, read the herd.
#[async_trait::async_trait]
pub trait LivestockRegistry: Send + Sync + 'static {
    /// Validates, decides, signs and publishes one command in the seed's `{type, data}` shape.
    async fn submit(&self, command: serde_json::Value) -> Result<CommandAck, CommandFailure>;
    /// The herd as the golden record holds it, most recently changed first.
    async fn herd(&self) -> Result<Vec<CattleRecord>, CommandFailure>;
}

/// The shared handle put into Leptos context.
pub type SharedRegistry = Arc<dyn LivestockRegistry>;
