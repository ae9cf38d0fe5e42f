use super::{CattleRecord, ClientSummary};
use domain::CattleState;
use serde::{Deserialize, Serialize};

/// One valuation in an animal's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValuationEntry {
    /// When it was made (RFC 3339).
    pub valued_at: String,
    /// Amount in cents.
    pub amount_cents: i64,
    /// How it was made.
    pub method: String,
    /// The assessor.
    pub created_by: Option<String>,
}

/// Everything an animal's page shows. The timeline is the raw envelopes as the log holds
/// them, in log order, with no verdict: the browser verifies them itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnimalPage {
    /// The golden-record row.
    pub record: CattleRecord,
    /// The folded state (provenance, verifications, suspicions, open alerts).
    pub state: CattleState,
    /// The owner.
    pub owner: Option<ClientSummary>,
    /// Valuations, oldest first.
    pub valuations: Vec<ValuationEntry>,
    /// Every envelope of the animal read from the log's index, in log order, as JSON text.
    pub envelopes: Vec<String>,
}
