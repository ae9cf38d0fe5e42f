//! A generated herd history: valid chains made with the domain's own `decide` and `seal`,
//! with races, duplicates and forgeries mixed in, as message bodies ready to publish.
use chrono::{Duration, TimeZone, Utc};
use domain::{
    decide, detect_fraud, fold_verified, seal, ChainHead, Command, DecidedEvent, EventDraft,
    SigningKeyPair, SourceSystem, StreamState,
};
use serde_json::{json, Value};

/// One message to publish: its key and body.
pub struct Message {
    /// `cattle-{id}` (or the client stream's id).
    pub key: String,
    /// The envelope JSON (or whatever was put on the log).
    pub body: Vec<u8>,
}

/// What the generator mixed in, for the assertions.
#[derive(Debug, Default)]
pub struct Mix {
    /// Genuine events that are the only claim on their sequence.
    pub genuine: usize,
    /// Second claims on a sequence already taken (they lose).
    pub races: usize,
    /// Exact copies of an earlier message.
    pub duplicates: usize,
    /// Events signed by a key nobody trusts.
    pub forged: usize,
    /// FRAUD_DETECTED events the detector's rules raised.
    pub fraud_alerts: usize,
    /// Alerts an assessor resolved.
    pub resolved: usize,
}

const BREEDS: [&str; 4] = ["Angus", "Hereford", "Wagyu", "Brahman"];
const CHECKS: [&str; 5] = ["NLIS", "PHOTO", "GPS", "BIOMETRIC", "DNA"];

/// A small deterministic generator, so every run makes the same history.
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

struct Stream {
    head: ChainHead,
    state: Option<StreamState>,
}

fn at(n: i64) -> String {
    let base = Utc
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .expect("a valid date");
    (base + Duration::milliseconds(n * 1000)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn envelopes_for(
    command: &Value,
    stream: &Stream,
    key: &SigningKeyPair,
    clock: &mut i64,
) -> Vec<domain::EventEnvelope> {
    let command = Command::parse_valid(command).expect("generated commands are valid");
    let state = match &stream.state {
        Some(StreamState::Cattle(cattle)) => Some(cattle),
        _ => None,
    };
    let decided = decide(state, &command).expect("generated commands are allowed");
    let mut head = stream.head.clone();
    decided
        .into_iter()
        .map(
            |DecidedEvent {
                 event_type,
                 payload,
                 event_ref,
             }| {
                *clock += 1;
                let draft = EventDraft {
                    event_id: format!("evt_gen_{clock:08}"),
                    event_type,
                    event_ref,
                    cattle_id: command.cattle_id(),
                    occurred_at: at(*clock),
                    recorded_at: at(*clock),
                    correlation_id: None,
                    causation_id: None,
                    source_system: SourceSystem::ICattle,
                    created_by: Some("generator".into()),
                    payload,
                    provenance: None,
                };
                let envelope = seal(draft, &head, key);
                head = head
                    .after(&domain::event_hash(&envelope).expect("hashes"))
                    .expect("advances");
                envelope
            },
        )
        .collect()
}

fn accept(stream: &mut Stream, envelope: &domain::EventEnvelope) {
    let folded = fold_verified(envelope, &stream.head, stream.state.take(), true)
        .expect("the generator's own events fold");
    stream.head = folded.head;
    stream.state = Some(folded.state);
}

fn body(envelope: &domain::EventEnvelope) -> Vec<u8> {
    serde_json::to_vec(envelope).expect("encodes")
}

/// `animals` animals of `events_per_animal` events each (plus five clients), with about 2%
/// races, 2% duplicates and 1% forgeries.
pub fn herd_history(
    key: &SigningKeyPair,
    stranger: &SigningKeyPair,
    animals: u32,
    events_per_animal: u32,
    seed: u64,
) -> (Vec<Message>, Mix) {
    let mut dice = Dice(seed | 1);
    let mut clock = 0i64;
    let mut messages = Vec::new();
    let mut mix = Mix::default();
    for client in 1..=5i64 {
        let stream = Stream {
            head: ChainHead::default(),
            state: None,
        };
        let command = json!({"type": "REGISTER_CLIENT",
            "data": {"clientId": client, "name": format!("Station {client}"), "pic": format!("QABC{client:04}")}});
        for envelope in envelopes_for(&command, &stream, key, &mut clock) {
            messages.push(Message {
                key: envelope.metadata.cattle_id.kafka_key(),
                body: body(&envelope),
            });
            mix.genuine += 1;
        }
    }
    for animal in 0..animals {
        let nlis = format!("GEN{animal:013}");
        let id = domain::CattleId::for_nlis(&nlis).0;
        let mut stream = Stream {
            head: ChainHead::default(),
            state: None,
        };
        let mut owner = 1 + (animal as i64 % 5);
        let create = json!({"type": "CREATE_CATTLE", "data": {"nlisId": nlis,
            "breed": BREEDS[animal as usize % BREEDS.len()],
            "sex": if animal % 2 == 0 { "FEMALE" } else { "MALE" }, "clientId": owner}});
        let mut next = create;
        for step in 0..events_per_animal {
            let envelopes = envelopes_for(&next, &stream, key, &mut clock);
            for envelope in &envelopes {
                let roll = dice.roll(100);
                if roll < 1 && step > 0 {
                    // A forgery claiming the same place, published first: refused, and the
                    // genuine event after it still fits the chain.
                    let mut draft_source = envelope.clone();
                    draft_source.metadata.event_id =
                        format!("{}_forged", envelope.metadata.event_id);
                    let forged = seal(
                        EventDraft {
                            event_id: draft_source.metadata.event_id.clone(),
                            event_type: draft_source.metadata.event_type,
                            event_ref: format!("{}-forged", draft_source.metadata.event_ref),
                            cattle_id: draft_source.metadata.cattle_id,
                            occurred_at: draft_source.metadata.occurred_at.clone(),
                            recorded_at: draft_source.metadata.recorded_at.clone(),
                            correlation_id: None,
                            causation_id: None,
                            source_system: SourceSystem::ICattle,
                            created_by: None,
                            payload: draft_source.payload.clone(),
                            provenance: None,
                        },
                        &stream.head,
                        stranger,
                    );
                    messages.push(Message {
                        key: format!("cattle-{id}"),
                        body: body(&forged),
                    });
                    mix.forged += 1;
                }
                messages.push(Message {
                    key: format!("cattle-{id}"),
                    body: body(envelope),
                });
                mix.genuine += 1;
                if (1..3).contains(&roll) {
                    messages.push(Message {
                        key: format!("cattle-{id}"),
                        body: body(envelope),
                    });
                    mix.duplicates += 1;
                }
                if envelope.metadata.event_type == domain::EventType::FraudAlertResolved {
                    mix.resolved += 1;
                }
                let loser_head = stream.head.clone();
                let before = stream.state.clone();
                accept(&mut stream, envelope);
                // The fraud detector's findings follow the event that raised them.
                if let Some(StreamState::Cattle(before)) = &before {
                    for finding in detect_fraud(before, envelope) {
                        let DecidedEvent {
                            event_type,
                            payload,
                            event_ref,
                        } = finding.to_event();
                        clock += 1;
                        let detected = seal(
                            EventDraft {
                                event_id: format!("evt_gen_{clock:08}"),
                                event_type,
                                event_ref,
                                cattle_id: envelope.metadata.cattle_id,
                                occurred_at: at(clock),
                                recorded_at: at(clock),
                                correlation_id: None,
                                causation_id: Some(envelope.metadata.event_id.clone()),
                                source_system: SourceSystem::ICattle,
                                created_by: Some("fraud-detector".into()),
                                payload,
                                provenance: None,
                            },
                            &stream.head,
                            key,
                        );
                        accept(&mut stream, &detected);
                        messages.push(Message {
                            key: format!("cattle-{id}"),
                            body: body(&detected),
                        });
                        mix.genuine += 1;
                        mix.fraud_alerts += 1;
                    }
                }
                if (3..5).contains(&roll) && step > 0 {
                    // A second writer built on the same head: it loses the race.
                    clock += 1;
                    let loser = seal(
                        EventDraft {
                            event_id: format!("evt_gen_{clock:08}_race"),
                            event_type: domain::EventType::HealthRecorded,
                            event_ref: format!("race-{clock}"),
                            cattle_id: envelope.metadata.cattle_id,
                            occurred_at: at(clock),
                            recorded_at: at(clock),
                            correlation_id: None,
                            causation_id: None,
                            source_system: SourceSystem::ICattle,
                            created_by: None,
                            payload: json!({"kind": "INSPECTION", "notes": "second writer"}),
                            provenance: None,
                        },
                        &loser_head,
                        key,
                    );
                    messages.push(Message {
                        key: format!("cattle-{id}"),
                        body: body(&loser),
                    });
                    mix.races += 1;
                }
            }
            let open_alert = match &stream.state {
                Some(StreamState::Cattle(cattle)) => {
                    cattle.open_alerts.first().map(|a| a.alert_id.clone())
                }
                _ => None,
            };
            if let (Some(alert_id), true) = (open_alert, dice.roll(3) == 0) {
                next = json!({"type": "RESOLVE_FRAUD_ALERT", "data": {"cattleId": id, "alertId": alert_id,
                    "resolution": "DISMISSED", "notes": "checked the paperwork"}});
                continue;
            }
            next = match dice.roll(6) {
                0 => json!({"type": "RECORD_HEALTH", "data": {"cattleId": id, "kind": "WEIGHING",
                    "notes": format!("weighed {step}"), "weightKg": 300 + dice.roll(400)}}),
                1 => json!({"type": "RECORD_LOCATION", "data": {"cattleId": id,
                    "latitude": -27.0 - dice.roll(100) as f64 / 1000.0, "longitude": 151.0 + dice.roll(100) as f64 / 1000.0}}),
                2 => json!({"type": "ADD_VERIFICATION", "data": {"cattleId": id,
                    "kind": CHECKS[dice.roll(CHECKS.len() as u64) as usize], "reference": format!("ref-{step}")}}),
                3 => {
                    owner = 1 + (owner % 5);
                    json!({"type": "TRANSFER_OWNERSHIP", "data": {"cattleId": id, "toClientId": owner}})
                }
                _ => json!({"type": "RECORD_VALUATION", "data": {"cattleId": id,
                    "amountCents": 100_000 + 1_000 * dice.roll(500) as i64, "method": "MARKET"}}),
            };
        }
    }
    (messages, mix)
}
