//! The search box of every page: the first few animals as you type, the full results page
//! on Enter.
use super::dollars;
use crate::model::{SearchHit, SearchRequest};
use crate::server_fns::{flat, search_herd};
use leptos::prelude::*;

/// Animals shown under the box while typing.
const SUGGESTED: u32 = 6;

/// One animal as a line of results: tag, breed, owner, status and value.
#[component]
pub fn SearchHitLine(hit: SearchHit) -> impl IntoView {
    let href = format!("/cattle/{}", hit.cattle_id);
    let owner = match (&hit.owner_name, &hit.owner_pic) {
        (Some(name), Some(pic)) => format!("{name} ({pic})"),
        _ => format!("client {}", hit.owner_client_id),
    };
    let risk_class = format!("badge risk-{}", hit.risk_level.as_str().to_lowercase());
    let value = hit
        .value_cents
        .map(dollars)
        .unwrap_or_else(|| "not valued".into());
    let distance = hit.distance_km.map(|km| format!("{km:.1} km away"));
    view! {
        <a class="hit" href=href data-testid="search-hit" data-nlis=hit.nlis_id.clone()>
            <span class="mono hit-tag">{hit.nlis_id.clone()}</span>
            <span class="hit-what">{hit.breed.clone()} " · " {hit.sex.as_str().to_lowercase()} " · " {owner}</span>
            <span class="hit-facts">
                <span class="badge">{hit.status.as_str()}</span>
                <span class=risk_class>{hit.risk_level.as_str()}</span>
                <span>{value}</span>
                {distance.map(|d| view! { <span class="muted">{d}</span> })}
            </span>
        </a>
    }
}

/// The box in the top bar. Its searches are actions, not resources: nothing of them is
/// rendered on the server, and the top bar resolves after the page's own resources, so a
/// resource here would take another's place when the page hydrates.
#[component]
pub fn SearchBox() -> impl IntoView {
    let text = RwSignal::new(String::new());
    let search = Action::new(|text: &String| {
        let text = text.clone();
        async move {
            let request = SearchRequest {
                limit: SUGGESTED,
                ..SearchRequest::for_text(&text)
            };
            (text, flat(search_herd(request).await))
        }
    });
    let all_href = move || {
        format!(
            "/search?{}",
            SearchRequest::for_text(text.get().trim()).to_query_string()
        )
    };
    // Only the answer to what the box holds now: a slower, older answer is not shown.
    let answer = move || {
        search
            .value()
            .get()
            .filter(|(asked, _)| *asked == text.get())
            .map(|(_, answer)| answer)
    };
    view! {
        <form class="search-box" method="get" action="/search" role="search"
            on:keydown=move |ev| if ev.key() == "Escape" { text.set(String::new()); }>
            <input type="search" name="q" placeholder="Search the herd" aria-label="Search the herd"
                autocomplete="off" data-testid="search-box" prop:value=move || text.get()
                on:input=move |ev| {
                    let typed = event_target_value(&ev);
                    text.set(typed.clone());
                    if !typed.trim().is_empty() {
                        search.dispatch(typed);
                    }
                }/>
            <Show when=move || !text.get().trim().is_empty()>
                <div class="suggestions" data-testid="search-suggestions" on:click=move |_| text.set(String::new())>
                    {move || match answer() {
                        None => view! { <p class="muted">"Searching…"</p> }.into_any(),
                        Some(Ok(results)) if results.hits.is_empty() => view! {
                            <p class="muted">"No animal matches."</p>
                        }.into_any(),
                        Some(Ok(results)) => view! {
                            {results.hits.into_iter().map(|hit| view! { <SearchHitLine hit/> }).collect_view()}
                            <a class="all-results" href=all_href()>"All results (" {results.total} ") →"</a>
                        }.into_any(),
                        Some(Err(failure)) => view! {
                            <p class="error-state" role="alert">{failure.to_string()}</p>
                        }.into_any(),
                    }}
                </div>
            </Show>
        </form>
    }
}
