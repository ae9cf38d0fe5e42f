//! The fraud desk through the registry office: assessors (and administrators) read every
//! alert and how many wait; farmers see the alerts on their own animals on the animal page.
use super::{read_failed, RegistryOffice};
use crate::fraud::alert_queries;
use app::model::{CommandFailure, FraudAlert, SignedInUser};
use domain::Role;

fn desk_staff_only(user: &SignedInUser) -> Result<(), CommandFailure> {
    match user.role {
        Role::Assessor | Role::Admin => Ok(()),
        Role::Farmer => Err(CommandFailure::Forbidden {
            message: "the fraud desk is for assessors; your animals' alerts are on their pages"
                .into(),
        }),
    }
}

impl RegistryOffice {
    /// The alerts of the fraud desk, open ones first (assessors and administrators).
    pub async fn desk_alerts(
        &self,
        user: &SignedInUser,
    ) -> Result<Vec<FraudAlert>, CommandFailure> {
        desk_staff_only(user)?;
        self.timed("fraud_alerts", alert_queries::alerts(&self.db))
            .await
            .map_err(read_failed)
    }

    /// How many alerts wait for an assessor (assessors and administrators).
    pub async fn desk_open_count(&self, user: &SignedInUser) -> Result<u64, CommandFailure> {
        desk_staff_only(user)?;
        self.timed("open_fraud_alerts", alert_queries::open_count(&self.db))
            .await
            .map_err(read_failed)
    }
}
