use super::bulk_actions::{BulkActions, Selection, SelectionBar};
use super::transfer_offers::OffersWaiting;
use crate::components::{CommandForm, FormField, HerdTable, Input, SignedInOnly};
use crate::live_bus::use_live_bus;
use crate::model::{
    ClientSummary, HerdPage as Listing, HerdQuery, LiveUpdate, SignedInUser, ViewName,
    HERD_PAGE_SIZE, HERD_PAGE_SIZES, HERD_SORTS,
};
use crate::server_fns::{client_list, flat, list_herd};
use domain::{CattleStatus, EventType, RiskLevel, Role, Sex};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use leptos_router::params::ParamsMap;
use std::collections::BTreeMap;

/// Whether an update changes what the herd list shows (read from the golden record).
fn refreshes_herd(update: &LiveUpdate) -> bool {
    matches!(update, LiveUpdate::CattleChanged { view, .. } if *view == ViewName::GoldenRecord)
}

/// The list's query from the address bar; unreadable values are ignored.
fn query_of(params: &ParamsMap) -> HerdQuery {
    let text = |key: &str| params.get(key).filter(|v| !v.trim().is_empty());
    HerdQuery {
        page: text("page")
            .and_then(|p| p.parse().ok())
            .unwrap_or(1)
            .max(1),
        sort: text("sort").unwrap_or_else(|| "updated".into()),
        breed: text("breed"),
        owner: text("owner").and_then(|o| o.parse().ok()),
        status: text("status"),
        risk: text("risk"),
        mob: text("mob"),
        in_withholding: text("withholding").is_some_and(|w| w == "in"),
        per_page: text("per").and_then(|p| p.parse().ok()).unwrap_or(0),
    }
}

/// A filter value as a query string carries it.
fn url_word(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        match byte {
            b' ' => out.push('+'),
            b if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') => {
                out.push(b as char)
            }
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The address of the list with `query`.
fn href_of(query: &HerdQuery) -> String {
    let mut parts = vec![
        format!("page={}", query.page),
        format!("sort={}", query.sort),
    ];
    if let Some(b) = &query.breed {
        parts.push(format!("breed={}", url_word(b)));
    }
    if let Some(o) = query.owner {
        parts.push(format!("owner={o}"));
    }
    if let Some(s) = &query.status {
        parts.push(format!("status={s}"));
    }
    if let Some(r) = &query.risk {
        parts.push(format!("risk={r}"));
    }
    if let Some(m) = &query.mob {
        parts.push(format!("mob={}", url_word(m)));
    }
    if query.in_withholding {
        parts.push("withholding=in".into());
    }
    if query.page_size() != HERD_PAGE_SIZE {
        parts.push(format!("per={}", query.page_size()));
    }
    format!("/herd?{}", parts.join("&"))
}

/// The herd list: paging, sorting and filters in the address, kept current live; farmers
/// register clients and animals here.
#[component]
pub fn HerdPage() -> impl IntoView {
    view! { <SignedInOnly render=|user| view! { <HerdFor user/> }/> }
}

#[component]
fn HerdFor(user: SignedInUser) -> impl IntoView {
    let params = use_query_map();
    let bus = use_live_bus();
    let version = bus.changes(refreshes_herd);
    let listing = Resource::new(
        move || (params.with(query_of), version.get()),
        |(query, _)| async { flat(list_herd(query).await) },
    );
    // Only a new client changes the forms' choices; other updates leave the forms alone.
    let new_clients = bus.changes(|update| {
        matches!(update, LiveUpdate::CattleChanged { view, event_type, .. }
            if *view == ViewName::GoldenRecord && *event_type == EventType::ClientRegistered)
    });
    let clients = Resource::new(
        move || new_clients.get(),
        |_| async { flat(client_list().await) },
    );
    let farmer = user.role == Role::Farmer;
    // Outside the list, so a live refresh of the list keeps what is ticked.
    let selection: Selection = RwSignal::new(BTreeMap::new());
    let selecting = farmer.then_some(selection);
    let filters_open = RwSignal::new(false);
    view! {
        <section class="page herd-page">
            <div class="page-head">
                <h1>"Herd"</h1>
            </div>
            <Show when=move || user.role != Role::Admin>
                <OffersWaiting/>
            </Show>
            <div class="columns" class:single=!farmer>
                <div class="panel">
                    <Transition fallback=|| view! { <p class="loading">"Loading the herd…"</p> }>
                        {move || Suspend::new(async move {
                            let query = params.with_untracked(query_of);
                            match listing.await {
                                Ok(listing) => view! { <Listed listing query selection=selecting filters_open/> }.into_any(),
                                Err(failure) => view! {
                                    <p class="error-state" role="alert">
                                        "The herd could not be loaded: " {failure.to_string()}
                                    </p>
                                }.into_any(),
                            }
                        })}
                    </Transition>
                </div>
                <Show when=move || farmer>
                    <div class="panel forms">
                        <Transition fallback=|| view! { <p class="loading">"Loading your clients…"</p> }>
                            {move || Suspend::new(async move {
                                let clients = clients.await.unwrap_or_default();
                                view! {
                                    <BulkActions selection clients=clients.clone()/>
                                    <FarmerForms clients/>
                                }
                            })}
                        </Transition>
                    </div>
                </Show>
            </div>
        </section>
    }
}

fn options<T: Copy>(all: &[T], name: impl Fn(&T) -> &'static str) -> Vec<(String, String)> {
    all.iter()
        .map(|v| (name(v).to_string(), name(v).to_string()))
        .collect()
}

/// Registering a client and an animal (for one of the farmer's own clients).
#[component]
fn FarmerForms(clients: Vec<ClientSummary>) -> impl IntoView {
    let own: Vec<(String, String)> = clients
        .iter()
        .map(|c| (c.id.to_string(), format!("{} ({})", c.name, c.pic)))
        .collect();
    let no_clients = own.is_empty();
    // A farmer with one client has only one answer to "whose is it?".
    let only_client = match own.as_slice() {
        [(id, _)] => id.clone(),
        _ => String::new(),
    };
    view! {
        <Show when=move || no_clients>
            <p class="hint">"Register a client first: animals are registered to one of your clients."</p>
        </Show>
        <CommandForm
            command_type="CREATE_CATTLE"
            title="Register an animal"
            submit_label="Register animal"
            fields=vec![
                FormField::new("nlisId", "NLIS id", Input::Tag).hint("3AB1234567890123"),
                FormField::new("breed", "Breed", Input::Text).hint("Angus"),
                FormField::new("sex", "Sex", Input::Choice(options(Sex::ALL, Sex::as_str))),
                FormField::new("clientId", "Owner", Input::Choice(own)).preset(only_client),
                FormField::new("birthDate", "Born (optional)", Input::Date),
            ]
        />
        <CommandForm
            command_type="REGISTER_CLIENT"
            title="Register a client"
            submit_label="Register client"
            fields=vec![
                FormField::new("name", "Name", Input::Text).hint("Bindi Station"),
                FormField::new("pic", "PIC", Input::Tag).hint("QABC1234"),
                FormField::new("clientId", "Your own number for this client", Input::Integer)
                    .hint("42")
                    .more(),
            ]
        />
    }
}

/// The filters, the sortable table and the pager.
#[component]
fn Listed(
    listing: Listing,
    query: HerdQuery,
    selection: Option<Selection>,
    /// Whether a phone shows the filters and sorts (a desktop always does).
    filters_open: RwSignal<bool>,
) -> impl IntoView {
    let pages = listing.total.div_ceil(u64::from(listing.page_size)).max(1) as u32;
    let at = |page: u32| {
        href_of(&HerdQuery {
            page,
            ..query.clone()
        })
    };
    let sort_link = |key: &str| {
        let sort = if query.sort == key {
            format!("-{key}")
        } else {
            key.to_string()
        };
        href_of(&HerdQuery {
            page: 1,
            sort,
            ..query.clone()
        })
    };
    let prev = (listing.page > 1).then(|| at(listing.page - 1));
    let next = (listing.page < pages).then(|| at(listing.page + 1));
    let selected = |current: &Option<String>, value: &str| current.as_deref() == Some(value);
    let owner_selected = |id: i64| query.owner == Some(id);
    let active = [
        query.breed.is_some(),
        query.owner.is_some(),
        query.status.is_some(),
        query.risk.is_some(),
        query.mob.is_some(),
        query.in_withholding,
    ]
    .into_iter()
    .filter(|on| *on)
    .count();
    let toggle_label = match active {
        0 => "Filter and sort".to_string(),
        n => format!("Filter and sort ({n} on)"),
    };
    view! {
        <button
            type="button"
            class="filter-toggle"
            aria-expanded=move || filters_open.get().to_string()
            on:click=move |_| filters_open.update(|open| *open = !*open)
        >
            {toggle_label}
        </button>
        <div class="filter-bar" class:open=move || filters_open.get()>
        <form class="filters" method="get" action="/herd" data-testid="filters">
            <select name="breed" aria-label="Breed">
                <option value="">"Any breed"</option>
                {listing.breeds.iter().map(|b| view! {
                    <option value=b.clone() selected=selected(&query.breed, b)>{b.clone()}</option>
                }).collect_view()}
            </select>
            <select name="owner" aria-label="Owner">
                <option value="">"Any owner"</option>
                {listing.owners.iter().map(|c| view! {
                    <option value=c.id.to_string() selected=owner_selected(c.id)>{c.name.clone()}</option>
                }).collect_view()}
            </select>
            <select name="status" aria-label="Status">
                <option value="">"Any status"</option>
                {CattleStatus::ALL.iter().map(|s| view! {
                    <option value=s.as_str() selected=selected(&query.status, s.as_str())>{s.as_str()}</option>
                }).collect_view()}
            </select>
            <select name="risk" aria-label="Risk">
                <option value="">"Any risk"</option>
                {RiskLevel::ALL.iter().map(|r| view! {
                    <option value=r.as_str() selected=selected(&query.risk, r.as_str())>{r.as_str()}</option>
                }).collect_view()}
            </select>
            <select name="mob" aria-label="Mob">
                <option value="">"Any mob"</option>
                {listing.mobs.iter().map(|m| view! {
                    <option value=m.clone() selected=selected(&query.mob, m)>{m.clone()}</option>
                }).collect_view()}
            </select>
            <select name="withholding" aria-label="Withholding">
                <option value="">"Any withholding"</option>
                <option value="in" selected=query.in_withholding>"In withholding today"</option>
            </select>
            <select name="per" aria-label="Per page">
                {HERD_PAGE_SIZES.iter().map(|n| view! {
                    <option value=n.to_string() selected=query.page_size() == *n>{format!("{n} a page")}</option>
                }).collect_view()}
            </select>
            <input type="hidden" name="sort" value=query.sort.clone()/>
            <button type="submit">"Filter"</button>
            <a href="/herd" class="muted">"Clear"</a>
        </form>
        <p class="sorts muted">
            "Sort by: "
            {HERD_SORTS.iter().map(|(key, label)| {
                let active = query.sort.trim_start_matches('-') == *key;
                view! { <a href=sort_link(key) class:active=active data-sort=*key>{*label}</a> " " }
            }).collect_view()}
        </p>
        </div>
        <p class="muted" data-testid="herd-count">
            {listing.total} {if listing.total == 1 { " animal" } else { " animals" }}
        </p>
        {listing.mob_gain.map(|gain| view! {
            <p class="mob-gain" data-testid="mob-gain">{gain.in_words()}</p>
        })}
        {selection.map(|selection| view! {
            <SelectionBar selection query=query.clone() matching=listing.total/>
        })}
        <HerdTable cattle=listing.rows owners=listing.owners selection/>
        <nav class="pager" data-testid="pager">
            {prev.map(|href| view! { <a href=href rel="prev">"← Previous"</a> })}
            <span>"Page " {listing.page} " of " {pages}</span>
            {next.map(|href| view! { <a href=href rel="next">"Next →"</a> })}
        </nav>
    }
}
