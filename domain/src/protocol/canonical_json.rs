//! RFC 8785 JSON Canonicalization Scheme (JCS): one byte string per JSON value.

use super::ecmascript_number::ecmascript_number;
use serde_json::Value;

/// The RFC 8785 canonical form of `value`: sorted keys (by UTF-16 code units), no whitespace,
/// ECMAScript number spelling, minimal string escapes.
///
/// Integers are treated as IEEE doubles, as JCS requires; the domain keeps every integer it
/// writes within ±2^53 so nothing is rounded.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_value(value, &mut out);
    out
}

pub(super) fn write_value(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => write_number(n, out),
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            // Sorting here (not trusting the map's order) keeps the result independent of
            // serde_json's "preserve_order" feature, which another crate may switch on.
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
            out.push('{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(key, out);
                out.push(':');
                write_value(item, out);
            }
            out.push('}');
        }
    }
}

/// Integers up to 2^53 (ids, sequences, cents) are spelled by ECMAScript as their decimal
/// digits, so they skip the general float formatting, which is far slower.
pub(super) fn write_number(n: &serde_json::Number, out: &mut String) {
    const SAFE: u64 = 1 << 53;
    match (n.as_u64(), n.as_i64()) {
        (Some(u), _) if u <= SAFE => {
            use std::fmt::Write;
            let _ = write!(out, "{u}");
        }
        (_, Some(i)) if i.unsigned_abs() <= SAFE => {
            use std::fmt::Write;
            let _ = write!(out, "{i}");
        }
        _ => out.push_str(&ecmascript_number(number_as_f64(n))),
    }
}

fn number_as_f64(n: &serde_json::Number) -> f64 {
    // serde_json without arbitrary precision always yields some f64 for a Number.
    n.as_f64().unwrap_or(0.0)
}

/// Writes a JSON string with exactly the escapes RFC 8785 §3.2.2.2 prescribes.
pub(super) fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0C}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The integer shortcut spells every safe integer exactly as ECMAScript does.
        #[test]
        fn safe_integers_are_spelled_as_ecmascript_spells_them(i in -(1i64 << 53)..=(1i64 << 53)) {
            let mut out = String::new();
            write_number(&serde_json::Number::from(i), &mut out);
            proptest::prop_assert_eq!(out, ecmascript_number(i as f64));
        }
    }

    fn jcs(text: &str) -> String {
        match serde_json::from_str::<Value>(text) {
            Ok(v) => canonical_json(&v),
            Err(e) => format!("parse error {e}"),
        }
    }

    #[test]
    fn sorts_keys_and_drops_whitespace() {
        assert_eq!(
            jcs(r#"{ "b": 1, "a": [true, null, "x"] }"#),
            r#"{"a":[true,null,"x"],"b":1}"#
        );
    }

    #[test]
    fn number_spellings_collapse() {
        assert_eq!(
            jcs("[1.0, 1e2, -0, 0.5e1, 1E-7, 100000000000000000000000]"),
            "[1,100,0,5,1e-7,1e+23]"
        );
    }

    #[test]
    fn strings_escape_minimally() {
        assert_eq!(
            jcs(r#""\u0041\u00e9\u20ac\ud83d\ude00\u000f\n\"\\/""#),
            "\"Aé€😀\\u000f\\n\\\"\\\\/\""
        );
    }

    /// RFC 8785 §3.2.3 sorting example: keys compared as UTF-16 code units.
    #[test]
    fn rfc8785_sorting_example() {
        let input = r#"{"\u20ac":"Euro Sign","\r":"Carriage Return","\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One","\ud83d\ude00":"Emoji: Grinning Face","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis"}"#;
        let expected_order = [
            "Carriage Return",
            "One",
            "Control",
            "Latin Small Letter O With Diaeresis",
            "Euro Sign",
            "Emoji: Grinning Face",
            "Hebrew Letter Dalet With Dagesh",
        ];
        let out = jcs(input);
        let mut last = 0;
        for name in expected_order {
            let pos = out.find(name).unwrap_or(0);
            assert!(pos > last, "{name} out of order in {out}");
            last = pos;
        }
    }
}
