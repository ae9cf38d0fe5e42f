//! Reading a command's "data" object field by field, collecting every problem by name.

use crate::{CattleId, FieldError};
use serde_json::{Map, Value};

/// Reads typed fields out of a JSON object, remembering which names were expected so that
/// unexpected ones can be reported too.
pub(crate) struct DataReader<'a> {
    data: &'a Map<String, Value>,
    known: Vec<&'static str>,
    errors: Vec<FieldError>,
}

impl<'a> DataReader<'a> {
    /// A reader over one "data" object.
    pub(crate) fn new(data: &'a Map<String, Value>) -> Self {
        Self {
            data,
            known: Vec::new(),
            errors: Vec::new(),
        }
    }

    /// A required field converted by `convert`; None (and an error) if absent or ill-typed.
    fn required<T>(
        &mut self,
        name: &'static str,
        convert: impl Fn(&Value) -> Result<T, String>,
    ) -> Option<T> {
        self.known.push(name);
        match self.data.get(name) {
            None | Some(Value::Null) => {
                self.errors.push(FieldError::new(name, "is required"));
                None
            }
            Some(v) => self.convert(name, v, convert),
        }
    }

    /// An optional field: Some(None) when absent or null, None (and an error) if ill-typed.
    fn optional<T>(
        &mut self,
        name: &'static str,
        convert: impl Fn(&Value) -> Result<T, String>,
    ) -> Option<Option<T>> {
        self.known.push(name);
        match self.data.get(name) {
            None | Some(Value::Null) => Some(None),
            Some(v) => self.convert(name, v, convert).map(Some),
        }
    }

    fn convert<T>(
        &mut self,
        name: &'static str,
        v: &Value,
        convert: impl Fn(&Value) -> Result<T, String>,
    ) -> Option<T> {
        match convert(v) {
            Ok(t) => Some(t),
            Err(message) => {
                self.errors.push(FieldError::new(name, message));
                None
            }
        }
    }

    /// A required string.
    pub(crate) fn string(&mut self, name: &'static str) -> Option<String> {
        self.required(name, as_string)
    }

    /// An optional string.
    pub(crate) fn opt_string(&mut self, name: &'static str) -> Option<Option<String>> {
        self.optional(name, as_string)
    }

    /// A required whole number.
    pub(crate) fn integer(&mut self, name: &'static str) -> Option<i64> {
        self.required(name, as_integer)
    }

    /// An optional whole number.
    pub(crate) fn opt_integer(&mut self, name: &'static str) -> Option<Option<i64>> {
        self.optional(name, as_integer)
    }

    /// A required number (decimals allowed).
    pub(crate) fn number(&mut self, name: &'static str) -> Option<f64> {
        self.required(name, as_number)
    }

    /// An optional number (decimals allowed).
    pub(crate) fn opt_number(&mut self, name: &'static str) -> Option<Option<f64>> {
        self.optional(name, as_number)
    }

    /// A required animal id.
    pub(crate) fn cattle_id(&mut self, name: &'static str) -> Option<CattleId> {
        self.integer(name).map(CattleId)
    }

    /// A required word from a closed list; the error names the allowed values.
    pub(crate) fn word<T>(
        &mut self,
        name: &'static str,
        parse: fn(&str) -> Option<T>,
        allowed: String,
    ) -> Option<T> {
        self.required(name, |v| {
            let s = as_string(v)?;
            parse(&s).ok_or_else(|| format!("must be one of {allowed}"))
        })
    }

    /// All problems found, plus one per field the command does not have.
    pub(crate) fn finish(mut self) -> Vec<FieldError> {
        let mut unexpected: Vec<&String> = self
            .data
            .keys()
            .filter(|k| !self.known.contains(&k.as_str()))
            .collect();
        unexpected.sort();
        for name in unexpected {
            self.errors.push(FieldError::new(
                name.clone(),
                "is not a field of this command",
            ));
        }
        self.errors
    }
}

fn as_string(v: &Value) -> Result<String, String> {
    v.as_str()
        .map(str::to_string)
        .ok_or_else(|| "must be a string".to_string())
}

fn as_integer(v: &Value) -> Result<i64, String> {
    v.as_i64().ok_or_else(|| {
        if v.is_number() {
            "must be a whole number within range".to_string()
        } else {
            "must be a number".to_string()
        }
    })
}

fn as_number(v: &Value) -> Result<f64, String> {
    v.as_f64().ok_or_else(|| "must be a number".to_string())
}
