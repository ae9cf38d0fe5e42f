use super::dollars;
use crate::model::{CattleRecord, ClientSummary};
use leptos::prelude::*;

/// The owner's name when known, else its id.
fn owner_name(owners: &[ClientSummary], id: i64) -> String {
    owners
        .iter()
        .find(|c| c.id == id)
        .map(|c| c.name.clone())
        .unwrap_or_else(|| format!("client {id}"))
}

/// The herd as a table, one row per animal, each linking to its page.
#[component]
pub fn HerdTable(
    /// The animals to show.
    cattle: Vec<CattleRecord>,
    /// Owners, for their names.
    #[prop(optional)]
    owners: Vec<ClientSummary>,
) -> impl IntoView {
    if cattle.is_empty() {
        return view! {
            <p class="empty" data-testid="herd-empty">
                "No animals match. Register one, or clear the filters."
            </p>
        }
        .into_any();
    }
    view! {
        <div class="table-wrap">
            <table class="herd" data-testid="herd-table">
                <thead>
                    <tr>
                        <th>"NLIS id"</th>
                        <th>"Breed"</th>
                        <th>"Sex"</th>
                        <th>"Owner"</th>
                        <th>"Status"</th>
                        <th>"Value"</th>
                        <th>"Risk"</th>
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
                            view! {
                                <tr data-nlis=nlis>
                                    <td class="mono"><a href=href>{animal.nlis_id}</a></td>
                                    <td>{animal.breed}</td>
                                    <td>{animal.sex}</td>
                                    <td>{owner}</td>
                                    <td><span class="badge">{animal.status}</span></td>
                                    <td>{animal.current_valuation.map(dollars).unwrap_or_else(|| "not valued".into())}</td>
                                    <td><span class=risk_class>{animal.risk_level}</span></td>
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
