use crate::model::OutboxEntry;
use crate::outbox::Outbox;
use leptos::prelude::*;

/// "Outbox (2)" in the navigation while commands wait in this browser; nothing otherwise.
#[component]
pub fn OutboxLink() -> impl IntoView {
    let outbox = use_context::<Outbox>().unwrap_or_default();
    move || {
        let count = outbox.entries().len();
        (count > 0).then(|| {
            let waiting = outbox.waiting();
            view! {
                <a href="/outbox" class="outbox-link" data-testid="outbox-link" data-waiting=waiting>
                    "Outbox (" {count} ")"
                </a>
            }
        })
    }
}

/// The commands this browser keeps for the signed-in user until the registry has them:
/// what each is, since when it waits, why the last send failed or why it was refused.
#[component]
pub fn OutboxPage() -> impl IntoView {
    let outbox = use_context::<Outbox>().unwrap_or_default();
    view! {
        <section class="panel outbox" data-testid="outbox">
            <h1>"Outbox"</h1>
            <p class="muted">
                "Commands made with no connection wait here, in this browser, and are sent in the \
                 order they were made when you are back online. Each keeps the name it was given \
                 when made, so one sent twice is recorded once."
            </p>
            <p class="outbox-actions">
                <button
                    data-testid="outbox-send"
                    disabled=move || outbox.sending() || outbox.waiting() == 0
                    on:click=move |_| outbox.send_now()
                >
                    {move || if outbox.sending() { "Sending…" } else { "Send now" }}
                </button>
                {move || outbox.problem().map(|problem| view! {
                    <span class="error-state" role="alert">{problem}</span>
                })}
            </p>
            {move || {
                let entries = outbox.entries();
                if entries.is_empty() {
                    return view! { <p class="empty" data-testid="outbox-empty">"Nothing waits to be sent."</p> }.into_any();
                }
                view! {
                    <table class="outbox-table">
                        <thead><tr><th>"Made"</th><th>"Command"</th><th>"State"</th></tr></thead>
                        <tbody>
                            {entries.into_iter().map(|entry| view! { <OutboxRow entry outbox/> }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn OutboxRow(entry: OutboxEntry, outbox: Outbox) -> impl IntoView {
    let what = match entry.cattle_id() {
        Some(id) => view! { <a href=format!("/cattle/{id}")>{entry.summary()}</a> }.into_any(),
        None => view! { <span>{entry.summary()}</span> }.into_any(),
    };
    let made = local_time(&entry.queued_at);
    let state = match (&entry.refused, &entry.last_failure) {
        (Some(reason), _) => {
            let id = entry.command_id.clone();
            view! {
                <span class="error-state" data-state="REFUSED">"Refused: " {reason.clone()}</span>
                " "
                <button class="discard" data-testid="outbox-discard" on:click=move |_| outbox.discard(id.clone())>
                    "Discard"
                </button>
            }
            .into_any()
        }
        (None, Some(failure)) => view! {
            <span class="pending" data-state="WAITING">
                "Waiting; not sent yet after " {entry.attempts} " tries: " {failure.clone()}
            </span>
        }
        .into_any(),
        (None, None) => {
            view! { <span class="pending" data-state="WAITING">"Waiting to be sent"</span> }
                .into_any()
        }
    };
    view! {
        <tr data-testid="outbox-entry" data-command-id=entry.command_id.clone()>
            <td class="made">{made.clone()}</td>
            <td>{what}<span class="made-inline muted">{made}</span></td>
            <td>{state}</td>
        </tr>
    }
}

/// When an entry was made, on the browser's clock and in its language (the server, which
/// never lists entries, shows the stored time).
fn local_time(rfc3339: &str) -> String {
    #[cfg(feature = "hydrate")]
    {
        let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(rfc3339));
        if !date.get_time().is_nan() {
            return String::from(
                date.to_locale_string("default", &wasm_bindgen::JsValue::UNDEFINED),
            );
        }
    }
    rfc3339.to_string()
}
