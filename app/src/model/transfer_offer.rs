use serde::{Deserialize, Serialize};

/// A transfer offered to another farmer's client and not yet answered, as the two farmers
/// (and assessors) see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferOffer {
    /// The animal offered.
    pub cattle_id: i64,
    /// Its NLIS id.
    pub nlis_id: String,
    /// Breed.
    pub breed: String,
    /// Sex.
    pub sex: String,
    /// Provenance confidence 0..=100.
    pub confidence_score: i32,
    /// Provenance risk level.
    pub risk_level: String,
    /// The owner offering it.
    pub from_client: ClientReference,
    /// The client offered it.
    pub to_client: ClientReference,
    /// The price asked, in cents, if any.
    pub price_cents: Option<i64>,
    /// When it was offered (RFC 3339).
    pub offered_at: String,
}

/// A client named by id and PIC only: what anyone who knows the PIC may learn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientReference {
    /// Client id.
    pub id: i64,
    /// Property Identification Code.
    pub pic: String,
}

/// The offers that concern a user: made to their clients (to accept or decline) and made by
/// them (waiting, to withdraw). Assessors, who may accept any, see every offer as incoming.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferOffers {
    /// Offers waiting for this user's answer.
    pub incoming: Vec<TransferOffer>,
    /// This user's offers waiting for the other farmer.
    pub outgoing: Vec<TransferOffer>,
}
