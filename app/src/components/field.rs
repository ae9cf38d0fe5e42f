use domain::FieldError;
use leptos::prelude::*;

/// A labelled input with its error, if any, shown right beside it.
#[component]
pub fn TextField(
    /// The command field this input fills (camelCase, as errors name it).
    name: &'static str,
    /// The label people read.
    label: &'static str,
    /// The input's value.
    value: RwSignal<String>,
    /// The errors of the last check.
    errors: RwSignal<Vec<FieldError>>,
    /// An example value.
    #[prop(optional)]
    placeholder: &'static str,
    /// The input's type: `text` unless given (`password` hides what is typed).
    #[prop(optional)]
    kind: Option<&'static str>,
    /// What password managers may fill in (`current-password`, `new-password`).
    #[prop(optional)]
    autocomplete: Option<&'static str>,
    /// The input's id, where a page has several inputs for the same field.
    #[prop(optional, into)]
    id: Option<String>,
) -> impl IntoView {
    let error = move || {
        errors
            .get()
            .into_iter()
            .find(|e| e.field == name)
            .map(|e| e.message)
    };
    let input_id = id.unwrap_or_else(|| format!("field-{name}"));
    view! {
        <div class="field" class:invalid=move || error().is_some()>
            <label for=input_id.clone()>{label}</label>
            <input
                id=input_id
                name=name
                type=kind.unwrap_or("text")
                autocomplete=autocomplete
                placeholder=placeholder
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
                aria-invalid=move || error().is_some().to_string()
            />
            <p class="field-error" data-error-for=name role="alert">
                {move || error().unwrap_or_default()}
            </p>
        </div>
    }
}
