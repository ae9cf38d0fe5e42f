//! The JSON API: `POST /api/commands` and `GET /api/cattle/{id}`.
use super::router::ServerState;
use app::model::CommandFailure;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::FieldError;
use serde_json::json;

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
        CommandFailure::Unavailable { message } => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "error": message })),
        )
            .into_response(),
    }
}

/// `POST /api/commands`: 202 with the acknowledgement, 400 for a body that is not JSON,
/// 422 with field errors, 409 when the animal's state forbids it.
pub async fn post_command(State(state): State<ServerState>, body: Bytes) -> Response {
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
    match state.commands.handle(value).await {
        Ok(ack) => (StatusCode::ACCEPTED, Json(ack)).into_response(),
        Err(failure) => failure_response(failure),
    }
}

/// `GET /api/cattle/{id}`: the golden-record row, 404 when unknown.
pub async fn get_cattle(State(state): State<ServerState>, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({ "error": format!("cattle id {id:?} is not a whole number") })),
        )
            .into_response();
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

/// `GET /health`: the process answers.
pub async fn health() -> impl IntoResponse {
    Json(json!({ "status": "ok" }))
}
