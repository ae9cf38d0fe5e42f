//! The JSON answers every handler shares: a refusal, a field error, a technical failure.
use app::model::CommandFailure;
use axum::http::header::RETRY_AFTER;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::FieldError;
use serde_json::json;

/// The HTTP answer for a command or read the registry did not carry out.
pub fn failure_response(failure: CommandFailure) -> Response {
    let sentence = failure.to_string();
    match failure {
        CommandFailure::Invalid { errors } => {
            field_errors(StatusCode::UNPROCESSABLE_ENTITY, errors)
        }
        CommandFailure::Rejected {
            code,
            message,
            field,
        } => (
            StatusCode::CONFLICT,
            Json(json!({ "error": message, "code": code, "field": field })),
        )
            .into_response(),
        CommandFailure::SignedOut => unauthorized(),
        CommandFailure::Forbidden { message } => {
            (StatusCode::FORBIDDEN, Json(json!({ "error": message }))).into_response()
        }
        CommandFailure::TooManyAttempts { retry_after_secs } => (
            StatusCode::TOO_MANY_REQUESTS,
            [(RETRY_AFTER, retry_after_secs.to_string())],
            Json(json!({
                "error": sentence,
                "retry_after_secs": retry_after_secs,
            })),
        )
            .into_response(),
        CommandFailure::Unavailable { message } => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "error": message })),
        )
            .into_response(),
    }
}

/// The 401 answer.
pub fn unauthorized() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [("www-authenticate", "Bearer")],
        Json(
            json!({ "error": "sign in first: POST /api/session with your username and password" }),
        ),
    )
        .into_response()
}

/// `status` with one entry per wrong field.
pub fn field_errors(status: StatusCode, errors: Vec<FieldError>) -> Response {
    (status, Json(json!({ "errors": errors }))).into_response()
}

/// A 400 naming the one field (a query parameter, a header, the body) that is wrong.
pub fn bad_field(field: &str, message: String) -> Response {
    field_errors(
        StatusCode::BAD_REQUEST,
        vec![FieldError {
            field: field.into(),
            message,
        }],
    )
}

/// A 404 saying what was not found.
pub fn not_found(message: String) -> Response {
    (StatusCode::NOT_FOUND, Json(json!({ "error": message }))).into_response()
}
