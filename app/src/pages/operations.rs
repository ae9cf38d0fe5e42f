//! The operations page (administrators): whether each engine answers and the log can be
//! written, the seed's alerts as the server evaluates them, and how far each view has read
//! the log, with a switch to pause and resume it; rebuilding a view blue/green and verifying
//! the whole log, each with its progress bar. It reads again whenever the server pushes that
//! any of it moved (`LiveUpdate::OperationsChanged`, at most once a second), and every ten
//! seconds should the live connection be down.
use super::consumer_groups_panel::ConsumerGroupsPanel;
use super::log_verification_panel::LogVerificationPanel;
use super::signing_keys_panel::SigningKeysPanel;
use super::view_rebuild_panel::ViewRebuildPanel;
use crate::components::{LocalTime, SignedInOnly};
use crate::live_bus::use_live_bus;
use crate::model::{
    Alert, AlertState, EngineHealth, EngineState, LiveUpdate, OperationsReport, SignedInUser,
    ViewStanding,
};
use crate::server_fns::{flat, operations_overview, switch_view};
use domain::Role;
use leptos::prelude::*;
use std::time::Duration;

/// How often the page reads the server again without being told (the live connection down).
const REFRESH_EVERY: Duration = Duration::from_secs(10);

/// The operations page.
#[component]
pub fn OperationsPage() -> impl IntoView {
    view! { <SignedInOnly render=|user| view! { <OperationsFor user/> }/> }
}

#[component]
fn OperationsFor(user: SignedInUser) -> impl IntoView {
    if user.role != Role::Admin {
        return view! {
            <p class="error-state" role="alert" data-testid="forbidden">
                "Only administrators see the registry's operations."
            </p>
        }
        .into_any();
    }
    let tick = RwSignal::new(0u64);
    let pushed = use_live_bus().changes(|update| matches!(update, LiveUpdate::OperationsChanged));
    Effect::new(move |previous: Option<u64>| {
        let now = pushed.get();
        if previous.is_some_and(|previous| previous != now) {
            tick.update(|t| *t += 1);
        }
        now
    });
    // Effects run only in the browser: the server renders one reading, the browser keeps it fresh.
    Effect::new(move |_| {
        if let Ok(handle) =
            set_interval_with_handle(move || tick.update(|t| *t += 1), REFRESH_EVERY)
        {
            on_cleanup(move || handle.clear());
        }
    });
    let report = Resource::new(
        move || tick.get(),
        |_| async { flat(operations_overview().await) },
    );
    let switch = Action::new(move |(view, paused): &(crate::model::ViewName, bool)| {
        let (view, paused) = (*view, *paused);
        async move {
            let answer = flat(switch_view(view, paused).await);
            tick.update(|t| *t += 1);
            answer
        }
    });
    let switch_error =
        move || {
            switch.value().get().and_then(Result::err).map(
                |failure| view! { <p class="error-state" role="alert">{failure.to_string()}</p> },
            )
        };
    view! {
        <section class="page operations" data-testid="operations">
            <div class="page-head">
                <h1>"Operations"</h1>
                <span class="muted">"Engines, alerts and views of this instance"</span>
            </div>
            {switch_error}
            <Transition fallback=|| view! { <p class="loading">"Reading the engines…"</p> }>
                {move || Suspend::new(async move {
                    match report.await {
                        Ok(report) => view! { <Report report switch/> }.into_any(),
                        Err(failure) => view! {
                            <p class="error-state" role="alert">
                                "The operations could not be read: " {failure.to_string()}
                            </p>
                        }.into_any(),
                    }
                })}
            </Transition>
            <ConsumerGroupsPanel tick/>
            <ViewRebuildPanel tick/>
            <LogVerificationPanel tick/>
            <SigningKeysPanel tick/>
        </section>
    }
    .into_any()
}

type Switch = Action<(crate::model::ViewName, bool), crate::server_fns::Answer<()>>;

#[component]
fn Report(report: OperationsReport, switch: Switch) -> impl IntoView {
    let writable = report.health.log_writable;
    view! {
        <p class=if writable { "log-state ok" } else { "log-state bad" } data-testid="log-writable"
            data-writable=writable.to_string()>
            {if writable { "The log accepts commands." } else { "The log cannot be written: commands are refused." }}
            <span class="muted small">" Checked " <LocalTime at=report.health.checked_at.clone()/></span>
        </p>
        <div class="cards">
            {report.health.engines.into_iter().map(|engine| view! { <EngineCard engine/> }).collect_view()}
        </div>
        <div class="panel">
            <h2>"Alerts"</h2>
            <ul class="alerts" data-testid="alerts">
                {report.alerts.into_iter().map(|alert| view! { <AlertRow alert/> }).collect_view()}
            </ul>
        </div>
        <div class="panel">
            <h2>"Views"</h2>
            <table class="herd" data-testid="views">
                <thead><tr>
                    <th>"View"</th><th>"State"</th><th>"Handled"</th><th>"Per second"</th><th>"Failed"</th>
                    <th>"Behind (events)"</th><th>"Behind (s)"</th><th></th>
                </tr></thead>
                <tbody>
                    {report.views.into_iter().map(|standing| view! { <ViewRow standing switch/> }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

fn state_word(state: EngineState) -> (&'static str, &'static str) {
    match state {
        EngineState::Up => ("up", "verified"),
        EngineState::Down => ("down", "broken"),
        EngineState::NotConfigured => ("not configured", "checking"),
    }
}

#[component]
fn EngineCard(engine: EngineHealth) -> impl IntoView {
    let (word, class) = state_word(engine.state);
    let name = engine.engine.as_str().to_lowercase();
    view! {
        <div class="card" data-testid="engine" data-engine=engine.engine.as_str() data-state=word>
            <span class="card-label">{name}</span>
            <span class=format!("badge {class}")>{word}</span>
            <span class="muted small">{engine.detail}</span>
        </div>
    }
}

#[component]
fn AlertRow(alert: Alert) -> impl IntoView {
    let rule = alert.rule.as_str();
    let (word, class) = match alert.state {
        AlertState::Firing => ("firing", "broken"),
        AlertState::Ok => ("ok", "verified"),
        AlertState::NotReported => ("not reported", "checking"),
    };
    view! {
        <li data-rule=rule data-state=word>
            <span class=format!("badge {class}")>{word}</span>
            " " <strong>{rule}</strong> " " <span>{alert.summary}</span>
            {alert.since.map(|since| view! { <span class="muted small">" since " {since}</span> })}
        </li>
    }
}

#[component]
fn ViewRow(standing: ViewStanding, switch: Switch) -> impl IntoView {
    let view_name = standing.view;
    let paused = standing.paused;
    let (lag_events, lag_seconds) = (standing.lag_events(), standing.lag_seconds());
    view! {
        <tr data-view=view_name.as_str() data-paused=paused.to_string()>
            <td class="mono">{view_name.as_str()}</td>
            <td>{if paused { "paused" } else { "running" }}</td>
            <td>{standing.processed}</td>
            <td data-testid="per-second">{format!("{:.0}", standing.per_second)}</td>
            <td>{standing.failed}</td>
            <td data-testid="lag-events">{lag_events}</td>
            <td data-testid="lag-seconds">{format!("{lag_seconds:.1}")}</td>
            <td>
                <button class="switch" disabled=move || switch.pending().get()
                    on:click=move |_| { switch.dispatch((view_name, !paused)); }>
                    {if paused { "Resume" } else { "Pause" }}
                </button>
            </td>
        </tr>
    }
}
