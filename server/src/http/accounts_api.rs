//! Sessions and users over JSON: `POST/GET/DELETE /api/session`, `POST /api/session/password`,
//! `GET/POST /api/users`, `POST /api/users/{username}/disabled`, `…/password` and `…/role`.
use super::auth::{SessionHolder, SignedIn};
use super::responses::{bad_field, failure_response, field_errors, unauthorized};
use super::server_state::ServerState;
use crate::accounts::password_change::PasswordChange;
use crate::accounts::{NewUser, SESSION_HOURS};
use app::registry::LivestockRegistry;
use app::registry::SourceAddress;
use app::session_cookie::{closed_session_cookie, open_session_cookie, session_token};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::json;

/// What signing in takes.
#[derive(Deserialize)]
struct Credentials {
    username: String,
    password: String,
}

fn body_error(error: serde_json::Error) -> Response {
    bad_field(
        "body",
        format!("the body is not the expected JSON: {error}"),
    )
}

/// 204 for a change made, else the answer to its failure.
fn no_content(outcome: Result<(), app::model::CommandFailure>) -> Response {
    match outcome {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(failure) => failure_response(failure),
    }
}

/// `POST /api/session`: checks the password; 200 with the user, the session cookie and the
/// token (for API clients, as `Authorization: Bearer`); 401 on a wrong password; 429 with
/// `Retry-After` after too many wrong ones for the account or from the address.
pub async fn sign_in(
    State(state): State<ServerState>,
    source: Option<Extension<SourceAddress>>,
    body: Bytes,
) -> Response {
    let credentials: Credentials = match serde_json::from_slice(&body) {
        Ok(credentials) => credentials,
        Err(error) => return body_error(error),
    };
    match state
        .office
        .sign_in(
            &credentials.username,
            &credentials.password,
            source.map(|Extension(SourceAddress(address))| address),
        )
        .await
    {
        Ok((token, user)) => (
            StatusCode::OK,
            [(
                SET_COOKIE,
                open_session_cookie(&token, SESSION_HOURS * 3600, state.office.secure_cookies()),
            )],
            Json(json!({ "user": user, "token": token })),
        )
            .into_response(),
        Err(app::model::CommandFailure::Invalid { errors }) => {
            field_errors(StatusCode::UNAUTHORIZED, errors)
        }
        Err(failure) => failure_response(failure),
    }
}

/// `GET /api/session`: who is signed in (`must_change_password` set while a printed
/// password must be replaced).
pub async fn whoami(SessionHolder { user, .. }: SessionHolder) -> Response {
    Json(json!({ "user": user })).into_response()
}

/// `POST /api/session/password` `{currentPassword, newPassword}`: the user's own new
/// password; 204 (the user's other sessions end), 422 naming the wrong field, 429 after too
/// many wrong current passwords.
pub async fn change_password(
    State(state): State<ServerState>,
    SessionHolder { user, token }: SessionHolder,
    body: Bytes,
) -> Response {
    let change: PasswordChange = match serde_json::from_slice(&body) {
        Ok(change) => change,
        Err(error) => return body_error(error),
    };
    match state.office.change_password(&user, &change, &token).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(failure) => failure_response(failure),
    }
}

/// `DELETE /api/session`: signs out (and clears the cookie).
pub async fn sign_out(State(state): State<ServerState>, headers: HeaderMap) -> Response {
    let Some(token) = session_token(&headers) else {
        return unauthorized();
    };
    match state.office.sign_out(&token).await {
        Ok(()) => (
            StatusCode::NO_CONTENT,
            [(
                SET_COOKIE,
                closed_session_cookie(state.office.secure_cookies()),
            )],
        )
            .into_response(),
        Err(failure) => failure_response(failure),
    }
}

/// `GET /api/users`: every user with role and public key (administrators).
pub async fn list_users(State(state): State<ServerState>, SignedIn(user): SignedIn) -> Response {
    match state.office.users(&user).await {
        Ok(users) => Json(users).into_response(),
        Err(failure) => failure_response(failure),
    }
}

/// `POST /api/users` `{username, password, role}`: creates a user with a fresh signing key
/// (administrators); 201, 422 naming the wrong field, 409 for a taken name.
pub async fn create_user(
    State(state): State<ServerState>,
    SignedIn(user): SignedIn,
    body: Bytes,
) -> Response {
    let new: NewUser = match serde_json::from_slice(&body) {
        Ok(new) => new,
        Err(error) => return body_error(error),
    };
    match state.office.create_user(&user, &new).await {
        Ok(created) => (StatusCode::CREATED, Json(created)).into_response(),
        Err(failure) => failure_response(failure),
    }
}

/// What disabling or enabling an account takes.
#[derive(Deserialize)]
struct Disabling {
    disabled: bool,
}

/// `POST /api/users/{username}/disabled` `{disabled}`: disables (ending every session of the
/// user at once) or enables an account (administrators); 204, 422 for an unknown user.
pub async fn set_disabled(
    State(state): State<ServerState>,
    SignedIn(user): SignedIn,
    Path(username): Path<String>,
    body: Bytes,
) -> Response {
    let disabling: Disabling = match serde_json::from_slice(&body) {
        Ok(disabling) => disabling,
        Err(error) => return body_error(error),
    };
    no_content(
        state
            .office
            .set_user_disabled(&user, &username, disabling.disabled)
            .await,
    )
}

/// `POST /api/users/{username}/key`: a new signing key for the account, registered on the
/// key stream, and its old key revoked from now (administrators); 204, 422 for an unknown
/// user, 409 `ACCOUNT_DISABLED` for a disabled one (enabling gives a new key).
pub async fn rotate_key(
    State(state): State<ServerState>,
    SignedIn(user): SignedIn,
    Path(username): Path<String>,
) -> Response {
    no_content(state.office.rotate_user_key(&user, &username).await)
}

/// What resetting a password takes.
#[derive(Deserialize)]
struct PasswordReset {
    password: String,
}

/// `POST /api/users/{username}/password` `{password}`: a password the user must replace at
/// their next sign-in; their sessions end (administrators, not for their own account); 204,
/// 422 naming the wrong field or an unknown user.
pub async fn reset_password(
    State(state): State<ServerState>,
    SignedIn(user): SignedIn,
    Path(username): Path<String>,
    body: Bytes,
) -> Response {
    let reset: PasswordReset = match serde_json::from_slice(&body) {
        Ok(reset) => reset,
        Err(error) => return body_error(error),
    };
    no_content(
        state
            .office
            .reset_user_password(&user, &username, &reset.password)
            .await,
    )
}

/// What changing a role takes.
#[derive(Deserialize)]
struct RoleChange {
    role: String,
}

/// `POST /api/users/{username}/role` `{role}`: the user's role from their next request on
/// (administrators, not for their own account); 204, 422 naming the wrong field.
pub async fn set_role(
    State(state): State<ServerState>,
    SignedIn(user): SignedIn,
    Path(username): Path<String>,
    body: Bytes,
) -> Response {
    let change: RoleChange = match serde_json::from_slice(&body) {
        Ok(change) => change,
        Err(error) => return body_error(error),
    };
    no_content(
        state
            .office
            .set_user_role(&user, &username, &change.role)
            .await,
    )
}
