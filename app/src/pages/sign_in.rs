use crate::components::TextField;
use crate::model::CommandFailure;
use crate::server_fns::{flat, sign_in};
use domain::FieldError;
use leptos::prelude::*;

/// The sign-in page: username and password; a wrong pair is said beside the password.
#[component]
pub fn SignInPage() -> impl IntoView {
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let problem = RwSignal::new(None::<String>);
    let attempt = Action::new(|(u, p): &(String, String)| {
        let (u, p) = (u.clone(), p.clone());
        async move { flat(sign_in(u, p).await) }
    });

    Effect::new(move |_| match attempt.value().get() {
        Some(Ok(_)) => {
            // A full load starts the live connection and every page as this user.
            #[cfg(feature = "hydrate")]
            let _ = window().location().set_href("/");
        }
        Some(Err(CommandFailure::Invalid { errors: found })) => errors.set(found),
        Some(Err(failure)) => problem.set(Some(failure.to_string())),
        None => {}
    });

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (u, p) = (username.get_untracked(), password.get_untracked());
        let mut found = Vec::new();
        if u.trim().is_empty() {
            found.push(FieldError {
                field: "username".into(),
                message: "enter your username".into(),
            });
        }
        if p.is_empty() {
            found.push(FieldError {
                field: "password".into(),
                message: "enter your password".into(),
            });
        }
        errors.set(found.clone());
        problem.set(None);
        if found.is_empty() {
            attempt.dispatch((u.trim().to_string(), p));
        }
    };

    view! {
        <section class="page sign-in">
            <div class="panel narrow">
                <h1>"Sign in"</h1>
                <p class="muted">"Farmers manage their clients' herds; assessors value them and resolve fraud alerts."</p>
                <form class="command-form" data-testid="sign-in-form" on:submit=on_submit novalidate>
                    <TextField name="username" label="Username" value=username errors placeholder="jo.farmer"/>
                    <TextField name="password" label="Password" kind="password" autocomplete="current-password" value=password errors/>
                    <button type="submit" disabled=move || attempt.pending().get()>
                        {move || if attempt.pending().get() { "Signing in…" } else { "Sign in" }}
                    </button>
                    <p class="error-state" role="alert">{move || problem.get()}</p>
                </form>
            </div>
        </section>
    }
}
