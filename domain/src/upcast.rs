//! Upcasting: reading payloads written at older schema versions as the current version.
//!
//! Hashes and signatures always cover the payload as stored; only the fold sees the upcast.

use crate::EventType;
use serde_json::{Map, Number, Value};

/// Why a stored payload could not be brought to the current schema.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UpcastError {
    /// The version is 0 or newer than this code knows.
    #[error("{event_type} has no schema version {version}")]
    UnknownVersion {
        /// The event type.
        event_type: EventType,
        /// The stored version.
        version: u32,
    },
    /// The old payload does not have the old shape.
    #[error("{event_type} v{version} payload: {reason}")]
    BadOldPayload {
        /// The event type.
        event_type: EventType,
        /// The stored version.
        version: u32,
        /// What is wrong.
        reason: String,
    },
}

/// Brings `payload` of `event_type` written at `schema_version` to the current version.
pub fn upcast(
    event_type: EventType,
    schema_version: u32,
    payload: &Value,
) -> Result<Value, UpcastError> {
    let current = event_type.current_schema_version();
    if schema_version == 0 || schema_version > current {
        return Err(UpcastError::UnknownVersion {
            event_type,
            version: schema_version,
        });
    }
    let mut value = payload.clone();
    let mut version = schema_version;
    while version < current {
        value = match (event_type, version) {
            (EventType::CattleCreated, 1) => {
                cattle_created_v1_to_v2(&value).map_err(|reason| UpcastError::BadOldPayload {
                    event_type,
                    version,
                    reason,
                })?
            }
            _ => {
                return Err(UpcastError::UnknownVersion {
                    event_type,
                    version,
                })
            }
        };
        version += 1;
    }
    read_numbers_as_canonical(&mut value);
    Ok(value)
}

/// Reads every number as its canonical JSON reads back (PROTOCOL.md §6): the payload hash
/// covers `7.0`, `7e0` and `7` as the one text `7`, so a member that holds an integer may be
/// spelled any of those ways and reads as the integer. A number with a fraction stays one.
fn read_numbers_as_canonical(value: &mut Value) {
    match value {
        Value::Number(number) if number.is_f64() => {
            let float = number.as_f64().unwrap_or(f64::NAN);
            if float.fract() == 0.0 && float.abs() <= crate::protocol::MAX_SAFE_INTEGER as f64 {
                *number = Number::from(float as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(read_numbers_as_canonical),
        Value::Object(members) => members.values_mut().for_each(read_numbers_as_canonical),
        _ => {}
    }
}

/// CATTLE_CREATED v1 spelled sex "M"/"F" and called the owner "ownerId"; v2 says
/// "MALE"/"FEMALE" and "clientId", matching the command and the golden record.
fn cattle_created_v1_to_v2(v1: &Value) -> Result<Value, String> {
    let Some(old) = v1.as_object() else {
        return Err("not an object".into());
    };
    let mut new = Map::new();
    for (key, value) in old {
        match key.as_str() {
            "ownerId" => {
                new.insert("clientId".into(), value.clone());
            }
            "sex" => {
                let sex = match value.as_str() {
                    Some("M") => "MALE",
                    Some("F") => "FEMALE",
                    _ => return Err("sex must be \"M\" or \"F\"".into()),
                };
                new.insert("sex".into(), sex.into());
            }
            _ => {
                new.insert(key.clone(), value.clone());
            }
        }
    }
    Ok(Value::Object(new))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_integer_spelled_with_a_point_reads_as_the_integer() {
        let stored = json!({"fromClientId": 7.0, "toClientId": 8e0, "priceCents": 1.5,
            "evidence": {"seen": [2.0, -0.0, 1e300]}});
        let read = upcast(EventType::OwnershipTransfer, 1, &stored).unwrap();
        assert_eq!(read["fromClientId"], json!(7));
        assert!(read["toClientId"].is_i64());
        assert_eq!(read["priceCents"], json!(1.5));
        assert_eq!(read["evidence"]["seen"], json!([2, 0, 1e300]));
        // What the payload hash covers is the same either way.
        assert_eq!(crate::payload_hash(&stored), crate::payload_hash(&read));
    }

    #[test]
    fn v1_cattle_created_becomes_v2() {
        let v1 = json!({"nlisId": "3ABCD123XBC12345", "breed": "Angus", "sex": "F", "ownerId": 7});
        let v2 = upcast(EventType::CattleCreated, 1, &v1);
        assert_eq!(
            v2.ok(),
            Some(
                json!({"nlisId": "3ABCD123XBC12345", "breed": "Angus", "sex": "FEMALE", "clientId": 7})
            )
        );
    }

    #[test]
    fn current_versions_pass_through_and_unknown_ones_fail() {
        let p = json!({"a": 1});
        assert_eq!(
            upcast(EventType::HealthRecorded, 1, &p).ok(),
            Some(p.clone())
        );
        assert!(upcast(EventType::HealthRecorded, 2, &p).is_err());
        assert!(upcast(EventType::CattleCreated, 0, &p).is_err());
        assert!(upcast(EventType::CattleCreated, 1, &json!({"sex": "X"})).is_err());
    }
}
