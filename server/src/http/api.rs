//! The JSON API: commands, an animal (cache-first or read back from the log), a search, an
//! event's status, the user's clients, the public keys and health. Every answer comes from the
//! registry office.
use super::applied_wait::{answer_when_applied, wait_option};
use super::as_of_param::parse_as_of;
use super::auth::SignedIn;
use super::responses::{bad_field, failure_response, not_found};
use super::server_state::ServerState;
use app::model::{AckStatus, SearchRequest};
use app::registry::LivestockRegistry;
use axum::body::Bytes;
use axum::extract::Query;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::FieldError;
use serde_json::json;
use std::collections::HashMap;

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
        Err(error) => return bad_field(&error.field, error.message),
    };
    let request_key = match request_key(&headers) {
        Ok(key) => key,
        Err(error) => return bad_field(&error.field, error.message),
    };
    let value: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(value) => value,
        Err(error) => {
            return bad_field("body", format!("the body is not valid JSON: {error}"));
        }
    };
    // Taken before anything is published: a refused wait publishes nothing.
    let _place = match wait.map(|_| state.long_requests.admit(&user.username)) {
        Some(Err(busy)) => return busy.into_response(),
        Some(Ok(place)) => Some(place),
        None => None,
    };
    let submitted = state
        .office
        .submit_keyed(&user, value, request_key.as_ref())
        .await;
    match (submitted, wait) {
        (Ok(ack), Some(within)) => answer_when_applied(&state, ack, within).await,
        (Ok(ack), None) if ack.status == AckStatus::Duplicate => {
            (StatusCode::OK, Json(ack)).into_response()
        }
        (Ok(ack), None) => (StatusCode::ACCEPTED, Json(ack)).into_response(),
        (Err(failure), _) => failure_response(failure),
    }
}

/// `GET /api/cattle/{id}`: the golden-record row (cache-first), 404 when unknown. With
/// `?as_of=` (a sequence number, a date or an RFC 3339 time) the animal as it was then,
/// folded from its events; 404 when it had no event yet, 400 naming a parameter that is
/// unknown or not a point in time.
pub async fn get_cattle(
    State(state): State<ServerState>,
    SignedIn(user): SignedIn,
    Path(id): Path<String>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    let id = match cattle_id(&id) {
        Ok(id) => id,
        Err(message) => return bad_path(message),
    };
    if let Some((unknown, _)) = pairs.iter().find(|(key, _)| key != "as_of") {
        return bad_field(unknown, "unknown parameter; this read takes as_of".into());
    }
    if pairs.len() > 1 {
        return bad_field("as_of", "given twice; give it once".into());
    }
    if let Some((_, as_of)) = pairs.first() {
        let point = match parse_as_of(as_of) {
            Ok(point) => point,
            Err(message) => return bad_field("as_of", message),
        };
        return match state.office.cattle_as_of(&user, id, point, as_of).await {
            Ok(Some(past)) => Json(past).into_response(),
            Ok(None) => not_found(format!("animal {id} has no event by as_of {as_of}")),
            Err(failure) => failure_response(failure),
        };
    }
    match state.office.cattle(&user, id).await {
        Ok(Some(record)) => Json(record).into_response(),
        Ok(None) => not_found(format!("no animal with id {id}")),
        Err(failure) => failure_response(failure),
    }
}

/// `GET /api/search`: the animals matching the query string among those the user may see;
/// 400 naming the parameter that is unknown, repeated or wrong.
pub async fn get_search(
    State(state): State<ServerState>,
    SignedIn(user): SignedIn,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    let request = match SearchRequest::from_pairs(&pairs) {
        Ok(request) => request,
        Err(error) => return bad_field(&error.field, error.message),
    };
    match state.office.search_herd(&user, &request).await {
        Ok(results) => Json(results).into_response(),
        Err(failure) => failure_response(failure),
    }
}

/// Parses a cattle id from the path, or says what is wrong with it.
fn cattle_id(raw: &str) -> Result<i64, String> {
    raw.parse::<i64>()
        .map_err(|_| format!("cattle id {raw:?} is not a whole number"))
}

/// A 400 for a bad path segment.
fn bad_path(message: String) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "error": message }))).into_response()
}

/// `GET /api/events/{event_id}/status`: APPLIED, REJECTED (with the reason, e.g. a lost race),
/// DUPLICATE (naming the event applied in its place) or PENDING.
pub async fn get_event_status(
    State(state): State<ServerState>,
    SignedIn(user): SignedIn,
    Path(event_id): Path<String>,
) -> Response {
    match state.office.event_status(&user, &event_id).await {
        Ok(status) => Json(status).into_response(),
        Err(failure) => failure_response(failure),
    }
}

/// `GET /api/cattle/{id}/from-log`: the animal rebuilt from its events read back from Kafka,
/// verified, and compared with the golden record.
pub async fn get_cattle_from_log(
    State(state): State<ServerState>,
    SignedIn(user): SignedIn,
    Path(id): Path<String>,
) -> Response {
    let id = match cattle_id(&id) {
        Ok(id) => id,
        Err(message) => return bad_path(message),
    };
    let _place = match state.long_requests.admit(&user.username) {
        Ok(place) => place,
        Err(busy) => return busy.into_response(),
    };
    match state.office.cattle_from_log(&user, id).await {
        // With a snapshot, no events after it is still an animal.
        Ok(report) if report.events == 0 && report.snapshot.is_none() => {
            not_found(format!("no events of animal {id} are indexed"))
        }
        Ok(report) => Json(report).into_response(),
        Err(failure) => failure_response(failure),
    }
}

/// `GET /api/clients`: the clients whose animals the user may register or see, by name (a
/// farmer's own; every client for assessors and administrators), as `{id, name, pic, mine}`.
/// `icattle import` reads the PICs of a herd file against them.
pub async fn get_clients(State(state): State<ServerState>, SignedIn(user): SignedIn) -> Response {
    match state.office.clients(&user).await {
        Ok(clients) => Json(clients).into_response(),
        Err(failure) => failure_response(failure),
    }
}

/// `GET /api/keys`: every public key whose signatures the registry accepts, in the shape
/// `icattle verify --keys` reads, so anyone can check the log without trusting the server.
pub async fn get_keys(State(state): State<ServerState>) -> Response {
    Json(state.office.public_keys()).into_response()
}

/// `GET /api/keys/stream`: the key stream itself (PROTOCOL.md §11), `{root_key, records}`,
/// from which a verifier builds the keys with nothing but the root key it trusts.
pub async fn get_key_stream(State(state): State<ServerState>) -> Response {
    match state.office.key_stream().await {
        Some(stream) => Json(stream).into_response(),
        None => {
            not_found("this server takes its keys from configuration, not from a key stream".into())
        }
    }
}

/// `GET /metrics`: every metric recorded so far, in Prometheus's text format.
pub async fn metrics() -> impl IntoResponse {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        crate::telemetry::render(),
    )
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
