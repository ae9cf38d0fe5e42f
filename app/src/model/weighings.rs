//! An animal's weighings, read from its envelopes: the health records that carry a weight.
use domain::{timestamp_millis, weighing_of, EventEnvelope, Weighing};

/// The weighings among an animal's envelopes (JSON text, as the animal page carries them),
/// oldest first; anything that does not read as a weighed health record is skipped.
pub fn weighings_of(envelopes: &[String]) -> Vec<Weighing> {
    let mut weighings: Vec<Weighing> = envelopes
        .iter()
        .filter_map(|text| weighing_of(&serde_json::from_str::<EventEnvelope>(text).ok()?))
        .collect();
    weighings.sort_by_key(|w| timestamp_millis(&w.at));
    weighings
}

/// Kilograms as the weight chart shows them: "452.5 kg".
pub fn kilograms(tenths: i64) -> String {
    format!("{} kg", tenths as f64 / 10.0)
}
