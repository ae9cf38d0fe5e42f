//! Numbers as RFC 8785 prints them: ECMAScript's Number::toString of the IEEE double.

/// Formats a finite double exactly as ECMAScript's `String(x)` does (ECMA-262 Number::toString).
///
/// Rust's `{:e}` already gives the shortest digits that round-trip; this only lays them out
/// by ECMAScript's rules (plain up to 21 integer digits, exponent form outside 1e-7..1e21).
pub fn ecmascript_number(x: f64) -> String {
    if x == 0.0 {
        // Both +0 and -0 print as "0".
        return "0".to_string();
    }
    if x < 0.0 {
        return format!("-{}", ecmascript_number(-x));
    }
    let sci = format!("{x:e}");
    let (mantissa, exponent) = match sci.split_once('e') {
        Some(parts) => parts,
        None => return sci,
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let digits = break_tie_to_even(x, digits, exponent);
    layout(&digits, exponent + 1)
}

/// ECMA-262 wants, of two equally close shortest digit strings, the even one; Rust's
/// shortest printer may round such an exact tie up (1424953923781206.25 -> "…206.3").
/// A tie means the exact value is those k digits followed by a single 5.
fn break_tie_to_even(x: f64, digits: String, exponent: i32) -> String {
    let k = digits.len();
    let odd = digits.bytes().last().is_some_and(|d| (d - b'0') % 2 == 1);
    if !odd || !may_be_tie(x, k) {
        return digits;
    }
    even_of_tie(x, digits, exponent)
}

/// Whether `x` may lie exactly halfway between two k-digit decimals. A tie's exact value
/// has k+1 significant digits ending in 5, so printing k+1 digits shows them unrounded;
/// anything else is no tie. This spares most odd numbers (weights like 412.5) the
/// 1100-digit expansion of `even_of_tie`, which costs more than the rest of an event.
fn may_be_tie(x: f64, k: usize) -> bool {
    let near = format!("{x:.k$e}");
    near.split_once('e')
        .is_some_and(|(mantissa, _)| mantissa.ends_with('5'))
}

/// The even one of the two k-digit neighbours when `x` is exactly between them; `digits`
/// otherwise.
fn even_of_tie(x: f64, digits: String, exponent: i32) -> String {
    let k = digits.len();
    // 1100 significant digits hold every double's exact decimal expansion.
    let exact = format!("{x:.1100e}");
    let Some((mantissa, exact_exponent)) = exact.split_once('e') else {
        return digits;
    };
    let exact_digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let exact_digits = exact_digits.trim_end_matches('0');
    if exact_exponent.parse::<i32>().ok() != Some(exponent)
        || exact_digits.len() != k + 1
        || !exact_digits.ends_with('5')
    {
        return digits;
    }
    let lower = &exact_digits[..k];
    let candidate = if lower == digits {
        increment(lower)
    } else {
        Some(lower.to_string())
    };
    match candidate {
        Some(c) if c.len() == k && round_trips(&c, exponent, x) => c,
        _ => digits,
    }
}

/// The decimal digit string plus one, or None if it would grow a digit.
fn increment(digits: &str) -> Option<String> {
    let mut bytes = digits.as_bytes().to_vec();
    for b in bytes.iter_mut().rev() {
        if *b == b'9' {
            *b = b'0';
        } else {
            *b += 1;
            return String::from_utf8(bytes).ok();
        }
    }
    None
}

/// True if digits d1d2… × 10^exponent (as d1.d2…) parses back to exactly `x`.
fn round_trips(digits: &str, exponent: i32, x: f64) -> bool {
    let (first, rest) = digits.split_at(1);
    format!("{first}.{rest}e{exponent}").parse::<f64>().ok() == Some(x)
}

/// Lays out digits `s` (k of them) with value 0.s × 10^n, per ECMA-262 steps 6–10.
fn layout(s: &str, n: i32) -> String {
    let k = s.len() as i32;
    if k <= n && n <= 21 {
        let zeros = "0".repeat((n - k) as usize);
        format!("{s}{zeros}")
    } else if 0 < n && n <= 21 {
        let (int, frac) = s.split_at(n as usize);
        format!("{int}.{frac}")
    } else if -6 < n && n <= 0 {
        let zeros = "0".repeat((-n) as usize);
        format!("0.{zeros}{s}")
    } else {
        let e = n - 1;
        let sign = if e < 0 { '-' } else { '+' };
        let (first, rest) = s.split_at(1);
        if rest.is_empty() {
            format!("{first}e{sign}{}", e.abs())
        } else {
            format!("{first}.{rest}e{sign}{}", e.abs())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The number table of RFC 8785 Appendix B (the small negative case cross-checked with
    /// another shortest-round-trip printer, Python's repr).
    #[test]
    fn rfc8785_appendix_b() {
        let cases: [(u64, &str); 24] = [
            (0x0000000000000000, "0"),
            (0x8000000000000000, "0"),
            (0x0000000000000001, "5e-324"),
            (0x8000000000000001, "-5e-324"),
            (0x7fefffffffffffff, "1.7976931348623157e+308"),
            (0xffefffffffffffff, "-1.7976931348623157e+308"),
            (0x4340000000000000, "9007199254740992"),
            (0xc340000000000000, "-9007199254740992"),
            (0x4430000000000000, "295147905179352830000"),
            (0x44b52d02c7e14af5, "9.999999999999997e+22"),
            (0x44b52d02c7e14af6, "1e+23"),
            (0x44b52d02c7e14af7, "1.0000000000000001e+23"),
            (0x444b1ae4d6e2ef4e, "999999999999999700000"),
            (0x444b1ae4d6e2ef4f, "999999999999999900000"),
            (0x444b1ae4d6e2ef50, "1e+21"),
            (0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"),
            (0x3eb0c6f7a0b5ed8d, "0.000001"),
            (0x41b3de4355555553, "333333333.3333332"),
            (0x41b3de4355555554, "333333333.33333325"),
            (0x41b3de4355555555, "333333333.3333333"),
            (0x41b3de4355555556, "333333333.3333334"),
            (0x41b3de4355555557, "333333333.33333343"),
            (0xbecbf647612f3694, "-0.0000033333333333333325"),
            (0x43143ff3c1cb0959, "1424953923781206.2"),
        ];
        for (bits, expected) in cases {
            assert_eq!(
                ecmascript_number(f64::from_bits(bits)),
                expected,
                "bits {bits:#x}"
            );
        }
    }

    proptest::proptest! {
        /// Skipping the exact expansion never changes an answer it would have given.
        #[test]
        fn the_tie_shortcut_agrees_with_the_exact_expansion(bits in proptest::num::u64::ANY) {
            shortcut_agrees(f64::from_bits(bits).abs())?;
        }

        /// The same for numbers as people write them: weights, prices, coordinates.
        #[test]
        fn the_tie_shortcut_agrees_on_written_decimals(n in 1u64..1_000_000_000, places in 0i32..9) {
            shortcut_agrees(n as f64 / 10f64.powi(places))?;
        }
    }

    fn shortcut_agrees(x: f64) -> Result<(), proptest::test_runner::TestCaseError> {
        proptest::prop_assume!(x.is_finite() && x != 0.0);
        {
            let sci = format!("{x:e}");
            let (mantissa, exponent) = sci.split_once('e').unwrap_or((&sci, "0"));
            let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
            let exponent: i32 = exponent.parse().unwrap_or(0);
            if !may_be_tie(x, digits.len()) {
                proptest::prop_assert_eq!(even_of_tie(x, digits.clone(), exponent), digits);
            }
        }
        Ok(())
    }

    #[test]
    fn everyday_numbers() {
        assert_eq!(ecmascript_number(100.0), "100");
        assert_eq!(ecmascript_number(1.5), "1.5");
        assert_eq!(ecmascript_number(-27.4698), "-27.4698");
        assert_eq!(ecmascript_number(1e-7), "1e-7");
        assert_eq!(ecmascript_number(123e20), "1.23e+22");
        assert_eq!(ecmascript_number(1e21), "1e+21");
        assert_eq!(ecmascript_number(1e20), "100000000000000000000");
    }
}
