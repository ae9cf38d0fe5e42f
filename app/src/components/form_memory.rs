//! What a command form remembers across the re-renders live updates cause.
use crate::model::CommandAck;
use domain::FieldError;
use leptos::prelude::*;
use serde_json::Value;
use std::collections::HashMap;

/// Where a submission stands.
#[derive(Clone, Default, PartialEq)]
pub(super) enum Progress {
    #[default]
    Idle,
    Sending,
    /// Kept in the outbox under this command id: the registry could not be reached.
    Queued(String),
    Published(CommandAck),
    Applied(CommandAck),
    Refused(String),
}

/// A form's state as last seen.
#[derive(Clone, Default)]
pub(super) struct RememberedForm {
    pub(super) values: HashMap<&'static str, String>,
    pub(super) errors: Vec<FieldError>,
    pub(super) progress: Progress,
}

/// The state of every command form of the app, by command and fixed values, so a form
/// re-created by a live refresh keeps what was typed and its PUBLISHED / APPLIED line.
#[derive(Clone, Copy)]
pub struct FormMemory(StoredValue<HashMap<String, RememberedForm>>);

impl FormMemory {
    /// An empty memory.
    pub fn new() -> Self {
        Self(StoredValue::new(HashMap::new()))
    }

    /// The key a form is remembered by: two forms of one command on different animals
    /// differ only in their fixed values.
    pub(super) fn key(command_type: &str, fixed: &[(&'static str, Value)]) -> String {
        format!(
            "{command_type}{}",
            Value::Array(fixed.iter().map(|(_, v)| v.clone()).collect())
        )
    }

    pub(super) fn recall(&self, key: &str) -> RememberedForm {
        self.0
            .with_value(|forms| forms.get(key).cloned())
            .unwrap_or_default()
    }

    pub(super) fn keep(&self, key: String, form: RememberedForm) {
        self.0.update_value(|forms| {
            forms.insert(key, form);
        });
    }
}

impl Default for FormMemory {
    fn default() -> Self {
        Self::new()
    }
}
