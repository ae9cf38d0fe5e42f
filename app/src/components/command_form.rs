use super::command_encoding::{command_json, FormField, Input};
use super::device_position::position_button;
use super::form_memory::{FormMemory, Progress, RememberedForm};
use crate::live_bus::use_live_bus;
use crate::model::{CommandFailure, LiveUpdate, ViewName};
use crate::outbox::{new_command_id, online, Outbox};
use crate::server_fns::submit_command;
use domain::{Command, FieldError};
use leptos::prelude::*;
use serde_json::Value;

/// A form for one command: checked in the browser by the `domain` validator before
/// anything is sent, and by the server after; each error appears beside its field. After a
/// submission it says it is saved (PUBLISHED), then that everyone sees it (APPLIED) when the
/// golden record's update arrives; the event id waits behind a details toggle.
#[component]
pub fn CommandForm(
    /// The command's wire name, e.g. `RECORD_HEALTH`.
    command_type: &'static str,
    /// The form's heading.
    title: &'static str,
    /// The button's label.
    submit_label: &'static str,
    /// The boxes people fill in.
    fields: Vec<FormField>,
    /// Values the page fills in itself, e.g. the animal's `cattleId`.
    #[prop(optional)]
    fixed: Vec<(&'static str, Value)>,
) -> impl IntoView {
    // A live update re-renders the page around the form: what was typed and where the last
    // submission stands survive in the app's memory of forms.
    let memory = use_context::<FormMemory>().unwrap_or_default();
    let key = FormMemory::key(command_type, &fixed);
    let remembered = memory.recall(&key);
    let values: Vec<RwSignal<String>> = fields
        .iter()
        .map(|f| {
            RwSignal::new(
                remembered
                    .values
                    .get(f.name)
                    .cloned()
                    .unwrap_or_else(|| f.preset.clone()),
            )
        })
        .collect();
    let presets: Vec<String> = fields.iter().map(|f| f.preset.clone()).collect();
    let errors = RwSignal::new(remembered.errors);
    let progress = RwSignal::new(remembered.progress);
    {
        let names: Vec<&'static str> = fields.iter().map(|f| f.name).collect();
        let values = values.clone();
        Effect::new(move |_| {
            let typed = names
                .iter()
                .zip(&values)
                .map(|(name, value)| (*name, value.get()))
                .collect();
            memory.keep(
                key.clone(),
                RememberedForm {
                    values: typed,
                    errors: errors.get(),
                    progress: progress.get(),
                },
            );
        });
    }
    let bus = use_live_bus();
    let outbox = use_context::<Outbox>().unwrap_or_default();
    // The answer comes back with what was sent: a command that could not reach the
    // registry goes to the outbox under the same command id.
    let send = Action::new(|(command, command_id): &(Value, Option<String>)| {
        let (command, command_id) = (command.clone(), command_id.clone());
        async move {
            let answer = submit_command(command.clone(), command_id.clone())
                .await
                .map_err(|error| error.to_string());
            (command, command_id, answer)
        }
    });

    // Ready for the next one: each box back to what it holds when the form opens.
    let clear_form = {
        let values = values.clone();
        move || {
            for (value, preset) in values.iter().zip(&presets) {
                value.set(preset.clone());
            }
        }
    };
    let clear_sent = clear_form.clone();
    let keep_offline = move |command: Value, command_id: Option<String>, why: String| {
        keep_in_outbox(
            outbox,
            command,
            command_id,
            why,
            progress,
            clear_form.clone(),
        );
    };
    let keep_unsent = keep_offline.clone();
    Effect::new(move |_| {
        let Some((command, command_id, result)) = send.value().get() else {
            return;
        };
        let result = match result {
            Ok(answer) => answer,
            Err(unreachable) => {
                keep_unsent(command, command_id, unreachable);
                return;
            }
        };
        match result {
            Ok(ack) => {
                errors.set(Vec::new());
                // The line below the button says where this one is.
                clear_sent();
                progress.set(Progress::Published(ack));
            }
            Err(CommandFailure::Invalid { errors: found }) => {
                errors.set(found);
                progress.set(Progress::Refused(
                    "The server found problems with the marked fields.".into(),
                ));
            }
            Err(CommandFailure::Rejected { message, field, .. }) => {
                errors.set(
                    field
                        .map(|field| {
                            vec![FieldError {
                                field,
                                message: message.clone(),
                            }]
                        })
                        .unwrap_or_default(),
                );
                progress.set(Progress::Refused(message));
            }
            Err(failure) => progress.set(Progress::Refused(failure.to_string())),
        }
    });

    // A command kept in the outbox is followed once the outbox delivered it.
    Effect::new(move |_| {
        if let Progress::Queued(command_id) = progress.get() {
            if let Some(ack) = outbox.delivered(&command_id) {
                progress.set(Progress::Published(ack));
            }
        }
    });

    // The golden record's verdict on our event, pushed over the WebSocket.
    Effect::new(move |_| {
        let recent = bus.recent();
        let Progress::Published(ack) = progress.get() else {
            return;
        };
        for update in recent {
            match update {
                LiveUpdate::CattleChanged { view, event_id, .. }
                    if view == ViewName::GoldenRecord && event_id == ack.event_id =>
                {
                    progress.set(Progress::Applied(ack.clone()));
                }
                LiveUpdate::EventRejected {
                    event_id: Some(id),
                    reason,
                    ..
                } if id == ack.event_id => {
                    progress.set(Progress::Refused(format!(
                        "The registry refused it: {reason}"
                    )));
                }
                _ => {}
            }
        }
    });

    let form_fields = fields.clone();
    let form_values = values.clone();
    let form_fixed = fixed.clone();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let command = command_json(command_type, &form_fixed, &form_fields, &form_values);
        // A test (or a curious user) can switch the browser's checks off to see the server's.
        let browser_checks = event_target::<leptos::web_sys::Element>(&ev)
            .get_attribute("data-browser-checks")
            .is_none_or(|v| v != "off");
        if browser_checks {
            if let Err(found) = Command::parse(&command).and_then(|c| c.validate()) {
                errors.set(found);
                progress.set(Progress::Refused(
                    "Please correct the marked fields.".into(),
                ));
                return;
            }
        }
        errors.set(Vec::new());
        let command_id = new_command_id();
        if !online() {
            keep_offline(command, command_id, "the browser is offline".into());
            return;
        }
        progress.set(Progress::Sending);
        send.dispatch((command, command_id));
    };

    let position = position_button(&fields, &values);
    let (more, boxes): (Vec<_>, Vec<_>) = fields.into_iter().zip(values).partition(|(f, _)| f.more);
    let boxes = boxes
        .into_iter()
        .map(|(field, value)| view! { <FieldBox command=command_type field value errors/> })
        .collect_view();
    let more = (!more.is_empty()).then(|| {
        // Open by itself when one of its boxes holds a mistake.
        let names: Vec<&'static str> = more.iter().map(|(f, _)| f.name).collect();
        let open = RwSignal::new(false);
        Effect::new(move |_| {
            if errors.with(|e| e.iter().any(|e| names.contains(&e.field.as_str()))) {
                open.set(true);
            }
        });
        let boxes = more
            .into_iter()
            .map(|(field, value)| view! { <FieldBox command=command_type field value errors/> })
            .collect_view();
        view! {
            <details
                class="more-fields"
                prop:open=move || open.get()
                on:toggle=move |ev| {
                    open.set(event_target::<leptos::web_sys::Element>(&ev).has_attribute("open"))
                }
            >
                <summary>"More"</summary>
                {boxes}
            </details>
        }
    });
    let known: Vec<&'static str> = fixed.iter().map(|(n, _)| *n).collect();
    let other_errors = move || {
        errors
            .get()
            .into_iter()
            .filter(|e| known.contains(&e.field.as_str()))
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("; ")
    };

    view! {
        <form class="command-form" data-command=command_type on:submit=on_submit novalidate>
            {(!title.is_empty()).then(|| view! { <h3>{title}</h3> })}
            {boxes}
            {position}
            {more}
            <p class="field-error" data-error-for="form" role="alert">{other_errors}</p>
            <button type="submit" disabled=move || progress.get() == Progress::Sending>
                {submit_label}
            </button>
            <div class="submit-state" data-testid="submit-state" aria-live="polite">
                {move || match progress.get() {
                    Progress::Idle => view! { <span></span> }.into_any(),
                    Progress::Sending => view! { <span class="muted">"Sending…"</span> }.into_any(),
                    Progress::Queued(_) => view! {
                        <span class="pending" data-status="QUEUED">
                            "Not sent yet: the registry cannot be reached. It waits in the "
                            <a href="/outbox">"outbox"</a>
                            " and goes by itself once it can."
                        </span>
                    }.into_any(),
                    Progress::Published(ack) => view! {
                        <span class="pending" data-status="PUBLISHED" data-event-id=ack.event_id.clone()>
                            "Saved — the registry is taking it in…"
                            <EventDetails event_id=ack.event_id.clone()/>
                        </span>
                    }.into_any(),
                    Progress::Applied(ack) => view! {
                        <span class="ok" data-status="APPLIED" data-event-id=ack.event_id.clone()>
                            "Saved — everyone sees it now."
                            <EventDetails event_id=ack.event_id.clone()/>
                        </span>
                    }.into_any(),
                    Progress::Refused(message) => view! {
                        <span class="error-state" data-status="REFUSED" role="alert">{message}</span>
                    }.into_any(),
                }}
            </div>
        </form>
    }
}

/// The event's id, for whoever needs to quote it (support, an integrator), out of
/// everyone else's way.
#[component]
fn EventDetails(event_id: String) -> impl IntoView {
    view! {
        <details class="ids">
            <summary>"Details"</summary>
            "Event " <code>{event_id}</code>
        </details>
    }
}

/// One labelled box with its error beside it.
#[component]
pub fn FieldBox(
    command: &'static str,
    field: FormField,
    value: RwSignal<String>,
    errors: RwSignal<Vec<FieldError>>,
) -> impl IntoView {
    let name = field.name;
    let error = move || {
        errors
            .get()
            .into_iter()
            .find(|e| e.field == name)
            .map(|e| e.message)
    };
    // Several forms share a page: ids are unique per command.
    let id = format!("field-{}-{name}", command.to_lowercase());
    let control = match field.input {
        Input::Choice(options) => view! {
            <select
                id=id.clone()
                name=name
                prop:value=move || value.get()
                on:change=move |ev| value.set(event_target_value(&ev))
            >
                <option value="">"Choose…"</option>
                {options
                    .into_iter()
                    .map(|(v, label)| view! { <option value=v>{label}</option> })
                    .collect_view()}
            </select>
        }
        .into_any(),
        input => view! {
            <input
                id=id.clone()
                name=name
                // The browser's own calendar for a day: its value is always YYYY-MM-DD.
                type=if input == Input::Date { "date" } else { "text" }
                placeholder=field.placeholder
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
                aria-invalid=move || error().is_some().to_string()
            />
        }
        .into_any(),
    };
    view! {
        <div class="field" class:invalid=move || error().is_some()>
            <label for=id>{field.label}</label>
            {control}
            <p class="field-error" data-error-for=name role="alert">
                {move || error().unwrap_or_default()}
            </p>
        </div>
    }
}

/// Keeps a command that could not reach the registry (`why`) in the outbox; the form then
/// says QUEUED and is ready for the next one. Where the browser cannot keep it, the form
/// says so and keeps what was typed.
fn keep_in_outbox(
    outbox: Outbox,
    command: Value,
    command_id: Option<String>,
    why: String,
    progress: RwSignal<Progress>,
    clear_form: impl Fn() + 'static,
) {
    let Some(command_id) = command_id else {
        progress.set(Progress::Refused(format!(
            "The registry could not be reached ({why}); nothing was lost, try again."
        )));
        return;
    };
    leptos::task::spawn_local(async move {
        match outbox.keep(command, command_id.clone()).await {
            Ok(()) => {
                clear_form();
                progress.set(Progress::Queued(command_id));
            }
            Err(error) => progress.set(Progress::Refused(format!(
                "The registry could not be reached ({why}) and the browser could not keep \
                 the command ({error}); it was not sent, try again."
            ))),
        }
    });
}
