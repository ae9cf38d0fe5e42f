//! The outbox: commands made in the browser that the registry does not hold yet (no signal
//! in the paddock, an answer lost on the way), kept until it has them. What an entry holds,
//! how it reads to people, and what the registry's answer to a send means for it.
use super::{CommandAck, CommandFailure};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One command waiting in the browser.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxEntry {
    /// Made in the browser when the form was sent; the registry treats it as the command's
    /// idempotency key, so sending it again never makes a second event.
    pub command_id: String,
    /// Whose command it is: it is sent only while they are signed in.
    pub username: String,
    /// The command in the seed's `{type, data}` shape, checked by the domain rules.
    pub command: Value,
    /// When the farmer made it (the browser's clock, RFC 3339); the queue is sent in this
    /// order.
    pub queued_at: String,
    /// Sends tried so far.
    pub attempts: u32,
    /// Why the registry refused it on arrival (the animal changed meanwhile); it stays,
    /// marked, until the farmer discards it.
    pub refused: Option<String>,
    /// Why the last send did not reach the registry, when it did not.
    pub last_failure: Option<String>,
}

impl OutboxEntry {
    /// A command just made by `username`.
    pub fn new(command_id: String, username: String, command: Value, queued_at: String) -> Self {
        Self {
            command_id,
            username,
            command,
            queued_at,
            attempts: 0,
            refused: None,
            last_failure: None,
        }
    }

    /// Whether it still waits to be sent.
    pub fn waiting(&self) -> bool {
        self.refused.is_none()
    }

    /// What it is, in the words of the form that made it: "Record health for animal 12".
    pub fn summary(&self) -> String {
        let kind = self.command["type"].as_str().unwrap_or_default();
        let data = &self.command["data"];
        let action = match kind {
            "CREATE_CATTLE" => {
                let tag = data["nlisId"].as_str().unwrap_or("an animal");
                return format!("Register {tag}");
            }
            "RECORD_HEALTH" => "Record health",
            "RECORD_LOCATION" => "Record location",
            "ADD_VERIFICATION" => "Add verification",
            "CHANGE_STATUS" => "Change status",
            "TRANSFER_OWNERSHIP" => "Transfer",
            "ACCEPT_TRANSFER" => "Accept transfer",
            "DECLINE_TRANSFER" => "Decline transfer",
            "RECORD_VALUATION" => "Record valuation",
            "RESOLVE_FRAUD_ALERT" => "Resolve fraud alert",
            other => other,
        };
        match data["cattleId"].as_i64() {
            Some(id) => format!("{action} for animal {id}"),
            None => action.to_string(),
        }
    }

    /// The animal it is about, when it names one.
    pub fn cattle_id(&self) -> Option<i64> {
        self.command["data"]["cattleId"].as_i64()
    }
}

/// The entries `username` sends, in the order they were made.
pub fn queue_of(entries: &[OutboxEntry], username: &str) -> Vec<OutboxEntry> {
    let mut mine: Vec<OutboxEntry> = entries
        .iter()
        .filter(|entry| entry.username == username)
        .cloned()
        .collect();
    mine.sort_by(|a, b| {
        (a.queued_at.as_str(), a.command_id.as_str())
            .cmp(&(b.queued_at.as_str(), b.command_id.as_str()))
    });
    mine
}

/// What one send of an entry came to.
#[derive(Debug, Clone, PartialEq)]
pub enum SendAnswer {
    /// The registry holds it, now or from an earlier send whose answer was lost: it leaves
    /// the outbox.
    Delivered(CommandAck),
    /// The registry refused it: it stays, with the reason, for the farmer to read.
    Refused(String),
    /// It did not reach the registry, or the registry could not take it now: it is sent
    /// again later, and nothing after it goes first.
    TryLater(String),
    /// The user must sign in again before anything more is sent.
    SignIn(String),
}

/// Reads the registry's answer to one send.
pub fn send_answer(answer: Result<CommandAck, CommandFailure>) -> SendAnswer {
    let failure = match answer {
        Ok(ack) => return SendAnswer::Delivered(ack),
        Err(failure) => failure,
    };
    if let Some(reason) = failure.refusal() {
        return SendAnswer::Refused(reason);
    }
    match failure {
        CommandFailure::Forbidden { .. } => SendAnswer::Refused(failure.to_string()),
        CommandFailure::SignedOut => SendAnswer::SignIn("sign in again to send the outbox".into()),
        _ => SendAnswer::TryLater(failure.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::AckStatus;
    use domain::FieldError;
    use serde_json::json;

    fn entry(id: &str, user: &str, at: &str, command: Value) -> OutboxEntry {
        OutboxEntry::new(id.into(), user.into(), command, at.into())
    }

    #[test]
    fn an_entry_reads_as_the_form_that_made_it() {
        let health = json!({"type": "RECORD_HEALTH", "data": {"cattleId": 12, "description": "x"}});
        assert_eq!(
            entry("a", "u", "t", health).summary(),
            "Record health for animal 12"
        );
        let register = json!({"type": "CREATE_CATTLE", "data": {"nlisId": "NAUS1", "clientId": 3}});
        assert_eq!(entry("a", "u", "t", register).summary(), "Register NAUS1");
        let odd = json!({"type": "SOMETHING_NEW", "data": {}});
        assert_eq!(entry("a", "u", "t", odd).summary(), "SOMETHING_NEW");
    }

    #[test]
    fn a_user_sends_only_their_own_entries_oldest_first() {
        let command = json!({"type": "RECORD_HEALTH", "data": {"cattleId": 1}});
        let entries = vec![
            entry("c", "ann", "2026-12-02T10:00:02.000Z", command.clone()),
            entry("b", "bob", "2026-12-02T10:00:00.000Z", command.clone()),
            entry("a", "ann", "2026-12-02T10:00:01.000Z", command.clone()),
            entry("d", "ann", "2026-12-02T10:00:01.000Z", command),
        ];
        let order: Vec<String> = queue_of(&entries, "ann")
            .into_iter()
            .map(|e| e.command_id)
            .collect();
        assert_eq!(order, ["a", "d", "c"]);
    }

    #[test]
    fn only_a_refusal_keeps_an_entry_back_for_good() {
        let ack = CommandAck {
            event_id: "e".into(),
            status: AckStatus::Duplicate,
            cattle_id: 1,
            sequence: 2,
            message: "sent before".into(),
        };
        assert_eq!(
            send_answer(Ok(ack.clone())),
            SendAnswer::Delivered(ack),
            "a duplicate is the earlier send arriving"
        );
        let invalid = CommandFailure::Invalid {
            errors: vec![FieldError {
                field: "description".into(),
                message: "is required".into(),
            }],
        };
        assert!(
            matches!(send_answer(Err(invalid)), SendAnswer::Refused(r) if r.contains("description"))
        );
        let rejected = CommandFailure::Rejected {
            code: "NOT_ACTIVE".into(),
            message: "the animal is sold".into(),
            field: None,
        };
        assert_eq!(
            send_answer(Err(rejected)),
            SendAnswer::Refused("the animal is sold".into())
        );
        let down = CommandFailure::Unavailable {
            message: "the log is down".into(),
        };
        assert!(matches!(send_answer(Err(down)), SendAnswer::TryLater(_)));
        assert!(matches!(
            send_answer(Err(CommandFailure::SignedOut)),
            SendAnswer::SignIn(_)
        ));
    }
}
