//! RFC 3161 timestamp tokens on signed tree heads: a token is a CMS SignedData whose TSTInfo
//! names the head's hash as its message imprint (SHA-256 over the head's statement is the
//! head hash, so the imprint is the head hash itself), signed by the TSA. A token is checked
//! against the one TSA certificate configured: its imprint, the signed attributes' message
//! digest of the TSTInfo, and the RSA (PKCS #1 v1.5, SHA-256) signature over them.
use base64::Engine;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier};
use der::asn1::OctetString;
use der::oid::ObjectIdentifier;
use der::{Decode, DecodePem, Encode};
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::pkcs8::DecodePublicKey;
use rsa::signature::Verifier;
use sha2::{Digest, Sha256};
use x509_cert::Certificate;
use x509_tsp::TstInfo;

/// id-sha256.
pub const SHA_256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
/// id-signedData.
const SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
/// id-ct-TSTInfo.
const TST_INFO: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");
/// id-messageDigest.
const MESSAGE_DIGEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");

/// Why a timestamp token does not vouch for a head.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimestampFailure {
    /// The TSA certificate does not read, or its key is not RSA.
    #[error("the TSA certificate: {0}")]
    Certificate(String),
    /// The token does not read as a timestamp token.
    #[error("the timestamp token does not read: {0}")]
    Unreadable(String),
    /// The token is over another hash than the head's.
    #[error("the timestamp token is over {found}, not the head's hash {expected}")]
    Imprint {
        /// The head's hash.
        expected: String,
        /// The imprint in the token.
        found: String,
    },
    /// The signature or the signed attributes do not hold against the TSA certificate.
    #[error("the timestamp token is not signed by the configured TSA: {0}")]
    Signature(String),
}

fn unreadable(error: impl std::fmt::Display) -> TimestampFailure {
    TimestampFailure::Unreadable(error.to_string())
}

/// The TSA certificate tokens are checked against.
#[derive(Clone, Debug)]
pub struct TsaCertificate {
    certificate: Certificate,
    key: VerifyingKey<Sha256>,
}

impl TsaCertificate {
    /// The certificate in `pem` (one PEM `CERTIFICATE`, with an RSA key).
    pub fn from_pem(pem: &str) -> Result<Self, TimestampFailure> {
        let certificate = Certificate::from_pem(pem.as_bytes())
            .map_err(|error| TimestampFailure::Certificate(error.to_string()))?;
        let spki = certificate
            .tbs_certificate
            .subject_public_key_info
            .to_der()
            .map_err(|error| TimestampFailure::Certificate(error.to_string()))?;
        let key = rsa::RsaPublicKey::from_public_key_der(&spki).map_err(|error| {
            TimestampFailure::Certificate(format!("its key is not an RSA key: {error}"))
        })?;
        Ok(Self {
            certificate,
            key: VerifyingKey::new(key),
        })
    }
}

/// What a token that holds vouches for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timestamped {
    /// When the TSA says it saw the hash, seconds since the Unix epoch.
    pub at_unix_secs: u64,
    /// The nonce of the request, as the token carries it (big-endian bytes).
    pub nonce: Option<Vec<u8>>,
}

/// The TSTInfo inside a token, and the bytes it was encoded as.
fn tst_info(signed: &SignedData) -> Result<(TstInfo, Vec<u8>), TimestampFailure> {
    if signed.encap_content_info.econtent_type != TST_INFO {
        return Err(unreadable("its content is not a TSTInfo"));
    }
    let content = signed
        .encap_content_info
        .econtent
        .as_ref()
        .ok_or_else(|| unreadable("it holds no TSTInfo"))?;
    let bytes = content.value().to_vec();
    Ok((TstInfo::from_der(&bytes).map_err(unreadable)?, bytes))
}

/// Checks the signature of the token's signer against `tsa`, over its signed attributes,
/// whose message digest must be SHA-256 of `content`.
fn check_signer(
    signed: &SignedData,
    content: &[u8],
    tsa: &TsaCertificate,
) -> Result<(), TimestampFailure> {
    let bad = |reason: &str| TimestampFailure::Signature(reason.to_string());
    let signer = signed
        .signer_infos
        .0
        .get(0)
        .ok_or_else(|| bad("it has no signer"))?;
    if let SignerIdentifier::IssuerAndSerialNumber(id) = &signer.sid {
        if id.serial_number != tsa.certificate.tbs_certificate.serial_number {
            return Err(bad("its signer is another certificate"));
        }
    }
    if signer.digest_alg.oid != SHA_256 {
        return Err(bad("its digest is not SHA-256"));
    }
    let attributes = signer
        .signed_attrs
        .as_ref()
        .ok_or_else(|| bad("it has no signed attributes"))?;
    let digest = attributes
        .iter()
        .find(|attribute| attribute.oid == MESSAGE_DIGEST)
        .and_then(|attribute| attribute.values.get(0))
        .and_then(|value| value.decode_as::<OctetString>().ok())
        .ok_or_else(|| bad("it signs no message digest"))?;
    if digest.as_bytes() != Sha256::digest(content).as_slice() {
        return Err(bad("the message digest it signs is not the TSTInfo's"));
    }
    let signed_bytes = attributes.to_der().map_err(unreadable)?;
    let signature = Signature::try_from(signer.signature.as_bytes())
        .map_err(|error| TimestampFailure::Signature(error.to_string()))?;
    tsa.key
        .verify(&signed_bytes, &signature)
        .map_err(|_| bad("the signature does not verify with the TSA certificate's key"))
}

/// Reads a token given as base64 of its DER.
pub fn decode_token(token_base64: &str) -> Result<ContentInfo, TimestampFailure> {
    let der = base64::engine::general_purpose::STANDARD
        .decode(token_base64.trim())
        .map_err(unreadable)?;
    ContentInfo::from_der(&der).map_err(unreadable)
}

/// Checks `token` (base64 of its DER) over the head hash `head_hash_hex` against `tsa`.
pub fn check_token(
    token_base64: &str,
    head_hash_hex: &str,
    tsa: &TsaCertificate,
) -> Result<Timestamped, TimestampFailure> {
    check_content(&decode_token(token_base64)?, head_hash_hex, tsa)
}

/// Checks a token read already.
pub fn check_content(
    token: &ContentInfo,
    head_hash_hex: &str,
    tsa: &TsaCertificate,
) -> Result<Timestamped, TimestampFailure> {
    if token.content_type != SIGNED_DATA {
        return Err(unreadable("it is not a CMS SignedData"));
    }
    let signed: SignedData = token.content.decode_as().map_err(unreadable)?;
    let (info, content) = tst_info(&signed)?;
    let imprint = &info.message_imprint;
    let found = hex::encode(imprint.hashed_message.as_bytes());
    if imprint.hash_algorithm.oid != SHA_256 || !found.eq_ignore_ascii_case(head_hash_hex) {
        return Err(TimestampFailure::Imprint {
            expected: head_hash_hex.to_string(),
            found,
        });
    }
    check_signer(&signed, &content, tsa)?;
    Ok(Timestamped {
        at_unix_secs: info.gen_time.to_unix_duration().as_secs(),
        nonce: info.nonce.map(|nonce| nonce.as_bytes().to_vec()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// A token is outside input: any bytes, base64 or not, read as a token or are named
        /// unreadable; nothing panics.
        #[test]
        fn any_bytes_read_as_a_token_or_are_unreadable(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
            let encoded = base64::engine::general_purpose::STANDARD.encode(&bytes);
            match decode_token(&encoded) {
                Ok(token) => prop_assert_eq!(token.to_der().ok(), Some(bytes)),
                Err(failure) => prop_assert!(matches!(failure, TimestampFailure::Unreadable(_))),
            }
        }

        #[test]
        fn text_that_is_not_base64_is_unreadable(text in "[^A-Za-z0-9+/=\\s]{1,40}") {
            prop_assert!(matches!(decode_token(&text), Err(TimestampFailure::Unreadable(_))));
        }
    }

    #[test]
    fn a_certificate_that_does_not_read_is_named() {
        assert!(matches!(
            TsaCertificate::from_pem("not a certificate"),
            Err(TimestampFailure::Certificate(_))
        ));
    }
}
