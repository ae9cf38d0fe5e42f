//! What operators read and start over HTTP: `GET /health` (anyone), `GET /api/alerts`,
//! `GET /api/views`, `POST /api/views/{view}/paused` and `GET/POST /api/log-verification`
//! (administrators).
use super::auth::SignedIn;
use super::responses::{bad_field, failure_response, not_found};
use super::server_state::ServerState;
use app::model::ViewName;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

/// `GET /health`: each engine's state as last probed (at most a second or two old); 503
/// when the log cannot be written, since then no command can be accepted.
pub async fn health(State(state): State<ServerState>) -> Response {
    let health = state.office.health();
    let status = if health.log_writable {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(health)).into_response()
}

/// `GET /api/alerts`: the seed's four alerts, firing or not (administrators).
pub async fn alerts(State(state): State<ServerState>, SignedIn(user): SignedIn) -> Response {
    match state.office.alerts(&user) {
        Ok(alerts) => Json(json!({ "alerts": alerts })).into_response(),
        Err(failure) => failure_response(failure),
    }
}

/// `GET /api/views`: each view's position, lag and pause switch (administrators).
pub async fn views(State(state): State<ServerState>, SignedIn(user): SignedIn) -> Response {
    match state.office.view_standings(&user) {
        Ok(views) => Json(json!({ "views": views })).into_response(),
        Err(failure) => failure_response(failure),
    }
}

#[derive(Deserialize)]
struct Pausing {
    paused: bool,
}

/// `POST /api/views/{view}/paused` `{paused}`: pauses or resumes a view (administrators);
/// 204, 404 for a view that does not exist.
pub async fn set_paused(
    State(state): State<ServerState>,
    SignedIn(user): SignedIn,
    Path(name): Path<String>,
    body: Bytes,
) -> Response {
    let Some(view) = ViewName::from_wire(&name) else {
        let known: Vec<&str> = ViewName::ALL.iter().map(|v| v.as_str()).collect();
        return not_found(format!(
            "no view is named {name:?}; the views are {known:?}"
        ));
    };
    let pausing: Pausing = match serde_json::from_slice(&body) {
        Ok(pausing) => pausing,
        Err(error) => {
            return bad_field(
                "paused",
                format!("the body must be {{\"paused\": true|false}}: {error}"),
            )
        }
    };
    match state.office.switch_view(&user, view, pausing.paused) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(failure) => failure_response(failure),
    }
}

/// `GET /api/log-verification`: the latest verification of the whole log, as far as it got
/// (administrators).
pub async fn log_verification(
    State(state): State<ServerState>,
    SignedIn(user): SignedIn,
) -> Response {
    match state.office.latest_log_verification(&user) {
        Ok(run) => Json(run).into_response(),
        Err(failure) => failure_response(failure),
    }
}

/// `POST /api/log-verification`: starts verifying every message of the cattle log against
/// the published keys (administrators); 202 with the run, 409 while one runs.
pub async fn start_log_verification(
    State(state): State<ServerState>,
    SignedIn(user): SignedIn,
) -> Response {
    match state.office.start_log_verification(&user).await {
        Ok(run) => (StatusCode::ACCEPTED, Json(run)).into_response(),
        Err(failure) => failure_response(failure),
    }
}
