use super::TextField;
use crate::model::CommandFailure;
use crate::server_fns::{change_password, flat};
use domain::FieldError;
use leptos::prelude::*;

/// Shortest password the registry accepts (the server checks it too).
const MIN_PASSWORD_CHARS: usize = 10;

/// Choosing a new password: the current one, the new one twice. `required` when the
/// registry printed the current one and nothing else is allowed until it is replaced.
#[component]
pub fn ChoosePassword(required: bool) -> impl IntoView {
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let repeated = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let problem = RwSignal::new(None::<String>);
    let done = RwSignal::new(false);
    let change = Action::new(|(current, new): &(String, String)| {
        let (current, new) = (current.clone(), new.clone());
        async move { flat(change_password(current, new).await) }
    });
    Effect::new(move |_| match change.value().get() {
        Some(Ok(())) => {
            done.set(true);
            // A full load opens every page (and the live connection) with the new standing.
            #[cfg(feature = "hydrate")]
            if required {
                let _ = window().location().set_href("/");
            }
        }
        Some(Err(CommandFailure::Invalid { errors: found })) => errors.set(found),
        Some(Err(failure)) => problem.set(Some(failure.to_string())),
        None => {}
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (c, n, r) = (
            current.get_untracked(),
            new.get_untracked(),
            repeated.get_untracked(),
        );
        let mut found = Vec::new();
        if c.is_empty() {
            found.push(FieldError::new(
                "currentPassword",
                "enter your current password",
            ));
        }
        if n.chars().count() < MIN_PASSWORD_CHARS {
            found.push(FieldError::new(
                "newPassword",
                format!("must be at least {MIN_PASSWORD_CHARS} characters"),
            ));
        }
        if n != r {
            found.push(FieldError::new(
                "repeatPassword",
                "does not match the new password",
            ));
        }
        errors.set(found.clone());
        problem.set(None);
        done.set(false);
        if found.is_empty() {
            change.dispatch((c, n));
        }
    };
    view! {
        <section class="page choose-password">
            <div class="panel narrow">
                <h1>"Choose a new password"</h1>
                {required.then(|| view! {
                    <p class="hint" data-testid="password-required">
                        "The registry made your first password and printed it. Choose your own before you go on."
                    </p>
                })}
                <form class="command-form" data-testid="password-form" on:submit=on_submit novalidate>
                    <TextField name="currentPassword" label="Current password" kind="password" autocomplete="current-password" value=current errors/>
                    <TextField name="newPassword" label="New password" kind="password" autocomplete="new-password" value=new errors/>
                    <TextField name="repeatPassword" label="New password again" kind="password" autocomplete="new-password" value=repeated errors/>
                    <button type="submit" disabled=move || change.pending().get()>"Change password"</button>
                    <p class="error-state" role="alert">{move || problem.get()}</p>
                    <p class="ok" data-testid="password-changed">
                        {move || done.get().then_some("Your password is changed; your other sessions are signed out.")}
                    </p>
                </form>
            </div>
        </section>
    }
}
