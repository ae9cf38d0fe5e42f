//! A registration refused because its tag belongs to another herd never reaches the log,
//! yet it is the first sign of a cloned tag: the handler raises it as a DUPLICATE_NLIS alert
//! on the animal that holds the tag, signed with the fraud detector's key, once the stream's
//! turn is let go. The farmer's answer is the refusal either way.
use super::fraud_findings::FindingToRaise;
use super::stream_base::StreamBase;
use super::CommandHandler;
use crate::accounts::Actor;
use domain::{detect_rejected_registration, CattleId, Command, FraudFinding, Rejection};

impl CommandHandler {
    /// The finding a refused `command` raises: a registration of a tag `base` holds for
    /// another client, when this instance runs the fraud detector.
    pub(super) fn tag_claim(
        &self,
        actor: &Actor,
        base: &StreamBase,
        command: &Command,
        rejection: &Rejection,
    ) -> Option<FraudFinding> {
        self.detector.as_ref()?;
        let (Command::CreateCattle(claim), Rejection::AlreadyRegistered { .. }) =
            (command, rejection)
        else {
            return None;
        };
        let existing = base.state.as_ref()?;
        detect_rejected_registration(existing, claim, &actor.user.user_id)
    }

    /// Raises `finding` on animal `cattle_id`, on whatever head the stream has by then; a
    /// failure is logged, since the refusal stands whatever becomes of it.
    pub(super) async fn raise_tag_claim(&self, cattle_id: CattleId, finding: &FraudFinding) {
        let Some(detector) = &self.detector else {
            return;
        };
        let raising = FindingToRaise {
            cattle_id,
            finding,
            cause: None,
            after_sequence: 0,
            refused: None,
        };
        match self.raise_alert(raising, detector).await {
            Ok(raised) => {
                tracing::debug!(alert_id = %finding.alert_id, ?raised, "tag claim")
            }
            Err(failure) => tracing::warn!(alert_id = %finding.alert_id, ?failure,
                "a registration of a tag held by another herd was refused, and its alert could not be raised"),
        }
    }
}
