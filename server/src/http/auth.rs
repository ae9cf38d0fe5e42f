//! Who sent a request: `SignedIn` answers 401 for a request without a live session (cookie
//! or bearer token), and 403 for a user who must first replace a printed password;
//! `SessionHolder` lets such a user reach what choosing a password needs.
use super::responses::{failure_response, unauthorized};
use super::server_state::ServerState;
use app::model::SignedInUser;
use app::registry::LivestockRegistry;
use app::session_cookie::session_token;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// The signed-in user of a request, free to use the registry.
pub struct SignedIn(pub SignedInUser);

/// The user holding a request's live session, and its token, even while they must first
/// choose a new password: for who-am-I, signing out and changing the password.
pub struct SessionHolder {
    /// The user.
    pub user: SignedInUser,
    /// The session's token.
    pub token: String,
}

/// The 403 of a user who must replace a printed password before anything else.
pub fn password_change_required() -> Response {
    (
        StatusCode::FORBIDDEN,
        Json(json!({
            "error": "choose your own password first: POST /api/session/password with currentPassword and newPassword",
            "code": "PASSWORD_CHANGE_REQUIRED",
            "field": "newPassword",
        })),
    )
        .into_response()
}

impl FromRequestParts<ServerState> for SessionHolder {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &ServerState,
    ) -> Result<Self, Self::Rejection> {
        let Some(token) = session_token(&parts.headers) else {
            return Err(unauthorized());
        };
        match state.office.session_user(&token).await {
            Ok(Some(user)) => Ok(SessionHolder { user, token }),
            Ok(None) => Err(unauthorized()),
            Err(failure) => Err(failure_response(failure)),
        }
    }
}

impl FromRequestParts<ServerState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &ServerState,
    ) -> Result<Self, Self::Rejection> {
        let SessionHolder { user, .. } = SessionHolder::from_request_parts(parts, state).await?;
        if user.must_change_password {
            return Err(password_change_required());
        }
        Ok(SignedIn(user))
    }
}
