//! `GET /ws`: the committed changes the signed-in user may see, pushed as JSON text to the
//! browser, for as long as their session lives.
use super::auth::SignedIn;
use super::server_state::ServerState;
use crate::live_audience::LiveAudience;
use app::model::{LiveUpdate, SignedInUser};
use app::session_cookie::session_token;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

/// How often an open socket checks that its session is still live (a sign-out on another
/// instance, an expiry); a sign-out on this instance closes it at once.
const SESSION_RECHECK: Duration = Duration::from_secs(30);

/// The close code for a session that ended (RFC 6455 "policy violation").
const SESSION_ENDED: u16 = 1008;

/// Upgrades the connection and forwards the updates the user may see until either side
/// leaves or the session ends. Only signed-in users are served (401 otherwise); an update
/// names ids and event types only, and the pages refetch through reads that check again.
pub async fn live_socket(
    State(state): State<ServerState>,
    SignedIn(user): SignedIn,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    // `SignedIn` found a token, so there is one.
    let token = session_token(&headers).unwrap_or_default();
    upgrade.on_upgrade(move |socket| forward(socket, state, user, token))
}

/// Whether `update` goes out to the user; a failed check sends nothing (and is logged).
async fn admitted(audience: &mut LiveAudience, update: &LiveUpdate) -> bool {
    match audience.admits(update).await {
        Ok(admitted) => admitted,
        Err(failure) => {
            tracing::warn!(%failure, "could not check a live update's audience; not sent");
            false
        }
    }
}

/// Whether the session still holds; a failed check keeps it (the next one decides).
async fn session_live(state: &ServerState, token: &str) -> bool {
    match state.office.accounts.session_holder(token).await {
        Ok(user) => user.is_some(),
        Err(error) => {
            tracing::warn!(%error, "could not re-check a live socket's session");
            true
        }
    }
}

async fn forward(mut socket: WebSocket, state: ServerState, user: SignedInUser, token: String) {
    let mut updates = state.hub.subscribe();
    let mut sign_outs = state.office.accounts.sign_outs();
    let mut recheck = tokio::time::interval(SESSION_RECHECK);
    recheck.reset();
    let mut audience = LiveAudience::new(state.office.clone(), user);
    loop {
        tokio::select! {
            update = updates.recv() => match update {
                Ok(update) => {
                    if !admitted(&mut audience, &update).await {
                        continue;
                    }
                    let Ok(text) = serde_json::to_string(&update) else { continue };
                    if socket.send(Message::Text(text.into())).await.is_err() {
                        return;
                    }
                }
                // A slow browser missed some: it refetches on the next one anyway.
                Err(RecvError::Lagged(missed)) => tracing::debug!(missed, "live socket lagged"),
                Err(RecvError::Closed) => return,
            },
            () = sign_outs.next() => {
                if !session_live(&state, &token).await {
                    return close_ended(socket).await;
                }
            }
            _ = recheck.tick() => {
                if !session_live(&state, &token).await {
                    return close_ended(socket).await;
                }
                audience.refresh();
            }
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            },
        }
    }
}

async fn close_ended(mut socket: WebSocket) {
    let frame = CloseFrame {
        code: SESSION_ENDED,
        reason: "the session ended; sign in again".into(),
    };
    let _ = socket.send(Message::Close(Some(frame))).await;
}
