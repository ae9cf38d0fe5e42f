use super::animal_actions::AnimalActions;
use super::provenance_explained::ProvenanceExplained;
use crate::browser_clock::today;
use crate::components::{dollars, EventTimeline, SignedInOnly, TrendChart};
use crate::live_bus::use_live_bus;
use crate::model::{
    kilograms, readable_day, suspicion_words, weighings_of, AnimalPage as Animal, CommandFailure,
    LiveUpdate, SignedInUser, ViewName,
};
use crate::server_fns::{animal_details, client_list, flat};
use domain::average_daily_gain;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use std::collections::BTreeMap;

/// One animal: its state, provenance, valuations, the event timeline verified in the
/// browser, and the actions the user's role allows; kept current live.
#[component]
pub fn AnimalPage() -> impl IntoView {
    view! { <SignedInOnly render=|user| view! { <AnimalFor user/> }/> }
}

#[component]
fn AnimalFor(user: SignedInUser) -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|id| id.parse::<i64>().ok()));
    let bus = use_live_bus();
    let watched = id();
    let version = bus.changes(move |update| match update {
        LiveUpdate::CattleChanged {
            view, cattle_id, ..
        } => *view == ViewName::GoldenRecord && Some(*cattle_id) == watched,
        LiveUpdate::EventRejected { cattle_id, .. } => *cattle_id == watched,
        LiveUpdate::EventDuplicate { .. } | LiveUpdate::OperationsChanged => false,
    });
    let animal = Resource::new(
        move || (id(), version.get()),
        |(id, _)| async move {
            match id {
                Some(id) => flat(animal_details(id).await),
                None => Ok(None),
            }
        },
    );
    let clients = Resource::new(|| (), |_| async { flat(client_list().await) });
    view! {
        <section class="page animal-page">
            <Transition fallback=|| view! { <p class="loading">"Loading the animal…"</p> }>
                {move || {
                    let user = user.clone();
                    Suspend::new(async move {
                        let clients = clients.await.unwrap_or_default();
                        match animal.await {
                            Ok(Some(animal)) => view! { <Shown animal user clients/> }.into_any(),
                            Ok(None) => view! {
                                <p class="empty" data-testid="not-found">"There is no such animal in the registry."</p>
                            }.into_any(),
                            Err(CommandFailure::Forbidden { message }) => view! {
                                <p class="error-state" data-testid="forbidden" role="alert">
                                    "You may not see this animal: " {message}
                                </p>
                            }.into_any(),
                            Err(failure) => view! {
                                <p class="error-state" role="alert">
                                    "The animal could not be loaded: " {failure.to_string()}
                                </p>
                            }.into_any(),
                        }
                    })
                }}
            </Transition>
        </section>
    }
}

#[component]
fn Shown(
    animal: Animal,
    user: SignedInUser,
    clients: Vec<crate::model::ClientSummary>,
) -> impl IntoView {
    let record = animal.record.clone();
    let state = animal.state.clone();
    let owner = animal
        .owner
        .as_ref()
        .map(|c| format!("{} ({})", c.name, c.pic))
        .unwrap_or_else(|| format!("client {}", record.client_id));
    let mine = animal.owner.as_ref().is_some_and(|c| c.mine);
    let client_names: BTreeMap<i64, String> = clients
        .iter()
        .chain(animal.owner.as_ref())
        .map(|c| (c.id, c.name.clone()))
        .collect();
    let me = user.user_id.clone();
    let trend: Vec<(String, i64)> = animal
        .valuations
        .iter()
        .map(|v| (v.valued_at.chars().take(10).collect(), v.amount_cents))
        .collect();
    let weighings = weighings_of(&animal.envelopes);
    let gain = match (average_daily_gain(&weighings), weighings.len()) {
        (Some(kg), _) => format!("Average daily gain: {kg:.2} kg a day"),
        (None, 0) => "Weigh it twice, at least a day apart, to see its daily gain.".to_string(),
        (None, _) => "Weigh it again a day or more later to see its daily gain.".to_string(),
    };
    let weights: Vec<(String, i64)> = weighings
        .iter()
        .map(|w| (readable_day(&w.at), (w.kg * 10.0).round() as i64))
        .collect();
    let risk_class = format!("badge risk-{}", record.risk_level.to_lowercase());
    let location = state
        .last_location
        .as_ref()
        .map(|l| format!("{:.5}, {:.5}", l.latitude, l.longitude))
        .unwrap_or_else(|| "no fix yet".into());
    let paddock = state
        .last_location
        .as_ref()
        .and_then(|fix| fix.paddock.clone())
        .unwrap_or_else(|| "not named".into());
    let withholding = match record.withheld_on(&today()) {
        Some(until) => format!("in withholding until {until}"),
        None => "none".to_string(),
    };
    let weight = state
        .weight_kg
        .map(|w| format!("{w} kg"))
        .unwrap_or_else(|| "not weighed".into());
    view! {
        <div class="page-head">
            <h1 class="mono" data-testid="animal-nlis">{record.nlis_id.clone()}</h1>
            <span class="badge" data-testid="animal-status">{record.status.clone()}</span>
        </div>
        <div class="grid two animal-panels">
            <div class="panel animal-state">
                <h2>"Current state"</h2>
                <dl class="facts">
                    <div><dt>"Breed"</dt><dd>{record.breed.clone()}</dd></div>
                    <div><dt>"Sex"</dt><dd>{record.sex.clone()}</dd></div>
                    <div><dt>"Owner"</dt><dd data-testid="animal-owner">{owner}</dd></div>
                    <div><dt>"Value"</dt><dd data-testid="animal-value">{record.current_valuation.map(dollars).unwrap_or_else(|| "not valued".into())}</dd></div>
                    <div><dt>"Mob"</dt><dd data-testid="animal-mob">{state.mob.clone().unwrap_or_else(|| "none".into())}</dd></div>
                    <div><dt>"Paddock"</dt><dd data-testid="animal-paddock">{paddock}</dd></div>
                    <div><dt>"Withholding"</dt><dd data-testid="animal-withholding">{withholding}</dd></div>
                    <div><dt>"Health records"</dt><dd data-testid="animal-health">{state.health_record_count}</dd></div>
                    <div><dt>"Weight"</dt><dd>{weight}</dd></div>
                    <div><dt>"Location"</dt><dd data-testid="animal-location">{location}</dd></div>
                    <div><dt>"Events"</dt><dd>{record.sequence}</dd></div>
                </dl>
            </div>
            <div class="panel animal-provenance">
                <h2>"Provenance"</h2>
                <div class="confidence">
                    <span class="card-value" data-testid="confidence">{record.confidence_score}</span>
                    <span class="muted">"/ 100 confidence"</span>
                    <span class=risk_class data-testid="risk">{record.risk_level.clone()}</span>
                </div>
                <meter min="0" max="100" value=record.confidence_score></meter>
                <ProvenanceExplained state=state.clone()/>
                <h3>"Verifications"</h3>
                {if state.verifications.is_empty() {
                    view! { <p class="empty">"None yet."</p> }.into_any()
                } else {
                    view! { <ul class="chips">{state.verifications.iter().map(|v| view! { <li class="chip ok">{v.as_str()}</li> }).collect_view()}</ul> }.into_any()
                }}
                <h3>"Fraud alerts"</h3>
                {if state.open_alerts.is_empty() {
                    view! { <p class="empty" data-testid="open-alerts">"No open alerts."</p> }.into_any()
                } else {
                    view! {
                        <ul class="chips" data-testid="open-alerts">
                            {state.open_alerts.iter().map(|alert| view! {
                                <li class="chip warn" data-alert-id=alert.alert_id.clone()>
                                    {suspicion_words(alert.suspicion)} " (" {alert.severity.as_str()} "), raised "
                                    {readable_day(&alert.raised_at)}
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
                {(!state.confirmed_suspicions.is_empty()).then(|| view! {
                    <h3>"Confirmed by an assessor"</h3>
                    <ul class="chips" data-testid="confirmed-suspicions">
                        {state.confirmed_suspicions.iter().map(|s| view! { <li class="chip warn">{suspicion_words(*s)}</li> }).collect_view()}
                    </ul>
                })}
            </div>
            <div class="panel wide animal-actions">
                <h2>"Actions"</h2>
                <AnimalActions user mine state clients/>
            </div>
            <div class="panel wide animal-timeline">
                <h2>"Event timeline"</h2>
                <p class="muted small">"Each badge is computed in your browser from the signed events and the published keys."</p>
                <EventTimeline envelopes=animal.envelopes me=me client_names/>
            </div>
            <div class="panel wide animal-valuations">
                <h2>"Valuation history"</h2>
                <TrendChart points=trend name="valuations" empty="Not valued yet."/>
            </div>
            <div class="panel wide animal-weights">
                <h2>"Weight"</h2>
                <p data-testid="daily-gain">{gain}</p>
                <TrendChart points=weights name="weights" empty="Not weighed yet." shown_as=kilograms/>
            </div>
        </div>
    }
}
