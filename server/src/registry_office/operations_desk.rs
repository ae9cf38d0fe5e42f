//! What operators read and do through the registry office: engine health (anyone), the
//! alerts and each view's standing, and pausing or resuming a view (administrators).
use super::user_desk::admins_only;
use super::RegistryOffice;
use app::model::{Alert, CommandFailure, Health, SignedInUser, ViewName, ViewStanding};

impl RegistryOffice {
    /// Each engine's state and whether the log can be written, as last probed.
    pub fn health(&self) -> Health {
        self.readings.health()
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
}
