use serde::{Deserialize, Serialize};

/// A read model of the cattle log, as named in its checkpoints and in live updates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ViewName {
    /// The golden record (PostgreSQL or SQLite): the view commands and pages read.
    GoldenRecord,
    /// The fraud view: alerts and risk scores.
    FraudView,
    /// The cache view (Redis or in process).
    CacheView,
    /// The audit archive of every envelope.
    AuditArchive,
    /// The fraud detector: runs the fraud rules on the log and raises alerts in it.
    FraudDetector,
    /// The full-text search index of the herd.
    SearchIndex,
}

impl ViewName {
    /// Every view, in the order an operator reads them.
    pub const ALL: [ViewName; 6] = [
        Self::GoldenRecord,
        Self::FraudView,
        Self::CacheView,
        Self::AuditArchive,
        Self::FraudDetector,
        Self::SearchIndex,
    ];

    /// The view named `name` on the wire, if there is one.
    pub fn from_wire(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|view| view.as_str() == name)
    }

    /// The name as stored in checkpoints and sent on the wire, e.g. `golden_record`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::GoldenRecord => "golden_record",
            Self::FraudView => "fraud_view",
            Self::CacheView => "cache_view",
            Self::AuditArchive => "audit_archive",
            Self::FraudDetector => "fraud_detector",
            Self::SearchIndex => "search_index",
        }
    }
}

impl std::fmt::Display for ViewName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wire_name_is_the_checkpoint_name() {
        for view in ViewName::ALL {
            assert_eq!(ViewName::from_wire(view.as_str()), Some(view));
            let wire = serde_json::to_string(&view).unwrap();
            assert_eq!(wire, format!("\"{}\"", view.as_str()));
            assert_eq!(serde_json::from_str::<ViewName>(&wire).unwrap(), view);
        }
        assert_eq!(ViewName::from_wire("golden"), None);
    }
}
