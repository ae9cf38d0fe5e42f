//! Why a command (or an event) breaks the cattle business rules.

use crate::{CattleId, CattleStatus, FieldError};

/// A command the rules refuse; Display is the message for the user, `code()` is stable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    /// The command failed validation.
    #[error("invalid command: {}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<FieldError>),
    /// An animal with this NLIS id exists.
    #[error("animal with NLIS {nlis_id} already registered")]
    AlreadyRegistered {
        /// The NLIS id.
        nlis_id: String,
    },
    /// A client with this PIC exists.
    #[error("client with PIC {pic} already registered")]
    ClientAlreadyRegistered {
        /// The PIC.
        pic: String,
    },
    /// Another client holds this client id.
    #[error("client id {client_id} belongs to another client")]
    ClientIdTaken {
        /// The client id asked for.
        client_id: i64,
    },
    /// No animal with this id.
    #[error("no animal with id {cattle_id}")]
    NotFound {
        /// The id asked for.
        cattle_id: CattleId,
    },
    /// The animal is dead.
    #[error("animal is deceased")]
    Deceased,
    /// The animal's status does not allow this.
    #[error("animal is {status}, not ACTIVE")]
    NotActive {
        /// Its status.
        status: CattleStatus,
    },
    /// A transfer to a client nobody registered.
    #[error("no client {client_id} is registered")]
    UnknownClient {
        /// The client id asked for.
        client_id: i64,
    },
    /// A transfer to the owner it already has.
    #[error("animal already belongs to client {client_id}")]
    SameOwner {
        /// The current owner.
        client_id: i64,
    },
    /// A status change to the status it already has.
    #[error("animal is already {status}")]
    SameStatus {
        /// The status.
        status: CattleStatus,
    },
    /// A mob change that changes nothing.
    #[error("{}", match mob { Some(mob) => format!("animal is already in mob {mob}"), None => "animal is in no mob".to_string() })]
    SameMob {
        /// The mob it is in (None: none).
        mob: Option<String>,
    },
    /// A status change away from a final status.
    #[error("status {status} is final")]
    FinalStatus {
        /// The final status.
        status: CattleStatus,
    },
    /// A transfer is already waiting for an answer.
    #[error("animal is already offered to client {to_client_id}; that offer must be accepted or declined first")]
    TransferPending {
        /// The client it is offered to.
        to_client_id: i64,
    },
    /// No transfer waits for an answer.
    #[error("no transfer of this animal is waiting for an answer")]
    NoPendingTransfer,
    /// No open alert with this id.
    #[error("no open fraud alert {alert_id}")]
    AlertNotOpen {
        /// The alert id asked for.
        alert_id: String,
    },
}

impl Rejection {
    /// The stable machine-readable code, e.g. "SAME_OWNER".
    pub fn code(&self) -> &'static str {
        match self {
            Rejection::Invalid(_) => "INVALID",
            Rejection::AlreadyRegistered { .. } | Rejection::ClientAlreadyRegistered { .. } => {
                "ALREADY_REGISTERED"
            }
            Rejection::ClientIdTaken { .. } => "CLIENT_ID_TAKEN",
            Rejection::NotFound { .. } => "NOT_FOUND",
            Rejection::Deceased => "DECEASED",
            Rejection::NotActive { .. } => "NOT_ACTIVE",
            Rejection::UnknownClient { .. } => "UNKNOWN_CLIENT",
            Rejection::SameOwner { .. } => "SAME_OWNER",
            Rejection::SameStatus { .. } => "SAME_STATUS",
            Rejection::SameMob { .. } => "SAME_MOB",
            Rejection::FinalStatus { .. } => "FINAL_STATUS",
            Rejection::AlertNotOpen { .. } => "ALERT_NOT_OPEN",
            Rejection::TransferPending { .. } => "TRANSFER_PENDING",
            Rejection::NoPendingTransfer => "NO_PENDING_TRANSFER",
        }
    }

    /// The camelCase command field the rejection is about, if one is.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Rejection::AlreadyRegistered { .. } => Some("nlisId"),
            Rejection::ClientAlreadyRegistered { .. } => Some("pic"),
            Rejection::ClientIdTaken { .. } => Some("clientId"),
            Rejection::NotFound { .. } => Some("cattleId"),
            Rejection::SameOwner { .. }
            | Rejection::UnknownClient { .. }
            | Rejection::TransferPending { .. } => Some("toClientId"),
            Rejection::SameStatus { .. } | Rejection::FinalStatus { .. } => Some("status"),
            Rejection::SameMob { .. } => Some("mob"),
            Rejection::AlertNotOpen { .. } => Some("alertId"),
            Rejection::Invalid(_)
            | Rejection::Deceased
            | Rejection::NotActive { .. }
            | Rejection::NoPendingTransfer => None,
        }
    }

    /// The rejection as field errors, for forms (errors without a field go under "cattleId").
    pub fn field_errors(&self) -> Vec<FieldError> {
        match self {
            Rejection::Invalid(errors) => errors.clone(),
            other => vec![FieldError::new(
                other.field().unwrap_or("cattleId"),
                other.to_string(),
            )],
        }
    }
}
