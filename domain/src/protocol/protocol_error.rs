//! Errors from building protocol values out of bad bytes (hex, keys, JSON).

/// A protocol value could not be built from the given input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProtocolError {
    /// A hex field is not lower-case hex of the required length.
    #[error("{what} must be {len} lower-case hex characters")]
    InvalidHex {
        /// Which value was expected (e.g. "event hash").
        what: &'static str,
        /// Required length in hex characters.
        len: usize,
    },
    /// The bytes are not a usable Ed25519 public key.
    #[error("invalid Ed25519 public key")]
    InvalidPublicKey,
    /// JSON that should hold an envelope (or other protocol value) does not.
    #[error("malformed JSON: {0}")]
    Json(String),
    /// A Merkle tree request outside the tree (index or size too large, empty tree).
    #[error("merkle: {0}")]
    Merkle(&'static str),
}

/// Decodes `hex_str` as exactly N bytes of lower-case hex.
pub fn decode_hex<const N: usize>(
    hex_str: &str,
    what: &'static str,
) -> Result<[u8; N], ProtocolError> {
    let bad = ProtocolError::InvalidHex { what, len: N * 2 };
    let lower = hex_str
        .bytes()
        .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    if hex_str.len() != N * 2 || !lower {
        return Err(bad);
    }
    let mut out = [0u8; N];
    hex::decode_to_slice(hex_str, &mut out).map_err(|_| bad)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_must_be_lower_case_and_exact_length() {
        assert_eq!(decode_hex::<2>("0aff", "x"), Ok([0x0a, 0xff]));
        assert!(decode_hex::<2>("0AFF", "x").is_err());
        assert!(decode_hex::<2>("0af", "x").is_err());
        assert!(decode_hex::<2>("0aff00", "x").is_err());
    }
}
