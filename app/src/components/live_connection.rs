use crate::model::LiveUpdate;
use leptos::prelude::*;

/// The WebSocket to `/ws`: shows whether it is connected and hands every pushed update
/// to `on_update`. It reconnects by itself after a drop.
#[component]
pub fn LiveConnection(
    on_update: impl Fn(LiveUpdate) + Clone + Send + Sync + 'static,
) -> impl IntoView {
    let connected = RwSignal::new(false);
    // Effects run only in the browser: the server renders the "connecting" state.
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        browser::connect(connected, on_update.clone());
        #[cfg(not(feature = "hydrate"))]
        let _ = &on_update;
    });
    view! {
        <span
            class="live"
            class:on=move || connected.get()
            data-testid="live-status"
            data-live=move || if connected.get() { "connected" } else { "connecting" }
        >
            {move || if connected.get() { "● live" } else { "○ connecting…" }}
        </span>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::LiveUpdate;
    use leptos::prelude::*;
    use wasm_bindgen::{closure::Closure, JsCast};
    use web_sys::{MessageEvent, WebSocket};

    /// How long to wait before reconnecting after the socket closed.
    const RECONNECT_MS: i32 = 1_000;

    pub fn connect(connected: RwSignal<bool>, on_update: impl Fn(LiveUpdate) + Clone + 'static) {
        let location = window().location();
        let scheme = match location.protocol().as_deref() {
            Ok("https:") => "wss",
            _ => "ws",
        };
        let Ok(host) = location.host() else { return };
        let Ok(socket) = WebSocket::new(&format!("{scheme}://{host}/ws")) else {
            return;
        };

        let on_open = Closure::<dyn FnMut()>::new(move || connected.set(true));
        socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        on_open.forget();

        let handler = on_update.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            if let Some(text) = event.data().as_string() {
                if let Ok(update) = serde_json::from_str::<LiveUpdate>(&text) {
                    handler(update);
                }
            }
        });
        socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();

        let on_close = Closure::<dyn FnMut()>::new(move || {
            connected.set(false);
            let again = on_update.clone();
            let retry = Closure::<dyn FnMut()>::new(move || connect(connected, again.clone()));
            let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(
                retry.as_ref().unchecked_ref(),
                RECONNECT_MS,
            );
            retry.forget();
        });
        socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        on_close.forget();
    }
}
