//! Who may send which command: the rule every command passes on the server, and the one
//! the browser uses to show only the actions a user may take.
use crate::wire_enum::wire_enum;
use crate::Command;

wire_enum! {
    /// What a user does in the business.
    Role {
        /// Registers and manages the animals of their own clients.
        Farmer = "FARMER",
        /// Values animals, checks their identity and resolves fraud alerts, on any herd.
        Assessor = "ASSESSOR",
        /// Administers users and projections; sends no livestock commands.
        Admin = "ADMIN",
    }
}

/// Why a user may not send a command.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Forbidden(pub String);

/// Whether the command is one a role may send at all, whatever the animal.
pub fn role_may_send(role: Role, command: &Command) -> bool {
    match role {
        Role::Admin => false,
        Role::Assessor => matches!(
            command,
            Command::RecordValuation(_)
                | Command::ResolveFraudAlert(_)
                | Command::AddVerification(_)
                | Command::AcceptTransfer(_)
                | Command::DeclineTransfer(_)
        ),
        Role::Farmer => !matches!(
            command,
            Command::RecordValuation(_) | Command::ResolveFraudAlert(_)
        ),
    }
}

/// The clients an animal's commands concern: its owner, and the client a transfer waiting
/// for acceptance offers it to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnimalParties {
    /// The current owner.
    pub owner: i64,
    /// The client offered the animal, while an offer waits.
    pub offered_to: Option<i64>,
}

impl AnimalParties {
    /// An animal with no offer waiting.
    pub fn owned_by(owner: i64) -> Self {
        Self {
            owner,
            offered_to: None,
        }
    }
}

/// Decides whether a user with `role`, whose clients are `own_clients`, may send `command`
/// to an animal whose parties are `animal` (None when the animal is not known, which the
/// command's own rules then refuse). A farmer acts on their clients' animals; the farmer of
/// the client offered an animal accepts or declines it; the owner's farmer may withdraw.
pub fn authorize(
    role: Role,
    own_clients: &[i64],
    animal: Option<&AnimalParties>,
    command: &Command,
) -> Result<(), Forbidden> {
    if !role_may_send(role, command) {
        return Err(Forbidden(match role {
            Role::Admin => "administrators do not send livestock commands".into(),
            Role::Assessor => {
                "assessors only record valuations, add verifications and resolve fraud alerts"
                    .into()
            }
            Role::Farmer => "only assessors record valuations and resolve fraud alerts".into(),
        }));
    }
    if role != Role::Farmer {
        return Ok(());
    }
    match command {
        Command::RegisterClient(_) => Ok(()),
        Command::CreateCattle(create) if !own_clients.contains(&create.client_id) => {
            Err(Forbidden(format!(
                "client {} is not one of your clients",
                create.client_id
            )))
        }
        Command::CreateCattle(_) => Ok(()),
        _ => {
            let Some(parties) = animal else {
                return Ok(());
            };
            let owns = own_clients.contains(&parties.owner);
            let offered = parties
                .offered_to
                .is_some_and(|to| own_clients.contains(&to));
            let cattle_id = command.cattle_id().0;
            match command {
                Command::AcceptTransfer(_) if !offered => Err(Forbidden(format!(
                    "animal {cattle_id} is not offered to one of your clients"
                ))),
                Command::AcceptTransfer(_) => Ok(()),
                Command::DeclineTransfer(_) if !(owns || offered) => Err(Forbidden(format!(
                    "animal {cattle_id} is neither yours nor offered to one of your clients"
                ))),
                Command::DeclineTransfer(_) => Ok(()),
                _ if !owns => Err(Forbidden(format!(
                    "animal {cattle_id} belongs to a client that is not yours"
                ))),
                _ => Ok(()),
            }
        }
    }
}

/// Whether a user may see an animal owned by `owner`: farmers see their clients' animals,
/// assessors and administrators see every herd.
pub fn may_see(role: Role, own_clients: &[i64], owner: i64) -> bool {
    role != Role::Farmer || own_clients.contains(&owner)
}

/// What a stream belongs to, as the registry knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamOwner {
    /// An animal owned by this client.
    Client(i64),
    /// A client's own stream, registered by this user (when recorded).
    RegisteredBy(Option<String>),
    /// Not (yet) known.
    Unknown,
}

/// Whether user `username` of `role`, whose own clients are `own_clients`, may see a stream
/// owned as `owner`: the herd rule for animals; a client stream is its registering farmer's;
/// a farmer sees nothing the registry does not know. Assessors and administrators see all.
pub fn may_see_stream(
    role: Role,
    username: &str,
    own_clients: &[i64],
    owner: &StreamOwner,
) -> bool {
    match owner {
        StreamOwner::Client(client) => may_see(role, own_clients, *client),
        StreamOwner::RegisteredBy(by) => role != Role::Farmer || by.as_deref() == Some(username),
        StreamOwner::Unknown => role != Role::Farmer,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn command(kind: &str, data: serde_json::Value) -> Command {
        Command::parse(&json!({"type": kind, "data": data})).expect("a valid test command")
    }

    fn every_command(cattle_id: i64, client_id: i64) -> Vec<Command> {
        vec![
            command(
                "CREATE_CATTLE",
                json!({"nlisId": "982000123456789A", "breed": "Angus", "sex": "MALE", "clientId": client_id}),
            ),
            command(
                "TRANSFER_OWNERSHIP",
                json!({"cattleId": cattle_id, "toClientId": 9}),
            ),
            command(
                "RECORD_HEALTH",
                json!({"cattleId": cattle_id, "kind": "VACCINATION", "notes": "7-in-1"}),
            ),
            command(
                "RECORD_LOCATION",
                json!({"cattleId": cattle_id, "latitude": -27.5, "longitude": 153.0}),
            ),
            command(
                "ADD_VERIFICATION",
                json!({"cattleId": cattle_id, "kind": "NLIS", "reference": "scan-1"}),
            ),
            command(
                "ASSIGN_MOB",
                json!({"cattleId": cattle_id, "mob": "Weaners"}),
            ),
            command(
                "CHANGE_STATUS",
                json!({"cattleId": cattle_id, "status": "SOLD", "reason": "sold at the yards"}),
            ),
            command(
                "REGISTER_CLIENT",
                json!({"name": "Bindi Station", "pic": "QABC1234"}),
            ),
            command(
                "RECORD_VALUATION",
                json!({"cattleId": cattle_id, "amountCents": 150000, "method": "MARKET"}),
            ),
            command(
                "RESOLVE_FRAUD_ALERT",
                json!({"cattleId": cattle_id, "alertId": "alert-1", "resolution": "CONFIRMED", "notes": "checked"}),
            ),
            command("ACCEPT_TRANSFER", json!({"cattleId": cattle_id})),
            command("DECLINE_TRANSFER", json!({"cattleId": cattle_id})),
        ]
    }

    #[test]
    fn a_farmer_acts_on_their_own_clients_animals_only() {
        let mine = AnimalParties::owned_by(1);
        for own in every_command(7, 1) {
            let expected = !matches!(
                own,
                Command::RecordValuation(_)
                    | Command::ResolveFraudAlert(_)
                    | Command::AcceptTransfer(_)
            );
            assert_eq!(
                authorize(Role::Farmer, &[1], Some(&mine), &own).is_ok(),
                expected,
                "{own:?}"
            );
        }
        for foreign in every_command(7, 2) {
            let theirs = AnimalParties::owned_by(2);
            let allowed = authorize(Role::Farmer, &[1], Some(&theirs), &foreign).is_ok();
            assert_eq!(
                allowed,
                matches!(foreign, Command::RegisterClient(_)),
                "{foreign:?}"
            );
        }
    }

    #[test]
    fn only_the_farmer_offered_an_animal_accepts_it_and_either_side_may_decline() {
        let offered = AnimalParties {
            owner: 2,
            offered_to: Some(1),
        };
        let accept = command("ACCEPT_TRANSFER", json!({"cattleId": 7}));
        let decline = command("DECLINE_TRANSFER", json!({"cattleId": 7}));
        assert!(authorize(Role::Farmer, &[1], Some(&offered), &accept).is_ok());
        assert!(authorize(Role::Farmer, &[1], Some(&offered), &decline).is_ok());
        assert!(authorize(Role::Farmer, &[2], Some(&offered), &accept).is_err());
        assert!(authorize(Role::Farmer, &[2], Some(&offered), &decline).is_ok());
        assert!(authorize(Role::Farmer, &[3], Some(&offered), &decline).is_err());
        let health = command(
            "RECORD_HEALTH",
            json!({"cattleId": 7, "kind": "VACCINATION", "notes": "7-in-1"}),
        );
        assert!(
            authorize(Role::Farmer, &[1], Some(&offered), &health).is_err(),
            "an offer is not ownership"
        );
        assert!(authorize(Role::Assessor, &[], Some(&offered), &accept).is_ok());
    }

    #[test]
    fn assessors_value_verify_and_resolve_on_any_herd_and_admins_send_nothing() {
        for c in every_command(7, 2) {
            let assessor = matches!(
                c,
                Command::RecordValuation(_)
                    | Command::ResolveFraudAlert(_)
                    | Command::AddVerification(_)
                    | Command::AcceptTransfer(_)
                    | Command::DeclineTransfer(_)
            );
            let theirs = AnimalParties::owned_by(2);
            assert_eq!(
                authorize(Role::Assessor, &[], Some(&theirs), &c).is_ok(),
                assessor
            );
            assert!(authorize(Role::Admin, &[], Some(&theirs), &c).is_err());
        }
    }

    proptest! {
        #[test]
        fn a_farmer_sees_a_stream_only_when_it_is_theirs(
            client in 0i64..20,
            own in proptest::collection::vec(0i64..20, 0..5),
            by in proptest::option::of("[a-c]{1,2}"),
            me in "[a-c]{1,2}",
        ) {
            let animal = StreamOwner::Client(client);
            prop_assert_eq!(may_see_stream(Role::Farmer, &me, &own, &animal), own.contains(&client));
            let registered = StreamOwner::RegisteredBy(by.clone());
            prop_assert_eq!(
                may_see_stream(Role::Farmer, &me, &own, &registered),
                by.as_deref() == Some(me.as_str())
            );
            prop_assert!(!may_see_stream(Role::Farmer, &me, &own, &StreamOwner::Unknown));
            for role in [Role::Assessor, Role::Admin] {
                for owner in [&animal, &registered, &StreamOwner::Unknown] {
                    prop_assert!(may_see_stream(role, &me, &own, owner));
                }
            }
        }

        #[test]
        fn a_farmer_never_acts_on_a_foreign_animal(owner in 0i64..1000, own in proptest::collection::vec(0i64..1000, 0..5)) {
            for c in every_command(7, owner) {
                if matches!(c, Command::RegisterClient(_)) { continue; }
                let allowed = authorize(Role::Farmer, &own, Some(&AnimalParties::owned_by(owner)), &c).is_ok();
                if allowed { prop_assert!(own.contains(&owner)); }
                prop_assert_eq!(may_see(Role::Farmer, &own, owner), own.contains(&owner));
            }
        }
    }
}
