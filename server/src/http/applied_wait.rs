//! `?wait=applied`: how long a command's sender waits, and the wait itself, woken by the
//! golden record's word on the event rather than by polling the database.
use super::server_state::ServerState;
use app::model::{CommandAck, EventVerdict, LiveUpdate, ViewName};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::FieldError;
use serde_json::json;
use std::collections::HashMap;
use std::time::Duration;
use tokio::sync::broadcast::{self, error::RecvError};

/// The longest a waiting request goes without reading the outcome again.
const RECHECK: Duration = Duration::from_secs(1);

/// Longest and default wait of `?wait=applied`.
const MAX_WAIT: Duration = Duration::from_secs(60);
const DEFAULT_WAIT: Duration = Duration::from_secs(5);

/// Reads `wait` and `timeout_ms`: `None` answers at once, `Some(t)` waits up to `t`; an
/// error names the parameter.
pub fn wait_option(query: &HashMap<String, String>) -> Result<Option<Duration>, FieldError> {
    let wait = match query.get("wait").map(String::as_str) {
        None => return Ok(None),
        Some("applied") => DEFAULT_WAIT,
        Some(other) => {
            return Err(FieldError {
                field: "wait".into(),
                message: format!("{other:?} is not a wait mode; the only one is \"applied\""),
            })
        }
    };
    match query.get("timeout_ms") {
        None => Ok(Some(wait)),
        Some(raw) => match raw.parse::<u64>() {
            Ok(ms) if ms >= 1 && Duration::from_millis(ms) <= MAX_WAIT => {
                Ok(Some(Duration::from_millis(ms)))
            }
            _ => Err(FieldError {
                field: "timeout_ms".into(),
                message: format!("{raw:?} must be a whole number of milliseconds from 1 to 60000"),
            }),
        },
    }
}

/// Waits until the golden record applied or refused the event, or the time is up: woken by
/// the golden record's live update for the event, and reading again at least every
/// `RECHECK` for an instance whose live updates are not shared with the one applying it.
pub async fn answer_when_applied(
    state: &ServerState,
    ack: CommandAck,
    within: Duration,
) -> Response {
    let deadline = tokio::time::Instant::now() + within;
    // Subscribed before the first read, so a verdict between the two is not missed.
    let mut updates = state.hub.subscribe();
    loop {
        match state.office.outcome_of_sent(&ack).await {
            Ok((status, record)) if status.status == EventVerdict::Applied => {
                return (
                    StatusCode::OK,
                    Json(json!({
                        "event_id": ack.event_id, "status": "APPLIED", "cattle_id": ack.cattle_id,
                        "sequence": status.sequence, "record": record,
                    })),
                )
                    .into_response();
            }
            Ok((status, _)) if status.status == EventVerdict::Rejected => {
                return (
                    StatusCode::CONFLICT,
                    Json(json!({
                        "event_id": ack.event_id, "status": "REJECTED",
                        "code": status.code, "error": status.reason,
                    })),
                )
                    .into_response();
            }
            // Still pending, or a read that failed (logged by the office): ask again.
            Ok(_) | Err(_) => {}
        }
        if tokio::time::Instant::now() >= deadline {
            return (
                StatusCode::GATEWAY_TIMEOUT,
                Json(json!({
                    "event_id": ack.event_id, "status": "PUBLISHED", "cattle_id": ack.cattle_id,
                    "error": format!("not applied within {} ms; the event is in the log and will be applied", within.as_millis()),
                })),
            )
                .into_response();
        }
        let recheck = deadline.min(tokio::time::Instant::now() + RECHECK);
        tokio::select! {
            () = word_on(&mut updates, &ack.event_id) => {}
            () = tokio::time::sleep_until(recheck) => {}
        }
    }
}

/// Returns when the golden record's word on `event_id` comes through the live updates (or
/// some may have been missed): then the outcome is read again.
async fn word_on(updates: &mut broadcast::Receiver<LiveUpdate>, event_id: &str) {
    loop {
        match updates.recv().await {
            Ok(LiveUpdate::CattleChanged {
                view, event_id: id, ..
            }) if view == ViewName::GoldenRecord && id == event_id => return,
            Ok(LiveUpdate::EventRejected {
                event_id: Some(id), ..
            }) if id == event_id => return,
            Ok(LiveUpdate::EventDuplicate { event_id: id, .. }) if id == event_id => return,
            Ok(_) => {}
            Err(RecvError::Lagged(_)) => return,
            Err(RecvError::Closed) => std::future::pending::<()>().await,
        }
    }
}
