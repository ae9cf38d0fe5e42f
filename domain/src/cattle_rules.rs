//! The status rules of the cattle aggregate, shared by `decide` (commands) and `apply`
//! (events), so a rule-breaking event is refused by consumers too.

use crate::cattle_state::PendingTransfer;
use crate::{CattleState, CattleStatus, Rejection, Role};

/// A transfer needs a living, ACTIVE animal and a different owner.
pub fn check_transfer(state: &CattleState, to_client_id: i64) -> Result<(), Rejection> {
    check_active(state)?;
    if state.client_id == to_client_id {
        return Err(Rejection::SameOwner {
            client_id: to_client_id,
        });
    }
    Ok(())
}

/// A transfer while an offer waits may only go to the client offered (it completes the offer).
pub fn check_no_other_offer(state: &CattleState, to_client_id: i64) -> Result<(), Rejection> {
    match &state.pending_transfer {
        Some(offer) if offer.to_client_id != to_client_id => Err(Rejection::TransferPending {
            to_client_id: offer.to_client_id,
        }),
        _ => Ok(()),
    }
}

/// An offer needs what a transfer needs, and no offer already waiting.
pub fn check_offer(state: &CattleState, to_client_id: i64) -> Result<(), Rejection> {
    check_transfer(state, to_client_id)?;
    match &state.pending_transfer {
        Some(offer) => Err(Rejection::TransferPending {
            to_client_id: offer.to_client_id,
        }),
        None => Ok(()),
    }
}

/// The offer waiting for an answer, or why there is none to answer.
pub fn pending_offer(state: &CattleState) -> Result<&PendingTransfer, Rejection> {
    state
        .pending_transfer
        .as_ref()
        .ok_or(Rejection::NoPendingTransfer)
}

/// Whether a user whose clients are `own_clients`, sending a transfer to `to_client_id`,
/// hands the animal over at once (their own client, or an assessor's decision) or offers
/// it to another farmer, who must accept it.
pub fn transfer_needs_acceptance(role: Role, own_clients: &[i64], to_client_id: i64) -> bool {
    role == Role::Farmer && !own_clients.contains(&to_client_id)
}

/// A transfer must name a registered client (`registered`, as the shell looked it up):
/// an animal is never moved to an owner nobody can find.
pub fn check_transfer_target(to_client_id: i64, registered: bool) -> Result<(), Rejection> {
    if registered {
        Ok(())
    } else {
        Err(Rejection::UnknownClient {
            client_id: to_client_id,
        })
    }
}

/// The animal must be ACTIVE (a deceased one is named as such).
pub fn check_active(state: &CattleState) -> Result<(), Rejection> {
    match state.status {
        CattleStatus::Active => Ok(()),
        CattleStatus::Deceased => Err(Rejection::Deceased),
        status => Err(Rejection::NotActive { status }),
    }
}

/// Moving or valuing needs an animal that still exists in the herd (not dead or exported).
pub fn check_not_final(state: &CattleState) -> Result<(), Rejection> {
    match state.status {
        CattleStatus::Deceased => Err(Rejection::Deceased),
        status if status.is_final() => Err(Rejection::FinalStatus { status }),
        _ => Ok(()),
    }
}

/// A status change must change something and cannot leave a final status.
pub fn check_status_change(state: &CattleState, to: CattleStatus) -> Result<(), Rejection> {
    if state.status.is_final() {
        return Err(Rejection::FinalStatus {
            status: state.status,
        });
    }
    if state.status == to {
        return Err(Rejection::SameStatus { status: to });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn only_a_registered_target_passes_and_a_refusal_names_it(client in any::<i64>(), registered: bool) {
            match check_transfer_target(client, registered) {
                Ok(()) => prop_assert!(registered),
                Err(rejection) => {
                    prop_assert!(!registered);
                    prop_assert_eq!(rejection.code(), "UNKNOWN_CLIENT");
                    prop_assert_eq!(rejection.field(), Some("toClientId"));
                    prop_assert!(rejection.to_string().contains(&client.to_string()));
                }
            }
        }
    }
}
