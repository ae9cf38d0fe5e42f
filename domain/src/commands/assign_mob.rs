//! ASSIGN_MOB: an animal is drafted into a mob (a named group run together), or out of one.

use super::data_reader::DataReader;
use super::field_rules::Checks;
use crate::{CattleId, FieldError};
use serde::{Deserialize, Serialize};

/// The longest mob name, in characters.
pub const MOB_NAME_MAX: usize = 40;

/// Put an animal in a mob, or (with no mob) take it out of the one it is in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AssignMob {
    /// The animal.
    pub cattle_id: CattleId,
    /// The mob's name, 1..=40 characters; absent: the animal leaves its mob.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mob: Option<String>,
}

impl AssignMob {
    pub(crate) fn read(r: &mut DataReader) -> Option<Self> {
        let cattle_id = r.cattle_id("cattleId");
        let mob = r.opt_string("mob");
        Some(Self {
            cattle_id: cattle_id?,
            mob: mob?,
        })
    }

    /// The mob as it is kept: trimmed, so " Weaners" and "Weaners" are one mob.
    pub fn mob_name(&self) -> Option<String> {
        self.mob.as_ref().map(|mob| mob.trim().to_string())
    }

    /// Format and range checks, naming each bad field.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut c = Checks::default();
        c.id("cattleId", self.cattle_id.0);
        if let Some(mob) = &self.mob {
            c.text("mob", mob, 1, MOB_NAME_MAX, false);
        }
        c.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Command;
    use serde_json::json;

    fn parsed(data: serde_json::Value) -> Result<Command, Vec<FieldError>> {
        Command::parse_valid(&json!({"type": "ASSIGN_MOB", "data": data}))
    }

    #[test]
    fn a_mob_is_named_or_left() {
        let Ok(Command::AssignMob(into)) = parsed(json!({"cattleId": 7, "mob": " Weaners "}))
        else {
            panic!("a named mob is a command")
        };
        assert_eq!(into.mob_name().as_deref(), Some("Weaners"));
        let Ok(Command::AssignMob(out)) = parsed(json!({"cattleId": 7})) else {
            panic!("no mob is a command")
        };
        assert_eq!(out.mob_name(), None);
    }

    #[test]
    fn a_blank_or_long_name_is_refused_by_field() {
        for mob in ["  ", &"M".repeat(MOB_NAME_MAX + 1), "two\nlines"] {
            let errors = parsed(json!({"cattleId": 7, "mob": mob})).expect_err("refused");
            assert_eq!(errors[0].field, "mob", "{mob:?}");
        }
    }
}
