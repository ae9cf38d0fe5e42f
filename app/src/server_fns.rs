//! Server functions: the browser's way into the registry. Each one runs the same code
//! the JSON API runs.
use crate::model::{CattleRecord, CommandAck, CommandFailure};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
fn registry() -> Result<crate::registry::SharedRegistry, ServerFnError> {
    use_context::<crate::registry::SharedRegistry>()
        .ok_or_else(|| ServerFnError::new("the registry is not available"))
}

/// The herd, most recently changed first.
#[server(input = Json)]
pub async fn list_herd() -> Result<Vec<CattleRecord>, ServerFnError> {
    registry()?
        .herd()
        .await
        .map_err(|failure| ServerFnError::new(failure.to_string()))
}

/// Sends one command (seed shape `{type, data}`); a refusal comes back as a value so the
/// form can show it beside the fields.
#[server(input = Json)]
pub async fn submit_command(
    command: serde_json::Value,
) -> Result<Result<CommandAck, CommandFailure>, ServerFnError> {
    Ok(registry()?.submit(command).await)
}
