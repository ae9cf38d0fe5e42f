use super::offer_by_pic::OfferByPic;
use crate::components::{ActionBar, BarAction, CommandForm, FormField, Input};
use crate::model::{readable_day, ClientSummary, SignedInUser};
use domain::{
    CattleState, CattleStatus, FraudResolution, HealthKind, PendingTransfer, Role, ValuationMethod,
    VerificationKind,
};
use leptos::prelude::*;
use serde_json::json;

fn choices<T: Copy>(all: &[T], name: impl Fn(&T) -> &'static str) -> Input {
    Input::Choice(
        all.iter()
            .map(|v| (name(v).to_string(), name(v).to_string()))
            .collect(),
    )
}

/// The forms the user's role allows on this animal: a farmer acts on their own clients'
/// animals; an assessor values, verifies and resolves alerts.
#[component]
pub fn AnimalActions(
    user: SignedInUser,
    mine: bool,
    state: CattleState,
    clients: Vec<ClientSummary>,
) -> impl IntoView {
    match user.role {
        Role::Farmer if mine => view! { <FarmerActions state clients/> }.into_any(),
        Role::Assessor => view! { <AssessorActions state/> }.into_any(),
        Role::Farmer => view! {
            <p class="muted">"This animal belongs to another farmer's client: you can see it, not act on it."</p>
        }
        .into_any(),
        Role::Admin => view! {
            <p class="muted">"Administrators manage users; livestock commands are for farmers and assessors."</p>
        }
        .into_any(),
    }
}

/// The farmer's actions on their own animal, one open at a time.
#[component]
fn FarmerActions(state: CattleState, clients: Vec<ClientSummary>) -> impl IntoView {
    let fixed = vec![("cattleId", json!(state.cattle_id.0))];
    let scope = format!("cattle-{}", state.cattle_id.0);
    let pending = state.pending_transfer.clone();
    let mut actions = Vec::new();
    if pending.is_none() {
        let transfer = view! { <TransferForms state=state.clone() clients/> };
        actions.push(BarAction::new("TRANSFER_OWNERSHIP", "Transfer", transfer));
    }
    actions.extend([
            BarAction::new("RECORD_HEALTH", "Health", view! {
                <CommandForm command_type="RECORD_HEALTH" title="Record health" submit_label="Record health"
                    fixed=fixed.clone()
                    fields=vec![
                        FormField::new("kind", "Kind", choices(HealthKind::ALL, HealthKind::as_str)),
                        FormField::new("notes", "Notes", Input::Text).hint("7-in-1 booster"),
                        FormField::new("weightKg", "Weight kg (optional)", Input::Decimal).hint("420"),
                        FormField::new("product", "Product (optional)", Input::Text).hint("Oxytetracycline"),
                        FormField::new("dose", "Dose (optional)", Input::Text).hint("10 ml"),
                        FormField::new("route", "Route (optional)", Input::Text).hint("subcutaneous"),
                        FormField::new("batch", "Batch (optional)", Input::Text).hint("B-2291"),
                        FormField::new("withholdingDays", "Withholding days (optional)", Input::Integer).hint("28"),
                    ]/>
            }),
            BarAction::new("RECORD_LOCATION", "Location", view! {
                <CommandForm command_type="RECORD_LOCATION" title="Record location" submit_label="Record location"
                    fixed=fixed.clone()
                    fields=vec![
                        FormField::new("latitude", "Latitude", Input::Decimal).hint("-27.4698"),
                        FormField::new("longitude", "Longitude", Input::Decimal).hint("153.0251"),
                        FormField::new("paddock", "Paddock (optional)", Input::Text).hint("River flat"),
                        FormField::new("pic", "PIC (optional)", Input::Tag).hint("QABC1234"),
                    ]/>
            }),
            BarAction::new("ASSIGN_MOB", "Mob", view! {
                <CommandForm command_type="ASSIGN_MOB" title="Put in a mob" submit_label="Save mob"
                    fixed=fixed.clone()
                    fields=vec![
                        FormField::new("mob", "Mob (leave empty to take it out of its mob)", Input::Text)
                            .hint("Weaners 2026"),
                    ]/>
            }),
            BarAction::new("ADD_VERIFICATION", "Verify", view! {
                <CommandForm command_type="ADD_VERIFICATION" title="Add verification" submit_label="Add verification"
                    fixed=fixed.clone()
                    fields=vec![
                        FormField::new("kind", "Kind", choices(VerificationKind::ALL, VerificationKind::as_str)),
                        FormField::new("reference", "Reference", Input::Text).hint("scan 2026-11-29"),
                    ]/>
            }),
            BarAction::new("CHANGE_STATUS", "Status", view! {
                <CommandForm command_type="CHANGE_STATUS" title="Change status" submit_label="Change status"
                    fixed=fixed.clone()
                    fields=vec![
                        FormField::new("status", "Status", choices(CattleStatus::ALL, CattleStatus::as_str)),
                        FormField::new("reason", "Reason", Input::Text).hint("sold at Roma saleyards"),
                    ]/>
            }),
        ]);
    view! {
        {pending.map(|offer| view! { <WaitingOffer cattle_id=state.cattle_id.0 offer/> })}
        <ActionBar scope actions/>
    }
    .into_any()
}

/// The assessor's actions: value, verify, resolve an alert; answer an offer to a client.
#[component]
fn AssessorActions(state: CattleState) -> impl IntoView {
    let fixed = vec![("cattleId", json!(state.cattle_id.0))];
    let alerts: Vec<(String, String)> = state
        .open_alerts
        .iter()
        .map(|a| {
            (
                a.alert_id.clone(),
                format!("{} ({})", a.suspicion.as_str(), a.severity.as_str()),
            )
        })
        .collect();
    let has_alerts = !alerts.is_empty();
    let offered = state.pending_transfer.clone();
    let scope = format!("cattle-{}", state.cattle_id.0);
    let mut actions = vec![
        BarAction::new(
            "RECORD_VALUATION",
            "Value",
            view! {
                <CommandForm command_type="RECORD_VALUATION" title="Record valuation" submit_label="Record valuation"
                    fixed=fixed.clone()
                    fields=vec![
                        FormField::new("amountCents", "Value in dollars", Input::Dollars).hint("1850.00"),
                        FormField::new("method", "Method", choices(ValuationMethod::ALL, ValuationMethod::as_str)),
                    ]/>
            },
        ),
        BarAction::new(
            "ADD_VERIFICATION",
            "Verify",
            view! {
                <CommandForm command_type="ADD_VERIFICATION" title="Add verification" submit_label="Add verification"
                    fixed=fixed.clone()
                    fields=vec![
                        FormField::new("kind", "Kind", choices(VerificationKind::ALL, VerificationKind::as_str)),
                        FormField::new("reference", "Reference", Input::Text).hint("inspection 2026-11-29"),
                    ]/>
            },
        ),
    ];
    if has_alerts {
        actions.push(BarAction::new("RESOLVE_FRAUD_ALERT", "Resolve alert", view! {
                <CommandForm command_type="RESOLVE_FRAUD_ALERT" title="Resolve fraud alert" submit_label="Resolve"
                    fixed=fixed.clone()
                    fields=vec![
                        FormField::new("alertId", "Alert", Input::Choice(alerts.clone())),
                        FormField::new("resolution", "Resolution", choices(FraudResolution::ALL, FraudResolution::as_str)),
                        FormField::new("notes", "Notes", Input::Text).hint("tag checked on site"),
                    ]/>
            }));
    }
    view! {
            {offered.map(|offer| view! {
                <div class="command-form notice">
                    <h3>"Transfer waiting for acceptance"</h3>
                    <p data-testid="pending-transfer">"Offered to client " {offer.to_client_id} " on " {readable_day(&offer.offered_at)} "."</p>
                    <CommandForm command_type="ACCEPT_TRANSFER" title="" submit_label="Accept transfer" fixed=fixed.clone() fields=vec![]/>
                    <CommandForm command_type="DECLINE_TRANSFER" title="" submit_label="Decline transfer" fixed=fixed.clone() fields=vec![]/>
                </div>
            })}
            <ActionBar scope actions/>
        }
        .into_any()
}

/// A transfer offered to another farmer's client and waiting for their answer: only
/// withdrawing it is left to do.
#[component]
fn WaitingOffer(cattle_id: i64, offer: PendingTransfer) -> impl IntoView {
    let fixed = vec![("cattleId", json!(cattle_id))];
    let since = readable_day(&offer.offered_at);
    view! {
        <div class="command-form notice">
            <h3>"Transfer waiting for acceptance"</h3>
            <p data-testid="pending-transfer">
                "Offered to client " {offer.to_client_id} " on " {since}
                ". It moves when their farmer accepts."
            </p>
            <CommandForm command_type="DECLINE_TRANSFER" title="" submit_label="Withdraw offer" fixed fields=vec![]/>
        </div>
    }
}

/// Moving the animal: at once to another of the farmer's own clients, or as an offer to
/// another farmer's client named by PIC.
#[component]
fn TransferForms(state: CattleState, clients: Vec<ClientSummary>) -> impl IntoView {
    let cattle_id = state.cattle_id.0;
    let fixed = vec![("cattleId", json!(cattle_id))];
    let targets: Vec<(String, String)> = clients
        .iter()
        .filter(|c| c.id != state.client_id)
        .map(|c| (c.id.to_string(), format!("{} ({})", c.name, c.pic)))
        .collect();
    view! {
        <CommandForm command_type="TRANSFER_OWNERSHIP" title="Move to another of your clients" submit_label="Transfer"
            fixed
            fields=vec![
                FormField::new("toClientId", "New owner", Input::Choice(targets)),
                FormField::new("priceCents", "Price in dollars (optional)", Input::Dollars).hint("1850.00"),
            ]/>
        <OfferByPic cattle_id/>
    }
}
