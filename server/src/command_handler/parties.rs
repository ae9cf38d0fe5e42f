//! Whom a command concerns: the animal's owner and the client an offer waits on (who may
//! send it), the client a transfer names (that it exists), and whether that client is the
//! sender's own (moved at once) or another farmer's (offered, waiting for acceptance).
use super::{forbidden, refused, CommandHandler};
use crate::accounts::Actor;
use crate::golden::chain_heads;
use crate::technical_failure::unavailable;
use app::model::CommandFailure;
use domain::{authorize, transfer_needs_acceptance, AnimalParties, CattleState, Command, Role};

/// The parties of an animal as its state holds them.
pub(super) fn of_animal(animal: &CattleState) -> AnimalParties {
    AnimalParties {
        owner: animal.client_id,
        offered_to: animal
            .pending_transfer
            .as_ref()
            .map(|offer| offer.to_client_id),
    }
}

impl CommandHandler {
    /// Whether `actor` may send `command` to an animal with these `parties`: a farmer only
    /// to their clients' animals, or to answer an offer to one of their clients. Clients are
    /// never taken from a farmer, so the ones known to be theirs decide without a database
    /// read; only a refusal is checked again against the golden record.
    pub(super) async fn authorize_parties(
        &self,
        actor: &Actor,
        parties: Option<&AnimalParties>,
        command: &Command,
    ) -> Result<(), CommandFailure> {
        if actor.user.role != Role::Farmer {
            return Ok(());
        }
        let known = self.written.clients_of(&actor.user.user_id);
        if authorize(Role::Farmer, &known, parties, command).is_ok() {
            return Ok(());
        }
        let own = self.own_clients(actor).await?;
        authorize(Role::Farmer, &own, parties, command).map_err(|no| forbidden(Err(no)))
    }

    /// The sender's clients as the golden record holds them, remembered for next time.
    async fn own_clients(&self, actor: &Actor) -> Result<Vec<i64>, CommandFailure> {
        let (user_id, username) = (&actor.user.user_id, &actor.user.username);
        let own = self.accounts.own_clients(user_id).await.map_err(|error| {
            unavailable(
                "The registry could not check whose animal this is; nothing was published",
                format!("the clients of {username}: {error}"),
            )
        })?;
        self.written.remember_clients(user_id, &own);
        Ok(self.written.clients_of(user_id))
    }

    /// A transfer names a registered client: one of the sender's own (known without a read),
    /// else one the golden record holds.
    pub(super) async fn check_transfer_target(
        &self,
        actor: &Actor,
        command: &Command,
    ) -> Result<(), CommandFailure> {
        let Command::TransferOwnership(transfer) = command else {
            return Ok(());
        };
        let to = transfer.to_client_id;
        let registered = self.written.clients_of(&actor.user.user_id).contains(&to)
            || chain_heads::client_id_taken(&self.db, to)
                .await
                .map_err(|error| {
                    unavailable(
                        "The registry could not check the client; nothing was published",
                        format!("client {to}: {error}"),
                    )
                })?;
        domain::check_transfer_target(to, registered).map_err(refused)
    }

    /// Whether `command` is a transfer to another farmer's client, to be offered rather than
    /// made. A client not known to be the sender's is looked up before deciding so.
    pub(super) async fn is_offer(
        &self,
        actor: &Actor,
        command: &Command,
    ) -> Result<bool, CommandFailure> {
        let Command::TransferOwnership(transfer) = command else {
            return Ok(false);
        };
        let (role, to) = (actor.user.role, transfer.to_client_id);
        let known = self.written.clients_of(&actor.user.user_id);
        if !transfer_needs_acceptance(role, &known, to) {
            return Ok(false);
        }
        let own = self.own_clients(actor).await?;
        Ok(transfer_needs_acceptance(role, &own, to))
    }
}
