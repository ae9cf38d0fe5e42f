use crate::components::{CommandForm, FormField, Input};
use crate::model::{ClientReference, CommandFailure};
use crate::server_fns::{client_for_pic, flat};
use leptos::prelude::*;
use serde_json::json;

/// Offering an animal to another farmer's client: the farmer types the PIC they were given,
/// the registry answers with that client's id (and nothing more), and the offer waits for
/// the other farmer to accept it.
#[component]
pub fn OfferByPic(cattle_id: i64) -> impl IntoView {
    let pic = RwSignal::new(String::new());
    let find = Action::new(|pic: &String| {
        let pic = pic.clone();
        async move { (pic.clone(), flat(client_for_pic(pic).await)) }
    });
    let on_find = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        find.dispatch(pic.get_untracked());
    };
    let error = move || match find.value().get() {
        Some((_, Err(CommandFailure::Invalid { errors }))) => errors
            .into_iter()
            .map(|e| e.message)
            .collect::<Vec<_>>()
            .join("; "),
        Some((_, Err(failure))) => failure.to_string(),
        Some((asked, Ok(None))) => format!("No client is registered with PIC {asked}."),
        _ => String::new(),
    };
    let found = move || match find.value().get() {
        Some((_, Ok(Some(client)))) => Some(client),
        _ => None,
    };
    view! {
        <div class="command-form offer-by-pic">
            <h3>"Offer to another farmer's client"</h3>
            <form on:submit=on_find novalidate data-testid="pic-lookup">
                <div class="field" class:invalid=move || !error().is_empty()>
                    <label for="field-offer-pic">"Their PIC"</label>
                    <input
                        id="field-offer-pic"
                        name="pic"
                        placeholder="QXYZ5678"
                        prop:value=move || pic.get()
                        on:input=move |ev| pic.set(event_target_value(&ev))
                    />
                    <p class="field-error" data-error-for="pic" role="alert">{error}</p>
                </div>
                <button type="submit">"Find client"</button>
            </form>
            {move || found().map(|client| view! { <OfferTo cattle_id client/> })}
        </div>
    }
}

/// The offer itself, once the PIC named a client.
#[component]
fn OfferTo(cattle_id: i64, client: ClientReference) -> impl IntoView {
    let fixed = vec![
        ("cattleId", json!(cattle_id)),
        ("toClientId", json!(client.id)),
    ];
    view! {
        <p class="muted small" data-testid="pic-found">
            "PIC " {client.pic.clone()} " is client " {client.id}
            ". Their farmer must accept before the animal moves."
        </p>
        <CommandForm command_type="TRANSFER_OWNERSHIP" title="" submit_label="Offer"
            fixed
            fields=vec![
                FormField::new("priceCents", "Price in dollars (optional)", Input::Dollars).hint("1850.00"),
            ]/>
    }
}
