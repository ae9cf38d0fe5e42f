use super::ChoosePassword;
use crate::model::{CommandFailure, SignedInUser};
use leptos::prelude::*;
use leptos_router::components::Redirect;

/// The signed-in user of this page load, fetched once by the app.
pub type CurrentUser = Resource<Result<Option<SignedInUser>, CommandFailure>>;

/// The app's current-user resource from context.
pub fn use_current_user() -> Option<CurrentUser> {
    use_context::<CurrentUser>()
}

/// Renders `render(user)` for a signed-in user and sends everyone else to the sign-in page;
/// a user who must replace a printed password is asked for a new one instead.
#[component]
pub fn SignedInOnly<F, V>(render: F) -> impl IntoView
where
    F: Fn(SignedInUser) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let user = use_current_user();
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || {
                let render = render.clone();
                Suspend::new(async move {
                    let found = match user {
                        Some(user) => user.await,
                        None => Ok(None),
                    };
                    match found {
                        Ok(Some(user)) if user.must_change_password => {
                            view! { <ChoosePassword required=true/> }.into_any()
                        }
                        Ok(Some(user)) => render(user).into_any(),
                        Ok(None) => view! { <Redirect path="/sign-in"/> }.into_any(),
                        Err(failure) => view! {
                            <p class="error-state" role="alert">{failure.to_string()}</p>
                        }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}
