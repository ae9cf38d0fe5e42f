//! End to end through the pure core: command JSON -> decide -> seal -> verify -> apply.

use domain::*;
use serde_json::json;

fn draft(
    cattle_id: CattleId,
    n: u64,
    DecidedEvent {
        event_type,
        payload,
        event_ref,
    }: DecidedEvent,
) -> EventDraft {
    EventDraft {
        event_id: format!("evt_{n:04}"),
        event_type,
        event_ref,
        cattle_id,
        occurred_at: format!("2024-03-{:02}T08:00:00.000Z", n),
        recorded_at: format!("2024-03-{:02}T08:00:01.250Z", n),
        correlation_id: None,
        causation_id: None,
        source_system: SourceSystem::ICattle,
        created_by: Some("user-7".into()),
        payload,
        provenance: None,
    }
}

#[test]
fn create_cattle_round_trip() {
    let key = SigningKeyPair::from_seed([1; 32]);
    let wire = json!({"type": "CREATE_CATTLE", "data": {"nlisId": "3ABCD123XBC12345", "breed": "Angus", "sex": "FEMALE", "clientId": 7}});
    let command = Command::parse_valid(&wire).expect("valid command");
    let id = command.cattle_id();
    assert_eq!(id, CattleId::for_nlis("3ABCD123XBC12345"));

    let mut decided = decide(None, &command).expect("accepted");
    assert_eq!(decided.len(), 1);
    let event = decided.remove(0);
    assert_eq!(event.event_type, EventType::CattleCreated);
    assert_eq!(
        event.payload,
        json!({"nlisId": "3ABCD123XBC12345", "breed": "Angus", "sex": "FEMALE", "clientId": 7})
    );
    assert_eq!(event.event_ref, "cattle-created-3ABCD123XBC12345");

    let head = ChainHead::default();
    let envelope = seal(draft(id, 1, event), &head, &key);
    assert_eq!(envelope.metadata.sequence, 1);
    assert_eq!(envelope.metadata.schema_version, 2);
    assert!(envelope.cryptography.previous_hash.is_none());
    let next = verify_next(&envelope, &head).expect("verifies");
    assert_eq!(next.sequence, 1);
    assert_eq!(next.last_event_hash, event_hash(&envelope).ok());
    assert_eq!(
        head.after(&event_hash(&envelope).unwrap_or_default()).ok(),
        Some(next.clone())
    );

    let state = apply(None, &envelope).expect("applies");
    assert_eq!(state.client_id, 7);
    assert_eq!(state.status, CattleStatus::Active);
    assert_eq!(state.sequence, 1);

    // Registering the same NLIS again targets the same animal and is refused.
    let again = decide(Some(&state), &command);
    assert_eq!(
        again.as_ref().err().map(Rejection::code),
        Some("ALREADY_REGISTERED")
    );
    assert_eq!(
        again.err().map(|r| r.to_string()).as_deref(),
        Some("animal with NLIS 3ABCD123XBC12345 already registered")
    );

    // The envelope survives its own wire form exactly.
    let line = envelope.to_json_line();
    assert_eq!(
        EventEnvelope::from_json_str(&line).ok(),
        Some(envelope.clone())
    );
    assert_eq!(
        serde_json::to_value(&envelope).ok(),
        Some(envelope.to_json_value())
    );
}

#[test]
fn parse_names_the_bad_fields() {
    let wire = json!({"type": "CREATE_CATTLE", "data": {"nlisId": 5, "sex": "male", "clientId": "7", "colour": "red"}});
    let errors = Command::parse(&wire).err().unwrap_or_default();
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["nlisId", "breed", "sex", "clientId", "colour"]);
    assert!(errors[2].message.contains("MALE, FEMALE"));

    let unknown = Command::parse(&json!({"type": "EAT_GRASS", "data": {}}))
        .err()
        .unwrap_or_default();
    assert_eq!(unknown[0].field, "type");

    let invalid = json!({"type": "CREATE_CATTLE", "data": {"nlisId": "3abc", "breed": "", "sex": "MALE", "clientId": 0}});
    let errors = Command::parse(&invalid).map(|c| c.validate());
    let fields: Vec<String> = match errors {
        Ok(Err(errors)) => errors.into_iter().map(|e| e.field).collect(),
        _ => vec![],
    };
    assert_eq!(fields, ["nlisId", "breed", "clientId"]);
}

/// Seals and applies `commands` as one animal's life, one event a day from 2024-03-01.
fn live(commands: &[serde_json::Value]) -> CattleState {
    let key = SigningKeyPair::from_seed([2; 32]);
    let (mut head, mut state) = (ChainHead::default(), None::<CattleState>);
    for (n, wire) in commands.iter().enumerate() {
        let command = Command::parse_valid(wire).expect("a valid command");
        for event in decide(state.as_ref(), &command).expect("accepted") {
            let envelope = seal(draft(command.cattle_id(), n as u64 + 1, event), &head, &key);
            head = verify_next(&envelope, &head).expect("verifies");
            state = Some(apply(state.take(), &envelope).expect("applies"));
        }
    }
    state.expect("an animal")
}

#[test]
fn the_longest_withholding_period_of_its_treatments_holds_an_animal() {
    let nlis = "3ABCD123XBC12399";
    let id = CattleId::for_nlis(nlis).0;
    let created = json!({"type": "CREATE_CATTLE", "data": {"nlisId": nlis, "breed": "Angus", "sex": "MALE", "clientId": 7}});
    let treated = |days: i64, product: &str| {
        json!({"type": "RECORD_HEALTH", "data": {"cattleId": id, "kind": "TREATMENT",
            "product": product, "dose": "10 ml", "route": "subcutaneous", "batch": "B-77",
            "withholdingDays": days}})
    };
    let fresh = live(std::slice::from_ref(&created));
    assert_eq!(fresh.withholding_until, None);
    // Treated on 2024-03-02 for 28 days, then on 2024-03-03 for 7: the 28 still hold.
    let state = live(&[
        created.clone(),
        treated(28, "Oxytetracycline"),
        treated(7, "Drench"),
    ]);
    assert_eq!(state.withholding_until.as_deref(), Some("2024-03-30"));
    assert_eq!(state.health_record_count, 2);
    // No period, or a zero one, holds nothing.
    let state = live(&[created, treated(0, "Vitamin B12")]);
    assert_eq!(state.withholding_until, None);
}

#[test]
fn a_withholding_period_needs_its_product_and_a_sensible_length() {
    let errors = |data: serde_json::Value| {
        Command::parse_valid(&json!({"type": "RECORD_HEALTH", "data": data}))
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.field)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        errors(json!({"cattleId": 5, "kind": "TREATMENT", "withholdingDays": 21})),
        ["product"]
    );
    assert_eq!(
        errors(
            json!({"cattleId": 5, "kind": "TREATMENT", "product": "Drench", "withholdingDays": 400})
        ),
        ["withholdingDays"]
    );
    assert!(errors(
        json!({"cattleId": 5, "kind": "VACCINATION", "product": "7-in-1", "dose": "2 ml"})
    )
    .is_empty());
}
