//! The JSON API: `POST /api/commands` and `GET /api/cattle/{id}`.
use super::auth::SignedIn;
use super::router::ServerState;
use crate::from_log::rebuild_from_log;
use crate::golden::queries;
use app::model::{CommandAck, CommandFailure};
use axum::body::Bytes;
use axum::extract::Query;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::FieldError;
use serde_json::json;
use std::collections::HashMap;
use std::time::Duration;

/// The HTTP answer for a command that was not published.
pub fn failure_response(failure: CommandFailure) -> Response {
    match failure {
        CommandFailure::Invalid { errors } => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({ "errors": errors })),
        )
            .into_response(),
        CommandFailure::Rejected {
            code,
            message,
            field,
        } => (
            StatusCode::CONFLICT,
            Json(json!({ "error": message, "code": code, "field": field })),
        )
            .into_response(),
        CommandFailure::SignedOut => super::auth::unauthorized(),
        CommandFailure::Forbidden { message } => {
            (StatusCode::FORBIDDEN, Json(json!({ "error": message }))).into_response()
        }
        CommandFailure::Unavailable { message } => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "error": message })),
        )
            .into_response(),
    }
}

/// Longest and default wait of `?wait=applied`.
const MAX_WAIT: Duration = Duration::from_secs(60);
const DEFAULT_WAIT: Duration = Duration::from_secs(5);

/// A 400 naming the query parameter that is wrong.
fn bad_parameter(field: &str, message: String) -> Response {
    let errors = vec![FieldError {
        field: field.into(),
        message,
    }];
    (StatusCode::BAD_REQUEST, Json(json!({ "errors": errors }))).into_response()
}

/// Reads `wait` and `timeout_ms`: `None` answers at once, `Some(t)` waits up to `t`; an
/// error names the parameter.
fn wait_option(query: &HashMap<String, String>) -> Result<Option<Duration>, FieldError> {
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

/// Waits until the golden record applied or refused the event, or the time is up.
async fn answer_when_applied(state: &ServerState, ack: CommandAck, within: Duration) -> Response {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match queries::event_status(&state.db, &ack.event_id).await {
            Ok(status) if status.status == "APPLIED" => {
                let record = queries::cattle_by_id(&state.db, ack.cattle_id)
                    .await
                    .ok()
                    .flatten();
                return (
                    StatusCode::OK,
                    Json(json!({
                        "event_id": ack.event_id, "status": "APPLIED", "cattle_id": ack.cattle_id,
                        "sequence": status.sequence, "record": record,
                    })),
                )
                    .into_response();
            }
            Ok(status) if status.status == "REJECTED" => {
                return (
                    StatusCode::CONFLICT,
                    Json(json!({
                        "event_id": ack.event_id, "status": "REJECTED",
                        "code": status.code, "error": status.reason,
                    })),
                )
                    .into_response();
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "could not read an event's status; retrying"),
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
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// `POST /api/commands`: 202 with the acknowledgement (200 naming the original when the same
/// command was accepted before), 400 for a body that is not JSON, 422 with field errors, 409
/// when the animal's state forbids it. `?wait=applied[&timeout_ms=N]` answers once the golden
/// record applied it (200 with the row), refused it (409), or the time ran out (504).
pub async fn post_command(
    State(state): State<ServerState>,
    SignedIn(user): SignedIn,
    Query(query): Query<HashMap<String, String>>,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Response {
    let wait = match wait_option(&query) {
        Ok(wait) => wait,
        Err(error) => return bad_parameter(&error.field, error.message),
    };
    let request_key = match request_key(&headers) {
        Ok(key) => key,
        Err(error) => return bad_parameter(&error.field, error.message),
    };
    let value: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(value) => value,
        Err(error) => {
            let errors = vec![FieldError {
                field: "body".into(),
                message: format!("the body is not valid JSON: {error}"),
            }];
            return (StatusCode::BAD_REQUEST, Json(json!({ "errors": errors }))).into_response();
        }
    };
    let submitted = state
        .office
        .submit_keyed(&user, value, request_key.as_ref())
        .await;
    match (submitted, wait) {
        (Ok(ack), Some(within)) => answer_when_applied(&state, ack, within).await,
        (Ok(ack), None) if ack.status == "DUPLICATE" => (StatusCode::OK, Json(ack)).into_response(),
        (Ok(ack), None) => (StatusCode::ACCEPTED, Json(ack)).into_response(),
        (Err(failure), _) => failure_response(failure),
    }
}

/// `GET /api/cattle/{id}`: the golden-record row, 404 when unknown.
pub async fn get_cattle(
    State(state): State<ServerState>,
    SignedIn(user): SignedIn,
    Path(id): Path<String>,
) -> Response {
    let id = match visible_cattle_id(&state, &user, &id).await {
        Ok(id) => id,
        Err(refusal) => return refusal,
    };
    match state.reader.cattle(id).await {
        Ok(Some(record)) => Json(record).into_response(),
        Ok(None) => (
            StatusCode::NOT_FOUND,
            Json(json!({ "error": format!("no animal with id {id}") })),
        )
            .into_response(),
        Err(error) => {
            tracing::error!(%error, id, "could not read an animal");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "error": "the golden record could not be read; please try again" })),
            )
                .into_response()
        }
    }
}

/// Parses a cattle id from the path, or says what is wrong with it.
fn cattle_id(raw: &str) -> Result<i64, String> {
    raw.parse::<i64>()
        .map_err(|_| format!("cattle id {raw:?} is not a whole number"))
}

/// The cattle id of the path, once the user may see that animal: else the 400 or 403.
async fn visible_cattle_id(
    state: &ServerState,
    user: &app::model::SignedInUser,
    raw: &str,
) -> Result<i64, Response> {
    let id = cattle_id(raw).map_err(bad_path)?;
    state
        .office
        .check_may_see(user, id)
        .await
        .map_err(failure_response)?;
    Ok(id)
}

/// A 400 for a bad path segment.
fn bad_path(message: String) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "error": message }))).into_response()
}

/// The short answer for a technical failure; the details go to the log.
pub fn unavailable(what: &str) -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Json(json!({ "error": format!("{what}; please try again") })),
    )
        .into_response()
}

/// `GET /api/events/{event_id}/status`: APPLIED, REJECTED (with the reason, e.g. a lost race),
/// DUPLICATE (naming the event applied in its place) or PENDING.
pub async fn get_event_status(
    State(state): State<ServerState>,
    SignedIn(user): SignedIn,
    Path(event_id): Path<String>,
) -> Response {
    match queries::event_status(&state.db, &event_id).await {
        Ok(status) => {
            if let Some(id) = status.cattle_id {
                if let Err(failure) = state.office.check_may_see(&user, id).await {
                    return failure_response(failure);
                }
            }
            Json(status).into_response()
        }
        Err(error) => {
            tracing::error!(%error, %event_id, "could not read an event's status");
            unavailable("the event's status could not be read")
        }
    }
}

/// `GET /api/cattle/{id}/from-log`: the animal rebuilt from its events read back from Kafka,
/// verified, and compared with the golden record.
pub async fn get_cattle_from_log(
    State(state): State<ServerState>,
    SignedIn(user): SignedIn,
    Path(id): Path<String>,
) -> Response {
    let id = match visible_cattle_id(&state, &user, &id).await {
        Ok(id) => id,
        Err(refusal) => return refusal,
    };
    match rebuild_from_log(&state.db, &state.brokers, &state.trusted, id).await {
        Ok(report) if report.events == 0 => (
            StatusCode::NOT_FOUND,
            Json(json!({ "error": format!("no events of animal {id} are indexed") })),
        )
            .into_response(),
        Ok(report) => Json(report).into_response(),
        Err(error) => {
            tracing::error!(%error, id, "could not rebuild an animal from the log");
            unavailable("the animal could not be read back from the log")
        }
    }
}

/// `GET /api/keys`: every public key whose signatures the registry accepts, in the shape
/// `icattle verify --keys` reads, so anyone can check the log without trusting the server.
pub async fn get_keys(State(state): State<ServerState>) -> Response {
    match state.trusted.published().await {
        Ok(keys) => Json(keys).into_response(),
        Err(error) => {
            tracing::error!(%error, "could not list the public keys");
            unavailable("the public keys could not be read")
        }
    }
}

/// `GET /health`: the process answers.
pub async fn health() -> impl IntoResponse {
    Json(json!({ "status": "ok" }))
}

/// The `Idempotency-Key` header, when sent; a key that is not visible ASCII is refused.
fn request_key(headers: &axum::http::HeaderMap) -> Result<Option<domain::RequestKey>, FieldError> {
    let Some(value) = headers.get(domain::REQUEST_KEY_HEADER) else {
        return Ok(None);
    };
    let text = value.to_str().map_err(|_| FieldError {
        field: domain::REQUEST_KEY_HEADER.into(),
        message: "the key may hold only visible ASCII characters, without spaces".into(),
    })?;
    domain::RequestKey::parse(text).map(Some)
}
