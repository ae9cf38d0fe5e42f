//! The timeline's line about the signed tree heads: which of the animal's events a head
//! signed by the root key includes, checked in the browser with the domain's proof checks,
//! and a warning when the server serves a head that does not extend one this browser saw.
use leptos::prelude::*;

/// What the browser concluded about the signed tree heads.
#[derive(Clone, Debug, PartialEq)]
pub enum HeadStatus {
    /// Not checked yet (the server renders this; only the browser decides).
    Checking,
    /// No head to check against, and why.
    Unavailable(String),
    /// Events 1..=`up_to` are included in head `number`.
    Included {
        /// The head.
        number: u64,
        /// The newest event it includes.
        up_to: u64,
    },
    /// None of the events is in head `number` yet.
    NotYetIncluded {
        /// The head.
        number: u64,
    },
    /// The head or a proof does not hold: the history shown may not be the log's.
    Warning(String),
}

/// The line above the timeline.
#[component]
pub fn HeadStatusLine(status: RwSignal<HeadStatus>) -> impl IntoView {
    move || {
        match status.get() {
        HeadStatus::Checking => view! {
            <p class="muted small head-status" data-testid="head-status" data-state="checking">
                "Checking the signed tree head…"
            </p>
        }
        .into_any(),
        HeadStatus::Unavailable(reason) => view! {
            <p class="muted small head-status" data-testid="head-status" data-state="unavailable">
                "Not checked against a signed tree head: " {reason}
            </p>
        }
        .into_any(),
        HeadStatus::Included { number, up_to } => view! {
            <p class="small head-status" data-testid="head-status" data-state="included" data-head=number>
                "✔ Events 1–" {up_to} " are included in signed tree head #" {number}
                ", checked in your browser against the server's root key."
            </p>
        }
        .into_any(),
        HeadStatus::NotYetIncluded { number } => view! {
            <p class="muted small head-status" data-testid="head-status" data-state="not-yet" data-head=number>
                "These events are newer than signed tree head #" {number} "; the next head will include them."
            </p>
        }
        .into_any(),
        HeadStatus::Warning(warning) => view! {
            <div class="head-warning" role="alert" data-testid="head-warning">
                <strong>"Warning: "</strong> {warning}
            </div>
        }
        .into_any(),
    }
    }
}

/// The badge of an event included in a head, if it is.
pub fn in_head_badge(status: &HeadStatus, sequence: u64) -> Option<AnyView> {
    match status {
        HeadStatus::Included { number, up_to } if sequence <= *up_to => Some(
            view! {
                <span class="badge in-head" data-head=*number title="included in a signed tree head">
                    "in head #" {*number}
                </span>
            }
            .into_any(),
        ),
        _ => None,
    }
}

/// Checks the heads for these envelopes (one animal's, in log order) and sets `status`.
#[cfg(feature = "hydrate")]
pub fn watch_heads(envelopes: Vec<String>, status: RwSignal<HeadStatus>) {
    leptos::task::spawn_local(async move {
        status.set(browser::head_status(&envelopes).await);
    });
}

/// The root key this browser saw sign a tree head before, if any: the key stream must be
/// signed by it too.
#[cfg(feature = "hydrate")]
pub fn trusted_root_key() -> Option<String> {
    browser::remembered_root_key()
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::HeadStatus;
    use crate::components::event_timeline::fetch_text;
    use crate::model::{included_up_to, judge_head, proof_needed, HeadJudgement, ROOT_KEY_OWNER};
    use domain::{read_json_lines, EventEnvelope, InclusionProof, PartitionConsistency, TreeHead};
    use serde::{Deserialize, Serialize};
    use serde_json::Value;

    /// Where the browser keeps the newest head it saw, with the key that signed it.
    const REMEMBERED: &str = "icattle.tree-head";

    /// What `GET /api/cattle/{id}/inclusion` answers.
    #[derive(Deserialize)]
    struct Inclusion {
        head: Option<TreeHead>,
        proof: Option<InclusionProof>,
    }

    #[derive(Serialize, Deserialize)]
    struct Remembered {
        root_key: String,
        head: TreeHead,
    }

    fn storage() -> Option<web_sys::Storage> {
        leptos::prelude::window().local_storage().ok().flatten()
    }

    fn remembered() -> Option<Remembered> {
        let text = storage()?.get_item(REMEMBERED).ok().flatten()?;
        serde_json::from_str(&text).ok()
    }

    pub fn remembered_root_key() -> Option<String> {
        remembered().map(|kept| kept.root_key)
    }

    fn remember(root_key: &str, head: &TreeHead) {
        let kept = Remembered {
            root_key: root_key.to_string(),
            head: head.clone(),
        };
        if let (Some(storage), Ok(text)) = (storage(), serde_json::to_string(&kept)) {
            let _ = storage.set_item(REMEMBERED, &text);
        }
    }

    async fn root_key() -> Result<String, String> {
        let keys: Vec<Value> = serde_json::from_str(&fetch_text("/api/keys").await?)
            .map_err(|error| format!("the published keys do not read: {error}"))?;
        keys.iter()
            .find(|key| key["owner"] == ROOT_KEY_OWNER)
            .and_then(|key| key["public_key"].as_str())
            .map(str::to_string)
            .ok_or_else(|| "the server publishes no root key".into())
    }

    async fn consistency(from: u64, to: u64) -> Option<Vec<PartitionConsistency>> {
        let text = fetch_text(&format!("/api/heads/consistency?from={from}&to={to}"))
            .await
            .ok()?;
        let answer: Value = serde_json::from_str(&text).ok()?;
        serde_json::from_value(answer["partitions"].clone()).ok()
    }

    pub async fn head_status(envelopes: &[String]) -> HeadStatus {
        let parsed: Vec<EventEnvelope> = read_json_lines(&envelopes.join("\n"))
            .into_iter()
            .filter_map(|(_, read)| read.ok())
            .collect();
        if parsed.is_empty() {
            return HeadStatus::Unavailable("no events".into());
        }
        let root = match root_key().await {
            Ok(root) => root,
            Err(reason) => return HeadStatus::Unavailable(reason),
        };
        let cattle_id = parsed[0].metadata.cattle_id.0;
        let answer = match fetch_text(&format!("/api/cattle/{cattle_id}/inclusion")).await {
            Ok(text) => serde_json::from_str::<Inclusion>(&text)
                .map_err(|error| format!("the server's tree head does not read: {error}")),
            Err(reason) => {
                return HeadStatus::Unavailable(format!("the signed tree head: {reason}"))
            }
        };
        let (served, proof) = match answer {
            Ok(Inclusion {
                head: Some(head),
                proof,
            }) => (head, proof),
            Ok(Inclusion { head: None, .. }) => {
                return HeadStatus::Unavailable("no tree head has been signed yet".into())
            }
            Err(warning) => return HeadStatus::Warning(warning),
        };
        let seen = remembered();
        if let Some(seen) = &seen {
            if seen.root_key != root {
                return HeadStatus::Warning(format!(
                    "the server's root key is now {root}, but this browser saw heads signed by {}; \
                     the log's history may have been rewritten",
                    seen.root_key
                ));
            }
        }
        let seen_head = seen.map(|seen| seen.head);
        let proofs = match seen_head
            .as_ref()
            .and_then(|seen| proof_needed(seen, &served))
        {
            Some((from, to)) => consistency(from, to).await,
            None => None,
        };
        match judge_head(&served, &root, seen_head.as_ref(), proofs.as_deref()) {
            HeadJudgement::Trusted { remember: newest } => remember(&root, &newest),
            HeadJudgement::Unsigned(reason) => {
                return HeadStatus::Warning(format!(
                    "the server served a tree head that does not check out: {reason}"
                ))
            }
            HeadJudgement::Inconsistent {
                seen,
                served,
                reason,
            } => {
                return HeadStatus::Warning(format!(
                    "the server served signed tree head #{served}, which is not consistent with \
                     head #{seen} this browser saw before: {reason}. The log's history may have \
                     been rewritten; do not rely on it until this is explained."
                ))
            }
        }
        let number = served.number();
        let Some(proof) = proof else {
            return HeadStatus::NotYetIncluded { number };
        };
        match included_up_to(&served, &parsed, &proof) {
            Ok(up_to) => HeadStatus::Included { number, up_to },
            Err(reason) => HeadStatus::Warning(format!(
                "head #{number}'s inclusion proof does not hold: {reason}"
            )),
        }
    }
}
