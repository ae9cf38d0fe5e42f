use crate::model::CattleRecord;
use leptos::prelude::*;

/// Formats cents as dollars for people.
fn dollars(cents: Option<i64>) -> String {
    match cents {
        Some(c) => format!("${}.{:02}", c / 100, (c % 100).abs()),
        None => "not valued".to_string(),
    }
}

/// The herd as a table, one row per animal.
#[component]
pub fn HerdTable(cattle: Vec<CattleRecord>) -> impl IntoView {
    if cattle.is_empty() {
        return view! {
            <p class="empty" data-testid="herd-empty">
                "No animals yet. Register the first one with the form."
            </p>
        }
        .into_any();
    }
    let count = cattle.len();
    view! {
        <p class="muted" data-testid="herd-count">{count} " animals"</p>
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
                            let nlis = animal.nlis_id.clone();
                            view! {
                                <tr data-nlis=nlis>
                                    <td class="mono">{animal.nlis_id}</td>
                                    <td>{animal.breed}</td>
                                    <td>{animal.sex}</td>
                                    <td>"client " {animal.client_id}</td>
                                    <td><span class="badge">{animal.status}</span></td>
                                    <td>{dollars(animal.current_valuation)}</td>
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
