//! What the server functions need from the server, provided through Leptos context.
use crate::model::{
    AnimalPage, ClientReference, ClientSummary, CommandAck, CommandFailure, ConsumerGroupStanding,
    Dashboard, FraudAlert, HerdAsOfRun, HerdPage, HerdQuery, LogVerificationRun, OperationsReport,
    SearchRequest, SearchResults, SelectedAnimal, SignedInUser, SigningKey, TransferOffers,
    UserAccount, ViewName, ViewRebuild,
};
use domain::Role;
use std::net::IpAddr;
use std::sync::Arc;

/// The address a request came from (the peer of its connection), which the server puts in
/// the request's extensions for the sign-in throttle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceAddress(pub IpAddr);

/// The livestock registry as the web app sees it. Every read and command is for a signed-in
/// user and answers only what that user may see or do.
#[async_trait::async_trait]
pub trait LivestockRegistry: Send + Sync + 'static {
    /// Checks a password and opens a session: the session token and the user. Failed tries
    /// are counted per account and per `source` address, and too many answer
    /// `TooManyAttempts`.
    async fn sign_in(
        &self,
        username: &str,
        password: &str,
        source: Option<IpAddr>,
    ) -> Result<(String, SignedInUser), CommandFailure>;
    /// Whether session cookies are `Secure` (HTTPS only).
    fn secure_cookies(&self) -> bool;
    /// Replaces `user`'s password once `current` is confirmed; every other session of the
    /// user ends, `token`'s stays. Field errors name `currentPassword` or `newPassword`.
    async fn change_password(
        &self,
        user: &SignedInUser,
        token: &str,
        current: &str,
        new: &str,
    ) -> Result<(), CommandFailure>;
    /// Ends a session.
    async fn sign_out(&self, token: &str) -> Result<(), CommandFailure>;
    /// The user of a live session, `None` when it is unknown or expired.
    async fn session_user(&self, token: &str) -> Result<Option<SignedInUser>, CommandFailure>;
    /// Validates, authorises, decides, signs (with the user's key) and publishes one command
    /// in the seed's `{type, data}` shape; sent again under the same `request_key`, it is
    /// the same fact.
    async fn submit(
        &self,
        user: &SignedInUser,
        command: serde_json::Value,
        request_key: Option<&domain::RequestKey>,
    ) -> Result<CommandAck, CommandFailure>;
    /// Sends up to `MOST_COMMANDS_AT_ONCE` commands (an import's rows) a few at a time,
    /// each answered on its own, in the order sent.
    async fn submit_many(
        &self,
        user: &SignedInUser,
        commands: Vec<serde_json::Value>,
    ) -> Result<Vec<Result<CommandAck, CommandFailure>>, CommandFailure>;
    /// One chunk of a bulk action: each command answered on its own, in order, every event
    /// correlated by `action_id`, which is also each command's request key (a chunk sent
    /// again is the same facts). `Invalid` naming `actionId` when the id is unfit.
    async fn submit_bulk(
        &self,
        user: &SignedInUser,
        action_id: &str,
        commands: Vec<serde_json::Value>,
    ) -> Result<Vec<Result<CommandAck, CommandFailure>>, CommandFailure>;
    /// Every animal the user may see matching `query`'s filters, at most `MOST_SELECTED`:
    /// what "select every animal matching" selects.
    async fn herd_selection(
        &self,
        user: &SignedInUser,
        query: HerdQuery,
    ) -> Result<Vec<SelectedAnimal>, CommandFailure>;
    /// One page of the herd the user may see.
    async fn herd(&self, user: &SignedInUser, query: HerdQuery)
        -> Result<HerdPage, CommandFailure>;
    /// The animals matching a search among those the user may see.
    async fn search(
        &self,
        user: &SignedInUser,
        request: SearchRequest,
    ) -> Result<SearchResults, CommandFailure>;
    /// The dashboard of the herd the user may see.
    async fn dashboard(&self, user: &SignedInUser) -> Result<Dashboard, CommandFailure>;
    /// Starts working out the dashboard's figures for the user's herd as it was at `as_of`
    /// (a date or an RFC 3339 time) in the background; `Invalid` naming `asOf` for anything
    /// else, `Rejected` while another of the user's runs.
    async fn start_herd_as_of(
        &self,
        user: &SignedInUser,
        as_of: &str,
    ) -> Result<HerdAsOfRun, CommandFailure>;
    /// The user's herd-as-of job, as far as it got; `None` when unknown.
    fn herd_as_of(&self, user: &SignedInUser, job_id: &str) -> Option<HerdAsOfRun>;
    /// One animal's page; `Forbidden` when it is another farmer's, `None` when unknown.
    async fn animal(
        &self,
        user: &SignedInUser,
        cattle_id: i64,
    ) -> Result<Option<AnimalPage>, CommandFailure>;
    /// The clients the user manages (every client for assessors and administrators).
    async fn clients(&self, user: &SignedInUser) -> Result<Vec<ClientSummary>, CommandFailure>;
    /// The client registered under exactly this PIC, by id and PIC only: how a farmer names
    /// another farmer's client to offer an animal to. `Invalid` for a malformed PIC.
    async fn client_by_pic(
        &self,
        user: &SignedInUser,
        pic: &str,
    ) -> Result<Option<ClientReference>, CommandFailure>;
    /// The transfers waiting for acceptance that concern the user.
    async fn transfer_offers(&self, user: &SignedInUser) -> Result<TransferOffers, CommandFailure>;
    /// The engines, the alerts and the views' lag (administrators only).
    fn operations(&self, user: &SignedInUser) -> Result<OperationsReport, CommandFailure>;
    /// Pauses or resumes a view (administrators only).
    fn set_view_paused(
        &self,
        user: &SignedInUser,
        view: ViewName,
        paused: bool,
    ) -> Result<(), CommandFailure>;
    /// The deployment's consumer groups as Kafka sees them (administrators only).
    async fn consumer_groups(
        &self,
        user: &SignedInUser,
    ) -> Result<Vec<ConsumerGroupStanding>, CommandFailure>;
    /// Every key whose signatures the registry accepts, the server's first, then the
    /// users' by name (administrators only).
    async fn signing_keys(&self, user: &SignedInUser) -> Result<Vec<SigningKey>, CommandFailure>;
    /// The latest verification of the whole log (administrators only).
    fn log_verification(&self, user: &SignedInUser) -> Result<LogVerificationRun, CommandFailure>;
    /// The latest rebuild of each view this instance can rebuild (administrators only).
    fn view_rebuilds(&self, user: &SignedInUser) -> Result<Vec<ViewRebuild>, CommandFailure>;
    /// Starts rebuilding a view blue/green (administrators only); `Rejected` while one runs.
    fn start_view_rebuild(
        &self,
        user: &SignedInUser,
        view: ViewName,
    ) -> Result<ViewRebuild, CommandFailure>;
    /// Cancels a rebuild before its swap (administrators only).
    fn cancel_view_rebuild(
        &self,
        user: &SignedInUser,
        view: ViewName,
    ) -> Result<ViewRebuild, CommandFailure>;
    /// The fraud desk's alerts, open ones first, most serious and newest first among them
    /// (assessors and administrators).
    async fn fraud_alerts(&self, user: &SignedInUser) -> Result<Vec<FraudAlert>, CommandFailure>;
    /// How many fraud alerts wait for an assessor (assessors and administrators).
    async fn open_fraud_alerts(&self, user: &SignedInUser) -> Result<u64, CommandFailure>;
    /// Every user account, by name (administrators only).
    async fn user_accounts(&self, user: &SignedInUser) -> Result<Vec<UserAccount>, CommandFailure>;
    /// Creates an account with a fresh signing key (administrators only); field errors name
    /// `username`, `password` or `role`.
    async fn create_account(
        &self,
        user: &SignedInUser,
        username: &str,
        password: &str,
        role: Role,
    ) -> Result<SignedInUser, CommandFailure>;
    /// Disables or enables an account (administrators only, never their own).
    async fn set_account_disabled(
        &self,
        user: &SignedInUser,
        username: &str,
        disabled: bool,
    ) -> Result<(), CommandFailure>;
    /// Gives an account a new signing key and revokes its old one from now (administrators
    /// only).
    async fn rotate_account_key(
        &self,
        user: &SignedInUser,
        username: &str,
    ) -> Result<(), CommandFailure>;
    /// Gives an account a password its user must replace at their next sign-in
    /// (administrators only, never their own).
    async fn reset_account_password(
        &self,
        user: &SignedInUser,
        username: &str,
        password: &str,
    ) -> Result<(), CommandFailure>;
    /// Changes an account's role (administrators only, never their own).
    async fn set_account_role(
        &self,
        user: &SignedInUser,
        username: &str,
        role: Role,
    ) -> Result<(), CommandFailure>;
    /// Starts verifying the whole log (administrators only); `Rejected` while one runs.
    async fn verify_whole_log(
        &self,
        user: &SignedInUser,
    ) -> Result<LogVerificationRun, CommandFailure>;
}

/// The shared handle put into Leptos context.
pub type SharedRegistry = Arc<dyn LivestockRegistry>;
