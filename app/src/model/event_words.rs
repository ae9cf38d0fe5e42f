//! What an event says, in the words a farmer uses: "Treated — Oxytetracycline, 10 ml,
//! withholding 28 days", "Moved to River flat", "Valued at $1,850.00 (market)". The timeline
//! shows it under each event's type.
use domain::payloads::*;
use domain::{dollars, upcast, EventPayload, EventType, HealthKind};
use serde_json::Value;
use std::collections::BTreeMap;

fn lower(word: &str) -> String {
    word.to_lowercase().replace('_', " ")
}

fn priced(cents: Option<i64>) -> String {
    cents
        .map(|c| format!(" for {}", dollars(c)))
        .unwrap_or_default()
}

fn health_words(p: HealthRecorded) -> String {
    let verb = match p.kind {
        HealthKind::Vaccination => "Vaccinated",
        HealthKind::Treatment => "Treated",
        HealthKind::Inspection => "Inspected",
        HealthKind::Weighing => "Weighed",
        HealthKind::Illness => "Illness recorded",
        HealthKind::Injury => "Injury recorded",
    };
    let mut parts: Vec<String> = [p.product, p.dose, p.route].into_iter().flatten().collect();
    if let Some(batch) = p.batch {
        parts.push(format!("batch {batch}"));
    }
    if let Some(kg) = p.weight_kg {
        parts.push(format!("{kg} kg"));
    }
    if let Some(days) = p.withholding_days.filter(|d| *d > 0) {
        parts.push(format!("withholding {days} days"));
    }
    if !p.notes.trim().is_empty() {
        parts.push(p.notes.trim().to_string());
    }
    if parts.is_empty() {
        verb.to_string()
    } else {
        format!("{verb} — {}", parts.join(", "))
    }
}

/// The event's name as people say it ("Registered", "Sold"), for lists that show only its
/// kind; the wire name (`CATTLE_CREATED`) is for integrators and waits behind details.
pub fn event_name(event_type: EventType) -> &'static str {
    match event_type {
        EventType::CattleCreated => "Registered",
        EventType::OwnershipTransfer => "Sold",
        EventType::ValuationUpdated => "Valued",
        EventType::HealthRecorded => "Health record",
        EventType::LocationRecorded => "Location",
        EventType::VerificationAdded => "Identity checked",
        EventType::StatusChanged => "Status changed",
        EventType::FraudDetected => "Fraud alert",
        EventType::FraudAlertResolved => "Fraud alert resolved",
        EventType::SnapshotCreated => "Snapshot",
        EventType::ClientRegistered => "Client registered",
        EventType::TransferOffered => "Offered for sale",
        EventType::TransferDeclined => "Offer ended",
        EventType::MobAssigned => "Mob changed",
    }
}

/// The name of an event given by its wire name; an unknown one is shown as it came.
pub fn event_name_of(wire_name: &str) -> String {
    EventType::parse(wire_name).map_or_else(|| wire_name.to_string(), |t| event_name(t).into())
}

fn read<P: EventPayload>(payload: &Value) -> Option<P> {
    P::from_payload(payload).ok()
}

/// The event in words, or `None` when its payload does not read as its type (the timeline
/// then shows only the type, and the verifier says what is wrong).
pub fn event_in_words(
    event_type: EventType,
    schema_version: u32,
    payload: &Value,
    client_names: &BTreeMap<i64, String>,
) -> Option<String> {
    // A client the reader knows by name is said by name ("Sold to Bindi Station").
    let client = |id: i64| {
        client_names
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("client {id}"))
    };
    let payload = upcast(event_type, schema_version, payload).ok()?;
    let payload = &payload;
    Some(match event_type {
        EventType::CattleCreated => {
            let p: CattleCreated = read(payload)?;
            let born = p
                .birth_date
                .map(|d| format!(", born {d}"))
                .unwrap_or_default();
            format!("Registered — {} {}{born}", p.breed, lower(p.sex.as_str()))
        }
        EventType::OwnershipTransfer => {
            let p: OwnershipTransfer = read(payload)?;
            format!(
                "Sold to {}{}",
                client(p.to_client_id),
                priced(p.price_cents)
            )
        }
        EventType::TransferOffered => {
            let p: TransferOffered = read(payload)?;
            format!(
                "Offered to {}{}",
                client(p.to_client_id),
                priced(p.price_cents)
            )
        }
        EventType::TransferDeclined => {
            let p: TransferDeclined = read(payload)?;
            format!("Offer to {} ended", client(p.to_client_id))
        }
        EventType::ValuationUpdated => {
            let p: ValuationUpdated = read(payload)?;
            let was = p
                .previous_cents
                .map(|c| format!(", was {}", dollars(c)))
                .unwrap_or_default();
            format!(
                "Valued at {} ({}){was}",
                dollars(p.amount_cents),
                lower(p.method.as_str())
            )
        }
        EventType::HealthRecorded => health_words(read(payload)?),
        EventType::LocationRecorded => {
            let p: LocationRecorded = read(payload)?;
            let at = format!("{:.4}, {:.4}", p.latitude, p.longitude);
            match p.paddock {
                Some(paddock) => format!("Moved to {paddock} ({at})"),
                None => format!("Seen at {at}"),
            }
        }
        EventType::MobAssigned => match read::<MobAssigned>(payload)?.mob {
            Some(mob) => format!("Put in mob {mob}"),
            None => "Taken out of its mob".to_string(),
        },
        EventType::VerificationAdded => {
            let p: VerificationAdded = read(payload)?;
            format!("Checked by {} ({})", p.kind.as_str(), p.reference)
        }
        EventType::StatusChanged => {
            let p: StatusChanged = read(payload)?;
            format!(
                "Now {} (was {}): {}",
                lower(p.to.as_str()),
                lower(p.from.as_str()),
                p.reason
            )
        }
        EventType::FraudDetected => {
            let p: FraudDetected = read(payload)?;
            format!("Fraud alert raised: {}", p.description)
        }
        EventType::FraudAlertResolved => {
            let p: FraudAlertResolved = read(payload)?;
            format!("Fraud alert {}: {}", lower(p.resolution.as_str()), p.notes)
        }
        EventType::SnapshotCreated => "A snapshot of its state".to_string(),
        EventType::ClientRegistered => {
            let p: ClientRegistered = read(payload)?;
            format!("Client {} ({}) registered", p.name, p.pic)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn words(event_type: EventType, payload: Value) -> String {
        let names = BTreeMap::from([(7, "Bindi Station".to_string())]);
        event_in_words(
            event_type,
            event_type.current_schema_version(),
            &payload,
            &names,
        )
        .unwrap_or_default()
    }

    #[test]
    fn every_event_type_has_a_name_without_underscores() {
        for event_type in EventType::ALL {
            let name = event_name(event_type);
            assert!(!name.contains('_'), "{name}");
            assert_eq!(event_name_of(event_type.as_str()), name);
        }
        assert_eq!(event_name_of("SOMETHING_NEW"), "SOMETHING_NEW");
    }

    #[test]
    fn events_read_as_a_farmer_says_them() {
        assert_eq!(
            words(
                EventType::HealthRecorded,
                json!({"kind": "TREATMENT", "notes": "",
                "product": "Oxytetracycline", "dose": "10 ml", "withholdingDays": 28})
            ),
            "Treated — Oxytetracycline, 10 ml, withholding 28 days"
        );
        assert_eq!(
            words(
                EventType::HealthRecorded,
                json!({"kind": "VACCINATION", "notes": "7-in-1, 2 ml"})
            ),
            "Vaccinated — 7-in-1, 2 ml"
        );
        assert_eq!(
            words(
                EventType::OwnershipTransfer,
                json!({"fromClientId": 1, "toClientId": 42, "priceCents": 125_000})
            ),
            "Sold to client 42 for $1,250.00"
        );
        assert_eq!(
            words(
                EventType::OwnershipTransfer,
                json!({"fromClientId": 1, "toClientId": 7})
            ),
            "Sold to Bindi Station"
        );
        assert_eq!(
            words(
                EventType::LocationRecorded,
                json!({"latitude": -27.47, "longitude": 153.02, "paddock": "River flat"})
            ),
            "Moved to River flat (-27.4700, 153.0200)"
        );
        assert_eq!(
            words(EventType::MobAssigned, json!({})),
            "Taken out of its mob"
        );
        assert_eq!(
            words(
                EventType::CattleCreated,
                json!({"nlisId": "3ABCD123XBC12345", "breed": "Angus",
                "sex": "FEMALE", "clientId": 7})
            ),
            "Registered — Angus female"
        );
    }

    #[test]
    fn a_payload_that_is_not_its_type_has_no_words() {
        assert_eq!(
            event_in_words(
                EventType::MobAssigned,
                1,
                &json!({"mob": 5}),
                &BTreeMap::new()
            ),
            None
        );
    }
}
