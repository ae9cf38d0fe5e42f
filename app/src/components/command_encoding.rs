//! The fields of a command form and how what people type in them becomes command JSON.
use leptos::prelude::*;
use serde_json::{json, Map, Value};

/// How a form field is typed in and turned into command JSON.
#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    /// Free text (sent as a string; an empty box is left out).
    Text,
    /// An NLIS id or a PIC: sent in upper case, without the spaces and dashes people type.
    Tag,
    /// A day, picked from the browser's calendar or typed day first (`15/08/2024`).
    Date,
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
    /// What the box holds when the form opens and after each send (e.g. the farmer's only
    /// client); empty unless set.
    pub preset: String,
    /// Whether the box is rarely needed, so it waits behind the form's "More" toggle.
    pub more: bool,
}

impl FormField {
    /// A field of this name, label and input.
    pub fn new(name: &'static str, label: &'static str, input: Input) -> Self {
        Self {
            name,
            label,
            input,
            placeholder: "",
            preset: String::new(),
            more: false,
        }
    }

    /// The same field, filled in with `value` until someone changes it.
    pub fn preset(mut self, value: impl Into<String>) -> Self {
        self.preset = value.into();
        self
    }

    /// The same field behind the form's "More" toggle.
    pub fn more(mut self) -> Self {
        self.more = true;
        self
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
pub fn command_json(
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
            Input::Tag => {
                let tag = domain::id_as_written(&raw);
                (!tag.is_empty()).then(|| json!(tag))
            }
            // Anything that is not a day stays as typed, for the validator to name.
            Input::Date => {
                let typed = raw.trim();
                (!typed.is_empty())
                    .then(|| json!(domain::date_as_written(typed).unwrap_or_else(|_| typed.into())))
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
    fn tags_and_days_are_sent_as_the_registry_writes_them() {
        let fields = [
            FormField::new("nlisId", "NLIS id", Input::Tag),
            FormField::new("birthDate", "Born", Input::Date),
            FormField::new("pic", "PIC", Input::Tag),
        ];
        let owner = Owner::new();
        let sent = owner.with(|| {
            let values = [
                RwSignal::new(" 3abcd123 xbc12345".to_string()),
                RwSignal::new("15/08/2024".to_string()),
                RwSignal::new("  ".to_string()),
            ];
            command_json("CREATE_CATTLE", &[], &fields, &values)
        });
        assert_eq!(
            sent,
            json!({"type": "CREATE_CATTLE",
                   "data": {"nlisId": "3ABCD123XBC12345", "birthDate": "2024-08-15"}})
        );
        let typo = owner.with(|| {
            let values = [RwSignal::new("31/02/2024".to_string())];
            command_json("X", &[], &fields[1..2], &values)
        });
        assert_eq!(typo["data"]["birthDate"], "31/02/2024");
    }

    #[test]
    fn dollars_become_cents_and_nonsense_stays_text_for_the_validator() {
        assert_eq!(dollars_to_cents("$1,250.50"), Some(json!(125050)));
        assert_eq!(dollars_to_cents(""), None);
        assert_eq!(dollars_to_cents("lots"), Some(json!("lots")));
        assert_eq!(number_or_text("12", true), Some(json!(12)));
        assert_eq!(number_or_text("-27.5", false), Some(json!(-27.5)));
    }
}
