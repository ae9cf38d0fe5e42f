//! `GET /ws`: every committed change, pushed as JSON text to the browser.
use super::auth::SignedIn;
use super::server_state::ServerState;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use tokio::sync::broadcast::error::RecvError;

/// Upgrades the connection and forwards the hub's updates until either side leaves.
/// Only signed-in users are served (401 otherwise); an update names ids and event types
/// only, and the pages refetch through reads that check who may see what.
pub async fn live_socket(
    State(state): State<ServerState>,
    _user: SignedIn,
    upgrade: WebSocketUpgrade,
) -> Response {
    upgrade.on_upgrade(move |socket| forward(socket, state))
}

async fn forward(mut socket: WebSocket, state: ServerState) {
    let mut updates = state.hub.subscribe();
    loop {
        tokio::select! {
            update = updates.recv() => match update {
                Ok(update) => {
                    let Ok(text) = serde_json::to_string(&update) else { continue };
                    if socket.send(Message::Text(text.into())).await.is_err() {
                        return;
                    }
                }
                // A slow browser missed some: it refetches on the next one anyway.
                Err(RecvError::Lagged(missed)) => tracing::debug!(missed, "live socket lagged"),
                Err(RecvError::Closed) => return,
            },
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            },
        }
    }
}
