//! iCattle's pure functional core: commands and their validation, events and the signed
//! envelope (the "Turing Protocol"), Merkle proofs, the cattle state fold (`apply`),
//! `decide` (command -> events), fraud rules and provenance scoring.
//!
//! No I/O, no clock, no randomness: the same inputs give the same outputs on the server and
//! in the browser (the crate compiles to wasm32). See PROTOCOL.md for the exact bytes.
//!
//! How the shell uses it:
//! - command handler: `Command::parse_valid(&json)` (field errors) -> `command.cattle_id()` ->
//!   load that aggregate's `ChainHead` and `CattleState` -> `decide(state, &command)` -> for
//!   each event an `EventDraft` (ids, times, user) -> `seal(draft, &head, &key)` -> publish.
//! - consumer: `EventEnvelope::from_json_str(text)` -> `verify_next(&envelope, &head)` ->
//!   `apply(state, &envelope)` (or `apply_client` for CLIENT_REGISTERED) -> store both;
//!   the fraud detector also runs `detect_fraud(&state_before, &envelope)` and
//!   `ValuationPeers::judge` on what the chain accepted, and `detect_refused` and
//!   `detect_repeated_refusals` on what it refused; the command handler runs `detect_rejected_registration` on a registration it
//!   refuses.
//! - `verify` subcommand: `KeyRegistry::from_json(keys)` -> `verify_json_lines(text, &keys)`;
//!   print the `ChainReport` and exit non-zero unless `report.is_ok()`.

#![warn(missing_docs)]

mod apply;
mod as_written;
mod authorization;
mod cattle_id;
mod cattle_rules;
mod cattle_state;
mod client_registration;
mod client_state;
mod commands;
mod correlation_id;
mod decide;
mod envelope;
mod event_type;
mod field_error;
mod fraud_rules;
pub mod herd_file;
mod herd_tally;
mod history_point;
mod livestock_terms;
pub mod merkle;
pub mod money;
pub mod payloads;
mod protocol;
mod provenance;
mod refusal_rules;
mod rejection;
mod repeated_refusals;
mod request_key;
mod scoring;
mod snapshot_replay;
mod source_system;
mod stream;
mod timestamp;
mod upcast;
mod valuation_peers;
mod weight_gain;
mod wire_enum;

pub use apply::{apply, replay, ApplyError};
pub use as_written::{date_as_written, id_as_written, sex_as_written};
pub use authorization::{
    authorize, may_see, may_see_stream, role_may_send, AnimalParties, Forbidden, Role, StreamOwner,
};
pub use cattle_id::{CattleId, MAX_DERIVED_ID};
pub use cattle_rules::{
    check_active, check_no_other_offer, check_not_final, check_offer, check_status_change,
    check_transfer, check_transfer_target, pending_offer, transfer_needs_acceptance,
};
pub use cattle_state::{
    CattleState, HealthNote, LocationFix, OpenAlert, PendingTransfer, RECENT_TRANSFERS_KEPT,
};
pub use client_registration::{check_client_registration, ClientRegisterFacts};
pub use client_state::{apply_client, ClientState};
pub use commands::*;
pub use correlation_id::{CorrelationId, CORRELATION_ID_MAX};
pub use decide::{decide, decide_offer, DecidedEvent};
pub use envelope::{Cryptography, EventEnvelope, EventMetadata};
pub use event_type::EventType;
pub use field_error::FieldError;
pub use fraud_rules::*;
pub use herd_tally::HerdTally;
pub use history_point::{state_as_of, state_as_of_after, HistoryPoint};
pub use livestock_terms::{CattleStatus, FraudResolution, HealthKind, Sex, ValuationMethod};
pub use merkle::{
    consistency_proof, inclusion_proof, tree_root, verify_consistency, verify_inclusion,
    MerkleFrontier, MerkleTree,
};
pub use money::dollars;
pub use payloads::EventPayload;
pub use protocol::*;
pub use provenance::{Provenance, RiskLevel, SuspicionType, VerificationKind};
pub use refusal_rules::{detect_refused, detect_rejected_registration, tampering};
pub use rejection::Rejection;
pub use repeated_refusals::{detect_repeated_refusals, RefusedRecord, REPEATED_REFUSALS};
pub use request_key::{
    has_natural_ref, named_by_request, request_ref, RequestKey, REQUEST_KEY_HEADER, REQUEST_KEY_MAX,
};
pub use scoring::{
    checks_to_raise_confidence, confidence, risk_reason, score_parts, score_provenance,
    verification_weight, RiskReason, ScorePart, BASE_CONFIDENCE, CHECKED_CONFIDENCE,
};
pub use snapshot_replay::{check_covers, resume, FoldToSnapshot, Resumed};
pub use source_system::SourceSystem;
pub use stream::{
    fold_sealed, fold_verified, fold_verified_with, FoldedStream, StreamRefusal, StreamState,
};
pub use timestamp::{
    day_after, day_of_millis, is_valid_date, is_valid_timestamp, timestamp_millis,
};
pub use upcast::{upcast, UpcastError};
pub use valuation_peers::{
    ValuationPeers, ValueRange, MIN_PEERS, MIN_SPREAD_FRACTION, OUTLIER_SPREADS,
};
pub use weight_gain::{average_daily_gain, mob_average_daily_gain, weighing_of, Weighing};
