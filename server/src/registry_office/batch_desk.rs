//! Many commands in one request (the import page's rows, a bulk action's animals): each is
//! handled as if sent alone, signed with the user's key loaded once, a few in flight at a
//! time.
use super::RegistryOffice;
use crate::command_handler::Sent;
use crate::golden::herd_queries;
use crate::technical_failure::unavailable;
use app::model::{
    CommandAck, CommandFailure, HerdQuery, SelectedAnimal, SignedInUser, MOST_COMMANDS_AT_ONCE,
    MOST_SELECTED,
};
use domain::{CorrelationId, FieldError, RequestKey};
use futures::StreamExt;

/// Commands of one batch in the command handler at once.
const COMMANDS_IN_FLIGHT: usize = 16;

/// Each command's answer, in the order sent.
type Answers = Vec<Result<CommandAck, CommandFailure>>;

fn invalid(error: FieldError) -> CommandFailure {
    CommandFailure::Invalid {
        errors: vec![error],
    }
}

impl RegistryOffice {
    /// Sends `commands` for `user`: each one's answer, in the order sent. Refused as a whole
    /// only when there are more than `MOST_COMMANDS_AT_ONCE` or the user's key is unreadable.
    pub async fn submit_batch(
        &self,
        user: &SignedInUser,
        commands: Vec<serde_json::Value>,
    ) -> Result<Answers, CommandFailure> {
        self.send_batch(user, commands, None).await
    }

    /// Sends one chunk of a bulk action: as `submit_batch`, every event correlated by
    /// `action_id`, which is also each command's request key.
    pub async fn submit_bulk_action(
        &self,
        user: &SignedInUser,
        action_id: &str,
        commands: Vec<serde_json::Value>,
    ) -> Result<Answers, CommandFailure> {
        let action = CorrelationId::parse(action_id, "actionId").map_err(invalid)?;
        let key = RequestKey::parse(action.as_str()).map_err(|mut error| {
            error.field = "actionId".into();
            invalid(error)
        })?;
        self.send_batch(user, commands, Some((&action, &key))).await
    }

    async fn send_batch(
        &self,
        user: &SignedInUser,
        commands: Vec<serde_json::Value>,
        action: Option<(&CorrelationId, &RequestKey)>,
    ) -> Result<Answers, CommandFailure> {
        if commands.len() > MOST_COMMANDS_AT_ONCE {
            return Err(invalid(FieldError::new(
                "commands",
                format!(
                    "{} commands were sent; send at most {MOST_COMMANDS_AT_ONCE} at once",
                    commands.len()
                ),
            )));
        }
        let actor = self
            .accounts
            .actor(user)
            .await
            .map_err(|error| unavailable("Your signing key could not be loaded", error))?;
        let actor = &actor;
        let sent = Sent {
            request_key: action.map(|(_, key)| key),
            correlation: action.map(|(id, _)| id),
        };
        let answers = futures::stream::iter(commands)
            .map(|command| self.commands.handle_sent(actor, command, sent))
            .buffered(COMMANDS_IN_FLIGHT)
            .collect()
            .await;
        Ok(answers)
    }

    /// Every animal `user` may see matching `query`'s filters, at most `MOST_SELECTED`.
    pub async fn select_herd(
        &self,
        user: &SignedInUser,
        query: &HerdQuery,
    ) -> Result<Vec<SelectedAnimal>, CommandFailure> {
        let visible = self
            .visible_clients(user)
            .await
            .map_err(|error| unavailable("The herd could not be read", error))?;
        let matching =
            herd_queries::herd_matching(&self.db, visible.as_deref(), query, MOST_SELECTED as u64);
        let rows = self
            .timed("herd_selection", matching)
            .await
            .map_err(|error| unavailable("The herd could not be read", error))?;
        Ok(rows
            .into_iter()
            .map(|row| SelectedAnimal {
                id: row.id,
                nlis_id: row.nlis_id,
            })
            .collect())
    }
}
