use crate::live_bus::use_live_bus;
use crate::model::{CommandAck, CommandFailure, LiveUpdate};
use crate::server_fns::{flat, submit_command};
use domain::{Command, FieldError};
use leptos::prelude::*;
use serde_json::{json, Map, Value};
use std::collections::HashMap;

/// How a form field is typed in and turned into command JSON.
#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    /// Free text (sent as a string; an empty box is left out).
    Text,
    /// A whole number (digits become a number; anything else stays text for the validator).
    Integer,
    /// A decimal number.
    Decimal,
    /// Dollars typed by people, sent as cents.
    Dollars,
    /// One of these `(value, label)` pairs (numeric values are sent as numbers).
    Choice(Vec<(String, String)>),
}

/// One field of a command form.
#[derive(Clone, Debug, PartialEq)]
pub struct FormField {
    /// The command's data field (camelCase, as errors name it).
    pub name: &'static str,
    /// What people read.
    pub label: &'static str,
    /// How it is typed.
    pub input: Input,
    /// An example value.
    pub placeholder: &'static str,
}

impl FormField {
    /// A field of this name, label and input.
    pub fn new(name: &'static str, label: &'static str, input: Input) -> Self {
        Self {
            name,
            label,
            input,
            placeholder: "",
        }
    }

    /// The same field with an example value.
    pub fn hint(mut self, placeholder: &'static str) -> Self {
        self.placeholder = placeholder;
        self
    }
}

/// Where a submission stands.
#[derive(Clone, Default, PartialEq)]
enum Progress {
    #[default]
    Idle,
    Sending,
    Published(CommandAck),
    Applied(CommandAck),
    Refused(String),
}

/// A form's state as last seen.
#[derive(Clone, Default)]
struct RememberedForm {
    values: HashMap<&'static str, String>,
    errors: Vec<FieldError>,
    progress: Progress,
}

/// The state of every command form of the app, by command and fixed values, so a form
/// re-created by a live refresh keeps what was typed and its PUBLISHED / APPLIED line.
#[derive(Clone, Copy)]
pub struct FormMemory(StoredValue<HashMap<String, RememberedForm>>);

impl FormMemory {
    /// An empty memory.
    pub fn new() -> Self {
        Self(StoredValue::new(HashMap::new()))
    }

    fn recall(&self, key: &str) -> RememberedForm {
        self.0
            .with_value(|forms| forms.get(key).cloned())
            .unwrap_or_default()
    }

    fn keep(&self, key: String, form: RememberedForm) {
        self.0.update_value(|forms| {
            forms.insert(key, form);
        });
    }
}

impl Default for FormMemory {
    fn default() -> Self {
        Self::new()
    }
}

fn number_or_text(raw: &str, integer: bool) -> Option<Value> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return None;
    }
    let number = if integer {
        trimmed.parse::<i64>().ok().map(|n| json!(n))
    } else {
        trimmed.parse::<f64>().ok().map(|n| json!(n))
    };
    Some(number.unwrap_or_else(|| json!(trimmed)))
}

/// Dollars as typed ("1,250.50") to cents; anything unreadable stays text.
fn dollars_to_cents(raw: &str) -> Option<Value> {
    let cleaned: String = raw.trim().trim_start_matches('$').replace(',', "");
    if cleaned.is_empty() {
        return None;
    }
    match cleaned.parse::<f64>() {
        Ok(dollars) if dollars.is_finite() => Some(json!((dollars * 100.0).round() as i64)),
        _ => Some(json!(raw.trim())),
    }
}

/// The command JSON the form's boxes describe.
fn command_json(
    command_type: &str,
    fixed: &[(&'static str, Value)],
    fields: &[FormField],
    values: &[RwSignal<String>],
) -> Value {
    let mut data = Map::new();
    for (name, value) in fixed {
        data.insert((*name).to_string(), value.clone());
    }
    for (field, value) in fields.iter().zip(values) {
        let raw = value.get_untracked();
        let typed = match &field.input {
            Input::Text => {
                let text = raw.trim().to_string();
                (!text.is_empty()).then(|| json!(text))
            }
            // Choices are words (`FEMALE`) or ids (a client): ids travel as numbers.
            Input::Choice(_) | Input::Integer => number_or_text(&raw, true),
            Input::Decimal => number_or_text(&raw, false),
            Input::Dollars => dollars_to_cents(&raw),
        };
        if let Some(typed) = typed {
            data.insert(field.name.to_string(), typed);
        }
    }
    json!({ "type": command_type, "data": data })
}

/// A form for one command: checked in the browser by the `domain` validator before
/// anything is sent, and by the server after; each error appears beside its field. After a
/// submission it shows PUBLISHED, then APPLIED when the golden record's update arrives.
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
    let key = format!(
        "{command_type}{}",
        Value::Array(fixed.iter().map(|(_, v)| v.clone()).collect())
    );
    let remembered = memory.recall(&key);
    let values: Vec<RwSignal<String>> = fields
        .iter()
        .map(|f| RwSignal::new(remembered.values.get(f.name).cloned().unwrap_or_default()))
        .collect();
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
    let send = Action::new(|command: &Value| {
        let command = command.clone();
        async move { flat(submit_command(command).await) }
    });

    let sent_values = values.clone();
    Effect::new(move |_| {
        let Some(result) = send.value().get() else {
            return;
        };
        match result {
            Ok(ack) => {
                errors.set(Vec::new());
                // Ready for the next one; the line below the button says where this one is.
                for value in &sent_values {
                    value.set(String::new());
                }
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

    // The golden record's verdict on our event, pushed over the WebSocket.
    Effect::new(move |_| {
        let recent = bus.recent();
        let Progress::Published(ack) = progress.get() else {
            return;
        };
        for update in recent {
            match update {
                LiveUpdate::CattleChanged { view, event_id, .. }
                    if view == "golden_record" && event_id == ack.event_id =>
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
        progress.set(Progress::Sending);
        send.dispatch(command);
    };

    let boxes = fields
        .into_iter()
        .zip(values)
        .map(|(field, value)| view! { <FieldBox command=command_type field value errors/> })
        .collect_view();
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
            <h3>{title}</h3>
            {boxes}
            <p class="field-error" data-error-for="form" role="alert">{other_errors}</p>
            <button type="submit" disabled=move || progress.get() == Progress::Sending>
                {submit_label}
            </button>
            <div class="submit-state" data-testid="submit-state" aria-live="polite">
                {move || match progress.get() {
                    Progress::Idle => view! { <span></span> }.into_any(),
                    Progress::Sending => view! { <span class="muted">"Sending…"</span> }.into_any(),
                    Progress::Published(ack) => view! {
                        <span class="pending" data-status="PUBLISHED" data-event-id=ack.event_id.clone()>
                            "PUBLISHED: in the log, waiting for the golden record…"
                        </span>
                    }.into_any(),
                    Progress::Applied(ack) => view! {
                        <span class="ok" data-status="APPLIED" data-event-id=ack.event_id.clone()>
                            "APPLIED: the registry shows it now (event " {ack.event_id.clone()} ")"
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

/// One labelled box with its error beside it.
#[component]
fn FieldBox(
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
        _ => view! {
            <input
                id=id.clone()
                name=name
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dollars_become_cents_and_nonsense_stays_text_for_the_validator() {
        assert_eq!(dollars_to_cents("$1,250.50"), Some(json!(125050)));
        assert_eq!(dollars_to_cents(""), None);
        assert_eq!(dollars_to_cents("lots"), Some(json!("lots")));
        assert_eq!(number_or_text("12", true), Some(json!(12)));
        assert_eq!(number_or_text("-27.5", false), Some(json!(-27.5)));
    }
}
