//! A client's own name for one request (the `Idempotency-Key` HTTP header integrators know):
//! a retry with the same key is the same business fact, whatever happened in between.
use crate::{CattleId, DecidedEvent, EventType, FieldError};

/// The header that carries a request key.
pub const REQUEST_KEY_HEADER: &str = "Idempotency-Key";

/// The longest request key accepted.
pub const REQUEST_KEY_MAX: usize = 200;

/// A validated request key: 1 to 200 visible ASCII characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestKey(String);

impl RequestKey {
    /// Checks a key as received, naming the header when it is unfit.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let refuse = |message: &str| FieldError {
            field: REQUEST_KEY_HEADER.to_string(),
            message: message.to_string(),
        };
        if raw.is_empty() {
            return Err(refuse("the key is empty"));
        }
        if raw.len() > REQUEST_KEY_MAX {
            return Err(refuse("the key is longer than 200 characters"));
        }
        if !raw.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(refuse(
                "the key may hold only visible ASCII characters, without spaces",
            ));
        }
        Ok(Self(raw.to_string()))
    }

    /// The key as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether an event's business reference already names the fact itself (a registration, an
/// alert and its resolution), so that no request key is needed to recognise it again.
pub fn has_natural_ref(event_type: EventType) -> bool {
    matches!(
        event_type,
        EventType::CattleCreated
            | EventType::ClientRegistered
            | EventType::FraudDetected
            | EventType::FraudAlertResolved
    )
}

/// The business reference of the `index`-th event a keyed request decides:
/// "{event-type-in-kebab-case}-{cattleId}-request-{key}[-{index}]". It does not depend on the
/// stream's sequence, so a retry decided on a later state names the same fact.
pub fn request_ref(
    event_type: EventType,
    cattle_id: CattleId,
    key: &RequestKey,
    index: usize,
) -> String {
    let kebab = event_type.as_str().to_ascii_lowercase().replace('_', "-");
    let base = format!("{kebab}-{}-request-{}", cattle_id.0, key.as_str());
    if index == 0 {
        base
    } else {
        format!("{base}-{index}")
    }
}

/// The events of a keyed request, each named by the request instead of the sequence where
/// its reference does not already name the fact, so a retry decided on a later state still
/// carries the same idempotency keys.
pub fn named_by_request(
    decisions: Vec<DecidedEvent>,
    cattle_id: CattleId,
    key: &RequestKey,
) -> Vec<DecidedEvent> {
    decisions
        .into_iter()
        .enumerate()
        .map(|(index, decided)| {
            if has_natural_ref(decided.event_type) {
                decided
            } else {
                DecidedEvent {
                    event_ref: request_ref(decided.event_type, cattle_id, key, index),
                    ..decided
                }
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_key_of_visible_characters_is_taken_as_sent() {
        let key = RequestKey::parse("order-2026-11-30/7").unwrap();
        assert_eq!(key.as_str(), "order-2026-11-30/7");
    }

    #[test]
    fn an_unfit_key_names_the_header() {
        for raw in ["", "has space", "tab\there", "é", &"k".repeat(201)] {
            let error = RequestKey::parse(raw).unwrap_err();
            assert_eq!(error.field, "Idempotency-Key", "{raw:?}");
        }
    }

    #[test]
    fn the_reference_names_the_request_not_the_sequence() {
        let key = RequestKey::parse("abc").unwrap();
        let id = CattleId(42);
        assert_eq!(
            request_ref(EventType::HealthRecorded, id, &key, 0),
            "health-recorded-42-request-abc"
        );
        assert_eq!(
            request_ref(EventType::HealthRecorded, id, &key, 1),
            "health-recorded-42-request-abc-1"
        );
    }

    #[test]
    fn a_keyed_request_renames_sequenced_events_and_keeps_natural_ones() {
        let key = RequestKey::parse("retry-1").unwrap();
        let id = CattleId(7);
        let decided = |event_type, event_ref: &str| DecidedEvent {
            event_type,
            payload: serde_json::json!({}),
            event_ref: event_ref.to_string(),
        };
        let decided = vec![
            decided(EventType::CattleCreated, "cattle-created-X"),
            decided(EventType::HealthRecorded, "health-recorded-7-3"),
        ];
        let named: Vec<String> = named_by_request(decided, id, &key)
            .into_iter()
            .map(|decided| decided.event_ref)
            .collect();
        assert_eq!(
            named,
            ["cattle-created-X", "health-recorded-7-request-retry-1-1"]
        );
    }

    proptest! {
        #[test]
        fn parsing_never_panics_and_accepts_exactly_visible_ascii(raw in "\\PC{0,220}") {
            let fit = !raw.is_empty() && raw.len() <= REQUEST_KEY_MAX
                && raw.bytes().all(|b| b.is_ascii_graphic());
            prop_assert_eq!(RequestKey::parse(&raw).is_ok(), fit);
        }
    }
}
