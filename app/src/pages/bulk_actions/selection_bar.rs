//! What is selected for a bulk action, and selecting every animal the filters match (a
//! whole mob, breed or owner, beyond the page shown).
use super::Selection;
use crate::model::{HerdQuery, MOST_SELECTED};
use crate::server_fns::{flat, herd_selection};
use leptos::prelude::*;
use std::collections::BTreeMap;

/// "3 selected · Select all 30 matching · Clear".
#[component]
pub fn SelectionBar(selection: Selection, query: HerdQuery, matching: u64) -> impl IntoView {
    let problem = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // Not an action of this bar: a live refresh may replace the bar while the answer is on
    // its way, and the selection (the page's) must still get it.
    let select_all = move |query: HerdQuery| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            let answer = flat(herd_selection(query).await);
            let _ = busy.try_set(false);
            match answer {
                Ok(animals) => {
                    let _ = problem.try_set(None);
                    selection.set(animals.into_iter().map(|a| (a.id, a.nlis_id)).collect());
                }
                Err(failure) => {
                    let _ = problem.try_set(Some(format!(
                        "The animals could not be selected: {failure}"
                    )));
                }
            }
        });
    };
    let count = move || selection.with(BTreeMap::len);
    let capped = matching > MOST_SELECTED as u64;
    let label = if capped {
        format!("Select the first {MOST_SELECTED} matching")
    } else if matching == 1 {
        "Select the 1 matching".to_string()
    } else {
        format!("Select all {matching} matching")
    };
    view! {
        <div class="selection-bar" data-testid="selection-bar">
            <span>{move || format!("{} selected", count())}</span>
            <button
                type="button"
                class="link"
                data-testid="select-matching"
                disabled=move || matching == 0 || busy.get()
                on:click=move |_| select_all(query.clone())
            >
                {label}
            </button>
            <button
                type="button"
                class="link"
                disabled=move || count() == 0
                on:click=move |_| selection.set(BTreeMap::new())
            >
                "Clear selection"
            </button>
            {move || problem.get().map(|p| view! { <span class="error-state" role="alert">{p}</span> })}
        </div>
    }
}
