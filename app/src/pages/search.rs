//! The search page: words, filters with their counts, a place filter and an order, all in
//! the address; the results follow live as animals change.
use crate::components::{SearchHitLine, SignedInOnly};
use crate::live_bus::use_live_bus;
use crate::model::{
    query_string, FacetCount, LiveUpdate, SearchRequest, SearchResults, SearchSort, ViewName,
    SEARCH_PARAMETERS,
};
use crate::refetch_pace::paced_changes;
use crate::server_fns::{flat, search_herd};
use domain::{CattleStatus, RiskLevel, Sex};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::params::ParamsMap;
use leptos_router::NavigateOptions;
use std::collections::BTreeMap;
use std::time::Duration;

/// Whether an update changes what a search finds.
fn changes_search(update: &LiveUpdate) -> bool {
    matches!(update, LiveUpdate::CattleChanged { view, .. } if *view == ViewName::SearchIndex)
}

/// The address bar's search parameters, as typed.
fn typed(params: &ParamsMap) -> BTreeMap<&'static str, String> {
    SEARCH_PARAMETERS
        .iter()
        .filter_map(|key| params.get(key).map(|value| (*key, value)))
        .collect()
}

fn request_of(params: &ParamsMap) -> Result<SearchRequest, String> {
    let pairs: Vec<(String, String)> = params
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    SearchRequest::from_pairs(&pairs).map_err(|error| error.to_string())
}

/// The search page (every role; a farmer finds only their own animals).
#[component]
pub fn SearchPage() -> impl IntoView {
    view! { <SignedInOnly render=|_| view! { <SearchFor/> }/> }
}

#[component]
fn SearchFor() -> impl IntoView {
    let params = use_query_map();
    let version = paced_changes(use_live_bus(), changes_search, Duration::from_millis(300));
    let results = Resource::new(
        move || (params.with(request_of), version.get()),
        |(request, _)| async move {
            match request {
                Ok(request) => flat(search_herd(request).await).map_err(|f| f.to_string()),
                Err(mistake) => Err(mistake),
            }
        },
    );
    let form = RwSignal::new(params.with_untracked(typed));
    let navigate = use_navigate();
    let go = move || {
        let pairs = form.get_untracked();
        let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        navigate(
            &format!("/search?{}", query_string(&pairs)),
            NavigateOptions {
                replace: true,
                scroll: false,
                ..Default::default()
            },
        );
    };
    let set = move |key: &'static str, value: String| {
        form.update(|form| {
            form.insert(key, value);
        });
    };
    let value = move |key: &'static str| form.with(|f| f.get(key).cloned().unwrap_or_default());
    let on_text = {
        let go = go.clone();
        move |ev| {
            set("q", event_target_value(&ev));
            go();
        }
    };
    let on_choice = move |key: &'static str| {
        let go = go.clone();
        move |ev| {
            set(key, event_target_value(&ev));
            go();
        }
    };
    let facet_choice = on_choice.clone();
    let sort_chosen = form.with_untracked(|f| f.get("sort").cloned().unwrap_or_default());
    view! {
        <section class="page search-page">
            <div class="page-head"><h1>"Search the herd"</h1></div>
            <form id="search-form" class="panel search-form" method="get" action="/search" data-testid="search-form">
                <input type="search" name="q" class="search-words" aria-label="Words" autocomplete="off"
                    placeholder="NLIS id, breed, owner, PIC or health note" data-testid="search-words"
                    prop:value=move || value("q") on:input=on_text/>
                <div class="filters">
                    <select name="sort" aria-label="Order" data-testid="search-sort" on:change=on_choice("sort")>
                        {SearchSort::ALL.iter().map(|(sort, words)| view! {
                            <option value=sort.as_str() selected=sort_chosen == sort.as_str()>{*words}</option>
                        }).collect_view()}
                    </select>
                </div>
                <fieldset class="near">
                    <legend>"Last seen within"</legend>
                    <input name="km" type="number" min="0" step="any" aria-label="Kilometres" placeholder="km"
                        prop:value=move || value("km") on:change=on_choice("km") data-testid="near-km"/>
                    " km of "
                    <input name="lat" type="number" step="any" aria-label="Latitude" placeholder="latitude"
                        prop:value=move || value("lat") on:change=on_choice("lat") data-testid="near-lat"/>
                    <input name="lon" type="number" step="any" aria-label="Longitude" placeholder="longitude"
                        prop:value=move || value("lon") on:change=on_choice("lon") data-testid="near-lon"/>
                    <button type="submit">"Search"</button>
                </fieldset>
            </form>
            <div class="panel">
                <Transition fallback=|| view! { <p class="loading">"Searching…"</p> }>
                    {move || {
                        let on_choice = facet_choice.clone();
                        Suspend::new(async move {
                            let chosen = |key: &str| form.with_untracked(|f| f.get(key).cloned().unwrap_or_default());
                            match results.await {
                                Ok(results) => {
                                    let facets = results.facets.clone();
                                    view! {
                                        <div class="filters facets">
                                            <FacetSelect name="breed" label="Any breed" counts=facets.breed
                                                values=vec![] chosen=chosen("breed") on_change=on_choice("breed")/>
                                            <FacetSelect name="sex" label="Any sex" counts=facets.sex
                                                values=Sex::ALL.iter().map(|v| v.as_str()).collect() chosen=chosen("sex") on_change=on_choice("sex")/>
                                            <FacetSelect name="status" label="Any status" counts=facets.status
                                                values=CattleStatus::ALL.iter().map(|v| v.as_str()).collect() chosen=chosen("status") on_change=on_choice("status")/>
                                            <FacetSelect name="risk" label="Any risk" counts=facets.risk
                                                values=RiskLevel::ALL.iter().map(|v| v.as_str()).collect() chosen=chosen("risk") on_change=on_choice("risk")/>
                                        </div>
                                        <Found results/>
                                    }.into_any()
                                }
                                Err(message) => view! {
                                    <p class="error-state" role="alert" data-testid="search-error">{message}</p>
                                }.into_any(),
                            }
                        })
                    }}
                </Transition>
            </div>
        </section>
    }
}

/// A filter whose choices carry how many of the matching animals have each value.
#[component]
fn FacetSelect<F>(
    name: &'static str,
    label: &'static str,
    counts: Vec<FacetCount>,
    values: Vec<&'static str>,
    chosen: String,
    on_change: F,
) -> impl IntoView
where
    F: FnMut(leptos::ev::Event) + 'static,
{
    let mut choices: Vec<(String, Option<u64>)> = counts
        .iter()
        .map(|f| (f.value.clone(), Some(f.count)))
        .collect();
    for value in values.into_iter().chain([chosen.as_str()]) {
        if !value.is_empty() && !choices.iter().any(|(v, _)| v == value) {
            choices.push((value.to_string(), None));
        }
    }
    view! {
        // Outside the form on the page, yet sent with it.
        <select name=name form="search-form" aria-label=label data-testid=format!("search-{name}") on:change=on_change>
            <option value="">{label}</option>
            {choices.into_iter().map(|(value, count)| {
                let words = match count {
                    Some(count) => format!("{value} ({count})"),
                    None => format!("{value} (0)"),
                };
                view! { <option value=value.clone() selected=value == chosen>{words}</option> }
            }).collect_view()}
        </select>
    }
}

/// The count and the hits.
#[component]
fn Found(results: SearchResults) -> impl IntoView {
    let shown = results.hits.len();
    view! {
        <p class="muted" data-testid="search-count">
            {results.total} {if results.total == 1 { " animal matches" } else { " animals match" }}
            {(results.total > shown as u64).then(|| format!(", the first {shown} shown"))}
        </p>
        {if results.hits.is_empty() {
            view! { <p class="empty">"No animal matches. Try fewer words or clear a filter."</p> }.into_any()
        } else {
            view! {
                <div class="hits" data-testid="search-hits">
                    {results.hits.into_iter().map(|hit| view! { <SearchHitLine hit/> }).collect_view()}
                </div>
            }.into_any()
        }}
    }
}
