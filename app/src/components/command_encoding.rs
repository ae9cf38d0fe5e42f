//! The fields of a command form and how what people type in them becomes command JSON.
use leptos::prelude::*;
use serde_json::{json, Map, Value};

/// How a form field is typed in and turned into command JSON.
#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    /// Free text (sent as a string; an empty box is left out).
    Text,
    /// A whole number (digits become a number; anything else stays text for the validator).
    Integer,
    /// A decimal number.
    Decimal,
    /// Dollars typed by people, sent as cents.
    Dollars,
    /// One of these `(value, label)` pairs (numeric values are sent as numbers).
    Choice(Vec<(String, String)>),
}

/// One field of a command form.
#[derive(Clone, Debug, PartialEq)]
pub struct FormField {
    /// The command's data field (camelCase, as errors name it).
    pub name: &'static str,
    /// What people read.
    pub label: &'static str,
    /// How it is typed.
    pub input: Input,
    /// An example value.
    pub placeholder: &'static str,
}

impl FormField {
    /// A field of this name, label and input.
    pub fn new(name: &'static str, label: &'static str, input: Input) -> Self {
        Self {
            name,
            label,
            input,
            placeholder: "",
        }
    }

    /// The same field with an example value.
    pub fn hint(mut self, placeholder: &'static str) -> Self {
        self.placeholder = placeholder;
        self
    }
}

fn number_or_text(raw: &str, integer: bool) -> Option<Value> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return None;
    }
    let number = if integer {
        trimmed.parse::<i64>().ok().map(|n| json!(n))
    } else {
        trimmed.parse::<f64>().ok().map(|n| json!(n))
    };
    Some(number.unwrap_or_else(|| json!(trimmed)))
}

/// Dollars as typed ("1,250.50") to cents; anything unreadable stays text.
fn dollars_to_cents(raw: &str) -> Option<Value> {
    let cleaned: String = raw.trim().trim_start_matches('$').replace(',', "");
    if cleaned.is_empty() {
        return None;
    }
    match cleaned.parse::<f64>() {
        Ok(dollars) if dollars.is_finite() => Some(json!((dollars * 100.0).round() as i64)),
        _ => Some(json!(raw.trim())),
    }
}

/// The command JSON the form's boxes describe.
pub(super) fn command_json(
    command_type: &str,
    fixed: &[(&'static str, Value)],
    fields: &[FormField],
    values: &[RwSignal<String>],
) -> Value {
    let mut data = Map::new();
    for (name, value) in fixed {
        data.insert((*name).to_string(), value.clone());
    }
    for (field, value) in fields.iter().zip(values) {
        let raw = value.get_untracked();
        let typed = match &field.input {
            Input::Text => {
                let text = raw.trim().to_string();
                (!text.is_empty()).then(|| json!(text))
            }
            // Choices are words (`FEMALE`) or ids (a client): ids travel as numbers.
            Input::Choice(_) | Input::Integer => number_or_text(&raw, true),
            Input::Decimal => number_or_text(&raw, false),
            Input::Dollars => dollars_to_cents(&raw),
        };
        if let Some(typed) = typed {
            data.insert(field.name.to_string(), typed);
        }
    }
    json!({ "type": command_type, "data": data })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dollars_become_cents_and_nonsense_stays_text_for_the_validator() {
        assert_eq!(dollars_to_cents("$1,250.50"), Some(json!(125050)));
        assert_eq!(dollars_to_cents(""), None);
        assert_eq!(dollars_to_cents("lots"), Some(json!("lots")));
        assert_eq!(number_or_text("12", true), Some(json!(12)));
        assert_eq!(number_or_text("-27.5", false), Some(json!(-27.5)));
    }
}
