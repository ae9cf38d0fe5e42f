//! The cattle aggregate's business rules through decide and apply, and the fraud rules.

use domain::*;
use serde_json::{json, Value};

const NLIS: &str = "3ABCD123XBC12345";

/// One animal's events so far, sealed with a test key, and its folded state.
struct Herd {
    key: SigningKeyPair,
    head: ChainHead,
    state: Option<CattleState>,
    log: Vec<EventEnvelope>,
    day: u64,
}

impl Herd {
    fn new() -> Self {
        Herd {
            key: SigningKeyPair::from_seed([9; 32]),
            head: ChainHead::default(),
            state: None,
            log: vec![],
            day: 0,
        }
    }

    fn id(&self) -> i64 {
        CattleId::for_nlis(NLIS).0
    }

    /// Decides `wire` against the current state and, if accepted, seals and applies it.
    fn run(&mut self, wire: Value) -> Result<Vec<EventEnvelope>, Rejection> {
        let command = Command::parse(&wire).map_err(Rejection::Invalid)?;
        let decided = decide(self.state.as_ref(), &command)?;
        Ok(decided
            .into_iter()
            .map(|event| self.record(command.cattle_id(), event))
            .collect())
    }

    /// Offers the animal to `client` as a farmer who does not hold that client would.
    fn offer(&mut self, client: i64) -> Result<Vec<EventEnvelope>, Rejection> {
        let transfer = TransferOwnership {
            cattle_id: CattleId(self.id()),
            to_client_id: client,
            price_cents: Some(250_000),
        };
        let decided = decide_offer(self.state.as_ref(), &transfer)?;
        Ok(decided
            .into_iter()
            .map(|event| self.record(transfer.cattle_id, event))
            .collect())
    }

    /// Seals and applies an event, advancing the clock by a day.
    fn record(
        &mut self,
        cattle_id: CattleId,
        DecidedEvent {
            event_type,
            payload,
            event_ref,
        }: DecidedEvent,
    ) -> EventEnvelope {
        self.day += 1;
        let draft = EventDraft {
            event_id: format!("evt_{}", self.day),
            event_type,
            event_ref,
            cattle_id,
            occurred_at: format!("2024-01-{:02}T10:00:00.000Z", self.day),
            recorded_at: format!("2024-01-{:02}T10:00:00.500Z", self.day),
            correlation_id: None,
            causation_id: None,
            source_system: SourceSystem::ICattle,
            created_by: None,
            payload,
            provenance: None,
        };
        let envelope = seal(draft, &self.head, &self.key);
        self.head = verify_next(&envelope, &self.head).expect("verifies");
        self.state = Some(apply(self.state.take(), &envelope).expect("applies"));
        self.log.push(envelope.clone());
        envelope
    }

    fn state(&self) -> &CattleState {
        self.state.as_ref().expect("registered")
    }

    fn registered() -> Self {
        let mut herd = Herd::new();
        herd.run(json!({"type": "CREATE_CATTLE", "data": {"nlisId": NLIS, "breed": "Wagyu", "sex": "MALE", "clientId": 7}}))
            .expect("registers");
        herd
    }
}

fn code(result: Result<Vec<EventEnvelope>, Rejection>) -> &'static str {
    result.err().map_or("ACCEPTED", |r| r.code())
}

#[test]
fn commands_need_a_registered_animal() {
    let mut herd = Herd::new();
    let wire = json!({"type": "RECORD_HEALTH", "data": {"cattleId": 5, "kind": "VACCINATION"}});
    assert_eq!(code(herd.run(wire)), "NOT_FOUND");
}

#[test]
fn transfers_follow_the_ownership_rules() {
    let mut herd = Herd::registered();
    let id = herd.id();
    let to = |client: i64| json!({"type": "TRANSFER_OWNERSHIP", "data": {"cattleId": id, "toClientId": client}});
    assert_eq!(code(herd.run(to(7))), "SAME_OWNER");
    assert_eq!(code(herd.run(to(8))), "ACCEPTED");
    assert_eq!(
        (herd.state().client_id, herd.state().transfer_count),
        (8, 1)
    );
    assert_eq!(
        herd.log[1].payload,
        json!({"fromClientId": 7, "toClientId": 8})
    );
    let died = json!({"type": "CHANGE_STATUS", "data": {"cattleId": id, "status": "DECEASED", "reason": "snake bite"}});
    assert_eq!(code(herd.run(died.clone())), "ACCEPTED");
    let refused = herd.run(to(9));
    assert_eq!(
        refused.as_ref().err().map(ToString::to_string).as_deref(),
        Some("animal is deceased")
    );
    assert_eq!(code(refused), "DECEASED");
    assert_eq!(code(herd.run(died)), "FINAL_STATUS");
    let moved = json!({"type": "RECORD_LOCATION", "data": {"cattleId": id, "latitude": -20.0, "longitude": 140.0}});
    assert_eq!(code(herd.run(moved)), "DECEASED");
    // A necropsy is still a health record.
    let necropsy = json!({"type": "RECORD_HEALTH", "data": {"cattleId": id, "kind": "INSPECTION", "notes": "necropsy"}});
    assert_eq!(code(herd.run(necropsy)), "ACCEPTED");
}

#[test]
fn an_offer_waits_for_an_answer_and_only_acceptance_moves_the_animal() {
    let mut herd = Herd::registered();
    let id = herd.id();
    let answer = |kind: &str| json!({"type": kind, "data": {"cattleId": id}});
    let to = |client: i64| json!({"type": "TRANSFER_OWNERSHIP", "data": {"cattleId": id, "toClientId": client}});
    assert_eq!(
        code(herd.run(answer("ACCEPT_TRANSFER"))),
        "NO_PENDING_TRANSFER"
    );
    assert_eq!(code(herd.offer(7)), "SAME_OWNER");
    assert_eq!(code(herd.offer(8)), "ACCEPTED");
    assert_eq!(herd.state().client_id, 7, "an offer moves nothing");
    assert_eq!(
        herd.log[1].payload,
        json!({"fromClientId": 7, "toClientId": 8, "priceCents": 250_000})
    );
    assert_eq!(code(herd.offer(9)), "TRANSFER_PENDING");
    assert_eq!(code(herd.run(to(9))), "TRANSFER_PENDING");
    assert_eq!(code(herd.run(answer("DECLINE_TRANSFER"))), "ACCEPTED");
    assert_eq!(herd.state().pending_transfer, None);
    assert_eq!(
        code(herd.run(answer("DECLINE_TRANSFER"))),
        "NO_PENDING_TRANSFER"
    );
    assert_eq!(code(herd.offer(9)), "ACCEPTED");
    assert_eq!(code(herd.run(answer("ACCEPT_TRANSFER"))), "ACCEPTED");
    let state = herd.state();
    assert_eq!((state.client_id, state.transfer_count), (9, 1));
    assert_eq!(state.pending_transfer, None);
    let last = herd.log.last().expect("written");
    assert_eq!(last.metadata.event_type, EventType::OwnershipTransfer);
    assert_eq!(
        last.payload,
        json!({"fromClientId": 7, "toClientId": 9, "priceCents": 250_000})
    );
}

#[test]
fn a_state_stored_before_offers_existed_still_reads() {
    let herd = Herd::registered();
    let mut stored = serde_json::to_value(herd.state()).expect("serializes");
    assert!(
        stored.get("pending_transfer").is_none(),
        "no offer, no field"
    );
    stored
        .as_object_mut()
        .expect("an object")
        .remove("pending_transfer");
    let read: CattleState = serde_json::from_value(stored).expect("reads");
    assert_eq!(&read, herd.state());
}

#[test]
fn status_changes_must_change_something() {
    let mut herd = Herd::registered();
    let id = herd.id();
    let status = |s: &str| json!({"type": "CHANGE_STATUS", "data": {"cattleId": id, "status": s, "reason": "muster"}});
    assert_eq!(code(herd.run(status("ACTIVE"))), "SAME_STATUS");
    assert_eq!(code(herd.run(status("MISSING"))), "ACCEPTED");
    let to = json!({"type": "TRANSFER_OWNERSHIP", "data": {"cattleId": id, "toClientId": 8}});
    assert_eq!(code(herd.run(to)), "NOT_ACTIVE");
    assert_eq!(code(herd.run(status("ACTIVE"))), "ACCEPTED");
}

#[test]
fn apply_refuses_events_that_break_the_rules() {
    let mut herd = Herd::registered();
    let id = CattleId(herd.id());
    let stale = DecidedEvent {
        event_type: EventType::StatusChanged,
        payload: json!({"from": "SOLD", "to": "ACTIVE", "reason": "x"}),
        event_ref: "r".to_string(),
    };
    let draft_key = SigningKeyPair::from_seed([9; 32]);
    let envelope = seal(
        EventDraft {
            event_id: "evt_bad".into(),
            event_type: stale.event_type,
            event_ref: stale.event_ref,
            cattle_id: id,
            occurred_at: "2024-02-01T00:00:00.000Z".into(),
            recorded_at: "2024-02-01T00:00:00.000Z".into(),
            correlation_id: None,
            causation_id: None,
            source_system: SourceSystem::ICattle,
            created_by: None,
            payload: stale.payload,
            provenance: None,
        },
        &herd.head,
        &draft_key,
    );
    let state = herd.state.take();
    assert!(matches!(
        apply(state.clone(), &envelope),
        Err(ApplyError::StaleStatus { .. })
    ));
    assert!(matches!(
        apply(None, &envelope),
        Err(ApplyError::OutOfSequence { .. })
    ));
    let created_again = herd.log[0].clone();
    assert!(matches!(
        apply(state, &created_again),
        Err(ApplyError::OutOfSequence { .. })
    ));
}

#[test]
fn fraud_alerts_open_score_and_resolve() {
    let mut herd = Herd::registered();
    let id = herd.id();
    assert_eq!(
        (herd.state().confidence_score, herd.state().risk_level),
        (40, RiskLevel::Medium)
    );
    for kind in ["NLIS", "DNA"] {
        let wire = json!({"type": "ADD_VERIFICATION", "data": {"cattleId": id, "kind": kind, "reference": "lab-1"}});
        herd.run(wire).expect("verified");
    }
    assert_eq!(
        (herd.state().confidence_score, herd.state().risk_level),
        (80, RiskLevel::Low)
    );

    let value = |cents: i64| json!({"type": "RECORD_VALUATION", "data": {"cattleId": id, "amountCents": cents, "method": "MARKET"}});
    herd.run(value(200_000)).expect("valued");
    let before = herd.state().clone();
    let jump = herd.run(value(500_000)).expect("valued").remove(0);
    let findings = detect_fraud(&before, &jump);
    assert_eq!(
        findings.iter().map(|f| f.suspicion).collect::<Vec<_>>(),
        [SuspicionType::PriceAnomaly]
    );
    let alert = findings[0].clone();
    herd.record(CattleId(id), alert.to_event());
    assert_eq!(herd.state().suspicions, [SuspicionType::PriceAnomaly]);
    assert_eq!(
        (herd.state().confidence_score, herd.state().risk_level),
        (65, RiskLevel::Medium)
    );
    // The same problem does not raise a second alert while the first is open.
    assert!(detect_fraud(herd.state(), &jump).is_empty());

    let resolve = |alert_id: &str| json!({"type": "RESOLVE_FRAUD_ALERT", "data": {"cattleId": id, "alertId": alert_id, "resolution": "DISMISSED"}});
    assert_eq!(code(herd.run(resolve("nope"))), "ALERT_NOT_OPEN");
    assert_eq!(code(herd.run(resolve(&alert.alert_id))), "ACCEPTED");
    assert!(herd.state().suspicions.is_empty());
    assert_eq!(code(herd.run(resolve(&alert.alert_id))), "ALERT_NOT_OPEN");
}

#[test]
fn rapid_transfers_and_impossible_journeys_are_flagged() {
    let mut herd = Herd::registered();
    let id = herd.id();
    let mut flagged = vec![];
    for client in [8, 9, 10, 11] {
        let before = herd.state().clone();
        let event = herd.run(json!({"type": "TRANSFER_OWNERSHIP", "data": {"cattleId": id, "toClientId": client}})).expect("ok");
        flagged.extend(
            detect_fraud(&before, &event[0])
                .into_iter()
                .map(|f| f.suspicion),
        );
    }
    assert_eq!(flagged, [SuspicionType::RapidOwnershipChanges]);

    let at = |lat: f64, lon: f64| json!({"type": "RECORD_LOCATION", "data": {"cattleId": id, "latitude": lat, "longitude": lon}});
    herd.run(at(-27.47, 153.03)).expect("Brisbane");
    let before = herd.state().clone();
    let perth = herd
        .run(at(-31.95, 115.86))
        .expect("Perth a day later")
        .remove(0);
    assert_eq!(
        detect_fraud(&before, &perth)[0].suspicion,
        SuspicionType::LocationAnomaly
    );
    let before = herd.state().clone();
    let nearby = herd.run(at(-31.96, 115.87)).expect("nearby").remove(0);
    assert!(detect_fraud(&before, &nearby).is_empty());
    assert!((distance_km(-27.47, 153.03, -31.95, 115.86) - 3600.0).abs() < 50.0);
}

#[test]
fn clients_register_once_per_pic() {
    let wire = json!({"type": "REGISTER_CLIENT", "data": {"name": " Kidman Pastoral ", "pic": "QABC1234"}});
    let command = Command::parse_valid(&wire).expect("valid");
    assert_eq!(command.cattle_id(), CattleId::for_client_pic("QABC1234"));
    let DecidedEvent {
        event_type,
        payload,
        event_ref,
    } = decide(None, &command).expect("accepted").remove(0);
    assert_eq!(event_type, EventType::ClientRegistered);
    assert_eq!(payload["name"], "Kidman Pastoral");
    assert_eq!(
        payload["clientId"],
        json!(CattleId::for_client_pic("QABC1234").0)
    );
    assert_eq!(event_ref, "client-registered-QABC1234");
    let draft = EventDraft {
        event_id: "evt_c".into(),
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
        &SigningKeyPair::from_seed([4; 32]),
    );
    let client = apply_client(None, &envelope).expect("applies");
    assert_eq!(client.pic, "QABC1234");
    assert!(matches!(
        apply_client(Some(client), &envelope),
        Err(ApplyError::AlreadyExists(_))
    ));
    assert!(matches!(
        apply(None, &envelope),
        Err(ApplyError::WrongAggregate(EventType::ClientRegistered))
    ));
    let herd = Herd::registered();
    assert_eq!(
        decide(herd.state.as_ref(), &command)
            .err()
            .map(|r| r.code()),
        Some("ALREADY_REGISTERED")
    );
}

#[test]
fn validation_names_every_bad_field() {
    let fields = |wire: Value| -> Vec<String> {
        match Command::parse(&wire).map(|c| c.validate()) {
            Ok(Err(errors)) | Err(errors) => errors.into_iter().map(|e| e.field).collect(),
            Ok(Ok(())) => vec![],
        }
    };
    let health = json!({"type": "RECORD_HEALTH", "data": {"cattleId": 1, "kind": "WEIGHING", "weightKg": 2500.5, "notes": "x".repeat(2001)}});
    assert_eq!(fields(health), ["notes", "weightKg"]);
    let weighing = json!({"type": "RECORD_HEALTH", "data": {"cattleId": 1, "kind": "WEIGHING"}});
    assert_eq!(fields(weighing), ["weightKg"]);
    let location = json!({"type": "RECORD_LOCATION", "data": {"cattleId": -1, "latitude": 91, "longitude": -181.5, "pic": "qabc1234"}});
    assert_eq!(
        fields(location),
        ["cattleId", "latitude", "longitude", "pic"]
    );
    // A field that cannot be read does not hide the others' problems.
    let valuation = json!({"type": "RECORD_VALUATION", "data": {"cattleId": 1, "amountCents": 0, "method": "GUESS"}});
    assert_eq!(fields(valuation), ["method", "amountCents"]);
    let valuation = json!({"type": "RECORD_VALUATION", "data": {"cattleId": 1, "amountCents": 0, "method": "SALE"}});
    assert_eq!(fields(valuation), ["amountCents"]);
    let transfer = json!({"type": "TRANSFER_OWNERSHIP", "data": {"cattleId": 1.5, "toClientId": 2, "priceCents": -1}});
    assert_eq!(fields(transfer), ["cattleId", "priceCents"]);
    for answer in ["ACCEPT_TRANSFER", "DECLINE_TRANSFER"] {
        assert_eq!(fields(json!({"type": answer, "data": {}})), ["cattleId"]);
        assert_eq!(
            fields(json!({"type": answer, "data": {"cattleId": 0}})),
            ["cattleId"]
        );
        let extra = json!({"type": answer, "data": {"cattleId": 1, "toClientId": 2}});
        assert_eq!(fields(extra), ["toClientId"]);
    }
    let status =
        json!({"type": "CHANGE_STATUS", "data": {"cattleId": 1, "status": "SOLD", "reason": " "}});
    assert_eq!(fields(status), ["reason"]);
    let client = json!({"type": "REGISTER_CLIENT", "data": {"clientId": 0, "name": "A\u{0007}", "pic": "QABC12345"}});
    assert_eq!(fields(client), ["clientId", "name", "pic"]);
    let birth = json!({"type": "CREATE_CATTLE", "data": {"nlisId": NLIS, "breed": "Angus", "sex": "FEMALE", "clientId": 1, "birthDate": "2023-02-29"}});
    assert_eq!(fields(birth), ["birthDate"]);
    assert_eq!(fields(json!({"type": "CREATE_CATTLE"})), ["data"]);
    assert_eq!(fields(json!([1, 2])), ["type"]);
}

/// One step of a random dealing in an animal.
#[derive(Debug, Clone)]
enum Dealing {
    Offer(i64),
    Transfer(i64),
    Accept,
    Decline,
}

fn dealing() -> impl proptest::strategy::Strategy<Value = Dealing> {
    use proptest::prelude::*;
    prop_oneof![
        (6i64..10).prop_map(Dealing::Offer),
        (6i64..10).prop_map(Dealing::Transfer),
        Just(Dealing::Accept),
        Just(Dealing::Decline),
    ]
}

proptest::proptest! {
    /// Whatever order offers, answers and transfers come in, what `decide` accepts `apply`
    /// folds (`Herd::record` panics otherwise), the owner changes only by a transfer or an
    /// accepted offer, and at most one offer waits.
    #[test]
    fn offers_and_answers_in_any_order_keep_decide_and_apply_agreed(
        steps in proptest::collection::vec(dealing(), 1..16)
    ) {
        let mut herd = Herd::registered();
        let id = herd.id();
        for step in steps {
            let before = herd.state().clone();
            let outcome = match &step {
                Dealing::Offer(client) => herd.offer(*client),
                Dealing::Transfer(client) => herd.run(json!({"type": "TRANSFER_OWNERSHIP", "data": {"cattleId": id, "toClientId": client}})),
                Dealing::Accept => herd.run(json!({"type": "ACCEPT_TRANSFER", "data": {"cattleId": id}})),
                Dealing::Decline => herd.run(json!({"type": "DECLINE_TRANSFER", "data": {"cattleId": id}})),
            };
            let after = herd.state().clone();
            match (&step, outcome.is_ok()) {
                (_, false) => proptest::prop_assert_eq!(&before, &after),
                (Dealing::Offer(client), true) => {
                    proptest::prop_assert_eq!(after.client_id, before.client_id);
                    proptest::prop_assert_eq!(after.pending_transfer.map(|o| o.to_client_id), Some(*client));
                }
                (Dealing::Transfer(client), true) => {
                    proptest::prop_assert_eq!(after.client_id, *client);
                    proptest::prop_assert!(after.pending_transfer.is_none());
                }
                (Dealing::Accept, true) => {
                    let offered = before.pending_transfer.map(|o| o.to_client_id);
                    proptest::prop_assert_eq!(Some(after.client_id), offered);
                    proptest::prop_assert!(after.pending_transfer.is_none());
                }
                (Dealing::Decline, true) => {
                    proptest::prop_assert!(before.pending_transfer.is_some());
                    proptest::prop_assert_eq!(after.client_id, before.client_id);
                    proptest::prop_assert!(after.pending_transfer.is_none());
                }
            }
        }
    }
}
