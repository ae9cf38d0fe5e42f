use super::herd_as_of_panel::HerdAsOfPanel;
use crate::components::{
    author, FigureNames, HerdFigureCards, LocalTime, SignedInOnly, TrendChart,
};
use crate::live_bus::use_live_bus;
use crate::model::{event_name_of, Dashboard, LiveUpdate, SignedInUser, ViewName};
use crate::refetch_pace::paced_changes;
use crate::server_fns::{flat, herd_dashboard};
use leptos::prelude::*;
use std::time::Duration;

/// Whether an update changes a figure of the dashboard (read from the golden record).
fn changes_dashboard(update: &LiveUpdate) -> bool {
    matches!(update, LiveUpdate::CattleChanged { view, .. } if *view == ViewName::GoldenRecord)
}

/// The herd dashboard: head counts, value and its trend, risk and the latest events, kept
/// current over the WebSocket.
#[component]
pub fn DashboardPage() -> impl IntoView {
    view! { <SignedInOnly render=|user| view! { <DashboardFor user/> }/> }
}

#[component]
fn DashboardFor(user: SignedInUser) -> impl IntoView {
    // A busy herd sends many updates a second; the dashboard's figures are one aggregate
    // query, asked at most once a second.
    let version = paced_changes(use_live_bus(), changes_dashboard, Duration::from_secs(1));
    let figures = Resource::new(
        move || version.get(),
        |_| async { flat(herd_dashboard().await) },
    );
    let scope = match user.role {
        domain::Role::Farmer => "Your clients' herd",
        _ => "Every herd in the registry",
    };
    view! {
        <section class="page dashboard" data-testid="dashboard">
            <div class="page-head">
                <h1>"Herd dashboard"</h1>
                <span class="muted">{scope}</span>
            </div>
            {(user.role == domain::Role::Admin).then(|| view! {
                <p class="hint" data-testid="admin-hint">
                    "Administrators send no livestock commands. Make accounts for your farmers and assessors on the "
                    <a href="/users">"Users page"</a>
                    "; the Operations page shows the engines and views."
                </p>
            })}
            <Transition fallback=|| view! { <p class="loading">"Loading the dashboard…"</p> }>
                {move || {
                    let me = user.user_id.clone();
                    Suspend::new(async move {
                    match figures.await {
                        Ok(figures) => view! { <Figures figures me=me.clone()/> }.into_any(),
                        Err(failure) => view! {
                            <p class="error-state" role="alert">
                                "The dashboard could not be loaded: " {failure.to_string()}
                            </p>
                        }.into_any(),
                    }
                })}}
            </Transition>
            // Outside the live figures' Transition, so a job followed here outlives their refetches.
            <HerdAsOfPanel/>
        </section>
    }
}

const LIVE_NAMES: FigureNames = FigureNames {
    head: "head-count",
    value: "herd-value",
    by_status: "by-status",
    by_breed: "by-breed",
    by_risk: "by-risk",
    empty: "No animals yet.",
};

#[component]
fn Figures(figures: Dashboard, me: String) -> impl IntoView {
    let figures_now = figures.figures();
    let trend: Vec<(String, i64)> = figures
        .value_trend
        .iter()
        .map(|p| (p.day.clone(), p.total_cents))
        .collect();
    let feed = if figures.feed.is_empty() {
        view! { <p class="empty">"No events yet."</p> }.into_any()
    } else {
        view! {
            <ol class="feed" data-testid="feed">
                {figures.feed.into_iter().map(|item| {
                    let href = format!("/cattle/{}", item.cattle_id);
                    let name = item.nlis_id.clone().unwrap_or_else(|| format!("animal {}", item.cattle_id));
                    view! {
                        <li data-event-id=item.event_id.clone() data-event-type=item.event_type.clone()>
                            <span class="event-type">{event_name_of(&item.event_type)}</span>
                            " " <a href=href class="mono">{name}</a>
                            <span class="muted small">
                                " · " <LocalTime at=item.recorded_at.clone()/> " · " {author(item.created_by.as_deref(), &me)}
                            </span>
                        </li>
                    }
                }).collect_view()}
            </ol>
        }.into_any()
    };
    view! {
        <HerdFigureCards figures=figures_now names=LIVE_NAMES/>
        <div class="grid">
            <div class="panel wide">
                <h2>"Herd value over time"</h2>
                <TrendChart points=trend name="value-trend" empty="No valuations yet."/>
            </div>
            <div class="panel wide">
                <h2>"Latest events"</h2>
                {feed}
            </div>
        </div>
    }
}
