//! "Use this device's position": a phone in the paddock knows where it is better than a
//! person typing coordinates.
use super::command_encoding::FormField;
use leptos::prelude::*;

/// A button that fills a form's latitude and longitude from the device's position, when
/// the form has both boxes; asked for only on the click, as browsers require.
pub fn position_button(
    fields: &[FormField],
    values: &[RwSignal<String>],
) -> Option<impl IntoView + use<>> {
    let value_of = |name: &str| {
        fields
            .iter()
            .position(|f| f.name == name)
            .and_then(|i| values.get(i).copied())
    };
    let (latitude, longitude) = (value_of("latitude")?, value_of("longitude")?);
    Some(view! { <DevicePosition latitude longitude/> })
}

/// The button and what became of the last request for the position.
#[component]
fn DevicePosition(latitude: RwSignal<String>, longitude: RwSignal<String>) -> impl IntoView {
    let said = RwSignal::new(String::new());
    let locate = move |_| {
        #[cfg(feature = "hydrate")]
        browser::locate(latitude, longitude, said);
        #[cfg(not(feature = "hydrate"))]
        let _ = (latitude, longitude);
    };
    view! {
        <div class="device-position">
            <button type="button" class="secondary" data-testid="use-position" on:click=locate>
                "Use this device's position"
            </button>
            <span class="muted small" data-testid="position-state" aria-live="polite">
                {move || said.get()}
            </span>
        </div>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use leptos::prelude::*;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    use web_sys::{Position, PositionError, PositionOptions};

    /// How long the device may take to find itself before the form says so.
    const WAIT_MS: u32 = 20_000;

    pub fn locate(latitude: RwSignal<String>, longitude: RwSignal<String>, said: RwSignal<String>) {
        let Ok(geolocation) = window().navigator().geolocation() else {
            said.set("This browser cannot tell where it is; type the position in.".into());
            return;
        };
        said.set("Finding this device's position…".into());
        let found = Closure::once_into_js(move |position: Position| {
            let coords = position.coords();
            latitude.set(format!("{:.6}", coords.latitude()));
            longitude.set(format!("{:.6}", coords.longitude()));
            said.set(format!(
                "Filled in from this device (within {:.0} m).",
                coords.accuracy()
            ));
        });
        let failed = Closure::once_into_js(move |error: PositionError| {
            said.set(
                match error.code() {
                    PositionError::PERMISSION_DENIED => {
                        "The browser was not allowed to share its position; type it in."
                    }
                    PositionError::TIMEOUT => {
                        "Finding the position took too long; try again or type it in."
                    }
                    _ => "This device could not find its position; type it in.",
                }
                .into(),
            )
        });
        let options = PositionOptions::new();
        options.set_enable_high_accuracy(true);
        options.set_timeout(WAIT_MS);
        if geolocation
            .get_current_position_with_error_callback_and_options(
                found.unchecked_ref(),
                Some(failed.unchecked_ref()),
                &options,
            )
            .is_err()
        {
            said.set("This browser cannot tell where it is; type the position in.".into());
        }
    }
}
