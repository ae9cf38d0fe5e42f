//! The body of a record on the cattle and category topics: one event envelope as JSON. Every
//! reader of those topics (views, relay, archive) reads it the same way.
use domain::EventEnvelope;

/// Reads an envelope exactly as received, or says why it is not one.
pub fn decode(body: &[u8]) -> Result<EventEnvelope, String> {
    let text = std::str::from_utf8(body).map_err(|e| format!("not UTF-8 text: {e}"))?;
    EventEnvelope::from_json_str(text).map_err(|e| format!("not an event envelope: {e}"))
}
