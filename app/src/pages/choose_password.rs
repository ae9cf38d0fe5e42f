use crate::components::{ChoosePassword, SignedInOnly};
use leptos::prelude::*;

/// The page where a signed-in user chooses a new password.
#[component]
pub fn PasswordPage() -> impl IntoView {
    view! { <SignedInOnly render=|_| view! { <ChoosePassword required=false/>}/> }
}
