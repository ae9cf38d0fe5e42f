//! How large a request body may be, on every route: a command, a sign-in or a server
//! function's arguments fit in a few kilobytes, so a megabyte is generous, and anything
//! larger is refused before it is read.
use axum::extract::Request;
use axum::http::header::CONTENT_LENGTH;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// The largest body any route reads, in bytes. `DefaultBodyLimit` holds a body sent without
/// a length to the same figure while it is read.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// 413 naming the limit for a body whose declared length is over it.
pub async fn refuse_large_bodies(request: Request, next: Next) -> Response {
    let declared = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok());
    if declared.is_some_and(|length| length > BODY_LIMIT as u64) {
        return (
            StatusCode::PAYLOAD_TOO_LARGE,
            Json(json!({
                "error": format!("the body is larger than the {BODY_LIMIT} bytes a request may carry"),
                "field": "body",
            })),
        )
            .into_response();
    }
    next.run(request).await
}
