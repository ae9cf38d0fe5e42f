//! The systems an event can originate from.

use serde::{Deserialize, Serialize};

/// Where an event came from, serialized exactly as named ("iCattle", "NLIS", "GPS", ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SourceSystem {
    /// This application (commands from its users, its own detectors).
    #[serde(rename = "iCattle")]
    ICattle,
    /// The National Livestock Identification System.
    #[serde(rename = "NLIS")]
    Nlis,
    /// A GPS collar or tracker.
    #[serde(rename = "GPS")]
    Gps,
    /// A photo identification service.
    #[serde(rename = "Photo")]
    Photo,
    /// A biometric (muzzle print, retina) reader.
    #[serde(rename = "Biometric")]
    Biometric,
    /// A DNA laboratory.
    #[serde(rename = "DNA")]
    Dna,
    /// Data keyed in by a person outside iCattle (an import, a paper record).
    #[serde(rename = "Manual")]
    Manual,
}

impl SourceSystem {
    /// Every source system, in declaration order.
    pub const ALL: [SourceSystem; 7] = [
        SourceSystem::ICattle,
        SourceSystem::Nlis,
        SourceSystem::Gps,
        SourceSystem::Photo,
        SourceSystem::Biometric,
        SourceSystem::Dna,
        SourceSystem::Manual,
    ];

    /// The wire name, e.g. "iCattle".
    pub fn as_str(&self) -> &'static str {
        match self {
            SourceSystem::ICattle => "iCattle",
            SourceSystem::Nlis => "NLIS",
            SourceSystem::Gps => "GPS",
            SourceSystem::Photo => "Photo",
            SourceSystem::Biometric => "Biometric",
            SourceSystem::Dna => "DNA",
            SourceSystem::Manual => "Manual",
        }
    }
}

impl std::fmt::Display for SourceSystem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_match_serde() {
        for s in SourceSystem::ALL {
            let json = serde_json::to_value(s).ok();
            assert_eq!(json, Some(serde_json::Value::String(s.as_str().into())));
        }
    }
}
