//! An instant as the reader's clock says it.
use crate::model::readable_instant;
use leptos::prelude::*;

/// An instant of the registry (RFC 3339, UTC) in the reader's time zone and language, e.g.
/// "3 Dec 2026, 9:52 am". The server renders it in UTC ("2 Dec 2026, 23:52 UTC"), which is
/// what the page shows until it runs in the browser; the exact instant stays in `datetime`.
#[component]
pub fn LocalTime(
    /// The instant, as the registry keeps it.
    #[prop(into)]
    at: String,
) -> impl IntoView {
    let shown = RwSignal::new(readable_instant(&at));
    // Effects run only in the browser, after hydration, so both sides render the same first.
    #[cfg(feature = "hydrate")]
    {
        let at = at.clone();
        Effect::new(move |_| {
            if let Some(local) = browser_local(&at) {
                shown.set(local);
            }
        });
    }
    view! { <time datetime=at.clone() title=at>{move || shown.get()}</time> }
}

#[cfg(feature = "hydrate")]
fn browser_local(rfc3339: &str) -> Option<String> {
    use wasm_bindgen::JsValue;
    let date = js_sys::Date::new(&JsValue::from_str(rfc3339));
    if date.get_time().is_nan() {
        return None;
    }
    let options = js_sys::Object::new();
    for (key, value) in [("dateStyle", "medium"), ("timeStyle", "short")] {
        js_sys::Reflect::set(&options, &key.into(), &value.into()).ok()?;
    }
    Some(String::from(date.to_locale_string("default", &options)))
}
