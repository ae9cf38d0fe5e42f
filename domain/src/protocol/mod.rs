//! The "Turing Protocol": canonical JSON, hashes, signatures, chaining and verification.

mod canonical_json;
mod chain_head;
mod chain_report;
mod ecmascript_number;
mod hashing;
mod head_check;
mod key_log;
mod key_registry;
mod log_verifier;
mod protocol_error;
mod seal;
mod signing;
mod snapshot_seal;
mod tree_head;
mod unique_members;
mod verification;

pub use canonical_json::canonical_json;
pub use chain_head::ChainHead;
pub use chain_report::{
    read_json_lines, verify_chain, verify_json_lines, AnimalReport, ChainReport, EventVerdict,
    UnreadableLine,
};
pub use ecmascript_number::ecmascript_number;
pub use hashing::{
    event_hash, event_hash_bytes, event_hash_input, idempotency_key, payload_hash, sha256,
};
pub use head_check::{CommittedHead, HeadShortfall};
pub use key_log::{
    KeyChange, KeyGrant, KeyLedger, KeyLogFailure, KeyRecord, KeyRecordTaken, KeyStatement,
};
pub use key_registry::{KeyRegistry, KeyScope, KeyWindow};
pub use log_verifier::LogVerifier;
pub use protocol_error::{decode_hex, ProtocolError};
pub use seal::{seal, seal_at_version, EventDraft};
pub use signing::{verify_hash_signature, PublicKey, SigningKeyPair};
pub use snapshot_seal::{open_snapshot, seal_snapshot, state_hash, Snapshot, SnapshotFailure};
pub use tree_head::{
    animals_root, check_consistency, check_inclusion, AnimalHead, HeadFailure, HeadStatement,
    InclusionProof, PartitionConsistency, PartitionTree, TreeHead,
};
pub(crate) use unique_members::UniqueMembers;
pub use verification::{
    verify_next, verify_next_with, Ed25519, SignatureCheck, VerificationFailure, MAX_SAFE_INTEGER,
};
