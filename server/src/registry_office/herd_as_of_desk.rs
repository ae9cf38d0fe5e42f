//! The herd as it was at a date or time, for whoever asks: their own herd as it stood then
//! (a farmer's: the animals their clients owned at that point), worked out in the background.
use super::{read_failed, RegistryOffice};
use crate::herd_as_of_runs::HerdOf;
use crate::http::as_of_param::parse_as_of;
use app::model::{CommandFailure, HerdAsOfRun, SignedInUser};
use domain::{FieldError, HistoryPoint};

fn invalid_as_of(message: String) -> CommandFailure {
    CommandFailure::Invalid {
        errors: vec![FieldError::new("asOf", message)],
    }
}

impl RegistryOffice {
    /// Starts working out the user's herd as of `as_of` (a date, the end of that day in
    /// UTC, or an RFC 3339 time). `Invalid` naming `asOf` for anything else; `Rejected`
    /// while another job of the user runs.
    pub async fn work_out_herd_as_of(
        &self,
        user: &SignedInUser,
        as_of: &str,
    ) -> Result<HerdAsOfRun, CommandFailure> {
        let at = match parse_as_of(as_of) {
            Ok(HistoryPoint::Millis(at)) => at,
            Ok(HistoryPoint::Sequence(_)) => {
                return Err(invalid_as_of(format!(
                    "{:?} is a sequence number; a herd is looked at as of a date or time \
                     (e.g. 2026-11-30 or 2026-11-30T08:00:00Z)",
                    as_of.trim()
                )))
            }
            Err(message) => return Err(invalid_as_of(message)),
        };
        let clients = self.visible_clients(user).await.map_err(read_failed)?;
        let herd = HerdOf {
            user_id: user.user_id.clone(),
            clients,
        };
        self.herd_as_of
            .start(self.db.clone(), herd, as_of.trim(), at)
            .map_err(|running| CommandFailure::Rejected {
                code: "HERD_AS_OF_RUNNING".into(),
                message: running.to_string(),
                field: Some("asOf".into()),
            })
    }

    /// The user's job `job_id`, as far as it got; `None` when it is unknown to this
    /// instance or another user's.
    pub fn herd_as_of_job(&self, user: &SignedInUser, job_id: &str) -> Option<HerdAsOfRun> {
        self.herd_as_of.get(job_id, &user.user_id)
    }
}
