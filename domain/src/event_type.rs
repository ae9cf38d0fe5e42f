//! The kinds of event the log holds, and the schema version each is written at.

use serde::{Deserialize, Serialize};

/// What happened, as named on the wire ("CATTLE_CREATED", ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EventType {
    /// An animal entered the registry.
    CattleCreated,
    /// An animal changed owner (client).
    OwnershipTransfer,
    /// An assessor valued the animal.
    ValuationUpdated,
    /// A health event (vaccination, treatment, weighing, ...).
    HealthRecorded,
    /// A GPS fix of the animal.
    LocationRecorded,
    /// An identity check (NLIS, photo, GPS, biometric, DNA) succeeded.
    VerificationAdded,
    /// The animal's status changed (sold, deceased, ...).
    StatusChanged,
    /// The fraud detector raised an alert.
    FraudDetected,
    /// An assessor resolved a fraud alert.
    FraudAlertResolved,
    /// A checkpoint of the animal's state, for fast replay.
    SnapshotCreated,
    /// A client (owner of cattle) was registered.
    ClientRegistered,
    /// A farmer offered an animal to another farmer's client; it waits for acceptance.
    TransferOffered,
    /// A transfer offer was declined by the receiver or withdrawn by the sender.
    TransferDeclined,
    /// The animal was drafted into a mob, or out of one.
    MobAssigned,
}

impl EventType {
    /// Every event type, in declaration order.
    pub const ALL: [EventType; 14] = [
        EventType::CattleCreated,
        EventType::OwnershipTransfer,
        EventType::ValuationUpdated,
        EventType::HealthRecorded,
        EventType::LocationRecorded,
        EventType::VerificationAdded,
        EventType::StatusChanged,
        EventType::FraudDetected,
        EventType::FraudAlertResolved,
        EventType::SnapshotCreated,
        EventType::ClientRegistered,
        EventType::TransferOffered,
        EventType::TransferDeclined,
        EventType::MobAssigned,
    ];

    /// The wire name, e.g. "CATTLE_CREATED".
    pub fn as_str(&self) -> &'static str {
        match self {
            EventType::CattleCreated => "CATTLE_CREATED",
            EventType::OwnershipTransfer => "OWNERSHIP_TRANSFER",
            EventType::ValuationUpdated => "VALUATION_UPDATED",
            EventType::HealthRecorded => "HEALTH_RECORDED",
            EventType::LocationRecorded => "LOCATION_RECORDED",
            EventType::VerificationAdded => "VERIFICATION_ADDED",
            EventType::StatusChanged => "STATUS_CHANGED",
            EventType::FraudDetected => "FRAUD_DETECTED",
            EventType::FraudAlertResolved => "FRAUD_ALERT_RESOLVED",
            EventType::SnapshotCreated => "SNAPSHOT_CREATED",
            EventType::ClientRegistered => "CLIENT_REGISTERED",
            EventType::TransferOffered => "TRANSFER_OFFERED",
            EventType::TransferDeclined => "TRANSFER_DECLINED",
            EventType::MobAssigned => "MOB_ASSIGNED",
        }
    }

    /// Parses a wire name; None if unknown.
    pub fn parse(name: &str) -> Option<EventType> {
        EventType::ALL.into_iter().find(|t| t.as_str() == name)
    }

    /// The schema version new events of this type are written at; older ones are upcast on read.
    pub fn current_schema_version(&self) -> u32 {
        match self {
            // v2 renamed "ownerId" to "clientId" and spelled sex out ("M" -> "MALE").
            EventType::CattleCreated => 2,
            _ => 1,
        }
    }

    /// The category topic that also carries this event, beside `icattle.cattle.events`.
    pub fn category_topic(&self) -> Option<&'static str> {
        match self {
            EventType::ValuationUpdated => Some("icattle.valuations.events"),
            EventType::FraudDetected | EventType::FraudAlertResolved => {
                Some("icattle.fraud.events")
            }
            EventType::OwnershipTransfer
            | EventType::TransferOffered
            | EventType::TransferDeclined => Some("icattle.ownership.events"),
            EventType::HealthRecorded => Some("icattle.health.events"),
            _ => None,
        }
    }
}

impl std::fmt::Display for EventType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_match_serde() {
        for t in EventType::ALL {
            let json = serde_json::to_value(t).ok();
            assert_eq!(json, Some(serde_json::Value::String(t.as_str().into())));
            assert_eq!(EventType::parse(t.as_str()), Some(t));
        }
        assert_eq!(EventType::parse("cattle_created"), None);
    }
}
