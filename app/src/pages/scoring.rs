//! How iCattle scores an animal's provenance, for farmers, assessors and lenders: the
//! points of each check and alert and the risk rules, read from the domain's own tables.
use crate::model::{capitalised, check_words, suspicion_words};
use domain::{
    verification_weight, SuspicionType, VerificationKind, BASE_CONFIDENCE, CHECKED_CONFIDENCE,
};
use leptos::prelude::*;

/// `/scoring`: the rules behind every confidence score and risk level.
#[component]
pub fn ScoringPage() -> impl IntoView {
    let mut checks: Vec<VerificationKind> = VerificationKind::ALL.to_vec();
    checks.sort_by_key(|kind| std::cmp::Reverse(verification_weight(*kind)));
    let mut alerts: Vec<SuspicionType> = SuspicionType::ALL.to_vec();
    alerts.sort_by_key(|flag| std::cmp::Reverse(flag.penalty()));
    view! {
        <section class="panel scoring" data-testid="scoring">
            <h1>"How animals are scored"</h1>
            <p>
                "Every animal has a confidence score from 0 to 100: how well its identity and \
                 history are attested. It starts at " {BASE_CONFIDENCE}
                " for the NLIS tag read when it was registered. Each kind of independent check \
                 adds its points once; each open fraud alert takes its points off until an \
                 assessor resolves it."
            </p>
            <h2>"Checks"</h2>
            <table class="score-table">
                <tbody>
                    {checks.into_iter().map(|kind| view! {
                        <tr data-check=kind.as_str()>
                            <td>{capitalised(check_words(kind))}</td>
                            <td class="points">"+" {verification_weight(kind)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <h2>"Fraud alerts"</h2>
            <table class="score-table">
                <tbody>
                    {alerts.into_iter().map(|flag| view! {
                        <tr data-alert=flag.as_str()>
                            <td>{suspicion_words(flag)}</td>
                            <td class="points">"−" {flag.penalty()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <h2>"Risk"</h2>
            <ol class="risk-rules">
                <li><span class="badge risk-critical">"CRITICAL"</span>
                    " when another animal carries the same tag, a record failed verification, \
                     or open alerts took confidence below 30."</li>
                <li><span class="badge risk-high">"HIGH"</span>
                    " when an alert is open and confidence is below 50."</li>
                <li><span class="badge risk-medium">"MEDIUM"</span>
                    " when an alert is open, or when nothing is against the animal but it has \
                     not been checked enough yet (confidence below " {CHECKED_CONFIDENCE}
                    ", which one NLIS database check or DNA test reaches)."</li>
                <li><span class="badge risk-low">"LOW"</span>
                    " when no alert is open and confidence is " {CHECKED_CONFIDENCE} " or more."</li>
            </ol>
            <p class="muted small">
                "The score on each event is the one it had when the event was written; the \
                 animal's page shows today's."
            </p>
        </section>
    }
}
