use serde::{Deserialize, Serialize};

/// One animal as the golden record holds it (the seed's `cattle` row).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CattleRecord {
    /// The animal's id (derived from its NLIS id).
    pub id: i64,
    /// National Livestock Identification System tag.
    pub nlis_id: String,
    /// Breed as registered.
    pub breed: String,
    /// `MALE` or `FEMALE`.
    pub sex: String,
    /// The owning client.
    pub client_id: i64,
    /// Latest valuation in cents, if any.
    pub current_valuation: Option<i64>,
    /// Lifecycle status (`ACTIVE`, `SOLD`, …).
    pub status: String,
    /// Provenance confidence, 0-100.
    pub confidence_score: i32,
    /// Provenance risk level.
    pub risk_level: String,
    /// When the animal was registered (RFC 3339).
    pub created_at: String,
    /// When the last applied event occurred (RFC 3339).
    pub updated_at: String,
    /// How many events the golden record has applied for this animal.
    pub sequence: i64,
    /// The mob the animal runs with, if any.
    #[serde(default)]
    pub mob: Option<String>,
    /// The paddock it was last recorded in, if the farmer named one.
    #[serde(default)]
    pub paddock: Option<String>,
    /// The last day its treatments withhold it from slaughter ("YYYY-MM-DD"), if any.
    #[serde(default)]
    pub withholding_until: Option<String>,
}

impl CattleRecord {
    /// The last day of a withholding period still running on `today` ("YYYY-MM-DD").
    pub fn withheld_on(&self, today: &str) -> Option<&str> {
        self.withholding_until
            .as_deref()
            .filter(|until| *until >= today)
    }
}

impl CattleRecord {
    /// The record a golden-record row would show for stream `id` folded to `state`: the cache
    /// view and the read-back from the log build it without a row.
    pub fn from_state(id: i64, state: &domain::CattleState) -> Self {
        Self {
            id,
            nlis_id: state.nlis_id.clone(),
            breed: state.breed.clone(),
            sex: state.sex.as_str().to_string(),
            client_id: state.client_id,
            current_valuation: state.current_valuation,
            status: state.status.as_str().to_string(),
            confidence_score: i32::from(state.confidence_score),
            risk_level: state.risk_level.as_str().to_string(),
            created_at: state.created_at.clone(),
            updated_at: state.updated_at.clone(),
            sequence: state.sequence as i64,
            mob: state.mob.clone(),
            paddock: state
                .last_location
                .as_ref()
                .and_then(|fix| fix.paddock.clone()),
            withholding_until: state.withholding_until.clone(),
        }
    }
}
