//! An animal's weighings, read from its envelopes: the health records that carry a weight.
use domain::payloads::HealthRecorded;
use domain::{timestamp_millis, upcast, EventEnvelope, EventPayload, EventType, Weighing};

/// The weighings among an animal's envelopes (JSON text, as the animal page carries them),
/// oldest first; anything that does not read as a weighed health record is skipped.
pub fn weighings_of(envelopes: &[String]) -> Vec<Weighing> {
    let mut weighings: Vec<Weighing> = envelopes
        .iter()
        .filter_map(|text| {
            let envelope: EventEnvelope = serde_json::from_str(text).ok()?;
            let m = &envelope.metadata;
            if m.event_type != EventType::HealthRecorded {
                return None;
            }
            let payload = upcast(m.event_type, m.schema_version, &envelope.payload).ok()?;
            let kg = HealthRecorded::from_payload(&payload).ok()?.weight_kg?;
            Some(Weighing {
                at: m.occurred_at.clone(),
                kg,
            })
        })
        .collect();
    weighings.sort_by_key(|w| timestamp_millis(&w.at));
    weighings
}

/// Kilograms as the weight chart shows them: "452.5 kg".
pub fn kilograms(tenths: i64) -> String {
    format!("{} kg", tenths as f64 / 10.0)
}
