//! The id a bulk action gives every event it causes, so "what else moved with this animal"
//! is one question: the envelope's `correlation_id`.
use crate::FieldError;

/// The longest correlation id accepted from outside.
pub const CORRELATION_ID_MAX: usize = 100;

/// A validated correlation id: 1 to 100 ASCII letters, digits, `-` or `_`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorrelationId(String);

impl CorrelationId {
    /// Checks an id as received, naming `field` when it is unfit.
    pub fn parse(raw: &str, field: &str) -> Result<Self, FieldError> {
        let refuse = |message: &str| FieldError::new(field, message);
        if raw.is_empty() || raw.len() > CORRELATION_ID_MAX {
            return Err(refuse("must be 1 to 100 characters"));
        }
        if !raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(refuse("may hold only letters, digits, '-' and '_'"));
        }
        Ok(Self(raw.to_string()))
    }

    /// The id as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn browser_made_ids_are_taken() {
        let id = CorrelationId::parse("bulk-4f1c2a9e-77b0-4c1e-9d1a-0c2b3d4e5f60", "actionId");
        assert_eq!(id.map(|id| id.as_str().len()), Ok(41));
    }

    #[test]
    fn unfit_ids_are_refused_naming_the_field() {
        for raw in [
            "",
            "has space",
            "slash/",
            &"a".repeat(CORRELATION_ID_MAX + 1),
        ] {
            let refused = CorrelationId::parse(raw, "actionId").expect_err(raw);
            assert_eq!(refused.field, "actionId");
        }
    }

    proptest! {
        #[test]
        fn an_accepted_id_is_kept_as_sent(raw in "\\PC{0,120}") {
            if let Ok(id) = CorrelationId::parse(&raw, "actionId") {
                prop_assert_eq!(id.as_str(), raw.as_str());
                prop_assert!(!raw.is_empty() && raw.len() <= CORRELATION_ID_MAX);
            }
        }
    }
}
