//! A bulk action: one command for each selected animal under one action id, and what each
//! animal's answer means for the result list. The log stays per animal; the shared id is
//! every event's `correlation_id` and each command's request key, so a chunk sent again
//! after a lost answer is the same facts, not new ones.
use super::{ChunkAnswer, CommandAck, CommandFailure};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Commands of one bulk action sent in one request.
pub const BULK_COMMANDS_PER_REQUEST: usize = 25;

/// An animal chosen for a bulk action.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SelectedAnimal {
    /// The animal's id.
    pub id: i64,
    /// Its NLIS id, for the result list.
    pub nlis_id: String,
}

/// The command a bulk action sends for one animal: `data` (the action's fields as the form
/// encodes them) with the animal's `cattleId`.
pub fn command_for(command_type: &str, data: &Map<String, Value>, cattle_id: i64) -> Value {
    let mut data = data.clone();
    data.insert("cattleId".into(), Value::from(cattle_id));
    serde_json::json!({ "type": command_type, "data": data })
}

/// How one animal of a bulk action ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum BulkOutcome {
    /// Written to the animal's log now (or by an earlier send of the same action).
    Done {
        /// The event.
        event_id: String,
    },
    /// The registry refused it for this animal: why.
    Refused(String),
    /// Not sent, or its answer was lost: why. Applying the action again sends it again.
    NotSent(String),
}

/// What to do with one animal's answer.
pub type BulkAnswer = ChunkAnswer<BulkOutcome>;

/// Reads the registry's answer for one animal. A refusal of the user for one animal (not
/// theirs) ends that animal only; being signed out ends the action.
pub fn bulk_answer(answer: Result<CommandAck, CommandFailure>) -> BulkAnswer {
    match answer {
        Ok(ack) => BulkAnswer::Ended(BulkOutcome::Done {
            event_id: ack.event_id,
        }),
        Err(failure) => match failure.refusal() {
            Some(reason) => BulkAnswer::Ended(BulkOutcome::Refused(reason)),
            None => match failure {
                CommandFailure::Forbidden { .. } => {
                    BulkAnswer::Ended(BulkOutcome::Refused(failure.to_string()))
                }
                CommandFailure::SignedOut => BulkAnswer::StopAll(failure.to_string()),
                _ => BulkAnswer::Again(failure.to_string()),
            },
        },
    }
}

/// "30 done", "28 done · 2 refused", "27 done · 1 refused · 2 not sent".
pub fn bulk_tally<'a>(outcomes: impl IntoIterator<Item = &'a BulkOutcome>) -> String {
    let (mut done, mut refused, mut not_sent) = (0, 0, 0);
    for outcome in outcomes {
        match outcome {
            BulkOutcome::Done { .. } => done += 1,
            BulkOutcome::Refused(_) => refused += 1,
            BulkOutcome::NotSent(_) => not_sent += 1,
        }
    }
    let mut parts = vec![format!("{done} done")];
    if refused > 0 {
        parts.push(format!("{refused} refused"));
    }
    if not_sent > 0 {
        parts.push(format!("{not_sent} not sent"));
    }
    parts.join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::AckStatus;
    use serde_json::json;

    #[test]
    fn each_animal_gets_the_action_with_its_own_id() {
        let data = json!({"paddock": "River flat", "latitude": -27.5, "longitude": 153.0});
        let Value::Object(data) = data else {
            unreachable!()
        };
        let command = command_for("RECORD_LOCATION", &data, 42);
        assert_eq!(command["data"]["cattleId"], 42);
        assert_eq!(command["data"]["paddock"], "River flat");
        assert!(domain::Command::parse_valid(&command).is_ok());
    }

    #[test]
    fn answers_end_an_animal_retry_it_or_stop() {
        let ack = CommandAck {
            event_id: "evt_1".into(),
            status: AckStatus::Published,
            cattle_id: 7,
            sequence: 2,
            message: String::new(),
        };
        assert_eq!(
            bulk_answer(Ok(ack)),
            BulkAnswer::Ended(BulkOutcome::Done {
                event_id: "evt_1".into()
            })
        );
        let not_yours = CommandFailure::Forbidden {
            message: "animal 7 belongs to a client that is not yours".into(),
        };
        assert!(matches!(
            bulk_answer(Err(not_yours)),
            BulkAnswer::Ended(BulkOutcome::Refused(reason)) if reason.contains("not yours")
        ));
        assert!(matches!(
            bulk_answer(Err(CommandFailure::SignedOut)),
            BulkAnswer::StopAll(_)
        ));
        let down = CommandFailure::Unavailable {
            message: "the log is unreachable".into(),
        };
        assert!(matches!(bulk_answer(Err(down)), BulkAnswer::Again(_)));
    }

    #[test]
    fn the_tally_names_only_what_happened() {
        let done = BulkOutcome::Done {
            event_id: "e".into(),
        };
        assert_eq!(bulk_tally(&vec![done.clone(); 30]), "30 done");
        let mixed = [
            done,
            BulkOutcome::Refused("sold".into()),
            BulkOutcome::NotSent("offline".into()),
        ];
        assert_eq!(bulk_tally(&mixed), "1 done · 1 refused · 1 not sent");
    }
}
