use super::dollars;
use crate::browser_clock::today;
use crate::model::{CattleRecord, ClientSummary};
use leptos::prelude::*;
use std::collections::BTreeMap;

/// The owner's name when known, else its id.
fn owner_name(owners: &[ClientSummary], id: i64) -> String {
    owners
        .iter()
        .find(|c| c.id == id)
        .map(|c| c.name.clone())
        .unwrap_or_else(|| format!("client {id}"))
}

/// The herd as a table, one row per animal, each linking to its page; on a phone each row
/// is a card showing the same facts with their names, so nothing hides off the screen.
#[component]
pub fn HerdTable(
    /// The animals to show.
    cattle: Vec<CattleRecord>,
    /// Owners, for their names.
    #[prop(optional)]
    owners: Vec<ClientSummary>,
    /// The animals ticked for a bulk action, when the user may act on many at once.
    #[prop(default = None)]
    selection: Option<RwSignal<BTreeMap<i64, String>>>,
) -> impl IntoView {
    if cattle.is_empty() {
        return view! {
            <p class="empty" data-testid="herd-empty">
                "No animals match. Register one, or clear the filters."
            </p>
        }
        .into_any();
    }
    let today = today();
    view! {
        <div class="table-wrap">
            <table class="herd" data-testid="herd-table">
                <thead>
                    <tr>
                        {selection.map(|_| view! { <th><span class="visually-hidden">"Select"</span></th> })}
                        <th>"NLIS id"</th>
                        <th>"Breed"</th>
                        <th>"Owner"</th>
                        <th>"Status"</th>
                        <th>"Value"</th>
                        <th>"Risk"</th>
                        <th>"Mob · paddock"</th>
                    </tr>
                </thead>
                <tbody>
                    {cattle
                        .into_iter()
                        .map(|animal| {
                            let risk_class = format!("badge risk-{}", animal.risk_level.to_lowercase());
                            let href = format!("/cattle/{}", animal.id);
                            let owner = owner_name(&owners, animal.client_id);
                            let nlis = animal.nlis_id.clone();
                            let withheld = animal.withheld_on(&today).map(|until| view! {
                                <span class="badge withholding" data-testid="in-withholding">"in withholding until " {until.to_string()}</span>
                            });
                            let tick = selection.map(|chosen| {
                                let (id, tag) = (animal.id, animal.nlis_id.clone());
                                let label = format!("Select {tag}");
                                view! {
                                    <td class="tick">
                                        <input
                                            type="checkbox"
                                            aria-label=label
                                            prop:checked=move || chosen.with(|c| c.contains_key(&id))
                                            on:change=move |ev| {
                                                let on = event_target_checked(&ev);
                                                chosen.update(|c| {
                                                    if on {
                                                        c.insert(id, tag.clone());
                                                    } else {
                                                        c.remove(&id);
                                                    }
                                                });
                                            }
                                        />
                                    </td>
                                }
                            });
                            view! {
                                <tr data-nlis=nlis>
                                    {tick}
                                    <td class="mono tag"><a href=href>{animal.nlis_id}</a></td>
                                    <td class="breed">{animal.breed} <span class="muted small sex">{animal.sex.to_lowercase()}</span></td>
                                    <td data-label="Owner" data-column="owner">{owner}</td>
                                    <td data-label="Status" data-column="status"><span class="badge">{animal.status}</span> {withheld}</td>
                                    <td data-label="Value" data-column="value">{animal.current_valuation.map(dollars).unwrap_or_else(|| "not valued".into())}</td>
                                    <td data-label="Risk" data-column="risk"><span class=risk_class>{animal.risk_level}</span></td>
                                    <td class="where">
                                        <span data-column="mob">{animal.mob.unwrap_or_default()}</span>
                                        <span class="muted small" data-column="paddock">{animal.paddock.unwrap_or_default()}</span>
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
