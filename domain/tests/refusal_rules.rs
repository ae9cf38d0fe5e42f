//! The fraud rules on refused events: a tag registered twice, a record altered after
//! signing, activity after death; and an ordinary race raises nothing.
use domain::*;
use serde_json::{json, Value};

const NLIS: &str = "3ABCD123XBC12345";

/// One animal's accepted chain, sealed with a farmer's key.
struct Animal {
    key: SigningKeyPair,
    head: ChainHead,
    state: Option<StreamState>,
    day: u64,
}

impl Animal {
    fn registered(client: i64) -> Self {
        let mut animal = Animal {
            key: SigningKeyPair::from_seed([4; 32]),
            head: ChainHead::default(),
            state: None,
            day: 0,
        };
        let created = animal.seal_on(&ChainHead::default(), &register(client));
        animal.accept(&created);
        animal
    }

    fn cattle(&self) -> &CattleState {
        match &self.state {
            Some(StreamState::Cattle(cattle)) => cattle,
            _ => panic!("an animal"),
        }
    }

    /// Seals the event `wire` decides on the current state on `head`.
    fn seal_on(&mut self, head: &ChainHead, wire: &Value) -> EventEnvelope {
        let command = Command::parse_valid(wire).expect("a valid command");
        let state = self.state.as_ref().map(|_| self.cattle());
        let decided = match (state, &command) {
            // A second registration is what `decide` refuses; the log can still hold one.
            (Some(_), Command::CreateCattle(_)) => decide(None, &command),
            (state, command) => decide(state, command),
        }
        .expect("decided")
        .remove(0);
        self.day += 1;
        seal(
            EventDraft {
                event_id: format!("evt_{}", self.day),
                event_type: decided.event_type,
                event_ref: decided.event_ref,
                cattle_id: CattleId::for_nlis(NLIS),
                occurred_at: format!("2024-02-{:02}T08:00:00.000Z", self.day),
                recorded_at: format!("2024-02-{:02}T08:00:00.000Z", self.day),
                correlation_id: None,
                causation_id: None,
                source_system: SourceSystem::ICattle,
                created_by: None,
                payload: decided.payload,
                provenance: None,
            },
            head,
            &self.key,
        )
    }

    fn accept(&mut self, envelope: &EventEnvelope) {
        let folded = fold_verified(envelope, &self.head, self.state.take(), true).expect("folds");
        self.head = folded.head;
        self.state = Some(folded.state);
    }

    /// The refusal of `envelope` and what the rules make of it.
    fn judge(&self, envelope: &EventEnvelope) -> Option<FraudFinding> {
        let refusal =
            fold_verified(envelope, &self.head, self.state.clone(), true).expect_err("refused");
        detect_refused(self.cattle(), envelope, &refusal, &Ed25519)
    }
}

fn register(client: i64) -> Value {
    json!({"type": "CREATE_CATTLE", "data": {"nlisId": NLIS, "breed": "Angus", "sex": "FEMALE", "clientId": client}})
}

fn weigh() -> Value {
    json!({"type": "RECORD_HEALTH", "data": {"cattleId": CattleId::for_nlis(NLIS).0, "kind": "WEIGHING", "weightKg": 410}})
}

#[test]
fn a_tag_registered_for_another_herd_is_a_duplicate_nlis() {
    let mut animal = Animal::registered(7);
    let claim = animal.seal_on(&ChainHead::default(), &register(12));
    let found = animal.judge(&claim).expect("a finding");
    assert_eq!(found.suspicion, SuspicionType::DuplicateNlis);
    assert_eq!(found.severity, RiskLevel::Critical);
    assert!(
        found.description.contains("client 12"),
        "{}",
        found.description
    );
    assert_eq!(found.evidence["registeredTo"], 7);
    // The same claim judged again (a replay) names the same alert.
    assert_eq!(
        animal.judge(&claim).map(|f| f.alert_id),
        Some(found.alert_id)
    );
}

#[test]
fn a_copy_of_the_registration_and_an_ordinary_race_raise_nothing() {
    let mut animal = Animal::registered(7);
    let again = animal.seal_on(&ChainHead::default(), &register(7));
    assert_eq!(animal.judge(&again), None);
    let base = animal.head.clone();
    let first = animal.seal_on(&base, &weigh());
    let second = animal.seal_on(&base, &weigh());
    animal.accept(&first);
    assert_eq!(animal.judge(&second), None, "two writers on one head");
}

#[test]
fn an_altered_record_is_tampering() {
    let mut animal = Animal::registered(7);
    let head = animal.head.clone();
    let mut altered = animal.seal_on(&head, &weigh());
    altered.metadata.occurred_at = "2024-03-01T08:00:00.000Z".into();
    let found = animal.judge(&altered).expect("a finding");
    assert_eq!(found.suspicion, SuspicionType::TamperedRecord);
    assert_eq!(found.severity, RiskLevel::Critical);
}

#[test]
fn an_event_after_death_is_activity_after_exit_once_per_open_alert() {
    let mut animal = Animal::registered(7);
    let id = CattleId::for_nlis(NLIS).0;
    let head = animal.head.clone();
    let died = animal.seal_on(
        &head,
        &json!({"type": "CHANGE_STATUS", "data": {"cattleId": id, "status": "DECEASED", "reason": "snakebite"}}),
    );
    animal.accept(&died);
    // Sealed as if the death were not there: a correct chain link, a refused rule.
    let alive = animal.cattle().clone();
    let mut before_death = Animal {
        state: Some(StreamState::Cattle(CattleState {
            status: CattleStatus::Active,
            ..alive
        })),
        head: animal.head.clone(),
        key: SigningKeyPair::from_seed([4; 32]),
        day: animal.day,
    };
    let head = before_death.head.clone();
    let late = before_death.seal_on(
        &head,
        &json!({"type": "RECORD_VALUATION", "data": {"cattleId": id, "amountCents": 180_000, "method": "MARKET"}}),
    );
    let found = animal.judge(&late).expect("a finding");
    assert_eq!(found.suspicion, SuspicionType::ActivityAfterExit);
    assert!(
        found.description.contains("DECEASED"),
        "{}",
        found.description
    );

    // With that alert open, the same suspicion stays quiet.
    let raised = found.to_event();
    let mut alerted = animal.cattle().clone();
    alerted.open_alerts.push(OpenAlert {
        alert_id: found.alert_id.clone(),
        suspicion: found.suspicion,
        severity: found.severity,
        raised_at: "2024-02-09T00:00:00.000Z".into(),
    });
    assert_eq!(raised.event_type, EventType::FraudDetected);
    let refusal =
        fold_verified(&late, &animal.head, animal.state.clone(), true).expect_err("refused");
    assert_eq!(detect_refused(&alerted, &late, &refusal, &Ed25519), None);
}

#[test]
fn a_key_nobody_trusts_is_tampering() {
    let mut animal = Animal::registered(7);
    let head = animal.head.clone();
    let forged = animal.seal_on(&head, &weigh());
    let refusal =
        fold_verified(&forged, &animal.head, animal.state.clone(), false).expect_err("refused");
    let found = detect_refused(animal.cattle(), &forged, &refusal, &Ed25519).expect("a finding");
    assert_eq!(found.suspicion, SuspicionType::TamperedRecord);
}

fn claim(client: i64) -> CreateCattle {
    match Command::parse_valid(&register(client)).expect("a valid command") {
        Command::CreateCattle(claim) => claim,
        _ => panic!("a registration"),
    }
}

#[test]
fn a_registration_refused_for_another_herd_is_a_duplicate_nlis_named_by_its_claim() {
    let animal = Animal::registered(7);
    let found =
        detect_rejected_registration(animal.cattle(), &claim(12), "usr_x").expect("a finding");
    assert_eq!(found.suspicion, SuspicionType::DuplicateNlis);
    assert_eq!(found.severity, RiskLevel::Critical);
    assert_eq!(found.evidence["claimedFor"], 12);
    assert_eq!(found.evidence["registeredTo"], 7);
    assert_eq!(found.evidence["claimedBy"], "usr_x");
    // The same claim sent again is the same finding; another client's is another.
    assert_eq!(
        detect_rejected_registration(animal.cattle(), &claim(12), "usr_x"),
        Some(found.clone())
    );
    assert_ne!(
        detect_rejected_registration(animal.cattle(), &claim(13), "usr_x").map(|f| f.alert_id),
        Some(found.alert_id)
    );
}

#[test]
fn a_registration_sent_again_for_the_same_herd_or_while_an_alert_is_open_raises_nothing() {
    let animal = Animal::registered(7);
    assert_eq!(
        detect_rejected_registration(animal.cattle(), &claim(7), "usr_x"),
        None
    );
    let found =
        detect_rejected_registration(animal.cattle(), &claim(12), "usr_x").expect("a finding");
    let mut alerted = animal.cattle().clone();
    alerted.open_alerts.push(OpenAlert {
        alert_id: found.alert_id.clone(),
        suspicion: found.suspicion,
        severity: found.severity,
        raised_at: "2024-02-09T00:00:00.000Z".into(),
    });
    assert_eq!(
        detect_rejected_registration(&alerted, &claim(13), "usr_y"),
        None
    );
}

/// The refusal of `envelope` on the animal's head.
fn refusal_of(animal: &Animal, envelope: &EventEnvelope) -> StreamRefusal {
    fold_verified(envelope, &animal.head, animal.state.clone(), true).expect_err("refused")
}

#[test]
fn a_key_whose_records_are_refused_three_times_is_repeated_refusals() {
    let mut animal = Animal::registered(7);
    let mut earlier: Vec<RefusedRecord> = Vec::new();
    let mut raised = Vec::new();
    for day in 1..=3 {
        let head = animal.head.clone();
        let mut altered = animal.seal_on(&head, &weigh());
        altered.metadata.occurred_at = format!("2024-03-{day:02}T08:00:00.000Z");
        let refusal = refusal_of(&animal, &altered);
        let record = RefusedRecord::of(&altered, &refusal).expect("tampering");
        // A copy of the same record delivered again counts once.
        earlier.push(record.clone());
        raised.push(detect_repeated_refusals(
            animal.cattle(),
            &altered,
            &record,
            &earlier,
        ));
    }
    assert_eq!(raised[..2], [None, None]);
    let found = raised[2].clone().expect("the third refusal raises");
    assert_eq!(found.suspicion, SuspicionType::RepeatedRefusals);
    assert_eq!(found.evidence["refused"], 3);
    assert_eq!(found.evidence["animals"], 1);
    assert_eq!(
        found.evidence["publicKey"],
        animal.key.public_key_hex().as_str()
    );
}

#[test]
fn records_refused_on_other_animals_count_and_copies_count_once() {
    let mut animal = Animal::registered(7);
    let head = animal.head.clone();
    let mut altered = animal.seal_on(&head, &weigh());
    altered.payload["weightKg"] = json!(999);
    let refusal = refusal_of(&animal, &altered);
    let record = RefusedRecord::of(&altered, &refusal).expect("tampering");
    let elsewhere = |n: i64| RefusedRecord {
        event_id: format!("evt_elsewhere_{n}"),
        cattle_id: CattleId(n),
        failure: "signature does not verify".into(),
    };
    let copies = [elsewhere(1), elsewhere(1), record.clone()];
    assert_eq!(
        detect_repeated_refusals(animal.cattle(), &altered, &record, &copies),
        None,
        "two distinct records"
    );
    let found = detect_repeated_refusals(
        animal.cattle(),
        &altered,
        &record,
        &[elsewhere(1), elsewhere(2)],
    )
    .expect("three records");
    assert_eq!(found.evidence["animals"], 3);
}

#[test]
fn a_race_is_not_tampering_and_is_not_counted() {
    let mut animal = Animal::registered(7);
    let head = animal.head.clone();
    let first = animal.seal_on(&head, &weigh());
    let second = animal.seal_on(&head, &weigh());
    animal.accept(&first);
    let refusal = refusal_of(&animal, &second);
    assert_eq!(tampering(&refusal), None);
    assert_eq!(RefusedRecord::of(&second, &refusal), None);
}
