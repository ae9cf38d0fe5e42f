//! Under an animal's confidence and risk: why it has that risk, how the score adds up, and
//! which checks would raise it, with the rules a link away.
use crate::model::{checks_that_raise, confidence_parts, risk_because, signed_points};
use domain::{risk_reason, CattleState};
use leptos::prelude::*;

/// The reasons behind an animal's confidence and risk.
#[component]
pub fn ProvenanceExplained(state: CattleState) -> impl IntoView {
    let why = risk_because(risk_reason(&state.verifications, &state.suspicions));
    let parts = confidence_parts(&state.verifications, &state.suspicions);
    let raise = checks_that_raise(&state.verifications);
    view! {
        <p class="risk-why" data-testid="risk-why">{why}</p>
        <details class="score-parts" data-testid="score-parts">
            <summary>"How the score adds up"</summary>
            <table>
                <tbody>
                    {parts.into_iter().map(|(what, points)| view! {
                        <tr class:lost=points < 0>
                            <td>{what}</td>
                            <td class="points">{signed_points(points)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </details>
        {(!raise.is_empty()).then(|| view! {
            <p class="muted small" data-testid="raise-confidence">
                "Would raise confidence: " {raise.join(", ")} ". "
                <a href="/scoring">"How animals are scored"</a>
            </p>
        })}
    }
}
