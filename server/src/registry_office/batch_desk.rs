//! Many commands in one request (the import page's rows): each is handled as if sent alone,
//! signed with the user's key loaded once, a few in flight at a time.
use super::RegistryOffice;
use crate::technical_failure::unavailable;
use app::model::{CommandAck, CommandFailure, SignedInUser, MOST_COMMANDS_AT_ONCE};
use domain::FieldError;
use futures::StreamExt;

/// Commands of one batch in the command handler at once.
const COMMANDS_IN_FLIGHT: usize = 16;

impl RegistryOffice {
    /// Sends `commands` for `user`: each one's answer, in the order sent. Refused as a whole
    /// only when there are more than `MOST_COMMANDS_AT_ONCE` or the user's key is unreadable.
    pub async fn submit_batch(
        &self,
        user: &SignedInUser,
        commands: Vec<serde_json::Value>,
    ) -> Result<Vec<Result<CommandAck, CommandFailure>>, CommandFailure> {
        if commands.len() > MOST_COMMANDS_AT_ONCE {
            return Err(CommandFailure::Invalid {
                errors: vec![FieldError::new(
                    "commands",
                    format!(
                        "{} commands were sent; send at most {MOST_COMMANDS_AT_ONCE} at once",
                        commands.len()
                    ),
                )],
            });
        }
        let actor = self
            .accounts
            .actor(user)
            .await
            .map_err(|error| unavailable("Your signing key could not be loaded", error))?;
        let actor = &actor;
        let answers = futures::stream::iter(commands)
            .map(|command| self.commands.handle(actor, command, None))
            .buffered(COMMANDS_IN_FLIGHT)
            .collect()
            .await;
        Ok(answers)
    }
}
