use super::offer_by_pic::OfferByPic;
use crate::components::{CommandForm, FormField, Input};
use crate::model::{ClientSummary, SignedInUser};
use domain::{
    CattleState, CattleStatus, FraudResolution, HealthKind, Role, ValuationMethod, VerificationKind,
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
    let fixed = vec![("cattleId", json!(state.cattle_id.0))];
    match user.role {
        Role::Farmer if mine => {
            view! {
                <div class="forms-grid">
                    <TransferForms state=state.clone() clients/>
                    <CommandForm command_type="RECORD_HEALTH" title="Record health" submit_label="Record health"
                        fixed=fixed.clone()
                        fields=vec![
                            FormField::new("kind", "Kind", choices(HealthKind::ALL, HealthKind::as_str)),
                            FormField::new("notes", "Notes", Input::Text).hint("7-in-1 booster"),
                            FormField::new("weightKg", "Weight kg (optional)", Input::Decimal).hint("420"),
                        ]/>
                    <CommandForm command_type="RECORD_LOCATION" title="Record location" submit_label="Record location"
                        fixed=fixed.clone()
                        fields=vec![
                            FormField::new("latitude", "Latitude", Input::Decimal).hint("-27.4698"),
                            FormField::new("longitude", "Longitude", Input::Decimal).hint("153.0251"),
                            FormField::new("pic", "PIC (optional)", Input::Tag).hint("QABC1234"),
                        ]/>
                    <CommandForm command_type="ADD_VERIFICATION" title="Add verification" submit_label="Add verification"
                        fixed=fixed.clone()
                        fields=vec![
                            FormField::new("kind", "Kind", choices(VerificationKind::ALL, VerificationKind::as_str)),
                            FormField::new("reference", "Reference", Input::Text).hint("scan 2026-11-29"),
                        ]/>
                    <CommandForm command_type="CHANGE_STATUS" title="Change status" submit_label="Change status"
                        fixed=fixed
                        fields=vec![
                            FormField::new("status", "Status", choices(CattleStatus::ALL, CattleStatus::as_str)),
                            FormField::new("reason", "Reason", Input::Text).hint("sold at Roma saleyards"),
                        ]/>
                </div>
            }
            .into_any()
        }
        Role::Assessor => {
            let alerts: Vec<(String, String)> = state
                .open_alerts
                .iter()
                .map(|a| (a.alert_id.clone(), format!("{} ({})", a.suspicion.as_str(), a.severity.as_str())))
                .collect();
            let has_alerts = !alerts.is_empty();
            let offered = state.pending_transfer.clone();
            view! {
                <div class="forms-grid">
                    {offered.map(|offer| view! {
                        <div class="command-form">
                            <h3>"Transfer waiting for acceptance"</h3>
                            <p data-testid="pending-transfer">"Offered to client " {offer.to_client_id} " on " {offer.offered_at.chars().take(10).collect::<String>()} "."</p>
                            <CommandForm command_type="ACCEPT_TRANSFER" title="" submit_label="Accept transfer" fixed=fixed.clone() fields=vec![]/>
                            <CommandForm command_type="DECLINE_TRANSFER" title="" submit_label="Decline transfer" fixed=fixed.clone() fields=vec![]/>
                        </div>
                    })}
                    <CommandForm command_type="RECORD_VALUATION" title="Record valuation" submit_label="Record valuation"
                        fixed=fixed.clone()
                        fields=vec![
                            FormField::new("amountCents", "Value in dollars", Input::Dollars).hint("1850.00"),
                            FormField::new("method", "Method", choices(ValuationMethod::ALL, ValuationMethod::as_str)),
                        ]/>
                    <CommandForm command_type="ADD_VERIFICATION" title="Add verification" submit_label="Add verification"
                        fixed=fixed.clone()
                        fields=vec![
                            FormField::new("kind", "Kind", choices(VerificationKind::ALL, VerificationKind::as_str)),
                            FormField::new("reference", "Reference", Input::Text).hint("inspection 2026-11-29"),
                        ]/>
                    {has_alerts.then(|| view! {
                        <CommandForm command_type="RESOLVE_FRAUD_ALERT" title="Resolve fraud alert" submit_label="Resolve"
                            fixed=fixed.clone()
                            fields=vec![
                                FormField::new("alertId", "Alert", Input::Choice(alerts.clone())),
                                FormField::new("resolution", "Resolution", choices(FraudResolution::ALL, FraudResolution::as_str)),
                                FormField::new("notes", "Notes", Input::Text).hint("tag checked on site"),
                            ]/>
                    })}
                </div>
            }
            .into_any()
        }
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

/// Moving the animal: at once to another of the farmer's own clients, or as an offer to
/// another farmer's client named by PIC; while an offer waits, only withdrawing it.
#[component]
fn TransferForms(state: CattleState, clients: Vec<ClientSummary>) -> impl IntoView {
    let cattle_id = state.cattle_id.0;
    let fixed = vec![("cattleId", json!(cattle_id))];
    if let Some(offer) = state.pending_transfer {
        let since: String = offer.offered_at.chars().take(10).collect();
        return view! {
            <div class="command-form">
                <h3>"Transfer waiting for acceptance"</h3>
                <p data-testid="pending-transfer">
                    "Offered to client " {offer.to_client_id} " on " {since}
                    ". It moves when their farmer accepts."
                </p>
                <CommandForm command_type="DECLINE_TRANSFER" title="" submit_label="Withdraw offer" fixed fields=vec![]/>
            </div>
        }
        .into_any();
    }
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
    .into_any()
}
