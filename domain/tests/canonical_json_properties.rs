//! RFC 8785 canonical JSON is one string per JSON value, however the value was spelled.

use domain::canonical_json;
use proptest::prelude::*;
use serde_json::{Map, Number, Value};

/// Any JSON value with integers inside ±2^53 and finite doubles.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-(1i64 << 53)..(1i64 << 53)).prop_map(|i| Value::Number(i.into())),
        any::<f64>().prop_filter_map("finite", |f| Number::from_f64(f).map(Value::Number)),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(any::<String>(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<String, Value>>())),
        ]
    })
}

/// Writes `value` as JSON text with keys in a scrambled order, numbers in another valid
/// spelling, some characters escaped and whitespace sprinkled, driven by `noise`.
fn respell(value: &Value, noise: &mut impl Iterator<Item = u8>) -> String {
    let mut n = || noise.next().unwrap_or(0);
    match value {
        Value::Null | Value::Bool(_) => format!("{}{value}", if n() % 2 == 0 { " " } else { "" }),
        Value::Number(num) => {
            if let Some(i) = num.as_i64() {
                match n() % 4 {
                    0 => format!("{i}.0"),
                    1 => format!("{i}e0"),
                    2 => format!("{i}.000E+0"),
                    _ => i.to_string(),
                }
            } else {
                let f = num.as_f64().unwrap_or(0.0);
                match n() % 3 {
                    0 => format!("{f:e}"),
                    1 => format!("{f:.16E}"),
                    _ => format!("{f:?}"),
                }
            }
        }
        Value::String(s) => respell_string(s, &mut n),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(|v| respell(v, noise)).collect();
            format!("[ {} ]", parts.join(" ,\n"))
        }
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            let rotate = if entries.is_empty() {
                0
            } else {
                n() as usize % entries.len()
            };
            entries.rotate_left(rotate);
            if n() % 2 == 0 {
                entries.reverse();
            }
            let parts: Vec<String> = entries
                .into_iter()
                .map(|(k, v)| {
                    let key = respell_string(k, &mut || noise.next().unwrap_or(0));
                    format!("{key} :\t{}", respell(v, noise))
                })
                .collect();
            format!("{{{}}}", parts.join(","))
        }
    }
}

fn respell_string(s: &str, n: &mut impl FnMut() -> u8) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '/' if n().is_multiple_of(2) => out.push_str("\\/"),
            c if (c as u32) < 0x20 || n().is_multiple_of(4) => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{unit:04X}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Key order, number spelling, escapes and whitespace never change the canonical form.
    #[test]
    fn canonical_form_ignores_spelling(value in json_value(), noise in prop::collection::vec(any::<u8>(), 0..256)) {
        let text = respell(&value, &mut noise.into_iter().cycle());
        let reparsed: Value = serde_json::from_str(&text).map_err(|e| TestCaseError::fail(format!("{e}: {text}")))?;
        prop_assert_eq!(canonical_json(&reparsed), canonical_json(&value));
    }

    /// The canonical form is JSON that canonicalizes to itself.
    #[test]
    fn canonical_form_is_a_fixed_point(value in json_value()) {
        let once = canonical_json(&value);
        let parsed: Value = serde_json::from_str(&once).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(canonical_json(&parsed), once);
    }
}

#[test]
fn equivalent_number_spellings_agree() {
    let spellings = [
        "[1, 100, 0.5]",
        "[1.0, 1e2, 5e-1]",
        "[1.000, 100.0, 0.50]",
        "[10e-1, 1E+2, 50E-2]",
    ];
    let forms: Vec<String> = spellings
        .iter()
        .map(|s| canonical_json(&serde_json::from_str::<Value>(s).unwrap_or(Value::Null)))
        .collect();
    assert!(forms.iter().all(|f| f == "[1,100,0.5]"), "{forms:?}");
}
