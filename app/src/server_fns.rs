//! Server functions: the browser's way into the registry. Each one runs the same code the
//! JSON API runs, for the user whose session cookie came with the request.
use crate::model::{
    AnimalPage, ClientSummary, CommandAck, CommandFailure, Dashboard, HerdPage, HerdQuery,
    SignedInUser,
};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
fn registry() -> Result<crate::registry::SharedRegistry, CommandFailure> {
    use_context::<crate::registry::SharedRegistry>().ok_or_else(|| CommandFailure::Unavailable {
        message: "the registry is not available".into(),
    })
}

/// The session token of the request being served, if any.
#[cfg(feature = "ssr")]
async fn request_token() -> Option<String> {
    let headers: http::HeaderMap = leptos_axum::extract().await.ok()?;
    crate::session_cookie::session_token(&headers)
}

/// The signed-in user of the request being served; `SignedOut` otherwise.
#[cfg(feature = "ssr")]
async fn signed_in() -> Result<(crate::registry::SharedRegistry, SignedInUser), CommandFailure> {
    let registry = registry()?;
    let token = request_token().await.ok_or(CommandFailure::SignedOut)?;
    let user = registry
        .session_user(&token)
        .await?
        .ok_or(CommandFailure::SignedOut)?;
    Ok((registry, user))
}

/// Who is signed in, or `None`.
#[server(input = Json)]
pub async fn current_user() -> Result<Option<SignedInUser>, CommandFailure> {
    match signed_in().await {
        Ok((_, user)) => Ok(Some(user)),
        Err(CommandFailure::SignedOut) => Ok(None),
        Err(failure) => Err(failure),
    }
}

/// Checks the password, sets the session cookie and returns the user.
#[server(input = Json)]
pub async fn sign_in(username: String, password: String) -> Result<SignedInUser, CommandFailure> {
    let (token, user) = registry()?.sign_in(&username, &password).await?;
    let cookie = crate::session_cookie::open_session_cookie(&token, 12 * 3600);
    set_cookie(&cookie);
    Ok(user)
}

/// Ends the session and clears the cookie.
#[server(input = Json)]
pub async fn sign_out() -> Result<(), CommandFailure> {
    if let Some(token) = request_token().await {
        registry()?.sign_out(&token).await?;
    }
    set_cookie(&crate::session_cookie::closed_session_cookie());
    Ok(())
}

#[cfg(feature = "ssr")]
fn set_cookie(cookie: &str) {
    if let (Some(response), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(cookie),
    ) {
        response.append_header(http::header::SET_COOKIE, value);
    }
}

/// One page of the herd the user may see.
#[server(input = Json)]
pub async fn list_herd(query: HerdQuery) -> Result<HerdPage, CommandFailure> {
    let (registry, user) = signed_in().await?;
    registry.herd(&user, query).await
}

/// The dashboard of the herd the user may see.
#[server(input = Json)]
pub async fn herd_dashboard() -> Result<Dashboard, CommandFailure> {
    let (registry, user) = signed_in().await?;
    registry.dashboard(&user).await
}

/// One animal's page (refused for another farmer's animal).
#[server(input = Json)]
pub async fn animal_details(cattle_id: i64) -> Result<Option<AnimalPage>, CommandFailure> {
    let (registry, user) = signed_in().await?;
    registry.animal(&user, cattle_id).await
}

/// Every client, the user's own marked.
#[server(input = Json)]
pub async fn client_list() -> Result<Vec<ClientSummary>, CommandFailure> {
    let (registry, user) = signed_in().await?;
    registry.clients(&user).await
}

/// Sends one command (seed shape `{type, data}`); a refusal names its field.
#[server(input = Json)]
pub async fn submit_command(command: serde_json::Value) -> Result<CommandAck, CommandFailure> {
    let (registry, user) = signed_in().await?;
    registry.submit(&user, command).await
}
