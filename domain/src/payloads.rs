//! The payload of each event type at its current schema version (camelCase JSON).

use crate::{
    CattleState, CattleStatus, ChainHead, EventType, FraudResolution, HealthKind, RiskLevel, Sex,
    SuspicionType, ValuationMethod, VerificationKind,
};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use serde_json::Value;

/// A typed event payload: knows its event type and converts to and from payload JSON.
pub trait EventPayload: Serialize + DeserializeOwned {
    /// The event type this payload belongs to.
    const EVENT_TYPE: EventType;

    /// The payload JSON as it goes into the envelope.
    fn to_payload(&self) -> Value {
        // Every payload type is plain data with string keys, which serde_json always accepts.
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// Reads the payload JSON (already upcast to the current version).
    fn from_payload(payload: &Value) -> Result<Self, String> {
        serde_json::from_value(payload.clone())
            .map_err(|e| format!("{} payload: {e}", Self::EVENT_TYPE))
    }
}

macro_rules! payload {
    ($name:ident, $event:ident) => {
        impl EventPayload for $name {
            const EVENT_TYPE: EventType = EventType::$event;
        }
    };
}

/// CATTLE_CREATED (v2): an animal entered the registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CattleCreated {
    /// NLIS device id.
    pub nlis_id: String,
    /// Breed.
    pub breed: String,
    /// Sex.
    pub sex: Sex,
    /// Owning client.
    pub client_id: i64,
    /// Date of birth, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<String>,
}
payload!(CattleCreated, CattleCreated);

/// OWNERSHIP_TRANSFER: the animal changed owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OwnershipTransfer {
    /// Owner before.
    pub from_client_id: i64,
    /// Owner after.
    pub to_client_id: i64,
    /// Price paid in cents, if reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_cents: Option<i64>,
}
payload!(OwnershipTransfer, OwnershipTransfer);

/// TRANSFER_OFFERED: the owner's farmer offered the animal to another farmer's client; the
/// animal stays where it is until that farmer (or an assessor) accepts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TransferOffered {
    /// The owner offering.
    pub from_client_id: i64,
    /// The client offered the animal.
    pub to_client_id: i64,
    /// The price asked, in cents, if reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_cents: Option<i64>,
}
payload!(TransferOffered, TransferOffered);

/// TRANSFER_DECLINED: the offer to `to_client_id` ended without a transfer (declined by the
/// receiver or withdrawn by the sender; the envelope's `created_by` says who).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TransferDeclined {
    /// The client that had been offered the animal.
    pub to_client_id: i64,
}
payload!(TransferDeclined, TransferDeclined);

/// The clients a transfer, an offer or the end of an offer names (from, then to); empty for
/// other events and for a payload that does not read as its type.
pub fn transfer_parties(event_type: EventType, payload: &Value) -> Vec<i64> {
    match event_type {
        EventType::OwnershipTransfer => OwnershipTransfer::from_payload(payload)
            .map(|p| vec![p.from_client_id, p.to_client_id])
            .unwrap_or_default(),
        EventType::TransferOffered => TransferOffered::from_payload(payload)
            .map(|p| vec![p.from_client_id, p.to_client_id])
            .unwrap_or_default(),
        EventType::TransferDeclined => TransferDeclined::from_payload(payload)
            .map(|p| vec![p.to_client_id])
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// VALUATION_UPDATED: an assessor valued the animal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ValuationUpdated {
    /// New value in cents.
    pub amount_cents: i64,
    /// How it was arrived at.
    pub method: ValuationMethod,
    /// The value before, in cents, if there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_cents: Option<i64>,
}
payload!(ValuationUpdated, ValuationUpdated);

/// HEALTH_RECORDED: a health event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HealthRecorded {
    /// What kind.
    pub kind: HealthKind,
    /// Free-text notes.
    pub notes: String,
    /// Live weight in kilograms, if weighed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight_kg: Option<f64>,
    /// The product given, if named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    /// How much.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dose: Option<String>,
    /// How it was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<String>,
    /// The product's batch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch: Option<String>,
    /// Days after the record's day before the animal may go for slaughter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withholding_days: Option<u32>,
}
payload!(HealthRecorded, HealthRecorded);

/// LOCATION_RECORDED: a GPS fix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LocationRecorded {
    /// Latitude in degrees.
    pub latitude: f64,
    /// Longitude in degrees.
    pub longitude: f64,
    /// Property the fix falls on, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pic: Option<String>,
    /// The paddock, by the farm's name for it, if the farmer gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paddock: Option<String>,
}
payload!(LocationRecorded, LocationRecorded);

/// MOB_ASSIGNED: the animal now runs with this mob, or (absent) with none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MobAssigned {
    /// The mob's name (trimmed, 1..=40 characters); absent: the animal left its mob.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mob: Option<String>,
}
payload!(MobAssigned, MobAssigned);

/// VERIFICATION_ADDED: an identity check passed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VerificationAdded {
    /// Which check.
    pub kind: VerificationKind,
    /// The checker's reference.
    pub reference: String,
}
payload!(VerificationAdded, VerificationAdded);

/// STATUS_CHANGED: the animal's status changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StatusChanged {
    /// Status before (must match the state it applies to).
    pub from: CattleStatus,
    /// Status after.
    pub to: CattleStatus,
    /// Why.
    pub reason: String,
}
payload!(StatusChanged, StatusChanged);

/// FRAUD_DETECTED: the fraud detector raised an alert.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FraudDetected {
    /// Unique id of the alert (resolution refers to it).
    pub alert_id: String,
    /// What is suspected.
    pub suspicion: SuspicionType,
    /// How serious.
    pub severity: RiskLevel,
    /// Human-readable explanation.
    pub description: String,
    /// The facts the rule saw (free JSON).
    pub evidence: Value,
}
payload!(FraudDetected, FraudDetected);

/// FRAUD_ALERT_RESOLVED: an assessor closed an alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FraudAlertResolved {
    /// The alert closed.
    pub alert_id: String,
    /// Confirmed or dismissed.
    pub resolution: FraudResolution,
    /// The assessor's notes.
    pub notes: String,
}
payload!(FraudAlertResolved, FraudAlertResolved);

/// SNAPSHOT_CREATED: an animal's folded state and chain head after its event `head.sequence`,
/// kept on the compacted snapshots topic (never in the animal's chain) so a replay reads only
/// the events after it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SnapshotCreated {
    /// The state as folded up to and including the covered event.
    pub state: CattleState,
    /// SHA-256 of the state's canonical JSON, hex.
    pub state_hash: String,
    /// The chain head after the covered event: its sequence, its event hash and the Merkle
    /// frontier the next event's root extends.
    pub head: ChainHead,
}
payload!(SnapshotCreated, SnapshotCreated);

/// CLIENT_REGISTERED: a cattle owner was registered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClientRegistered {
    /// The client's id.
    pub client_id: i64,
    /// Name.
    pub name: String,
    /// Property Identification Code.
    pub pic: String,
}
payload!(ClientRegistered, ClientRegistered);

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn transfers_offers_and_their_ends_name_their_clients_and_nothing_else_does() {
        let moved = json!({"fromClientId": 1, "toClientId": 2, "priceCents": 5});
        assert_eq!(
            transfer_parties(EventType::OwnershipTransfer, &moved),
            [1, 2]
        );
        assert_eq!(transfer_parties(EventType::TransferOffered, &moved), [1, 2]);
        let ended = json!({"toClientId": 2});
        assert_eq!(transfer_parties(EventType::TransferDeclined, &ended), [2]);
        assert!(transfer_parties(EventType::HealthRecorded, &moved).is_empty());
        let malformed = json!({"toClientId": "two"});
        assert!(transfer_parties(EventType::TransferDeclined, &malformed).is_empty());
    }
}
