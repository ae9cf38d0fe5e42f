//! The registry as the web app and the JSON API reach it: sessions, commands on behalf of
//! the signed-in user, and reads limited to what that user may see. Every request goes
//! through this door, so who may see and do what is decided here and nowhere else.
mod batch_desk;
mod fraud_desk;
mod head_desk;
mod herd_as_of_desk;
mod history_desk;
mod key_desk;
mod operations_desk;
mod search_desk;
mod user_desk;
use crate::accounts::{AccountError, Accounts, NewUser};
use crate::cache::CattleReader;
use crate::command_handler::CommandHandler;
use crate::from_log::{rebuild_from_log, FromLogReport};
use crate::golden::stream_owner;
use crate::golden::{
    animal_queries, dashboard_queries, event_status, herd_queries, transfer_offers,
};
use crate::herd_as_of_runs::HerdAsOfRuns;
use crate::kafka::consumer_groups::GroupProbe;
use crate::keys::{PublishedKey, TrustedKeys};
use crate::log_verification::LogVerification;
use crate::rebuild::ViewRebuilds;
use crate::search::SharedSearch;
use crate::technical_failure::unavailable;
use crate::telemetry::watch::Readings;
use crate::tree_heads::partition_trees::PartitionTrees;
use crate::views::progress::ViewProgress;
use app::model::{
    AnimalPage, CattleRecord, ClientReference, ClientSummary, CommandAck, CommandFailure,
    ConsumerGroupStanding, Dashboard, EventStatus, EventVerdict, FraudAlert, HerdAsOfRun, HerdPage,
    HerdQuery, LogVerificationRun, OperationsReport, SearchRequest, SearchResults, SelectedAnimal,
    SignedInUser, SigningKey, TransferOffers, UserAccount, ViewName, ViewRebuild,
};
use app::registry::LivestockRegistry;
use domain::{may_see, may_see_stream, FieldError, Role, StreamOwner};
use sea_orm::{DatabaseConnection, DbErr};

/// Sessions, commands and reads, each checked against the user.
#[derive(Clone)]
pub struct RegistryOffice {
    /// The accounts.
    pub accounts: Accounts,
    /// The write side.
    pub commands: CommandHandler,
    db: DatabaseConnection,
    reader: CattleReader,
    brokers: String,
    trusted: TrustedKeys,
    readings: Readings,
    progress: ViewProgress,
    log_topic: String,
    snapshot_topic: String,
    search: SharedSearch,
    verification: LogVerification,
    rebuilds: ViewRebuilds,
    herd_as_of: HerdAsOfRuns,
    groups: GroupProbe,
    partition_trees: PartitionTrees,
    secure_cookies: bool,
}

/// Where the office reads: the golden record, the cache before it, the log, the keys.
#[derive(Clone)]
pub struct RegistrySources {
    /// The golden record (and the accounts' tables).
    pub db: DatabaseConnection,
    /// Cache-first reads of single animals.
    pub reader: CattleReader,
    /// Kafka bootstrap servers, for reading events back.
    pub brokers: String,
    /// The keys whose signatures are accepted.
    pub trusted: TrustedKeys,
    /// The watch's latest health, alerts and view lags.
    pub readings: Readings,
    /// The views' positions and pause switches.
    pub progress: ViewProgress,
    /// The cattle log, for verifying it whole.
    pub log_topic: String,
    /// The snapshots topic, whose snapshots the whole-log verification checks.
    pub snapshot_topic: String,
    /// The full-text index of the herd.
    pub search: SharedSearch,
    /// The blue/green rebuilds of the views.
    pub rebuilds: ViewRebuilds,
    /// What every consumer group of this deployment is named after.
    pub group_prefix: String,
}

impl RegistryOffice {
    /// Runs a golden-record query, timed for `/metrics` under the database's name.
    async fn timed<T>(&self, read: &'static str, query: impl std::future::Future<Output = T>) -> T {
        crate::telemetry::timed_read(crate::telemetry::store_label(&self.db), read, query).await
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

    /// The office over these accounts, this write side and these sources.
    pub fn new(accounts: Accounts, commands: CommandHandler, sources: RegistrySources) -> Self {
        let groups = GroupProbe::new(&sources.brokers, &sources.group_prefix, &sources.log_topic);
        Self {
            accounts,
            commands,
            db: sources.db,
            reader: sources.reader,
            brokers: sources.brokers,
            trusted: sources.trusted,
            readings: sources.readings,
            progress: sources.progress,
            log_topic: sources.log_topic,
            snapshot_topic: sources.snapshot_topic,
            search: sources.search,
            verification: LogVerification::default(),
            rebuilds: sources.rebuilds,
            herd_as_of: HerdAsOfRuns::default(),
            groups,
            partition_trees: PartitionTrees::default(),
            secure_cookies: false,
        }
    }

    /// The same office, setting `Secure` session cookies when `secure`.
    pub fn with_secure_cookies(mut self, secure: bool) -> Self {
        self.secure_cookies = secure;
        self
    }

    /// The clients whose animals the user may see: `None` for every herd.
    pub async fn visible_clients(&self, user: &SignedInUser) -> Result<Option<Vec<i64>>, DbErr> {
        match user.role {
            Role::Farmer => Ok(Some(self.accounts.own_clients(&user.user_id).await?)),
            Role::Assessor | Role::Admin => Ok(None),
        }
    }

    /// Whose stream `stream_id` is, as the golden record knows it.
    pub async fn stream_owner(&self, stream_id: i64) -> Result<StreamOwner, CommandFailure> {
        stream_owner::stream_owner(&self.db, stream_id)
            .await
            .map_err(read_failed)
    }

    /// Who signed the refused event `event_id`, when the golden record kept it.
    pub async fn author_of_refused(
        &self,
        event_id: &str,
    ) -> Result<Option<String>, CommandFailure> {
        stream_owner::author_of_refused(&self.db, event_id)
            .await
            .map_err(read_failed)
    }

    /// The clients an applied transfer, offer or end of an offer names.
    pub async fn transfer_parties_of(&self, event_id: &str) -> Result<Vec<i64>, CommandFailure> {
        stream_owner::transfer_parties_of(&self.db, event_id)
            .await
            .map_err(read_failed)
    }

    /// The clients a farmer registered (every user's, for other roles, is not asked here).
    pub async fn own_clients(&self, user: &SignedInUser) -> Result<Vec<i64>, CommandFailure> {
        self.accounts
            .own_clients(&user.user_id)
            .await
            .map_err(read_failed)
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

    /// One animal the user may see, cache-first; `None` when unknown.
    pub async fn cattle(
        &self,
        user: &SignedInUser,
        cattle_id: i64,
    ) -> Result<Option<CattleRecord>, CommandFailure> {
        self.check_may_see(user, cattle_id).await?;
        self.reader
            .cattle(cattle_id)
            .await
            .map_err(|error| unavailable("The golden record could not be read", error))
    }

    /// The golden record's verdict on an event this user's command just published, and the
    /// animal as the golden record holds it this moment (not the cache, which may lag). The
    /// sender learns the outcome even when the event moved the animal out of their sight (a
    /// transfer to another farmer's client): `ack` is what their own submission answered.
    pub async fn outcome_of_sent(
        &self,
        ack: &CommandAck,
    ) -> Result<(EventStatus, Option<CattleRecord>), CommandFailure> {
        let status = event_status::event_status(&self.db, &ack.event_id)
            .await
            .map_err(|error| unavailable("The event's status could not be read", error))?;
        if status.status != EventVerdict::Applied {
            return Ok((status, None));
        }
        let record = animal_queries::cattle_by_id(&self.db, ack.cattle_id)
            .await
            .map_err(read_failed)?;
        Ok((status, record))
    }

    /// Where an event stands, when the user may see its stream.
    pub async fn event_status(
        &self,
        user: &SignedInUser,
        event_id: &str,
    ) -> Result<EventStatus, CommandFailure> {
        let status = self
            .timed(
                "event_status",
                event_status::event_status(&self.db, event_id),
            )
            .await
            .map_err(|error| unavailable("The event's status could not be read", error))?;
        let Some(stream) = status.cattle_id else {
            // Nothing decided yet: the answer names no stream and no verdict.
            return Ok(status);
        };
        if user.role != Role::Farmer {
            return Ok(status);
        }
        let owner = self.stream_owner(stream).await?;
        let own = match owner {
            StreamOwner::Client(_) => self.own_clients(user).await?,
            StreamOwner::RegisteredBy(_) | StreamOwner::Unknown => Vec::new(),
        };
        let refused_mine = status.status == EventVerdict::Rejected
            && self.author_of_refused(event_id).await?.as_deref() == Some(user.user_id.as_str());
        if may_see_stream(user.role, &user.user_id, &own, &owner) || refused_mine {
            Ok(status)
        } else {
            Err(CommandFailure::Forbidden {
                message: format!("event {event_id} is about a stream that is not yours"),
            })
        }
    }

    /// The animal rebuilt from its events read back from Kafka, verified, and compared with
    /// the golden record.
    pub async fn cattle_from_log(
        &self,
        user: &SignedInUser,
        cattle_id: i64,
    ) -> Result<FromLogReport, CommandFailure> {
        self.check_may_see(user, cattle_id).await?;
        rebuild_from_log(&self.db, &self.brokers, &self.trusted, cattle_id)
            .await
            .map_err(|error| unavailable("The animal could not be read back from the log", error))
    }

    /// The key stream's root key and records, read to the end first: public to anyone, as
    /// the log is the thing to check. A stream that cannot be read now is served as last
    /// read, and the failure logged.
    pub async fn key_stream(&self) -> Option<crate::keys::KeyStreamCopy> {
        if let Err(error) = self.trusted.read_key_stream().await {
            tracing::warn!(%error, "serving the key stream as last read");
        }
        self.trusted.key_stream_records()
    }

    /// Every public key whose signatures the registry accepts: public to anyone.
    pub fn public_keys(&self) -> Vec<PublishedKey> {
        self.trusted.published()
    }
}

#[async_trait::async_trait]
impl LivestockRegistry for RegistryOffice {
    async fn sign_in(
        &self,
        username: &str,
        password: &str,
        source: Option<std::net::IpAddr>,
    ) -> Result<(String, SignedInUser), CommandFailure> {
        match self
            .accounts
            .sign_in(username.trim(), password, source)
            .await
        {
            Ok(session) => Ok(session),
            Err(AccountError::Disabled(_)) => Err(CommandFailure::Forbidden {
                message: "this account is disabled; ask an administrator".into(),
            }),
            Err(AccountError::Throttled(wait)) => Err(CommandFailure::TooManyAttempts {
                // Rounded up, so a client that waits exactly this long is let in.
                retry_after_secs: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
            }),
            Err(AccountError::BadCredentials) => Err(CommandFailure::Invalid {
                errors: vec![FieldError {
                    field: "password".into(),
                    message: "unknown username or wrong password".into(),
                }],
            }),
            Err(error) => Err(unavailable("Signing in failed", error)),
        }
    }

    fn secure_cookies(&self) -> bool {
        self.secure_cookies
    }

    async fn change_password(
        &self,
        user: &SignedInUser,
        token: &str,
        current: &str,
        new: &str,
    ) -> Result<(), CommandFailure> {
        let change = crate::accounts::password_change::PasswordChange {
            current_password: current.to_string(),
            new_password: new.to_string(),
        };
        RegistryOffice::change_password(self, user, &change, token).await
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
        request_key: Option<&domain::RequestKey>,
    ) -> Result<CommandAck, CommandFailure> {
        self.submit_keyed(user, command, request_key).await
    }

    async fn submit_many(
        &self,
        user: &SignedInUser,
        commands: Vec<serde_json::Value>,
    ) -> Result<Vec<Result<CommandAck, CommandFailure>>, CommandFailure> {
        self.submit_batch(user, commands).await
    }

    async fn submit_bulk(
        &self,
        user: &SignedInUser,
        action_id: &str,
        commands: Vec<serde_json::Value>,
    ) -> Result<Vec<Result<CommandAck, CommandFailure>>, CommandFailure> {
        self.submit_bulk_action(user, action_id, commands).await
    }

    async fn herd_selection(
        &self,
        user: &SignedInUser,
        query: HerdQuery,
    ) -> Result<Vec<SelectedAnimal>, CommandFailure> {
        self.select_herd(user, &query).await
    }

    async fn herd(
        &self,
        user: &SignedInUser,
        query: HerdQuery,
    ) -> Result<HerdPage, CommandFailure> {
        let visible = self.visible_clients(user).await.map_err(read_failed)?;
        let page = herd_queries::herd_page(&self.db, visible.as_deref(), &query);
        self.timed("herd_page", page).await.map_err(read_failed)
    }

    async fn search(
        &self,
        user: &SignedInUser,
        request: SearchRequest,
    ) -> Result<SearchResults, CommandFailure> {
        self.search_herd(user, &request).await
    }

    async fn dashboard(&self, user: &SignedInUser) -> Result<Dashboard, CommandFailure> {
        let visible = self.visible_clients(user).await.map_err(read_failed)?;
        let figures = dashboard_queries::dashboard(&self.db, visible.as_deref());
        self.timed("dashboard", figures).await.map_err(read_failed)
    }

    async fn start_herd_as_of(
        &self,
        user: &SignedInUser,
        as_of: &str,
    ) -> Result<HerdAsOfRun, CommandFailure> {
        self.work_out_herd_as_of(user, as_of).await
    }

    fn herd_as_of(&self, user: &SignedInUser, job_id: &str) -> Option<HerdAsOfRun> {
        self.herd_as_of_job(user, job_id)
    }

    async fn animal(
        &self,
        user: &SignedInUser,
        cattle_id: i64,
    ) -> Result<Option<AnimalPage>, CommandFailure> {
        self.check_may_see(user, cattle_id).await?;
        let visible = self.visible_clients(user).await.map_err(read_failed)?;
        let page = animal_queries::animal_page(&self.db, cattle_id, |client| {
            visible.as_ref().is_none_or(|own| own.contains(&client))
        });
        self.timed("animal_page", page).await.map_err(read_failed)
    }

    async fn clients(&self, user: &SignedInUser) -> Result<Vec<ClientSummary>, CommandFailure> {
        let visible = self.visible_clients(user).await.map_err(read_failed)?;
        let clients = herd_queries::clients(&self.db, visible.as_deref());
        self.timed("clients", clients).await.map_err(read_failed)
    }

    async fn client_by_pic(
        &self,
        _user: &SignedInUser,
        pic: &str,
    ) -> Result<Option<ClientReference>, CommandFailure> {
        let pic = pic.trim().to_ascii_uppercase();
        if !domain::is_valid_pic(&pic) {
            return Err(CommandFailure::Invalid {
                errors: vec![FieldError::new(
                    "pic",
                    "a PIC is exactly 8 upper-case letters or digits, e.g. QABC1234",
                )],
            });
        }
        transfer_offers::client_by_pic(&self.db, &pic)
            .await
            .map_err(read_failed)
    }

    fn operations(&self, user: &SignedInUser) -> Result<OperationsReport, CommandFailure> {
        Ok(OperationsReport {
            health: self.health(),
            alerts: self.alerts(user)?,
            views: self.view_standings(user)?,
        })
    }

    fn set_view_paused(
        &self,
        user: &SignedInUser,
        view: ViewName,
        paused: bool,
    ) -> Result<(), CommandFailure> {
        self.switch_view(user, view, paused)
    }

    fn log_verification(&self, user: &SignedInUser) -> Result<LogVerificationRun, CommandFailure> {
        self.latest_log_verification(user)
    }

    fn view_rebuilds(&self, user: &SignedInUser) -> Result<Vec<ViewRebuild>, CommandFailure> {
        RegistryOffice::view_rebuilds(self, user)
    }

    fn start_view_rebuild(
        &self,
        user: &SignedInUser,
        view: ViewName,
    ) -> Result<ViewRebuild, CommandFailure> {
        RegistryOffice::start_view_rebuild(self, user, view)
    }

    fn cancel_view_rebuild(
        &self,
        user: &SignedInUser,
        view: ViewName,
    ) -> Result<ViewRebuild, CommandFailure> {
        RegistryOffice::cancel_view_rebuild(self, user, view)
    }

    async fn consumer_groups(
        &self,
        user: &SignedInUser,
    ) -> Result<Vec<ConsumerGroupStanding>, CommandFailure> {
        self.group_standings(user).await
    }

    async fn signing_keys(&self, user: &SignedInUser) -> Result<Vec<SigningKey>, CommandFailure> {
        self.key_registry(user).await
    }

    async fn user_accounts(&self, user: &SignedInUser) -> Result<Vec<UserAccount>, CommandFailure> {
        self.users(user).await
    }

    async fn fraud_alerts(&self, user: &SignedInUser) -> Result<Vec<FraudAlert>, CommandFailure> {
        self.desk_alerts(user).await
    }

    async fn open_fraud_alerts(&self, user: &SignedInUser) -> Result<u64, CommandFailure> {
        self.desk_open_count(user).await
    }

    async fn create_account(
        &self,
        user: &SignedInUser,
        username: &str,
        password: &str,
        role: Role,
    ) -> Result<SignedInUser, CommandFailure> {
        let new = NewUser {
            username: username.trim().to_string(),
            password: password.to_string(),
            role: role.as_str().to_string(),
        };
        self.create_user(user, &new).await
    }

    async fn set_account_disabled(
        &self,
        user: &SignedInUser,
        username: &str,
        disabled: bool,
    ) -> Result<(), CommandFailure> {
        self.set_user_disabled(user, username, disabled).await
    }

    async fn rotate_account_key(
        &self,
        user: &SignedInUser,
        username: &str,
    ) -> Result<(), CommandFailure> {
        self.rotate_user_key(user, username).await
    }

    async fn reset_account_password(
        &self,
        user: &SignedInUser,
        username: &str,
        password: &str,
    ) -> Result<(), CommandFailure> {
        self.reset_user_password(user, username, password).await
    }

    async fn set_account_role(
        &self,
        user: &SignedInUser,
        username: &str,
        role: Role,
    ) -> Result<(), CommandFailure> {
        self.set_user_role(user, username, role.as_str()).await
    }

    async fn verify_whole_log(
        &self,
        user: &SignedInUser,
    ) -> Result<LogVerificationRun, CommandFailure> {
        self.start_log_verification(user).await
    }

    async fn transfer_offers(&self, user: &SignedInUser) -> Result<TransferOffers, CommandFailure> {
        let visible = self.visible_clients(user).await.map_err(read_failed)?;
        let offers = transfer_offers::offers(&self.db, visible.as_deref());
        self.timed("transfer_offers", offers)
            .await
            .map_err(read_failed)
    }
}
