//! Who sent a request: the `SignedIn` extractor answers 401 for a request without a live
//! session (cookie or bearer token).
use super::responses::{failure_response, unauthorized};
use super::server_state::ServerState;
use app::model::SignedInUser;
use app::registry::LivestockRegistry;
use app::session_cookie::session_token;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::Response;

/// The signed-in user of a request.
pub struct SignedIn(pub SignedInUser);

impl FromRequestParts<ServerState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &ServerState,
    ) -> Result<Self, Self::Rejection> {
        let Some(token) = session_token(&parts.headers) else {
            return Err(unauthorized());
        };
        match state.office.session_user(&token).await {
            Ok(Some(user)) => Ok(SignedIn(user)),
            Ok(None) => Err(unauthorized()),
            Err(failure) => Err(failure_response(failure)),
        }
    }
}
