//! What operators read and start over HTTP: `GET /health` (anyone), `GET /api/alerts`,
//! `GET /api/views`, `POST /api/views/{view}/paused`, `GET/POST /api/log-verification` and
//! the rebuilds, `GET /api/rebuilds` and `GET/POST/DELETE /api/views/{view}/rebuild`
//! (administrators).
use super::auth::SignedIn;
use super::responses::{bad_field, failure_response, not_found};
use super::server_state::ServerState;
use crate::registry_office::RegistryOffice;
use app::model::{CommandFailure, SignedInUser, ViewName, ViewRebuild};
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

/// `GET /api/consumer-groups`: the deployment's consumer groups as Kafka sees them
/// (administrators).
pub async fn consumer_groups(
    State(state): State<ServerState>,
    SignedIn(user): SignedIn,
) -> Response {
    match state.office.group_standings(&user).await {
        Ok(groups) => Json(json!({ "groups": groups })).into_response(),
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

/// The view `name` names, or the sentence of a 404 listing the views.
fn view_named(name: &str) -> Result<ViewName, String> {
    ViewName::from_wire(name).ok_or_else(|| {
        let known: Vec<&str> = ViewName::ALL.iter().map(|v| v.as_str()).collect();
        format!("no view is named {name:?}; the views are {known:?}")
    })
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
    let view = match view_named(&name) {
        Ok(view) => view,
        Err(unknown) => return not_found(unknown),
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

/// `GET /api/rebuilds`: the latest rebuild of every view (administrators).
pub async fn rebuilds(State(state): State<ServerState>, SignedIn(user): SignedIn) -> Response {
    match state.office.view_rebuilds(&user) {
        Ok(rebuilds) => Json(json!({ "rebuilds": rebuilds })).into_response(),
        Err(failure) => failure_response(failure),
    }
}

/// Does `act` on the rebuild of the view `name` names, answering `status` with the run.
fn on_rebuild(
    state: &ServerState,
    user: &SignedInUser,
    name: &str,
    status: StatusCode,
    act: impl FnOnce(&RegistryOffice, &SignedInUser, ViewName) -> Result<ViewRebuild, CommandFailure>,
) -> Response {
    let view = match view_named(name) {
        Ok(view) => view,
        Err(unknown) => return not_found(unknown),
    };
    match act(&state.office, user, view) {
        Ok(run) => (status, Json(run)).into_response(),
        Err(failure) => failure_response(failure),
    }
}

/// `GET /api/views/{view}/rebuild`: the latest rebuild of one view (administrators).
pub async fn rebuild(
    State(state): State<ServerState>,
    SignedIn(user): SignedIn,
    Path(name): Path<String>,
) -> Response {
    on_rebuild(
        &state,
        &user,
        &name,
        StatusCode::OK,
        RegistryOffice::view_rebuild,
    )
}

/// `POST /api/views/{view}/rebuild`: starts rebuilding a view blue/green (administrators);
/// 202 with the run, 409 while one runs or for a view that cannot be rebuilt here.
pub async fn start_rebuild(
    State(state): State<ServerState>,
    SignedIn(user): SignedIn,
    Path(name): Path<String>,
) -> Response {
    on_rebuild(
        &state,
        &user,
        &name,
        StatusCode::ACCEPTED,
        RegistryOffice::start_view_rebuild,
    )
}

/// `DELETE /api/views/{view}/rebuild`: cancels a rebuild before its swap (administrators);
/// 202 with the run (it reads CANCELLED once the copy is removed), 409 when none runs.
pub async fn cancel_rebuild(
    State(state): State<ServerState>,
    SignedIn(user): SignedIn,
    Path(name): Path<String>,
) -> Response {
    on_rebuild(
        &state,
        &user,
        &name,
        StatusCode::ACCEPTED,
        RegistryOffice::cancel_view_rebuild,
    )
}
