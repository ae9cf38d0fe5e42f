//! Server functions: the browser's way into the registry. Each one runs the same code the
//! JSON API runs, for the user whose session cookie came with the request. A refusal comes
//! back as a value (`Answer`), not as an HTTP error, so the page shows it beside its field
//! and the browser logs no failed request.
use crate::model::{
    AnimalPage, ClientReference, ClientSummary, CommandAck, CommandFailure, ConsumerGroupStanding,
    Dashboard, FraudAlert, HerdAsOfRun, HerdPage, HerdQuery, LogVerificationRun, OperationsReport,
    SearchRequest, SearchResults, SelectedAnimal, SignedInUser, SigningKey, TransferOffers,
    UserAccount, ViewName, ViewRebuild,
};
use domain::Role;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// What a server function answers: the value, or why the user cannot have it.
pub type Answer<T> = Result<T, CommandFailure>;

/// Folds a transport failure into the answer, so a page handles one error type.
pub fn flat<T>(result: Result<Answer<T>, ServerFnError>) -> Answer<T> {
    result.unwrap_or_else(|error| {
        Err(CommandFailure::Unavailable {
            message: format!(
                "the registry could not be reached ({error}); nothing was lost, try again"
            ),
        })
    })
}

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

/// The user holding the session of the request being served, even one who must first
/// replace a printed password; `SignedOut` otherwise.
#[cfg(feature = "ssr")]
async fn session_holder(
) -> Result<(crate::registry::SharedRegistry, SignedInUser, String), CommandFailure> {
    let registry = registry()?;
    let token = request_token().await.ok_or(CommandFailure::SignedOut)?;
    let user = registry
        .session_user(&token)
        .await?
        .ok_or(CommandFailure::SignedOut)?;
    Ok((registry, user, token))
}

/// The signed-in user of the request being served; `SignedOut` otherwise, `Forbidden` for
/// a user who must first replace a printed password.
#[cfg(feature = "ssr")]
async fn signed_in() -> Result<(crate::registry::SharedRegistry, SignedInUser), CommandFailure> {
    let (registry, user, _) = session_holder().await?;
    if user.must_change_password {
        return Err(CommandFailure::Forbidden {
            message: "choose your own password first".into(),
        });
    }
    Ok((registry, user))
}

/// Who is signed in, or `None`.
#[server(input = Json)]
pub async fn current_user() -> Result<Answer<Option<SignedInUser>>, ServerFnError> {
    Ok(async move {
        match session_holder().await {
            Ok((_, user, _)) => Ok(Some(user)),
            Err(CommandFailure::SignedOut) => Ok(None),
            Err(failure) => Err(failure),
        }
    }
    .await)
}

/// Checks the password, sets the session cookie and returns the user.
#[server(input = Json)]
pub async fn sign_in(
    username: String,
    password: String,
) -> Result<Answer<SignedInUser>, ServerFnError> {
    Ok(async move {
        let source = use_context::<http::request::Parts>().and_then(|parts| {
            let address = parts.extensions.get::<crate::registry::SourceAddress>()?;
            Some(address.0)
        });
        let registry = registry()?;
        let (token, user) = registry.sign_in(&username, &password, source).await?;
        let cookie = crate::session_cookie::open_session_cookie(
            &token,
            12 * 3600,
            registry.secure_cookies(),
        );
        set_cookie(&cookie);
        Ok(user)
    }
    .await)
}

/// Replaces the user's password once the current one is confirmed; their other sessions end.
#[server(input = Json)]
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<Answer<()>, ServerFnError> {
    Ok(async move {
        let (registry, user, token) = session_holder().await?;
        registry
            .change_password(&user, &token, &current_password, &new_password)
            .await
    }
    .await)
}

/// Ends the session and clears the cookie.
#[server(input = Json)]
pub async fn sign_out() -> Result<Answer<()>, ServerFnError> {
    Ok(async move {
        let registry = registry()?;
        if let Some(token) = request_token().await {
            registry.sign_out(&token).await?;
        }
        set_cookie(&crate::session_cookie::closed_session_cookie(
            registry.secure_cookies(),
        ));
        Ok(())
    }
    .await)
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
pub async fn list_herd(query: HerdQuery) -> Result<Answer<HerdPage>, ServerFnError> {
    Ok(async move {
        let (registry, user) = signed_in().await?;
        registry.herd(&user, query).await
    }
    .await)
}

/// The dashboard of the herd the user may see.
#[server(input = Json)]
pub async fn herd_dashboard() -> Result<Answer<Dashboard>, ServerFnError> {
    Ok(async move {
        let (registry, user) = signed_in().await?;
        registry.dashboard(&user).await
    }
    .await)
}

/// Starts working out the user's herd as it was at `as_of` (a date or a time).
#[server(input = Json)]
pub async fn start_herd_as_of(as_of: String) -> Result<Answer<HerdAsOfRun>, ServerFnError> {
    Ok(async move {
        let (registry, user) = signed_in().await?;
        registry.start_herd_as_of(&user, &as_of).await
    }
    .await)
}

/// The user's herd-as-of job, as far as it got.
#[server(input = Json)]
pub async fn herd_as_of(job_id: String) -> Result<Answer<Option<HerdAsOfRun>>, ServerFnError> {
    Ok(async move {
        let (registry, user) = signed_in().await?;
        Ok(registry.herd_as_of(&user, &job_id))
    }
    .await)
}

/// The deployment's consumer groups as Kafka sees them (administrators only).
#[server(input = Json)]
pub async fn consumer_groups() -> Result<Answer<Vec<ConsumerGroupStanding>>, ServerFnError> {
    Ok(async move {
        let (registry, user) = signed_in().await?;
        registry.consumer_groups(&user).await
    }
    .await)
}

/// The key registry (administrators only).
#[server(input = Json)]
pub async fn signing_keys() -> Result<Answer<Vec<SigningKey>>, ServerFnError> {
    Ok(async move {
        let (registry, user) = signed_in().await?;
        registry.signing_keys(&user).await
    }
    .await)
}

/// One animal's page (refused for another farmer's animal).
#[server(input = Json)]
pub async fn animal_details(cattle_id: i64) -> Result<Answer<Option<AnimalPage>>, ServerFnError> {
    Ok(async move {
        let (registry, user) = signed_in().await?;
        registry.animal(&user, cattle_id).await
    }
    .await)
}

/// The clients the user manages (every client for assessors).
#[server(input = Json)]
pub async fn client_list() -> Result<Answer<Vec<ClientSummary>>, ServerFnError> {
    Ok(async move {
        let (registry, user) = signed_in().await?;
        registry.clients(&user).await
    }
    .await)
}

/// The client registered under exactly this PIC (id and PIC only), to offer an animal to.
#[server(input = Json)]
pub async fn client_for_pic(pic: String) -> Result<Answer<Option<ClientReference>>, ServerFnError> {
    Ok(async move {
        let (registry, user) = signed_in().await?;
        registry.client_by_pic(&user, &pic).await
    }
    .await)
}

/// The transfers waiting for acceptance that concern the user.
#[server(input = Json)]
pub async fn waiting_offers() -> Result<Answer<TransferOffers>, ServerFnError> {
    Ok(async move {
        let (registry, user) = signed_in().await?;
        registry.transfer_offers(&user).await
    }
    .await)
}

/// The engines, the alerts and the views' lag (administrators).
#[server(input = Json)]
pub async fn operations_overview() -> Result<Answer<OperationsReport>, ServerFnError> {
    Ok(async move {
        let (registry, user) = signed_in().await?;
        registry.operations(&user)
    }
    .await)
}

/// Pauses or resumes a view (administrators).
#[server(input = Json)]
pub async fn switch_view(view: ViewName, paused: bool) -> Result<Answer<()>, ServerFnError> {
    Ok(async move {
        let (registry, user) = signed_in().await?;
        registry.set_view_paused(&user, view, paused)
    }
    .await)
}

/// The latest verification of the whole log (administrators).
#[server(input = Json)]
pub async fn log_verification() -> Result<Answer<LogVerificationRun>, ServerFnError> {
    Ok(async move {
        let (registry, user) = signed_in().await?;
        registry.log_verification(&user)
    }
    .await)
}

/// Starts verifying the whole log (administrators).
#[server(input = Json)]
pub async fn verify_whole_log() -> Result<Answer<LogVerificationRun>, ServerFnError> {
    Ok(async move {
        let (registry, user) = signed_in().await?;
        registry.verify_whole_log(&user).await
    }
    .await)
}

/// The latest rebuild of each view this instance can rebuild (administrators).
#[server(input = Json)]
pub async fn view_rebuilds() -> Result<Answer<Vec<ViewRebuild>>, ServerFnError> {
    Ok(async move {
        let (registry, user) = signed_in().await?;
        registry.view_rebuilds(&user)
    }
    .await)
}

/// Starts rebuilding `view` blue/green (administrators).
#[server(input = Json)]
pub async fn rebuild_view(view: ViewName) -> Result<Answer<ViewRebuild>, ServerFnError> {
    Ok(async move {
        let (registry, user) = signed_in().await?;
        registry.start_view_rebuild(&user, view)
    }
    .await)
}

/// Cancels the rebuild of `view` before its swap (administrators).
#[server(input = Json)]
pub async fn cancel_view_rebuild(view: ViewName) -> Result<Answer<ViewRebuild>, ServerFnError> {
    Ok(async move {
        let (registry, user) = signed_in().await?;
        registry.cancel_view_rebuild(&user, view)
    }
    .await)
}

/// Sends one command (seed shape `{type, data}`); a refusal names its field. The browser
/// names each command it makes (`command_id`): sent again after a lost answer or from the
/// outbox, it is the same fact and gives one event, as with the API's `Idempotency-Key`.
#[server(input = Json)]
pub async fn submit_command(
    command: serde_json::Value,
    command_id: Option<String>,
) -> Result<Answer<CommandAck>, ServerFnError> {
    Ok(async move {
        let (registry, user) = signed_in().await?;
        let key = match command_id.as_deref().map(domain::RequestKey::parse) {
            Some(Ok(key)) => Some(key),
            Some(Err(mut error)) => {
                error.field = "commandId".into();
                return Err(CommandFailure::Invalid {
                    errors: vec![error],
                });
            }
            None => None,
        };
        registry.submit(&user, command, key.as_ref()).await
    }
    .await)
}

/// Sends many commands at once (the import page's rows), each answered on its own, in order.
#[server(input = Json)]
pub async fn submit_commands(
    commands: Vec<serde_json::Value>,
) -> Result<Answer<Vec<Answer<CommandAck>>>, ServerFnError> {
    Ok(async move {
        let (registry, user) = signed_in().await?;
        registry.submit_many(&user, commands).await
    }
    .await)
}

/// One chunk of a bulk action (the herd page's "apply to the selected animals").
#[server(input = Json)]
pub async fn submit_bulk(
    action_id: String,
    commands: Vec<serde_json::Value>,
) -> Result<Answer<Vec<Answer<CommandAck>>>, ServerFnError> {
    Ok(async move {
        let (registry, user) = signed_in().await?;
        registry.submit_bulk(&user, &action_id, commands).await
    }
    .await)
}

/// Every animal matching the herd list's filters, for a bulk action.
#[server(input = Json)]
pub async fn herd_selection(
    query: HerdQuery,
) -> Result<Answer<Vec<SelectedAnimal>>, ServerFnError> {
    Ok(async move {
        let (registry, user) = signed_in().await?;
        registry.herd_selection(&user, query).await
    }
    .await)
}

/// The animals matching a search among those the user may see.
#[server(input = Json)]
pub async fn search_herd(request: SearchRequest) -> Result<Answer<SearchResults>, ServerFnError> {
    Ok(async move {
        let (registry, user) = signed_in().await?;
        registry.search(&user, request).await
    }
    .await)
}

/// The fraud desk's alerts (assessors and administrators).
#[server(input = Json)]
pub async fn fraud_alerts() -> Result<Answer<Vec<FraudAlert>>, ServerFnError> {
    Ok(async move {
        let (registry, user) = signed_in().await?;
        registry.fraud_alerts(&user).await
    }
    .await)
}

/// How many fraud alerts wait for an assessor (assessors and administrators).
#[server(input = Json)]
pub async fn open_fraud_alerts() -> Result<Answer<u64>, ServerFnError> {
    Ok(async move {
        let (registry, user) = signed_in().await?;
        registry.open_fraud_alerts(&user).await
    }
    .await)
}

/// Every user account (administrators).
#[server(input = Json)]
pub async fn user_accounts() -> Result<Answer<Vec<UserAccount>>, ServerFnError> {
    Ok(async move {
        let (registry, user) = signed_in().await?;
        registry.user_accounts(&user).await
    }
    .await)
}

/// Creates an account with a fresh signing key (administrators).
#[server(input = Json)]
pub async fn create_account(
    username: String,
    password: String,
    role: Role,
) -> Result<Answer<SignedInUser>, ServerFnError> {
    Ok(async move {
        let (registry, user) = signed_in().await?;
        registry
            .create_account(&user, &username, &password, role)
            .await
    }
    .await)
}

/// Gives an account a new signing key, revoking the old one (administrators).
#[server(input = Json)]
pub async fn rotate_account_key(username: String) -> Result<Answer<()>, ServerFnError> {
    Ok(async move {
        let (registry, user) = signed_in().await?;
        registry.rotate_account_key(&user, &username).await
    }
    .await)
}

/// Disables or enables an account (administrators).
#[server(input = Json)]
pub async fn set_account_disabled(
    username: String,
    disabled: bool,
) -> Result<Answer<()>, ServerFnError> {
    Ok(async move {
        let (registry, user) = signed_in().await?;
        registry
            .set_account_disabled(&user, &username, disabled)
            .await
    }
    .await)
}

/// Gives an account a password to replace at the next sign-in (administrators).
#[server(input = Json)]
pub async fn reset_account_password(
    username: String,
    password: String,
) -> Result<Answer<()>, ServerFnError> {
    Ok(async move {
        let (registry, user) = signed_in().await?;
        registry
            .reset_account_password(&user, &username, &password)
            .await
    }
    .await)
}

/// Changes an account's role (administrators).
#[server(input = Json)]
pub async fn set_account_role(username: String, role: Role) -> Result<Answer<()>, ServerFnError> {
    Ok(async move {
        let (registry, user) = signed_in().await?;
        registry.set_account_role(&user, &username, role).await
    }
    .await)
}
