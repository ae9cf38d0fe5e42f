//! The fraud desk (assessors, and administrators to read): the alerts the fraud detector
//! raised, open ones first and the most serious and newest first among them; filters by
//! rule, severity, owner and state; each alert's evidence, its animal, and for assessors the
//! form that resolves it. New alerts and resolutions arrive live.
use crate::components::{CommandForm, FormField, Input, LocalTime, SignedInOnly};
use crate::live_bus::use_live_bus;
use crate::model::{
    readable_instant, suspicion_words, FraudAlert, LiveUpdate, SignedInUser, ViewName,
};
use crate::server_fns::{flat, fraud_alerts, open_fraud_alerts};
use domain::{EventType, RiskLevel, Role, SuspicionType};
use leptos::prelude::*;
use serde_json::json;

/// Whether an update raises or resolves an alert in the fraud view.
fn changes_alerts(update: &LiveUpdate) -> bool {
    matches!(update, LiveUpdate::CattleChanged { view, event_type, .. }
        if *view == ViewName::FraudView
            && matches!(event_type, EventType::FraudDetected | EventType::FraudAlertResolved))
}

/// The fraud desk page.
#[component]
pub fn FraudDeskPage() -> impl IntoView {
    view! { <SignedInOnly render=|user| view! { <DeskFor user/> }/> }
}

/// Which alerts the desk shows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shown {
    Open,
    Resolved,
    All,
}

/// The filters of the desk, each a signal of the value chosen ("" for any).
#[derive(Clone, Copy)]
struct DeskFilters {
    rule: RwSignal<String>,
    severity: RwSignal<String>,
    owner: RwSignal<String>,
    shown: RwSignal<Shown>,
}

impl DeskFilters {
    fn new() -> Self {
        Self {
            rule: RwSignal::new(String::new()),
            severity: RwSignal::new(String::new()),
            owner: RwSignal::new(String::new()),
            shown: RwSignal::new(Shown::Open),
        }
    }

    fn keeps(&self, alert: &FraudAlert) -> bool {
        let (rule, severity) = (self.rule.get(), self.severity.get());
        let owner = self.owner.get().trim().to_lowercase();
        let state_ok = match self.shown.get() {
            Shown::Open => alert.is_open(),
            Shown::Resolved => !alert.is_open(),
            Shown::All => true,
        };
        state_ok
            && (rule.is_empty() || alert.suspicion.as_str() == rule)
            && (severity.is_empty() || alert.severity.as_str() == severity)
            && (owner.is_empty()
                || alert
                    .owner
                    .as_deref()
                    .is_some_and(|name| name.to_lowercase().contains(&owner))
                || alert.nlis_id.to_lowercase().contains(&owner))
    }
}

#[component]
fn DeskFor(user: SignedInUser) -> impl IntoView {
    if user.role == Role::Farmer {
        return view! {
            <p class="error-state" role="alert" data-testid="forbidden">
                "The fraud desk is for assessors. Alerts on your animals show on each animal's page."
            </p>
        }
        .into_any();
    }
    let bus = use_live_bus();
    let version = bus.changes(changes_alerts);
    let alerts = Resource::new(
        move || version.get(),
        |_| async { flat(fraud_alerts().await) },
    );
    let filters = DeskFilters::new();
    let resolves = user.role == Role::Assessor;
    view! {
        <section class="page fraud-desk" data-testid="fraud-desk">
            <div class="page-head">
                <h1>"Fraud desk"</h1>
                <span class="muted">"Alerts the fraud detector raised in the animals' histories"</span>
            </div>
            <FilterBar filters/>
            <Transition fallback=|| view! { <p class="loading">"Reading the alerts…"</p> }>
                {move || Suspend::new(async move {
                    match alerts.await {
                        Ok(all) => view! { <AlertList all filters resolves/> }.into_any(),
                        Err(failure) => view! {
                            <p class="error-state" role="alert">
                                "The alerts could not be loaded: " {failure.to_string()}
                            </p>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
    .into_any()
}

/// The desk's filters.
#[component]
fn FilterBar(filters: DeskFilters) -> impl IntoView {
    let shown_choice = move |value: &str| match value {
        "resolved" => Shown::Resolved,
        "all" => Shown::All,
        _ => Shown::Open,
    };
    view! {
        <div class="filters" data-testid="desk-filters">
            <select aria-label="Show" data-testid="filter-state" on:change=move |ev| filters.shown.set(shown_choice(&event_target_value(&ev)))>
                <option value="open">"Open alerts"</option>
                <option value="resolved">"Resolved alerts"</option>
                <option value="all">"All alerts"</option>
            </select>
            <select aria-label="Rule" data-testid="filter-rule" on:change=move |ev| filters.rule.set(event_target_value(&ev))>
                <option value="">"Any rule"</option>
                {SuspicionType::ALL.iter().map(|rule| view! {
                    <option value=rule.as_str()>{suspicion_words(*rule)}</option>
                }).collect_view()}
            </select>
            <select aria-label="Severity" data-testid="filter-severity" on:change=move |ev| filters.severity.set(event_target_value(&ev))>
                <option value="">"Any severity"</option>
                {RiskLevel::ALL.iter().rev().map(|level| view! {
                    <option value=level.as_str()>{level.as_str()}</option>
                }).collect_view()}
            </select>
            <input type="search" aria-label="Herd or tag" data-testid="filter-owner" placeholder="owner, PIC or NLIS"
                on:input=move |ev| filters.owner.set(event_target_value(&ev))/>
        </div>
    }
}

/// The alerts the filters keep, or a sentence saying there are none.
#[component]
fn AlertList(all: Vec<FraudAlert>, filters: DeskFilters, resolves: bool) -> impl IntoView {
    let total = all.len();
    move || {
        let kept: Vec<FraudAlert> = all.iter().filter(|a| filters.keeps(a)).cloned().collect();
        if kept.is_empty() {
            let why = if total == 0 {
                "No alerts yet: the fraud detector has found nothing suspicious."
            } else {
                "No alert matches these filters."
            };
            return view! { <p class="empty" data-testid="no-alerts">{why}</p> }.into_any();
        }
        view! {
            <ul class="alert-cards" data-testid="alert-list">
                {kept.into_iter().map(|alert| view! { <AlertCard alert resolves/> }).collect_view()}
            </ul>
        }
        .into_any()
    }
}

/// "2026-12-01 09:14" from an RFC 3339 instant.
/// The evidence as name and value rows: nested facts (a breed's median and spread) under
/// their parent's name, absent ones left out.
fn evidence_rows(parent: &str, facts: &serde_json::Value) -> Vec<(String, String)> {
    let Some(facts) = facts.as_object() else {
        return Vec::new();
    };
    facts
        .iter()
        .flat_map(|(name, value)| {
            let name = if parent.is_empty() {
                name.clone()
            } else {
                format!("{parent} {name}")
            };
            match (value, value.as_str(), value.as_f64()) {
                (serde_json::Value::Null, ..) => Vec::new(),
                (serde_json::Value::Object(_), ..) => evidence_rows(&name, value),
                (_, Some(text), _) => vec![(name, text.to_string())],
                (_, None, Some(number)) if number.fract() != 0.0 => {
                    vec![(name, format!("{number:.2}"))]
                }
                _ => vec![(name, value.to_string())],
            }
        })
        .collect()
}

/// One alert: what, how serious, on which animal, the evidence, and its state or the form
/// that resolves it.
#[component]
fn AlertCard(alert: FraudAlert, resolves: bool) -> impl IntoView {
    let severity = alert.severity.as_str();
    let badge = format!("badge risk-{}", severity.to_lowercase());
    let evidence = evidence_rows("", &alert.evidence);
    let animal = if alert.nlis_id.is_empty() {
        format!("animal {}", alert.cattle_id)
    } else {
        alert.nlis_id.clone()
    };
    let open = alert.is_open();
    let state = match (&alert.resolution, &alert.resolved_at) {
        (None, _) => "Open".to_string(),
        (Some(outcome), at) => format!(
            "Resolved {}{}",
            if outcome == "CONFIRMED" {
                "as fraud"
            } else {
                "as a false positive"
            },
            at.as_deref()
                .map(|at| format!(" on {}", readable_instant(at)))
                .unwrap_or_default()
        ),
    };
    let fixed = vec![
        ("cattleId", json!(alert.cattle_id)),
        ("alertId", json!(alert.alert_id)),
    ];
    view! {
        <li class="alert-card" class:resolved=!open data-alert-id=alert.alert_id.clone() data-testid="alert">
            <div class="alert-head">
                <span class=badge>{severity}</span>
                <strong>{suspicion_words(alert.suspicion)}</strong>
                <a href=format!("/cattle/{}", alert.cattle_id) data-testid="alert-animal">{animal}</a>
                <span class="muted">{alert.owner.clone().unwrap_or_default()}</span>
            </div>
            <p class="alert-description">{alert.description.clone()}</p>
            <dl class="evidence">
                {evidence.into_iter().map(|(name, value)| view! {
                    <dt>{name}</dt><dd class="mono">{value}</dd>
                }).collect_view()}
            </dl>
            <p class="muted small">
                "Raised " <LocalTime at=alert.detected_at.clone()/> " · " <span data-testid="alert-state">{state}</span>
                " · the animal's page shows the events it rests on, each checked in your browser"
            </p>
            {(open && resolves).then(|| view! {
                <CommandForm command_type="RESOLVE_FRAUD_ALERT" title="" submit_label="Resolve"
                    fixed
                    fields=vec![
                        FormField::new("resolution", "Outcome", Input::Choice(vec![
                            ("CONFIRMED".into(), "Confirmed: it is fraud".into()),
                            ("DISMISSED".into(), "False positive".into()),
                        ])),
                        FormField::new("notes", "Note", Input::Text).hint("tag checked on site"),
                    ]/>
            })}
        </li>
    }
}

/// The navigation's link to the desk, with how many alerts wait. The count is read in the
/// browser only (an effect), so the page around it renders and hydrates without waiting.
#[component]
pub fn FraudDeskLink() -> impl IntoView {
    let bus = use_live_bus();
    let version = bus.changes(changes_alerts);
    let open = RwSignal::new(None::<u64>);
    Effect::new(move |_| {
        version.track();
        leptos::task::spawn_local(async move {
            if let Ok(count) = flat(open_fraud_alerts().await) {
                open.set(Some(count));
            }
        });
    });
    view! {
        <a href="/fraud" data-testid="fraud-link">
            "Fraud desk"
            {move || open.get().filter(|count| *count > 0).map(|count| view! {
                <span class="count" data-testid="fraud-count" title="open alerts">{count}</span>
            })}
        </a>
    }
}

#[cfg(test)]
mod tests {
    use super::evidence_rows;
    use serde_json::json;

    #[test]
    fn nested_evidence_is_named_by_its_parent_and_absent_facts_are_left_out() {
        let rows = evidence_rows(
            "",
            &json!({"amountCents": 880000, "breed": {"median": 200000.0, "peers": 60},
                    "herd": null, "ratio": 4.4}),
        );
        assert_eq!(
            rows,
            [
                ("amountCents".to_string(), "880000".to_string()),
                ("breed median".to_string(), "200000.0".to_string()),
                ("breed peers".to_string(), "60".to_string()),
                ("ratio".to_string(), "4.40".to_string()),
            ]
        );
    }
}
