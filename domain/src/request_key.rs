//! A client's own name for one request (the `Idempotency-Key` HTTP header integrators know):
//! a retry with the same key is the same business fact, whatever happened in between.
use crate::{CattleId, EventType, FieldError};

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
/// alert's resolution), so that no request key is needed to recognise it again.
pub fn has_natural_ref(event_type: EventType) -> bool {
    matches!(
        event_type,
        EventType::CattleCreated | EventType::ClientRegistered | EventType::FraudAlertResolved
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

    proptest! {
        #[test]
        fn parsing_never_panics_and_accepts_exactly_visible_ascii(raw in "\\PC{0,220}") {
            let fit = !raw.is_empty() && raw.len() <= REQUEST_KEY_MAX
                && raw.bytes().all(|b| b.is_ascii_graphic());
            prop_assert_eq!(RequestKey::parse(&raw).is_ok(), fit);
        }
    }
}
