//! Asking a time-stamping authority (RFC 3161 over HTTP, `ICATTLE_TSA_URL`) for a token over
//! a signed head's hash, checked against the configured TSA certificate before it is kept.
use super::timestamp_token::{check_content, TimestampFailure, TsaCertificate, SHA_256};
use base64::Engine;
use cmpv2::status::PkiStatus;
use der::asn1::{Int, OctetString};
use der::{Decode, Encode};
use x509_cert::spki::AlgorithmIdentifierOwned;
use x509_tsp::{MessageImprint, TimeStampReq, TimeStampResp, TspVersion};

/// Why a head got no token.
#[derive(Debug, thiserror::Error)]
pub enum TsaError {
    /// The request could not be made or sent, or the TSA did not answer it.
    #[error("the TSA did not answer: {0}")]
    Request(String),
    /// The TSA answered without a token.
    #[error("the TSA refused: {0}")]
    Refused(String),
    /// The token does not hold against the TSA certificate.
    #[error("{0}")]
    Token(#[from] TimestampFailure),
    /// The token answers another request.
    #[error("the token's nonce is not the request's")]
    Nonce,
}

fn request_failed(error: impl std::fmt::Display) -> TsaError {
    TsaError::Request(error.to_string())
}

/// A TSA and the certificate its tokens must verify with.
#[derive(Clone, Debug)]
pub struct TimestampAuthority {
    url: String,
    certificate: TsaCertificate,
    http: reqwest::Client,
}

impl TimestampAuthority {
    /// The TSA at `url`, whose tokens `certificate` verifies.
    pub fn new(url: String, certificate: TsaCertificate) -> Self {
        Self {
            url,
            certificate,
            http: reqwest::Client::new(),
        }
    }

    /// A token over `head_hash_hex`, base64 of its DER, checked before it is answered.
    pub async fn timestamp(&self, head_hash_hex: &str) -> Result<String, TsaError> {
        let hash = hex::decode(head_hash_hex).map_err(request_failed)?;
        let mut nonce = crate::keys::random_seed().map_err(request_failed)?[..8].to_vec();
        // A positive INTEGER with no leading zero: the TSA echoes the same bytes.
        nonce[0] = (nonce[0] & 0x7f) | 0x01;
        let request = TimeStampReq {
            version: TspVersion::V1,
            message_imprint: MessageImprint {
                hash_algorithm: AlgorithmIdentifierOwned {
                    oid: SHA_256,
                    parameters: None,
                },
                hashed_message: OctetString::new(hash).map_err(request_failed)?,
            },
            req_policy: None,
            nonce: Some(Int::new(&nonce).map_err(request_failed)?),
            cert_req: true,
            extensions: None,
        };
        let body = request.to_der().map_err(request_failed)?;
        let answer = self
            .http
            .post(&self.url)
            .header(reqwest::header::CONTENT_TYPE, "application/timestamp-query")
            .body(body)
            .timeout(std::time::Duration::from_secs(10))
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(request_failed)?
            .bytes()
            .await
            .map_err(request_failed)?;
        let response = TimeStampResp::from_der(&answer).map_err(request_failed)?;
        let status = response.status.status;
        if !matches!(status, PkiStatus::Accepted | PkiStatus::GrantedWithMods) {
            return Err(TsaError::Refused(format!("{status:?}")));
        }
        let token = response
            .time_stamp_token
            .ok_or_else(|| TsaError::Refused("no token".into()))?;
        let stamped = check_content(&token, head_hash_hex, &self.certificate)?;
        if stamped.nonce.as_deref() != Some(nonce.as_slice()) {
            return Err(TsaError::Nonce);
        }
        let der = token.to_der().map_err(request_failed)?;
        Ok(base64::engine::general_purpose::STANDARD.encode(der))
    }
}
