//! Who sent a request: the `SignedIn` extractor answers 401 for a request without a live
//! session (cookie or bearer token).
use super::router::ServerState;
use app::model::SignedInUser;
use app::session_cookie::session_token;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// The signed-in user of a request.
pub struct SignedIn(pub SignedInUser);

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

impl FromRequestParts<ServerState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &ServerState,
    ) -> Result<Self, Self::Rejection> {
        let Some(token) = session_token(&parts.headers) else {
            return Err(unauthorized());
        };
        match state.office.accounts.session_user(&token).await {
            Ok(Some(user)) => Ok(SignedIn(user)),
            Ok(None) => Err(unauthorized()),
            Err(error) => {
                tracing::error!(%error, "could not check a session");
                Err((
                    StatusCode::SERVICE_UNAVAILABLE,
                    Json(json!({ "error": "the session could not be checked; please try again" })),
                )
                    .into_response())
            }
        }
    }
}
