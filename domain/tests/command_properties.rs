//! No input makes a command parser, validator or decide panic; parsed commands round-trip.

use domain::*;
use proptest::prelude::*;
use serde_json::{json, Map, Value};

const TYPES: [&str; 10] = [
    "CREATE_CATTLE",
    "TRANSFER_OWNERSHIP",
    "RECORD_HEALTH",
    "RECORD_LOCATION",
    "ADD_VERIFICATION",
    "CHANGE_STATUS",
    "REGISTER_CLIENT",
    "RECORD_VALUATION",
    "RESOLVE_FRAUD_ALERT",
    "FEED_CATTLE",
];
const FIELDS: [&str; 22] = [
    "nlisId",
    "breed",
    "sex",
    "clientId",
    "birthDate",
    "cattleId",
    "toClientId",
    "priceCents",
    "kind",
    "notes",
    "weightKg",
    "latitude",
    "longitude",
    "pic",
    "reference",
    "status",
    "reason",
    "name",
    "amountCents",
    "method",
    "alertId",
    "resolution",
];

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|i| json!(i)),
        any::<u64>().prop_map(|i| json!(i)),
        any::<f64>().prop_map(|f| json!(f)),
        "[A-Z0-9]{0,20}".prop_map(Value::String),
        prop::sample::select(vec![
            "MALE",
            "FEMALE",
            "NLIS",
            "DNA",
            "ACTIVE",
            "DECEASED",
            "WEIGHING",
            "MARKET",
            "DISMISSED",
            "2024-02-29",
            "QABC1234"
        ])
        .prop_map(|s| Value::String(s.into())),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-zA-Z]{0,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn command_shaped() -> impl Strategy<Value = Value> {
    (
        prop::sample::select(TYPES.to_vec()),
        prop::collection::btree_map(prop::sample::select(FIELDS.to_vec()), any_json(), 0..8),
    )
        .prop_map(|(t, data)| {
            let data: Map<String, Value> =
                data.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
            json!({"type": t, "data": data})
        })
}

fn some_state() -> CattleState {
    let wire = json!({"type": "CREATE_CATTLE", "data": {"nlisId": "3ABCD123XBC12345", "breed": "Angus", "sex": "MALE", "clientId": 7}});
    let command = Command::parse_valid(&wire).expect("valid");
    let DecidedEvent {
        event_type,
        payload,
        event_ref,
    } = decide(None, &command).expect("accepted").remove(0);
    let draft = EventDraft {
        event_id: "evt_1".into(),
        event_type,
        event_ref,
        cattle_id: command.cattle_id(),
        occurred_at: "2024-01-01T00:00:00.000Z".into(),
        recorded_at: "2024-01-01T00:00:00.000Z".into(),
        correlation_id: None,
        causation_id: None,
        source_system: SourceSystem::ICattle,
        created_by: None,
        payload,
        provenance: None,
    };
    let envelope = seal(
        draft,
        &ChainHead::default(),
        &SigningKeyPair::from_seed([3; 32]),
    );
    apply(None, &envelope).expect("applies")
}

fn exercise(value: &Value) -> Result<(), TestCaseError> {
    let state = some_state();
    match Command::parse(value) {
        Err(errors) => prop_assert!(!errors.is_empty()),
        Ok(command) => {
            let valid = command.validate();
            let _ = command.cattle_id();
            let none = decide(None, &command);
            let some = decide(Some(&state), &command);
            if let Err(errors) = &valid {
                prop_assert!(!errors.is_empty());
                prop_assert!(matches!(none, Err(Rejection::Invalid(_))));
                prop_assert!(matches!(some, Err(Rejection::Invalid(_))));
            }
            let wire =
                serde_json::to_value(&command).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(Command::parse(&wire), Ok(command));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Arbitrary JSON of any shape.
    #[test]
    fn arbitrary_json_never_panics(value in any_json()) {
        exercise(&value)?;
    }

    /// JSON that looks like a command, with known field names holding anything.
    #[test]
    fn command_shaped_json_never_panics(value in command_shaped()) {
        exercise(&value)?;
    }
}
