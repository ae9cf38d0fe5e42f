//! One row's registration sent, and the registry's answer read as what became of the row.
//! A technical failure is tried again (sending a registration twice is answered with the
//! first); a refusal of the user themselves stops the rows not yet sent.
use crate::seed::registry_client::{RegistryClient, SeedError};
use app::model::{acknowledged_row, CommandAck};
use domain::herd_file::RowOutcome;
use reqwest::StatusCode;
use serde_json::Value;
use std::sync::Mutex;
use std::time::Duration;

/// Tries per row before it is reported as not sent.
const ATTEMPTS: u32 = 4;
/// The wait before the second try; doubled before each later one.
const FIRST_BACKOFF: Duration = Duration::from_millis(250);

/// Why the import stopped sending, once it has.
#[derive(Default)]
pub struct Stop(Mutex<Option<String>>);

impl Stop {
    /// The reason, if sending stopped.
    pub fn reason(&self) -> Option<String> {
        self.0.lock().ok().and_then(|reason| reason.clone())
    }

    fn set(&self, reason: &str) {
        if let Ok(mut stopped) = self.0.lock() {
            stopped.get_or_insert_with(|| reason.to_string());
        }
    }
}

/// Sends rows as one signed-in user.
pub struct RowSender {
    registry: RegistryClient,
}

impl RowSender {
    /// Rows sent as `registry`'s user.
    pub fn new(registry: RegistryClient) -> Self {
        Self { registry }
    }

    /// Sends one row's command: what became of it.
    pub async fn send(&self, command: &Value, stop: &Stop) -> RowOutcome {
        let mut backoff = FIRST_BACKOFF;
        let mut last_failure = String::new();
        for attempt in 1..=ATTEMPTS {
            if let Some(reason) = stop.reason() {
                return RowOutcome::NotSent { reason };
            }
            match self.registry.send(command, false).await {
                Ok(answer) => return acknowledged(answer),
                Err(SeedError::Refused { status, answer, .. }) => {
                    let reason = reason_of(&answer);
                    if matches!(
                        status,
                        StatusCode::CONFLICT | StatusCode::UNPROCESSABLE_ENTITY
                    ) {
                        return RowOutcome::Refused { reason };
                    }
                    if matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) {
                        stop.set(&format!("the registry refused the user: {reason}"));
                        return RowOutcome::NotSent { reason };
                    }
                    if !(status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS) {
                        return RowOutcome::NotSent {
                            reason: format!("{status}: {reason}"),
                        };
                    }
                    last_failure = format!("{status}: {reason}");
                }
                Err(unreachable) => last_failure = unreachable.to_string(),
            }
            if attempt < ATTEMPTS {
                tokio::time::sleep(backoff).await;
                backoff *= 2;
            }
        }
        RowOutcome::NotSent {
            reason: format!("{last_failure} (tried {ATTEMPTS} times)"),
        }
    }
}

/// An accepted command's acknowledgement as the row's outcome.
fn acknowledged(answer: Value) -> RowOutcome {
    match serde_json::from_value::<CommandAck>(answer) {
        Ok(ack) => acknowledged_row(ack),
        Err(error) => RowOutcome::NotSent {
            reason: format!("the registry's answer was not an acknowledgement: {error}"),
        },
    }
}

/// The sentence of an error answer: its `error`, or each `errors` entry as `field: message`.
fn reason_of(answer: &str) -> String {
    let Ok(body) = serde_json::from_str::<Value>(answer) else {
        return answer.to_string();
    };
    if let Some(error) = body["error"].as_str() {
        return error.to_string();
    }
    match body["errors"].as_array() {
        Some(errors) => errors
            .iter()
            .map(|e| {
                format!(
                    "{}: {}",
                    e["field"].as_str().unwrap_or_default(),
                    e["message"].as_str().unwrap_or_default()
                )
            })
            .collect::<Vec<_>>()
            .join("; "),
        None => answer.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_answer_names_its_errors() {
        assert_eq!(
            reason_of(r#"{"error":"the tag is registered to another herd","code":"X"}"#),
            "the tag is registered to another herd"
        );
        assert_eq!(
            reason_of(
                r#"{"errors":[{"field":"nlisId","message":"must be 16"},{"field":"sex","message":"unknown"}]}"#
            ),
            "nlisId: must be 16; sex: unknown"
        );
        assert_eq!(reason_of("Bad Gateway"), "Bad Gateway");
    }

    #[test]
    fn a_duplicate_acknowledgement_is_an_animal_already_registered() {
        let ack = |status| {
            json!({"event_id": "evt_1", "status": status, "cattle_id": 7, "sequence": 1,
                   "message": "m"})
        };
        assert_eq!(
            acknowledged(ack("DUPLICATE")),
            RowOutcome::AlreadyRegistered {
                cattle_id: 7,
                event_id: "evt_1".into()
            }
        );
        assert_eq!(
            acknowledged(ack("PUBLISHED")),
            RowOutcome::Imported {
                cattle_id: 7,
                event_id: "evt_1".into()
            }
        );
        assert!(matches!(
            acknowledged(json!({"nothing": true})),
            RowOutcome::NotSent { .. }
        ));
    }
}
