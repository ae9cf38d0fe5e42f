//! The operations page's key registry, as the key stream makes it: every key, whose it is,
//! whose events it may sign, since when, and whether it was revoked. Disabling an account
//! revokes its key (what it signed before still verifies); enabling it gives a new key.
use crate::components::LocalTime;
use crate::model::{KeyReach, SigningKey};
use crate::server_fns::{flat, signing_keys};
use leptos::prelude::*;

/// The panel; `tick` moves when the page reads the server again.
#[component]
pub fn SigningKeysPanel(tick: RwSignal<u64>) -> impl IntoView {
    let keys = Resource::new(move || tick.get(), |_| async { flat(signing_keys().await) });
    view! {
        <div class="panel" data-testid="signing-keys">
            <h2>"Signing keys"</h2>
            <p class="muted small">
                "Every key the key stream registered, signed by the server's root key. The server's "
                "keys sign for anyone (its producers, the fraud detector); a user's key signs only "
                "that user's own events, and nothing from its revocation on. Browsers and "
                <code>"icattle verify"</code> " build the same keys from the stream at "
                <a href="/api/keys/stream">"/api/keys/stream"</a> " (listed at "
                <a href="/api/keys">"/api/keys"</a> ")."
            </p>
            <Transition fallback=|| view! { <p class="loading">"Reading the keys…"</p> }>
                {move || Suspend::new(async move {
                    match keys.await {
                        Ok(keys) => view! {
                            <table class="herd" data-testid="signing-key-list">
                                <thead><tr>
                                    <th>"Holder"</th><th>"Role"</th><th>"Signs for"</th>
                                    <th>"Since"</th><th>"State"</th><th>"Public key"</th>
                                </tr></thead>
                                <tbody>
                                    {keys.into_iter().map(|key| view! { <KeyRow key/> }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                        Err(failure) => view! {
                            <p class="error-state" role="alert">{failure.to_string()}</p>
                        }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

#[component]
fn KeyRow(key: SigningKey) -> impl IntoView {
    let short = format!("{}…", key.public_key.get(..16).unwrap_or(&key.public_key));
    let reach = match key.reach {
        KeyReach::Anyone => "anyone's events",
        KeyReach::Holder => "their own events",
    };
    let role = key
        .role
        .map(|role| role.as_str().to_lowercase())
        .unwrap_or_else(|| "server".into());
    let state = match &key.disabled_since {
        Some(since) => view! {
            <span class="badge broken">"revoked"</span>
            <span class="muted small">" since " <LocalTime at=since.clone()/> ": signs nothing new"</span>
        }
        .into_any(),
        None => view! { <span class="badge verified">"in use"</span> }.into_any(),
    };
    view! {
        <tr data-holder=key.holder.clone() data-disabled=key.disabled_since.is_some().to_string()>
            <td>{key.holder.clone()}</td>
            <td>{role}</td>
            <td>{reach}</td>
            <td>{match key.since {
                Some(since) => view! { <LocalTime at=since/> }.into_any(),
                None => view! { <span class="muted">"its first start"</span> }.into_any(),
            }}</td>
            <td>{state}</td>
            <td class="mono" title=key.public_key.clone()>{short}</td>
        </tr>
    }
}
