//! Acting on many animals at once from the herd list: the animals ticked or selected by a
//! filter, one action (move to a paddock, put in a mob, treat, change status, transfer),
//! one command per animal under a shared action id, sent with a progress bar and ending in
//! a result line for every animal.
mod bulk_sending;
mod selection_bar;

use crate::components::{command_json, position_button, FieldBox, FormField, Input};
use crate::model::{BulkOutcome, ClientSummary, ImportProgress, SelectedAnimal};
use crate::outbox::new_action_id;
use bulk_sending::start_bulk;
use domain::{CattleStatus, Command, FieldError, HealthKind};
use leptos::prelude::*;
pub use selection_bar::SelectionBar;
use serde_json::Value;
use std::collections::BTreeMap;

/// The animals chosen for a bulk action, by id (with the NLIS id for the result list).
pub type Selection = RwSignal<BTreeMap<i64, String>>;

/// One thing a farmer can do to every selected animal.
#[derive(Clone)]
struct BulkChoice {
    key: &'static str,
    label: &'static str,
    command_type: &'static str,
    fields: Vec<FormField>,
}

fn words<T: Copy>(all: &[T], name: impl Fn(&T) -> &'static str) -> Vec<(String, String)> {
    all.iter()
        .map(|v| (name(v).to_string(), name(v).to_string()))
        .collect()
}

fn choices(clients: &[ClientSummary]) -> Vec<BulkChoice> {
    let own: Vec<(String, String)> = clients
        .iter()
        .map(|c| (c.id.to_string(), format!("{} ({})", c.name, c.pic)))
        .collect();
    vec![
        BulkChoice {
            key: "move",
            label: "Move to a paddock",
            command_type: "RECORD_LOCATION",
            fields: vec![
                FormField::new("paddock", "Paddock", Input::Text).hint("River flat"),
                FormField::new("latitude", "Latitude", Input::Decimal).hint("-27.4705"),
                FormField::new("longitude", "Longitude", Input::Decimal).hint("153.0260"),
            ],
        },
        BulkChoice {
            key: "mob",
            label: "Put in a mob",
            command_type: "ASSIGN_MOB",
            fields: vec![FormField::new("mob", "Mob", Input::Text).hint("Weaners 2026")],
        },
        BulkChoice {
            key: "unmob",
            label: "Take out of their mob",
            command_type: "ASSIGN_MOB",
            fields: Vec::new(),
        },
        BulkChoice {
            key: "treat",
            label: "Record a treatment",
            command_type: "RECORD_HEALTH",
            fields: vec![
                FormField::new(
                    "kind",
                    "Kind",
                    Input::Choice(words(HealthKind::ALL, HealthKind::as_str)),
                ),
                FormField::new("product", "Product", Input::Text).hint("Oxytetracycline"),
                FormField::new("dose", "Dose", Input::Text).hint("10 ml"),
                FormField::new("route", "Route (optional)", Input::Text).hint("subcutaneous"),
                FormField::new("batch", "Batch (optional)", Input::Text).hint("B-2291"),
                FormField::new("withholdingDays", "Withholding days", Input::Integer).hint("28"),
                FormField::new("notes", "Notes (optional)", Input::Text),
            ],
        },
        BulkChoice {
            key: "status",
            label: "Change status",
            command_type: "CHANGE_STATUS",
            fields: vec![
                FormField::new(
                    "status",
                    "Status",
                    Input::Choice(words(CattleStatus::ALL, CattleStatus::as_str)),
                ),
                FormField::new("reason", "Why", Input::Text).hint("Sold at Roma saleyards"),
            ],
        },
        BulkChoice {
            key: "transfer",
            label: "Transfer to one of your clients",
            command_type: "TRANSFER_OWNERSHIP",
            fields: vec![
                FormField::new("toClientId", "New owner", Input::Choice(own)),
                FormField::new("priceCents", "Price each (optional)", Input::Dollars)
                    .hint("1,250.00"),
            ],
        },
    ]
}

/// One bulk action's run: how far it is and each animal's outcome.
#[derive(Clone, Copy)]
pub(super) struct BulkRun {
    pub(super) progress: RwSignal<Option<ImportProgress>>,
    pub(super) outcomes: RwSignal<Vec<(SelectedAnimal, Option<BulkOutcome>)>>,
    pub(super) stopped: RwSignal<Option<String>>,
}

impl BulkRun {
    fn running(&self) -> bool {
        self.progress
            .get()
            .is_some_and(|progress| progress.done < progress.total)
    }
}

/// The bulk action panel: what is selected, the action and its fields, the progress bar and
/// the result list.
#[component]
pub fn BulkActions(selection: Selection, clients: Vec<ClientSummary>) -> impl IntoView {
    let chosen = RwSignal::new(choices(&clients)[0].key);
    let run = BulkRun {
        progress: RwSignal::new(None),
        outcomes: RwSignal::new(Vec::new()),
        stopped: RwSignal::new(None),
    };
    let count = move || selection.with(BTreeMap::len);
    // Re-rendered only when the panel opens or closes, not on every tick.
    let open = Memo::new(move |_| count() > 0 || run.progress.get().is_some());
    let panel = move || {
        if !open.get() {
            return view! {
                <p class="hint">
                    "Tick animals in the list, or select every animal matching the filters \
                     (a mob, a breed, an owner), to move, treat, regroup or transfer them in \
                     one go."
                </p>
            }
            .into_any();
        }
        let all = choices(&clients);
        let keys: Vec<&'static str> = all.iter().map(|c| c.key).collect();
        let options = all
            .iter()
            .map(|c| view! { <option value=c.key>{c.label}</option> })
            .collect_view();
        let forms = all
            .into_iter()
            .map(|choice| {
                let key = choice.key;
                view! {
                    <Show when=move || chosen.get() == key>
                        <BulkForm choice=choice.clone() selection run/>
                    </Show>
                }
            })
            .collect_view();
        view! {
            <p data-testid="bulk-selected">
                <strong>{count}</strong>
                {move || if count() == 1 { " animal selected" } else { " animals selected" }}
            </p>
            <label class="field">
                <span>"Action"</span>
                <select
                    name="bulk-action"
                    aria-label="Action"
                    prop:value=move || chosen.get()
                    on:change=move |ev| {
                        let picked = event_target_value(&ev);
                        if let Some(key) = keys.iter().find(|key| **key == picked) {
                            chosen.set(key);
                        }
                    }
                >
                    {options}
                </select>
            </label>
            {forms}
            <BulkResults run/>
        }
        .into_any()
    };
    view! {
        <section class="bulk-actions" data-testid="bulk-actions" aria-label="Act on the selected animals">
            <h3>"Act on many animals"</h3>
            {panel}
        </section>
    }
}

/// The fields of one action and its button: checked in the browser by the domain's rules
/// (on the first selected animal, as every animal gets the same fields) before anything is
/// sent.
#[component]
fn BulkForm(choice: BulkChoice, selection: Selection, run: BulkRun) -> impl IntoView {
    let values: Vec<RwSignal<String>> = choice
        .fields
        .iter()
        .map(|_| RwSignal::new(String::new()))
        .collect();
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let problem = RwSignal::new(None::<String>);
    let (fields, sent_values) = (choice.fields.clone(), values.clone());
    let command_type = choice.command_type;
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let animals: Vec<SelectedAnimal> = selection.with_untracked(|chosen| {
            chosen
                .iter()
                .map(|(id, nlis_id)| SelectedAnimal {
                    id: *id,
                    nlis_id: nlis_id.clone(),
                })
                .collect()
        });
        let Some(first) = animals.first() else {
            problem.set(Some("Select at least one animal first.".into()));
            return;
        };
        let Value::Object(command) = command_json(command_type, &[], &fields, &sent_values) else {
            return;
        };
        let data = match command.get("data") {
            Some(Value::Object(data)) => data.clone(),
            _ => Default::default(),
        };
        let example = crate::model::command_for(command_type, &data, first.id);
        if let Err(found) = Command::parse_valid(&example) {
            problem.set(Some("Please correct the marked fields.".into()));
            errors.set(found);
            return;
        }
        errors.set(Vec::new());
        let Some(action_id) = new_action_id() else {
            problem.set(Some(
                "This browser cannot name the action; reload the page.".into(),
            ));
            return;
        };
        problem.set(None);
        start_bulk(action_id, command_type, data, animals, run);
    };
    let count = move || selection.with(BTreeMap::len);
    let position = position_button(&choice.fields, &values);
    let boxes = choice
        .fields
        .into_iter()
        .zip(values)
        .map(|(field, value)| view! { <FieldBox command="bulk" field value errors/> })
        .collect_view();
    view! {
        <form class="command-form bulk-form" data-bulk=choice.key on:submit=on_submit novalidate>
            {boxes}
            {position}
            <p class="field-error" data-error-for="form" role="alert">
                {move || problem.get().unwrap_or_default()}
            </p>
            <button type="submit" disabled=move || run.running() || count() == 0>
                {move || format!("{} ({} animals)", choice.label, count())}
            </button>
        </form>
    }
}

/// The progress bar while the action runs, then the tally and each animal's line.
#[component]
fn BulkResults(run: BulkRun) -> impl IntoView {
    let tally = move || {
        run.outcomes
            .with(|all| crate::model::bulk_tally(all.iter().filter_map(|(_, o)| o.as_ref())))
    };
    view! {
        {move || run.progress.get().map(|progress| view! {
            <div class="import-progress" data-testid="bulk-progress">
                <progress max="100" value=progress.percent()></progress>
                <span class="muted small">{progress.describe_in("animals")}</span>
            </div>
        })}
        {move || run.stopped.get().map(|reason| view! {
            <p class="error-state" role="alert">"Stopped: " {reason}</p>
        })}
        <Show when=move || run.progress.get().is_some()>
            <p class="bulk-tally" data-testid="bulk-tally" aria-live="polite">{tally}</p>
            <ul class="bulk-results" data-testid="bulk-results">
                {move || run.outcomes.get().into_iter().map(|(animal, outcome)| {
                    let (state, text) = match outcome {
                        None => ("waiting", "waiting…".to_string()),
                        Some(BulkOutcome::Done { .. }) => ("done", "done".to_string()),
                        Some(BulkOutcome::Refused(reason)) => ("refused", format!("refused: {reason}")),
                        Some(BulkOutcome::NotSent(reason)) => ("not-sent", format!("not sent: {reason}")),
                    };
                    let href = format!("/cattle/{}", animal.id);
                    let tag = animal.nlis_id.clone();
                    view! {
                        <li data-outcome=state data-nlis=tag>
                            <a class="mono" href=href>{animal.nlis_id}</a>
                            " " <span class=format!("outcome-{state}")>{text}</span>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </Show>
    }
}
