use crate::components::{dollars, CommandForm};
use crate::live_bus::use_live_bus;
use crate::model::{readable_day, LiveUpdate, TransferOffer, ViewName};
use crate::server_fns::{flat, waiting_offers};
use domain::EventType;
use leptos::prelude::*;
use serde_json::json;

/// Whether an update may start, answer or end an offer.
fn changes_offers(update: &LiveUpdate) -> bool {
    matches!(update, LiveUpdate::CattleChanged { view, event_type, .. }
    if *view == ViewName::GoldenRecord
        && matches!(
            event_type,
            EventType::TransferOffered
                | EventType::TransferDeclined
                | EventType::OwnershipTransfer
        ))
}

/// Transfers waiting for acceptance: the ones offered to the user's clients, to accept or
/// decline, and the user's own, to withdraw. Shows nothing when there are none.
#[component]
pub fn OffersWaiting() -> impl IntoView {
    let bus = use_live_bus();
    let version = bus.changes(changes_offers);
    let offers = Resource::new(
        move || version.get(),
        |_| async { flat(waiting_offers().await) },
    );
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match offers.await {
                    Ok(offers) if offers.incoming.is_empty() && offers.outgoing.is_empty() => ().into_any(),
                    Ok(offers) => view! {
                        <div class="panel offers" data-testid="offers">
                            {(!offers.incoming.is_empty()).then(|| view! {
                                <h2>"Transfers waiting for your answer"</h2>
                                <ul class="offer-list" data-testid="offers-incoming">
                                    {offers.incoming.into_iter().map(|offer| view! { <Offer offer incoming=true/> }).collect_view()}
                                </ul>
                            })}
                            {(!offers.outgoing.is_empty()).then(|| view! {
                                <h2>"Your offers waiting for the other farmer"</h2>
                                <ul class="offer-list" data-testid="offers-outgoing">
                                    {offers.outgoing.into_iter().map(|offer| view! { <Offer offer incoming=false/> }).collect_view()}
                                </ul>
                            })}
                        </div>
                    }.into_any(),
                    Err(failure) => view! {
                        <p class="error-state" role="alert">
                            "Transfers waiting for an answer could not be loaded: " {failure.to_string()}
                        </p>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

/// One offer with the answers the user may give.
#[component]
fn Offer(offer: TransferOffer, incoming: bool) -> impl IntoView {
    let fixed = vec![("cattleId", json!(offer.cattle_id))];
    let price = offer
        .price_cents
        .map(|cents| format!(" for {}", dollars(cents)))
        .unwrap_or_default();
    let since = readable_day(&offer.offered_at);
    let parties = if incoming {
        format!(
            "from PIC {} to your client PIC {}",
            offer.from_client.pic, offer.to_client.pic
        )
    } else {
        format!("to PIC {}", offer.to_client.pic)
    };
    view! {
        <li class="offer" data-cattle-id=offer.cattle_id>
            <div class="offer-facts">
                <p>
                    <span class="mono">{offer.nlis_id.clone()}</span>
                    " · " {offer.breed.clone()} " · " {offer.sex.clone()}
                    " · confidence " {offer.confidence_score} " (" {offer.risk_level.clone()} ")"
                </p>
                <p class="muted small">{parties}{price}", offered " {since}</p>
            </div>
            <div class="offer-answers">
                {if incoming {
                    view! {
                        <CommandForm command_type="ACCEPT_TRANSFER" title="" submit_label="Accept" fixed=fixed.clone() fields=vec![]/>
                        <CommandForm command_type="DECLINE_TRANSFER" title="" submit_label="Decline" fixed=fixed fields=vec![]/>
                    }.into_any()
                } else {
                    view! {
                        <CommandForm command_type="DECLINE_TRANSFER" title="" submit_label="Withdraw" fixed=fixed fields=vec![]/>
                    }.into_any()
                }}
            </div>
        </li>
    }
}
