//! Time travel on the animal page: a slider over the animal's accepted events that shows
//! the animal as it was after the chosen one, folded in the page from the signed events.

use super::charts::dollars;
use super::local_time::LocalTime;
use crate::model::event_name_of;
use domain::{fold_verified, CattleState, ChainHead, EventEnvelope, StreamState};
use leptos::prelude::*;

/// The animal after one accepted event.
#[derive(Debug, Clone, PartialEq)]
pub struct PastState {
    /// Where the event sits in the timeline's log order.
    pub log_index: usize,
    /// Its sequence.
    pub sequence: u64,
    /// What it was, as people say it.
    pub event_type: String,
    /// When the registry recorded it.
    pub recorded_at: String,
    /// The animal after it.
    pub state: CattleState,
}

/// The animal after each event its chain accepts, in log order, folded by the rule every
/// view applies (refused events, which also sit in the timeline, are skipped).
pub fn past_states(envelopes: &[(usize, Result<EventEnvelope, String>)]) -> Vec<PastState> {
    let mut head = ChainHead::default();
    let mut state: Option<StreamState> = None;
    let mut out = Vec::new();
    for (log_index, (_, parsed)) in envelopes.iter().enumerate() {
        let Ok(envelope) = parsed else { continue };
        let Ok(folded) = fold_verified(envelope, &head, state.clone(), true) else {
            continue;
        };
        head = folded.head;
        if let StreamState::Cattle(cattle) = &folded.state {
            out.push(PastState {
                log_index,
                sequence: envelope.metadata.sequence,
                event_type: envelope.metadata.event_type.to_string(),
                recorded_at: envelope.metadata.recorded_at.clone(),
                state: cattle.clone(),
            });
        }
        state = Some(folded.state);
    }
    out
}

/// The slider and the animal as it was; `chosen` is how many accepted events are shown
/// (`None`: all of them, the animal now).
#[component]
pub fn HistorySlider(past: Vec<PastState>, chosen: RwSignal<Option<usize>>) -> impl IntoView {
    let count = past.len();
    if count < 2 {
        return ().into_any();
    }
    let past = StoredValue::new(past);
    let shown = move || chosen.get().unwrap_or(count).clamp(1, count);
    let then = move || past.with_value(|p| p[shown() - 1].clone());
    let fact = |label: &'static str, value: String| {
        view! { <div><dt>{label}</dt><dd>{value}</dd></div> }
    };
    view! {
        <div class="history" data-testid="history">
            <label class="history-pick">
                <span>"Show the animal as it was after event "</span>
                <input
                    type="range"
                    min="1"
                    max=count
                    prop:value=move || shown().to_string()
                    data-testid="history-slider"
                    on:input=move |ev| {
                        let picked = event_target_value(&ev).parse::<usize>().ok();
                        chosen.set(picked.filter(|k| *k < count));
                    }
                />
            </label>
            {move || {
                let then = then();
                let now = chosen.get().is_none();
                let name = event_name_of(&then.event_type);
                let caption = if now {
                    view! { {format!("Now: after event #{} ({name})", then.sequence)} }.into_any()
                } else {
                    view! {
                        {format!("As it was after event #{} ({name}), recorded ", then.sequence)}
                        <LocalTime at=then.recorded_at.clone()/>
                    }
                    .into_any()
                };
                let s = then.state;
                view! {
                    <p class="history-caption" data-testid="history-caption">{caption}</p>
                    <dl class="history-facts" class:now=now data-testid="history-facts">
                        {fact("Status", s.status.to_string())}
                        {fact("Owner (client)", s.client_id.to_string())}
                        {fact("Value", s.current_valuation.map(dollars).unwrap_or_else(|| "not valued".into()))}
                        {fact("Weight", s.weight_kg.map(|kg| format!("{kg} kg")).unwrap_or_else(|| "—".into()))}
                        {fact("Last seen", s.last_location.map(|l| format!("{:.4}, {:.4}", l.latitude, l.longitude)).unwrap_or_else(|| "—".into()))}
                        {fact("Health records", s.health_record_count.to_string())}
                    </dl>
                    <button type="button" class="switch" hidden=now on:click=move |_| chosen.set(None)>
                        "Back to now"
                    </button>
                }
            }}
        </div>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::{
        decide, read_json_lines, seal, verify_next, Command, DecidedEvent, EventDraft,
        SigningKeyPair, SourceSystem,
    };
    use serde_json::json;

    /// Seals `commands` as one animal's chain; each envelope also as a JSON line.
    fn chain(commands: &[serde_json::Value]) -> Vec<EventEnvelope> {
        let key = SigningKeyPair::from_seed([3; 32]);
        let (mut head, mut state, mut out) = (ChainHead::default(), None, Vec::new());
        for (n, wire) in commands.iter().enumerate() {
            let command = Command::parse_valid(wire).expect("a valid command");
            for DecidedEvent {
                event_type,
                payload,
                event_ref,
            } in decide(state.as_ref(), &command).expect("accepted")
            {
                let draft = EventDraft {
                    event_id: format!("evt_{n:04}"),
                    event_type,
                    event_ref,
                    cattle_id: command.cattle_id(),
                    occurred_at: format!("2026-03-{:02}T08:00:00.000Z", n + 1),
                    recorded_at: format!("2026-03-{:02}T08:00:01.000Z", n + 1),
                    correlation_id: None,
                    causation_id: None,
                    source_system: SourceSystem::ICattle,
                    created_by: Some("farmer-1".into()),
                    payload,
                    provenance: None,
                };
                let envelope = seal(draft, &head, &key);
                head = verify_next(&envelope, &head).expect("verifies");
                state = Some(domain::apply(state, &envelope).expect("applies"));
                out.push(envelope);
            }
        }
        out
    }

    #[test]
    fn a_refused_copy_in_the_timeline_is_skipped_and_each_state_is_the_animal_then() {
        let nlis = "3ABCD123XBC12345";
        let id = domain::CattleId::for_nlis(nlis).0;
        let events = chain(&[
            json!({"type": "CREATE_CATTLE", "data": {"nlisId": nlis, "breed": "Angus", "sex": "MALE", "clientId": 7}}),
            json!({"type": "RECORD_VALUATION", "data": {"cattleId": id, "amountCents": 150_000, "method": "MARKET"}}),
            json!({"type": "RECORD_VALUATION", "data": {"cattleId": id, "amountCents": 170_000, "method": "MARKET"}}),
        ]);
        // The timeline as the page gets it: the second event twice (a refused redelivery).
        let lines: Vec<String> = [&events[0], &events[1], &events[1], &events[2]]
            .iter()
            .map(|e| serde_json::to_string(&e.to_json_value()).expect("JSON"))
            .collect();
        let past = past_states(&read_json_lines(&lines.join("\n")));
        let seen: Vec<(usize, u64, Option<i64>)> = past
            .iter()
            .map(|p| (p.log_index, p.sequence, p.state.current_valuation))
            .collect();
        assert_eq!(
            seen,
            [(0, 1, None), (1, 2, Some(150_000)), (3, 3, Some(170_000))]
        );
    }
}
