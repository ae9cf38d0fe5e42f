//! Field-level errors: the one shape every validation problem is reported in.

use serde::{Deserialize, Serialize};

/// One problem with one field of outside input, named by its camelCase wire name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The camelCase wire name of the field (bare, without a "data." prefix), or "type".
    pub field: String,
    /// A short, human-readable reason, fit to show beside the field in a form.
    pub message: String,
}

impl FieldError {
    /// Builds an error for `field` with `message`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}
