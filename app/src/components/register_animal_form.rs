use crate::components::TextField;
use crate::model::{CommandAck, CommandFailure};
use crate::server_fns::submit_command;
use domain::{Command, FieldError};
use leptos::prelude::*;
use serde_json::{json, Value};

/// What the form shows under its button after a submission.
#[derive(Clone, PartialEq)]
enum SubmitState {
    Idle,
    Sending,
    Published(CommandAck),
    Refused(String),
}

/// Reads a number field the way a person typed it: digits become a number, anything else
/// stays text so the shared validator names the field.
fn number_or_text(raw: &str) -> Value {
    let trimmed = raw.trim();
    match trimmed.parse::<i64>() {
        Ok(n) => json!(n),
        Err(_) if trimmed.is_empty() => Value::Null,
        Err(_) => json!(trimmed),
    }
}

/// The "register animal" form: checked in the browser by the `domain` validator before
/// anything is sent, and again by the server.
#[component]
pub fn RegisterAnimalForm() -> impl IntoView {
    let nlis_id = RwSignal::new(String::new());
    let breed = RwSignal::new(String::new());
    let sex = RwSignal::new(String::new());
    let client_id = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let state = RwSignal::new(SubmitState::Idle);

    let send = Action::new(|command: &Value| {
        let command = command.clone();
        async move { submit_command(command).await }
    });

    Effect::new(move |_| {
        if let Some(result) = send.value().get() {
            match result {
                Ok(Ok(ack)) => {
                    state.set(SubmitState::Published(ack));
                    nlis_id.set(String::new());
                }
                Ok(Err(CommandFailure::Invalid { errors: found })) => {
                    errors.set(found);
                    state.set(SubmitState::Refused(
                        "The server found problems with the marked fields.".into(),
                    ));
                }
                Ok(Err(CommandFailure::Rejected {
                    message,
                    field: Some(field),
                    ..
                })) => {
                    errors.set(vec![FieldError {
                        field,
                        message: message.clone(),
                    }]);
                    state.set(SubmitState::Refused(message));
                }
                Ok(Err(failure)) => state.set(SubmitState::Refused(failure.to_string())),
                Err(error) => state.set(SubmitState::Refused(format!(
                    "The registry could not be reached ({error}). Nothing was lost: try again."
                ))),
            }
        }
    });

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let command = json!({
            "type": "CREATE_CATTLE",
            "data": {
                "nlisId": nlis_id.get_untracked().trim(),
                "breed": breed.get_untracked().trim(),
                "sex": sex.get_untracked(),
                "clientId": number_or_text(&client_id.get_untracked()),
            }
        });
        let checked = Command::parse(&command).and_then(|c| c.validate().map(|()| c));
        match checked {
            Ok(_) => {
                errors.set(Vec::new());
                state.set(SubmitState::Sending);
                send.dispatch(command);
            }
            Err(found) => {
                errors.set(found);
                state.set(SubmitState::Idle);
            }
        }
    };

    let sex_error = move || {
        errors
            .get()
            .into_iter()
            .find(|e| e.field == "sex")
            .map(|e| e.message)
    };

    view! {
        <form class="command-form" data-testid="register-form" on:submit=on_submit novalidate>
            <TextField name="nlisId" label="NLIS id" value=nlis_id errors placeholder="3AB1234567890123"/>
            <TextField name="breed" label="Breed" value=breed errors placeholder="Angus"/>
            <div class="field" class:invalid=move || sex_error().is_some()>
                <label for="field-sex">"Sex"</label>
                <select
                    id="field-sex"
                    name="sex"
                    prop:value=move || sex.get()
                    on:change=move |ev| sex.set(event_target_value(&ev))
                >
                    <option value="">"Choose…"</option>
                    <option value="FEMALE">"Female"</option>
                    <option value="MALE">"Male"</option>
                </select>
                <p class="field-error" data-error-for="sex" role="alert">
                    {move || sex_error().unwrap_or_default()}
                </p>
            </div>
            <TextField name="clientId" label="Owner client id" value=client_id errors placeholder="1"/>
            <button type="submit" disabled=move || state.get() == SubmitState::Sending>
                "Register"
            </button>
            <div class="submit-state" data-testid="submit-state" aria-live="polite">
                {move || match state.get() {
                    SubmitState::Idle => view! { <span></span> }.into_any(),
                    SubmitState::Sending => view! { <span class="muted">"Sending…"</span> }.into_any(),
                    SubmitState::Published(ack) => view! {
                        <span class="ok" data-event-id=ack.event_id.clone()>
                            {ack.status.clone()} ": " {ack.message.clone()}
                        </span>
                    }.into_any(),
                    SubmitState::Refused(message) => view! {
                        <span class="error-state" role="alert">{message}</span>
                    }.into_any(),
                }}
            </div>
        </form>
    }
}
