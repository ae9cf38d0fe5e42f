//! The CloudEvents Kafka protocol binding (binary mode): every record of the log carries its
//! event's context attributes as `ce_*` headers, so generic Kafka tooling can route and filter
//! iCattle events without parsing them. The envelope in the value stays exactly as it is.
use domain::EventEnvelope;
use rdkafka::message::{Header, OwnedHeaders};

/// The CloudEvents specification version the headers follow.
pub const SPEC_VERSION: &str = "1.0";

/// The media type of the record's value.
pub const CONTENT_TYPE: &str = "application/json";

/// The headers of one envelope, in the binding's names.
pub fn headers_of(envelope: &EventEnvelope) -> Vec<(&'static str, String)> {
    let meta = &envelope.metadata;
    vec![
        ("ce_specversion", SPEC_VERSION.to_string()),
        ("ce_id", meta.event_id.clone()),
        ("ce_type", meta.event_type.as_str().to_string()),
        ("ce_source", source_of(envelope)),
        ("ce_subject", meta.cattle_id.kafka_key()),
        ("ce_time", meta.recorded_at.clone()),
        ("content-type", CONTENT_TYPE.to_string()),
    ]
}

/// `ce_source`: a URI reference naming the system the event came from.
pub fn source_of(envelope: &EventEnvelope) -> String {
    format!("/icattle/{}", envelope.metadata.source_system.as_str())
}

/// The headers as rdkafka sends them.
pub fn kafka_headers(envelope: &EventEnvelope) -> OwnedHeaders {
    headers_of(envelope)
        .iter()
        .fold(OwnedHeaders::new(), |headers, (key, value)| {
            headers.insert(Header {
                key,
                value: Some(value.as_bytes()),
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_headers_repeat_the_envelope_s_identity_type_source_and_time() {
        let key = domain::SigningKeyPair::from_seed([7; 32]);
        let draft = domain::EventDraft {
            event_id: "evt_1".into(),
            event_type: domain::EventType::CattleCreated,
            event_ref: "cattle-created-TST0000000000001".into(),
            cattle_id: domain::CattleId::for_nlis("TST0000000000001"),
            occurred_at: "2026-11-30T01:02:03.000Z".into(),
            recorded_at: "2026-11-30T01:02:04.000Z".into(),
            correlation_id: None,
            causation_id: None,
            source_system: domain::SourceSystem::Nlis,
            created_by: None,
            payload: serde_json::json!({"nlisId": "TST0000000000001", "breed": "Angus",
                "sex": "FEMALE", "clientId": 1}),
            provenance: None,
        };
        let envelope = domain::seal(draft, &domain::ChainHead::default(), &key);
        let headers: std::collections::HashMap<_, _> = headers_of(&envelope).into_iter().collect();
        assert_eq!(headers["ce_specversion"], "1.0");
        assert_eq!(headers["ce_id"], "evt_1");
        assert_eq!(headers["ce_type"], "CATTLE_CREATED");
        assert_eq!(headers["ce_source"], "/icattle/NLIS");
        assert_eq!(headers["ce_time"], "2026-11-30T01:02:04.000Z");
        assert_eq!(headers["content-type"], "application/json");
        assert_eq!(
            headers["ce_subject"],
            format!("cattle-{}", envelope.metadata.cattle_id.0)
        );
    }
}
