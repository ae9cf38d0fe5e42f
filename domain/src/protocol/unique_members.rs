//! Reading JSON text as the protocol reads it: as any JSON parser does, except that an
//! object naming one member twice is refused. Parsers disagree on such an object (some keep
//! the first, most the last), so two honest verifiers would hash different payloads from the
//! same bytes; PROTOCOL.md §1 makes it MALFORMED instead.
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::fmt;

/// A JSON value read from text in which no object names a member twice.
pub(crate) struct UniqueMembers(pub Value);

impl<'de> Deserialize<'de> for UniqueMembers {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ValueOnce).map(UniqueMembers)
    }
}

/// Builds a `Value` as serde_json's own does, checking each object's member names.
struct ValueOnce;

impl<'de> Visitor<'de> for ValueOnce {
    type Value = Value;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Value, E> {
        Ok(value.into())
    }

    fn visit_u64<E>(self, value: u64) -> Result<Value, E> {
        Ok(value.into())
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Value, E> {
        Number::from_f64(value)
            .map(Value::Number)
            .ok_or_else(|| E::custom("a number must be finite"))
    }

    fn visit_str<E>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_owned()))
    }

    fn visit_string<E>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<Value, A::Error> {
        let mut array = Vec::with_capacity(items.size_hint().unwrap_or(0));
        while let Some(UniqueMembers(item)) = items.next_element()? {
            array.push(item);
        }
        Ok(Value::Array(array))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut members: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(name) = members.next_key::<String>()? {
            if object.contains_key(&name) {
                return Err(de::Error::custom(format!(
                    "member {name:?} appears twice in one object"
                )));
            }
            let UniqueMembers(value) = members.next_value()?;
            object.insert(name, value);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn read(text: &str) -> Result<Value, String> {
        serde_json::from_str::<UniqueMembers>(text)
            .map(|read| read.0)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn a_member_named_twice_is_refused_at_any_depth() {
        let refused = read(r#"{"a":{"b":1,"c":[{"d":2,"d":2}]}}"#).unwrap_err();
        assert!(refused.contains("\"d\" appears twice"), "{refused}");
        assert!(read(r#"{"a":1,"a":1}"#).is_err());
        // Escapes spell the same name.
        assert!(read(r#"{"a":1,"\u0061":2}"#).is_err());
    }

    #[test]
    fn numbers_read_as_serde_json_reads_them() {
        assert_eq!(
            read("[7, 7.0, -3, 1e2, 18446744073709551615]").unwrap(),
            serde_json::from_str::<Value>("[7, 7.0, -3, 1e2, 18446744073709551615]").unwrap()
        );
    }

    proptest! {
        /// Wherever no name repeats, the reading is serde_json's.
        #[test]
        fn without_repeats_the_value_is_serde_jsons(value in arb_json()) {
            let text = value.to_string();
            prop_assert_eq!(read(&text).unwrap(), serde_json::from_str::<Value>(&text).unwrap());
        }
    }

    fn arb_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            (-1e300f64..1e300).prop_map(Value::from),
            ".{0,8}".prop_map(Value::from),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::btree_map(".{0,6}", inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }
}
