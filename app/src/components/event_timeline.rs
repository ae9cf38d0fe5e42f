use super::head_check::{in_head_badge, HeadStatus, HeadStatusLine};
use super::history_slider::{past_states, HistorySlider};
use super::local_time::LocalTime;
use crate::model::{event_in_words, event_name};
use domain::{read_json_lines, verify_json_lines, KeyRegistry};
use leptos::prelude::*;
use std::collections::BTreeMap;

/// What the browser concluded about one event.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    /// Not checked yet (the server renders this; only the browser decides).
    Checking,
    /// Signature, payload hash and chain link hold against the published keys.
    Verified,
    /// Why it does not verify.
    Broken(String),
}

/// Who created an event, as a page shows it: "you" for the reader's own events, the
/// author's user id otherwise, "system" for the registry's own.
pub fn author(created_by: Option<&str>, me: &str) -> String {
    match created_by {
        Some(id) if id == me => "you".into(),
        Some(id) => id.to_string(),
        None => "system".into(),
    }
}

/// Verifies the timeline's envelopes, in log order, against the keys the key stream makes
/// (or why there are none), the way every consumer does: one verdict per envelope.
pub fn verdicts(envelopes: &[String], keys: Result<KeyRegistry, String>) -> Vec<Verdict> {
    let keys = match keys {
        Ok(keys) => keys,
        Err(reason) => {
            return envelopes
                .iter()
                .map(|_| Verdict::Broken(reason.clone()))
                .collect();
        }
    };
    let report = verify_json_lines(&envelopes.join("\n"), &keys);
    let mut out = vec![Verdict::Broken("unreadable envelope".into()); envelopes.len()];
    for verdict in report.verdicts() {
        if let Some(slot) = out.get_mut(verdict.index) {
            *slot = match &verdict.outcome {
                Ok(()) => Verdict::Verified,
                Err(failure) => Verdict::Broken(failure.to_string()),
            };
        }
    }
    for unreadable in &report.unreadable {
        if let Some(slot) = out.get_mut(unreadable.index) {
            *slot = Verdict::Broken(format!("unreadable envelope: {}", unreadable.reason));
        }
    }
    out
}

/// The animal's events, newest first, each with a badge the browser computes with the
/// `domain` verifier (compiled to wasm) against the keys the key stream makes under the root
/// key this browser trusts.
#[component]
pub fn EventTimeline(
    /// The envelopes as JSON text, in log order.
    envelopes: Vec<String>,
    /// The reader's user id, to mark their own events.
    me: String,
    /// The names of the clients the reader knows, to say sales by name.
    #[prop(optional)]
    client_names: BTreeMap<i64, String>,
) -> impl IntoView {
    let checked = RwSignal::new(Vec::<Verdict>::new());
    let head_status = RwSignal::new(HeadStatus::Checking);
    #[cfg(feature = "hydrate")]
    {
        super::head_check::watch_heads(envelopes.clone(), head_status);
        let to_check = envelopes.clone();
        Effect::new(move |_| {
            let to_check = to_check.clone();
            leptos::task::spawn_local(async move {
                let keys = match browser::fetch_text("/api/keys/stream").await {
                    Ok(served) => crate::model::keys_of_stream(
                        &served,
                        super::head_check::trusted_root_key().as_deref(),
                    ),
                    Err(reason) => Err(format!("the key stream could not be fetched: {reason}")),
                };
                checked.set(verdicts(&to_check, keys));
            });
        });
    }
    if envelopes.is_empty() {
        return view! { <p class="empty">"No events."</p> }.into_any();
    }
    let read = read_json_lines(&envelopes.join("\n"));
    let past = past_states(&read);
    let chosen = RwSignal::new(None::<usize>);
    // The log index of the last event shown; later ones are greyed while looking back.
    let last_shown = StoredValue::new(past.iter().map(|p| p.log_index).collect::<Vec<_>>());
    let later = move |index: usize| {
        chosen
            .get()
            .and_then(|k| last_shown.with_value(|shown| shown.get(k.checked_sub(1)?).copied()))
            .is_some_and(|last| index > last)
    };
    let rows = read
        .into_iter()
        .enumerate()
        .rev()
        .map(|(index, (_, parsed))| {
            let badge = move || match checked.with(|c| c.get(index).cloned()) {
                None | Some(Verdict::Checking) => view! {
                    <span class="badge checking" data-verdict="checking">"checking…"</span>
                }
                .into_any(),
                Some(Verdict::Verified) => view! {
                    <span class="badge verified" data-verdict="verified">"✔ verified"</span>
                }
                .into_any(),
                Some(Verdict::Broken(reason)) => view! {
                    <span class="badge broken" data-verdict="broken" title=reason.clone()>
                        "✘ broken: " {reason.clone()}
                    </span>
                }
                .into_any(),
            };
            match parsed {
                Ok(envelope) => {
                    let m = envelope.metadata;
                    let sequence = m.sequence;
                    let in_head = move || head_status.with(|status| in_head_badge(status, sequence));
                    let words = event_in_words(
                        m.event_type,
                        m.schema_version,
                        &envelope.payload,
                        &client_names,
                    );
                    view! {
                        <li
                            class="event"
                            class:later=move || later(index)
                            data-event-id=m.event_id.clone()
                            data-sequence=m.sequence
                        >
                            <div class="event-head">
                                <span class="event-type" data-event-type=m.event_type.as_str()>
                                    {event_name(m.event_type)}
                                </span>
                                <span class="event-badges">{badge} {in_head}</span>
                            </div>
                            {words.map(|words| view! { <p class="event-words">{words}</p> })}
                            <div class="muted small">
                                <LocalTime at=m.recorded_at.clone()/> " · "
                                {author(m.created_by.as_deref(), &me)}
                            </div>
                            <details class="ids">
                                <summary>"Details"</summary>
                                "Event #" {m.sequence} " · " <code>{m.event_type.as_str()}</code>
                                " · " <code>{m.event_id.clone()}</code>
                            </details>
                        </li>
                    }
                    .into_any()
                }
                Err(reason) => view! {
                    <li class="event">
                        <div class="event-head"><span class="event-type">"unreadable"</span>{badge}</div>
                        <div class="muted small">{reason}</div>
                    </li>
                }
                .into_any(),
            }
        })
        .collect_view();
    view! {
        <HistorySlider past=past chosen=chosen/>
        <HeadStatusLine status=head_status/>
        <ol class="timeline" data-testid="timeline">{rows}</ol>
    }
    .into_any()
}

#[cfg(feature = "hydrate")]
pub(crate) use browser::fetch_text;

#[cfg(feature = "hydrate")]
mod browser {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;

    /// GETs a same-origin URL and returns its body as text.
    pub async fn fetch_text(url: &str) -> Result<String, String> {
        let window = leptos::prelude::window();
        let response = JsFuture::from(window.fetch_with_str(url))
            .await
            .map_err(|e| format!("{e:?}"))?;
        let response: web_sys::Response = response.dyn_into().map_err(|e| format!("{e:?}"))?;
        if !response.ok() {
            return Err(format!("HTTP {}", response.status()));
        }
        let text = JsFuture::from(response.text().map_err(|e| format!("{e:?}"))?)
            .await
            .map_err(|e| format!("{e:?}"))?;
        text.as_string().ok_or_else(|| "not text".into())
    }
}
