//! The format and range rules shared by command validators.

use crate::{FieldError, MAX_SAFE_INTEGER};

/// Longest free-text note, in characters.
pub const MAX_NOTES_CHARS: usize = 2000;
/// Highest price or valuation accepted, in cents (AUD 10 million: above any stud bull sale).
pub const MAX_PRICE_CENTS: i64 = 1_000_000_000;
/// Heaviest plausible animal, in kilograms.
pub const MAX_WEIGHT_KG: f64 = 2000.0;

/// NLIS device id: exactly 16 upper-case ASCII letters or digits.
pub fn is_valid_nlis_id(s: &str) -> bool {
    s.len() == 16
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// Property Identification Code: exactly 8 upper-case ASCII letters or digits.
pub fn is_valid_pic(s: &str) -> bool {
    s.len() == 8
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// Collects field errors for one command.
#[derive(Default)]
pub(crate) struct Checks {
    errors: Vec<FieldError>,
}

impl Checks {
    /// Records a problem with `field` that no shared rule covers.
    pub(crate) fn fail_field(&mut self, field: &str, message: impl Into<String>) {
        self.fail(field, message);
    }

    fn fail(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, message));
    }

    /// NLIS id format.
    pub(crate) fn nlis_id(&mut self, field: &str, value: &str) {
        if !is_valid_nlis_id(value) {
            self.fail(field, "must be exactly 16 upper-case letters or digits");
        }
    }

    /// PIC format.
    pub(crate) fn pic(&mut self, field: &str, value: &str) {
        if !is_valid_pic(value) {
            self.fail(field, "must be exactly 8 upper-case letters or digits");
        }
    }

    /// An id: 1 ..= 2^53-1 so it survives JSON numbers in every language.
    pub(crate) fn id(&mut self, field: &str, value: i64) {
        if !(1..=MAX_SAFE_INTEGER).contains(&value) {
            self.fail(field, "must be a positive id");
        }
    }

    /// A whole number in `min..=max`.
    pub(crate) fn int_range(&mut self, field: &str, value: i64, min: i64, max: i64) {
        if !(min..=max).contains(&value) {
            self.fail(field, format!("must be between {min} and {max}"));
        }
    }

    /// A finite number in `min..=max`.
    pub(crate) fn range(&mut self, field: &str, value: f64, min: f64, max: f64) {
        if !value.is_finite() || value < min || value > max {
            self.fail(field, format!("must be between {min} and {max}"));
        }
    }

    /// Text of `min..=max` characters (after trimming for the minimum), no control characters
    /// except newlines and tabs where `multiline`.
    pub(crate) fn text(
        &mut self,
        field: &str,
        value: &str,
        min: usize,
        max: usize,
        multiline: bool,
    ) {
        let len = value.chars().count();
        if value.trim().chars().count() < min {
            self.fail(
                field,
                if min == 1 {
                    "must not be empty".to_string()
                } else {
                    format!("must be at least {min} characters")
                },
            );
        } else if len > max {
            self.fail(field, format!("must be at most {max} characters"));
        } else if value
            .chars()
            .any(|c| c.is_control() && !(multiline && (c == '\n' || c == '\t')))
        {
            self.fail(field, "must not contain control characters");
        }
    }

    /// The errors, or Ok if there were none.
    pub(crate) fn finish(self) -> Result<(), Vec<FieldError>> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(self.errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifier_formats() {
        assert!(is_valid_nlis_id("3ABCD123XBC12345"));
        assert!(!is_valid_nlis_id("3abcd123xbc12345"));
        assert!(!is_valid_nlis_id("3ABCD123XBC1234"));
        assert!(!is_valid_nlis_id("3ABCD123XBC1234É"));
        assert!(is_valid_pic("QABC1234"));
        assert!(!is_valid_pic("QABC123"));
    }

    #[test]
    fn text_rules() {
        let mut c = Checks::default();
        c.text("a", "  ", 1, 10, false);
        c.text("b", "x\ny", 1, 10, false);
        c.text("c", "x\ny", 1, 10, true);
        c.text("d", "0123456789x", 1, 10, true);
        let errors = c.finish().err().unwrap_or_default();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["a", "b", "d"]);
    }
}
