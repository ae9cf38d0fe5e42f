//! The registry as the web app and the JSON API reach it: sessions, commands on behalf of
//! the signed-in user, and reads limited to what that user may see.
use crate::accounts::{AccountError, Accounts};
use crate::command_handler::CommandHandler;
use crate::golden::{animal_queries, herd_queries};
use app::model::{
    AnimalPage, ClientSummary, CommandAck, CommandFailure, Dashboard, HerdPage, HerdQuery,
    SignedInUser,
};
use app::registry::LivestockRegistry;
use domain::{may_see, FieldError, Role};
use sea_orm::{DatabaseConnection, DbErr};

/// Sessions, commands and reads, each checked against the user.
#[derive(Clone)]
pub struct RegistryOffice {
    /// The accounts.
    pub accounts: Accounts,
    /// The write side.
    pub commands: CommandHandler,
    db: DatabaseConnection,
}

/// The short message a user sees for a technical failure; the details go to the log.
fn unavailable(what: &str, error: impl std::fmt::Display) -> CommandFailure {
    tracing::error!(%error, "{what}");
    CommandFailure::Unavailable {
        message: format!("{what}; please try again"),
    }
}

fn read_failed(error: DbErr) -> CommandFailure {
    unavailable("The registry could not be read", error)
}

impl RegistryOffice {
    /// Sends a command for `user`, with the request key the client named it by, if any.
    pub async fn submit_keyed(
        &self,
        user: &SignedInUser,
        command: serde_json::Value,
        request_key: Option<&domain::RequestKey>,
    ) -> Result<CommandAck, CommandFailure> {
        let actor = self
            .accounts
            .actor(user)
            .await
            .map_err(|error| unavailable("Your signing key could not be loaded", error))?;
        self.commands.handle(&actor, command, request_key).await
    }

    /// The office over these accounts, this write side and this golden record.
    pub fn new(accounts: Accounts, commands: CommandHandler, db: DatabaseConnection) -> Self {
        Self {
            accounts,
            commands,
            db,
        }
    }

    /// The clients whose animals the user may see: `None` for every herd.
    pub async fn visible_clients(&self, user: &SignedInUser) -> Result<Option<Vec<i64>>, DbErr> {
        match user.role {
            Role::Farmer => Ok(Some(self.accounts.own_clients(&user.username).await?)),
            Role::Assessor | Role::Admin => Ok(None),
        }
    }

    /// Refuses an animal the user may not see; unknown animals pass (they answer 404).
    pub async fn check_may_see(
        &self,
        user: &SignedInUser,
        cattle_id: i64,
    ) -> Result<(), CommandFailure> {
        let Some(own) = self.visible_clients(user).await.map_err(read_failed)? else {
            return Ok(());
        };
        match animal_queries::owner_of(&self.db, cattle_id)
            .await
            .map_err(read_failed)?
        {
            Some(owner) if !may_see(user.role, &own, owner) => Err(CommandFailure::Forbidden {
                message: format!("animal {cattle_id} belongs to a client that is not yours"),
            }),
            _ => Ok(()),
        }
    }
}

#[async_trait::async_trait]
impl LivestockRegistry for RegistryOffice {
    async fn sign_in(
        &self,
        username: &str,
        password: &str,
    ) -> Result<(String, SignedInUser), CommandFailure> {
        match self.accounts.sign_in(username.trim(), password).await {
            Ok(session) => Ok(session),
            Err(AccountError::BadCredentials) => Err(CommandFailure::Invalid {
                errors: vec![FieldError {
                    field: "password".into(),
                    message: "unknown username or wrong password".into(),
                }],
            }),
            Err(error) => Err(unavailable("Signing in failed", error)),
        }
    }

    async fn sign_out(&self, token: &str) -> Result<(), CommandFailure> {
        self.accounts
            .sign_out(token)
            .await
            .map_err(|error| unavailable("Signing out failed", error))
    }

    async fn session_user(&self, token: &str) -> Result<Option<SignedInUser>, CommandFailure> {
        self.accounts
            .session_user(token)
            .await
            .map_err(|error| unavailable("The session could not be checked", error))
    }

    async fn submit(
        &self,
        user: &SignedInUser,
        command: serde_json::Value,
    ) -> Result<CommandAck, CommandFailure> {
        self.submit_keyed(user, command, None).await
    }

    async fn herd(
        &self,
        user: &SignedInUser,
        query: HerdQuery,
    ) -> Result<HerdPage, CommandFailure> {
        let visible = self.visible_clients(user).await.map_err(read_failed)?;
        herd_queries::herd_page(&self.db, visible.as_deref(), &query)
            .await
            .map_err(read_failed)
    }

    async fn dashboard(&self, user: &SignedInUser) -> Result<Dashboard, CommandFailure> {
        let visible = self.visible_clients(user).await.map_err(read_failed)?;
        herd_queries::dashboard(&self.db, visible.as_deref())
            .await
            .map_err(read_failed)
    }

    async fn animal(
        &self,
        user: &SignedInUser,
        cattle_id: i64,
    ) -> Result<Option<AnimalPage>, CommandFailure> {
        self.check_may_see(user, cattle_id).await?;
        let visible = self.visible_clients(user).await.map_err(read_failed)?;
        animal_queries::animal_page(&self.db, cattle_id, |client| {
            visible.as_ref().is_none_or(|own| own.contains(&client))
        })
        .await
        .map_err(read_failed)
    }

    async fn clients(&self, user: &SignedInUser) -> Result<Vec<ClientSummary>, CommandFailure> {
        let visible = self.visible_clients(user).await.map_err(read_failed)?;
        herd_queries::clients(&self.db, visible.as_deref())
            .await
            .map_err(read_failed)
    }
}
