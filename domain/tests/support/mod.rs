//! Shared fixtures for the integration tests: fixed keys and one animal's realistic chain.
#![allow(dead_code)]

use domain::*;
use serde_json::json;

/// The vector producer's seed: bytes 0x00..=0x1f.
pub const PRODUCER_SEED: [u8; 32] = seed_from(0);
/// A key nobody registered: bytes 0x20..=0x3f.
pub const STRANGER_SEED: [u8; 32] = seed_from(32);
/// The NLIS id of the vector animal.
pub const VECTOR_NLIS: &str = "3ABCD123XBC12345";

const fn seed_from(first: u8) -> [u8; 32] {
    let mut seed = [0u8; 32];
    let mut i = 0;
    while i < 32 {
        seed[i] = first + i as u8;
        i += 1;
    }
    seed
}

/// The registry that accepts only the vector producer.
pub fn producer_registry() -> KeyRegistry {
    let mut registry = KeyRegistry::new();
    let key = SigningKeyPair::from_seed(PRODUCER_SEED).public_key_hex();
    registry.insert(&key, "vector-producer").expect("valid key");
    registry
}

fn command(value: serde_json::Value) -> Command {
    Command::parse_valid(&value).expect("fixture command is valid")
}

/// The seven commands of the vector animal's life, with the source system of each.
pub fn life_of(nlis: &str) -> Vec<(Command, SourceSystem)> {
    let id = CattleId::for_nlis(nlis).0;
    vec![
        (
            command(
                json!({"type": "CREATE_CATTLE", "data": {"nlisId": nlis, "breed": "Angus", "sex": "FEMALE", "clientId": 7, "birthDate": "2022-08-14"}}),
            ),
            SourceSystem::ICattle,
        ),
        (
            command(
                json!({"type": "ADD_VERIFICATION", "data": {"cattleId": id, "kind": "NLIS", "reference": "NLIS-DB-2024-0001"}}),
            ),
            SourceSystem::Nlis,
        ),
        (
            command(
                json!({"type": "RECORD_HEALTH", "data": {"cattleId": id, "kind": "WEIGHING", "notes": "Drenched — weighed at the yards ✓", "weightKg": 452.5}}),
            ),
            SourceSystem::ICattle,
        ),
        (
            command(
                json!({"type": "RECORD_LOCATION", "data": {"cattleId": id, "latitude": -27.4698, "longitude": 153.0251, "pic": "QABC1234"}}),
            ),
            SourceSystem::Gps,
        ),
        (
            command(
                json!({"type": "RECORD_VALUATION", "data": {"cattleId": id, "amountCents": 185000, "method": "MARKET"}}),
            ),
            SourceSystem::ICattle,
        ),
        (
            command(
                json!({"type": "TRANSFER_OWNERSHIP", "data": {"cattleId": id, "toClientId": 8, "priceCents": 190000}}),
            ),
            SourceSystem::ICattle,
        ),
        (
            command(
                json!({"type": "CHANGE_STATUS", "data": {"cattleId": id, "status": "MISSING", "reason": "Not found at muster"}}),
            ),
            SourceSystem::ICattle,
        ),
    ]
}

/// The timestamp of the n-th event (1-based) of a fixture chain.
pub fn at(n: u64, second: u64) -> String {
    format!("2024-03-{:02}T08:{:02}:{:02}.{:03}Z", n, n, second, n * 7)
}

/// Runs decide -> seal -> verify -> apply over the animal's life, signing with `key`.
/// Provenance on each event after the first is the score of the state before it.
pub fn build_chain(nlis: &str, key: &SigningKeyPair) -> Vec<EventEnvelope> {
    let mut head = ChainHead::default();
    let mut state: Option<CattleState> = None;
    let mut out: Vec<EventEnvelope> = Vec::new();
    for (command, source) in life_of(nlis) {
        for DecidedEvent {
            event_type,
            payload,
            event_ref,
        } in decide(state.as_ref(), &command).expect("fixture command accepted")
        {
            let n = head.sequence + 1;
            let draft = EventDraft {
                event_id: format!("evt_{}_{n:04}", &nlis[..6]),
                event_type,
                event_ref,
                cattle_id: command.cattle_id(),
                occurred_at: at(n, 0),
                recorded_at: at(n, 1),
                correlation_id: (event_type == EventType::OwnershipTransfer)
                    .then(|| "corr-sale-0001".to_string()),
                causation_id: (event_type == EventType::StatusChanged)
                    .then(|| out[out.len() - 1].metadata.event_id.clone()),
                source_system: source,
                created_by: Some("user:farmer-7".into()),
                payload,
                provenance: state.as_ref().map(CattleState::provenance),
            };
            let envelope = seal(draft, &head, key);
            head = verify_next(&envelope, &head).expect("fixture event verifies");
            state = Some(apply(state, &envelope).expect("fixture event applies"));
            out.push(envelope);
        }
    }
    out
}

/// A client's stream: its one CLIENT_REGISTERED event, signed with `key`.
pub fn build_client_stream(key: &SigningKeyPair) -> Vec<EventEnvelope> {
    let command = command(
        json!({"type": "REGISTER_CLIENT", "data": {"name": "Kidman Pastoral", "pic": "QABC1234"}}),
    );
    let DecidedEvent {
        event_type,
        payload,
        event_ref,
    } = decide(None, &command)
        .expect("fixture command accepted")
        .remove(0);
    let draft = EventDraft {
        event_id: "evt_client_0001".into(),
        event_type,
        event_ref,
        cattle_id: command.cattle_id(),
        occurred_at: at(1, 0),
        recorded_at: at(1, 1),
        correlation_id: None,
        causation_id: None,
        source_system: SourceSystem::ICattle,
        created_by: None,
        payload,
        provenance: None,
    };
    vec![seal(draft, &ChainHead::default(), key)]
}

/// An animal registered under schema v1 of CATTLE_CREATED, then weighed.
pub fn build_legacy_chain(key: &SigningKeyPair) -> Vec<EventEnvelope> {
    let nlis = "3LEGACY000000001";
    let cattle_id = CattleId::for_nlis(nlis);
    let mut head = ChainHead::default();
    let mut out = Vec::new();
    let events = [
        (
            EventType::CattleCreated,
            1,
            json!({"nlisId": nlis, "breed": "Hereford", "sex": "M", "ownerId": 3}),
            format!("cattle-created-{nlis}"),
        ),
        (
            EventType::HealthRecorded,
            1,
            json!({"kind": "VACCINATION", "notes": "7-in-1"}),
            format!("health-recorded-{cattle_id}-2"),
        ),
    ];
    for (n, (event_type, version, payload, event_ref)) in (1u64..).zip(events) {
        let draft = EventDraft {
            event_id: format!("evt_legacy_{n:04}"),
            event_type,
            event_ref,
            cattle_id,
            occurred_at: at(n, 30),
            recorded_at: at(n, 31),
            correlation_id: None,
            causation_id: None,
            source_system: SourceSystem::Manual,
            created_by: None,
            payload,
            provenance: None,
        };
        let envelope = seal_at_version(draft, version, &head, key);
        head = verify_next(&envelope, &head).expect("legacy event verifies");
        out.push(envelope);
    }
    out
}

/// One envelope per line, each in canonical JSON (so files are byte-stable everywhere).
pub fn to_lines(chain: &[EventEnvelope]) -> String {
    chain
        .iter()
        .map(|e| canonical_json(&e.to_json_value()) + "\n")
        .collect()
}

/// A small deterministic generator (xorshift), so every run makes the same herd.
pub struct Dice(pub u64);

impl Dice {
    /// A number below `sides`.
    pub fn roll(&mut self, sides: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % sides
    }
}
