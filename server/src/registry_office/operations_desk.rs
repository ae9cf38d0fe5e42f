//! What operators read and do through the registry office: engine health (anyone), the
//! alerts and each view's standing, and pausing or resuming a view (administrators).
use super::user_desk::admins_only;
use super::RegistryOffice;
use crate::rebuild::RebuildRefused;
use crate::technical_failure::unavailable;
use app::model::{
    Alert, CommandFailure, ConsumerGroupStanding, Health, LogVerificationRun, SignedInUser,
    ViewName, ViewRebuild, ViewStanding,
};

/// A refused start or cancel, with a stable code for each reason.
fn refused(refusal: RebuildRefused) -> CommandFailure {
    let code = match refusal {
        RebuildRefused::NotRebuildable(_) => "VIEW_NOT_REBUILDABLE",
        RebuildRefused::NotRunningHere(_) => "VIEW_NOT_RUNNING",
        RebuildRefused::Running(_) => "REBUILD_RUNNING",
        RebuildRefused::NotRunning(_) => "NO_REBUILD_RUNNING",
        RebuildRefused::Swapping(_) => "REBUILD_SWAPPING",
    };
    CommandFailure::Rejected {
        code: code.into(),
        message: refusal.to_string(),
        field: None,
    }
}

impl RegistryOffice {
    /// Each engine's state and whether the log can be written, as last probed.
    pub fn health(&self) -> Health {
        self.readings.health()
    }

    /// Everything the operations page shows of this instance, as one text that changes
    /// when any of it does (the probe's own time left out): how the pulse tells a move.
    pub fn operations_digest(&self) -> String {
        let health = self.readings.health();
        let verification = self.verification.latest();
        serde_json::json!({
            "writable": health.log_writable,
            "engines": health.engines,
            "alerts": self.readings.alerts(),
            "views": self.readings.views(),
            "rebuilds": self.rebuilds.all(),
            "verification": [verification.state, verification.checked, verification.broken_count],
        })
        .to_string()
    }

    /// The deployment's consumer groups as Kafka sees them (administrators only).
    pub async fn group_standings(
        &self,
        user: &SignedInUser,
    ) -> Result<Vec<ConsumerGroupStanding>, CommandFailure> {
        admins_only(user)?;
        self.groups
            .standings()
            .await
            .map_err(|error| unavailable("The consumer groups could not be read from Kafka", error))
    }

    /// The seed's alerts as last evaluated (administrators only).
    pub fn alerts(&self, user: &SignedInUser) -> Result<Vec<Alert>, CommandFailure> {
        admins_only(user)?;
        Ok(self.readings.alerts())
    }

    /// How far each view has read the log (administrators only).
    pub fn view_standings(&self, user: &SignedInUser) -> Result<Vec<ViewStanding>, CommandFailure> {
        admins_only(user)?;
        Ok(self.readings.views())
    }

    /// Pauses or resumes a view of this instance (administrators only). A paused view
    /// finishes its batch and reads nothing more; its lag grows until it is resumed.
    pub fn switch_view(
        &self,
        user: &SignedInUser,
        view: ViewName,
        paused: bool,
    ) -> Result<(), CommandFailure> {
        admins_only(user)?;
        self.progress
            .set_paused(view, paused)
            .map_err(|not_running| CommandFailure::Rejected {
                code: "VIEW_NOT_RUNNING".into(),
                message: not_running.to_string(),
                field: None,
            })?;
        tracing::warn!(view = view.as_str(), paused, by = %user.username, "view switched by an operator");
        Ok(())
    }

    /// The latest verification of the whole log (administrators only).
    pub fn latest_log_verification(
        &self,
        user: &SignedInUser,
    ) -> Result<LogVerificationRun, CommandFailure> {
        admins_only(user)?;
        Ok(self.verification.latest())
    }

    /// Starts verifying the whole log against the trusted keys (administrators only);
    /// refused while a run is under way. The key stream is read to its end first: a key
    /// registered by another instance may have signed events this one has not met yet.
    pub async fn start_log_verification(
        &self,
        user: &SignedInUser,
    ) -> Result<LogVerificationRun, CommandFailure> {
        admins_only(user)?;
        self.trusted
            .read_key_stream()
            .await
            .map_err(|error| unavailable("The key stream could not be read", error))?;
        self.verification
            .start(
                self.brokers.clone(),
                self.log_topic.clone(),
                self.snapshot_topic.clone(),
                self.trusted.registry(),
            )
            .map_err(|running| CommandFailure::Rejected {
                code: "VERIFICATION_RUNNING".into(),
                message: running.to_string(),
                field: None,
            })?;
        tracing::info!(by = %user.username, "whole-log verification started");
        Ok(self.verification.latest())
    }

    /// The latest rebuild of `view` (administrators only).
    pub fn view_rebuild(
        &self,
        user: &SignedInUser,
        view: ViewName,
    ) -> Result<ViewRebuild, CommandFailure> {
        admins_only(user)?;
        Ok(self.rebuilds.latest(view))
    }

    /// The latest rebuild of every view (administrators only).
    pub fn view_rebuilds(&self, user: &SignedInUser) -> Result<Vec<ViewRebuild>, CommandFailure> {
        admins_only(user)?;
        Ok(self.rebuilds.all())
    }

    /// Starts rebuilding `view` blue/green (administrators only); refused while one runs.
    pub fn start_view_rebuild(
        &self,
        user: &SignedInUser,
        view: ViewName,
    ) -> Result<ViewRebuild, CommandFailure> {
        admins_only(user)?;
        let run = self.rebuilds.start(view).map_err(refused)?;
        tracing::warn!(view = view.as_str(), by = %user.username, "view rebuild started by an operator");
        Ok(run)
    }

    /// Cancels the rebuild of `view` before its swap (administrators only).
    pub fn cancel_view_rebuild(
        &self,
        user: &SignedInUser,
        view: ViewName,
    ) -> Result<ViewRebuild, CommandFailure> {
        admins_only(user)?;
        let run = self.rebuilds.cancel(view).map_err(refused)?;
        tracing::warn!(view = view.as_str(), by = %user.username, "view rebuild cancelled by an operator");
        Ok(run)
    }
}
