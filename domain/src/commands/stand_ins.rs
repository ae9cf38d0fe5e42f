//! Every problem of a command at once. A command with a field missing or unreadable cannot
//! be built, so its other fields' format and range rules would wait for a second round
//! ("Sex: is required" first, "NLIS ID: must be 16 letters or digits" only after). Here the
//! fields that could not be read are stood in for by values known to pass, the command is
//! built and validated, and what the rules say about the fields as sent is kept.
use super::{Command, CommandType};
use crate::{
    CattleStatus, FieldError, FraudResolution, HealthKind, Sex, ValuationMethod, VerificationKind,
};
use serde_json::{json, Map, Value};

/// A valid "data" object of each command type, for standing in.
fn stand_in(kind: CommandType) -> Value {
    let cattle_id = 1;
    match kind {
        CommandType::CreateCattle => json!({"nlisId": "AAAAAAAAAAAAAAAA", "breed": "Angus",
            "sex": Sex::ALL[0].as_str(), "clientId": 1}),
        CommandType::TransferOwnership => json!({"cattleId": cattle_id, "toClientId": 1}),
        CommandType::RecordHealth => json!({"cattleId": cattle_id,
            "kind": HealthKind::Inspection.as_str()}),
        CommandType::RecordLocation => json!({"cattleId": cattle_id, "latitude": 0.0,
            "longitude": 0.0}),
        CommandType::AddVerification => json!({"cattleId": cattle_id,
            "kind": VerificationKind::ALL[0].as_str(), "reference": "stand-in"}),
        CommandType::ChangeStatus => json!({"cattleId": cattle_id,
            "status": CattleStatus::ALL[0].as_str(), "reason": "stand-in"}),
        CommandType::RegisterClient => json!({"name": "stand-in", "pic": "AAAAAAAA"}),
        CommandType::RecordValuation => json!({"cattleId": cattle_id, "amountCents": 1,
            "method": ValuationMethod::ALL[0].as_str()}),
        CommandType::ResolveFraudAlert => json!({"cattleId": cattle_id, "alertId": "stand-in",
            "resolution": FraudResolution::ALL[0].as_str()}),
        CommandType::AcceptTransfer | CommandType::DeclineTransfer | CommandType::AssignMob => {
            json!({"cattleId": cattle_id})
        }
    }
}

/// `unread` (the problems found reading `data`) with what the format and range rules say
/// about the fields that were read: the fields the problems name are stood in for, and what
/// the rules say about a stand-in is not kept.
pub(super) fn with_rule_problems(
    kind: CommandType,
    data: &Map<String, Value>,
    mut unread: Vec<FieldError>,
) -> Vec<FieldError> {
    let Value::Object(mut whole) = stand_in(kind) else {
        return unread;
    };
    let failed = |name: &str| unread.iter().any(|e| e.field == name);
    for (name, value) in data {
        if !failed(name) {
            whole.insert(name.clone(), value.clone());
        }
    }
    let stood_in: Vec<String> = whole
        .keys()
        .filter(|name| failed(name) || !data.contains_key(*name))
        .cloned()
        .collect();
    let (Some(command), _) = Command::read_data(kind, &whole) else {
        return unread;
    };
    if let Err(problems) = command.validate() {
        unread.extend(
            problems
                .into_iter()
                .filter(|problem| !stood_in.contains(&problem.field)),
        );
    }
    unread
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn fields(problems: &[FieldError]) -> Vec<&str> {
        let mut names: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        names.sort_unstable();
        names
    }

    #[test]
    fn a_bad_tag_is_named_beside_the_missing_fields() {
        let command =
            json!({"type": "CREATE_CATTLE", "data": {"nlisId": "abc-123", "breed": "Angus"}});
        let problems = Command::parse(&command).unwrap_err();
        assert_eq!(
            fields(&problems),
            ["clientId", "nlisId", "sex"],
            "{problems:?}"
        );
        let tag = problems.iter().find(|p| p.field == "nlisId").unwrap();
        assert_ne!(tag.message, "is required");
    }

    #[test]
    fn a_stray_field_and_a_missing_one_leave_the_rest_checked() {
        let command = json!({"type": "RECORD_LOCATION",
            "data": {"cattleId": 0, "latitude": 123.0, "colour": "red"}});
        let problems = Command::parse(&command).unwrap_err();
        assert_eq!(
            fields(&problems),
            ["cattleId", "colour", "latitude", "longitude"],
            "{problems:?}"
        );
    }

    #[test]
    fn a_weighing_without_its_weight_is_named_beside_a_missing_animal() {
        let command = json!({"type": "RECORD_HEALTH", "data": {"kind": "WEIGHING"}});
        let problems = Command::parse(&command).unwrap_err();
        assert_eq!(fields(&problems), ["cattleId", "weightKg"], "{problems:?}");
    }

    proptest! {
        /// Whatever is missing, a present field that breaks its rule is named in the same
        /// answer, and nothing is named twice.
        #[test]
        fn every_problem_is_named_at_once(
            tag in "[a-z0-9 -]{0,15}",
            dropped in prop::sample::select(vec!["breed", "sex", "clientId"]),
        ) {
            let mut data = json!({"nlisId": tag, "breed": "Angus", "sex": "MALE", "clientId": 4});
            data.as_object_mut().unwrap().remove(dropped);
            let command = json!({"type": "CREATE_CATTLE", "data": data});
            let problems = Command::parse(&command).unwrap_err();
            let named = fields(&problems);
            prop_assert!(named.contains(&dropped), "{:?}", problems);
            prop_assert!(named.contains(&"nlisId"), "{:?}", problems);
            let mut unique = named.clone();
            unique.dedup();
            prop_assert_eq!(unique, named);
        }
    }

    #[test]
    fn every_stand_in_is_a_valid_command() {
        for kind in CommandType::ALL {
            let command = json!({"type": kind.as_str(), "data": stand_in(*kind)});
            assert!(
                Command::parse_valid(&command).is_ok(),
                "{kind:?}: {:?}",
                Command::parse_valid(&command)
            );
        }
    }
}
