use super::CattleRecord;
use serde::{Deserialize, Serialize};

/// Rows per herd page unless the user chooses another of `HERD_PAGE_SIZES`.
pub const HERD_PAGE_SIZE: u32 = 25;

/// The page sizes a herd list offers.
pub const HERD_PAGE_SIZES: &[u32] = &[25, 50, 100];

/// What a herd list asks for: one page, one order, optional filters.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HerdQuery {
    /// 1-based page number.
    pub page: u32,
    /// `updated`, `nlis`, `breed`, `value` or `risk`; a leading `-` reverses it.
    pub sort: String,
    /// Only this breed.
    pub breed: Option<String>,
    /// Only this owner (client id).
    pub owner: Option<i64>,
    /// Only this status (`ACTIVE`, `SOLD`, …).
    pub status: Option<String>,
    /// Only this risk level (`LOW`, `MEDIUM`, `HIGH`, `CRITICAL`).
    pub risk: Option<String>,
    /// Only the animals of this mob.
    #[serde(default)]
    pub mob: Option<String>,
    /// Only the animals a treatment withholds from slaughter today.
    #[serde(default)]
    pub in_withholding: bool,
    /// Rows per page, one of `HERD_PAGE_SIZES` (anything else: `HERD_PAGE_SIZE`).
    #[serde(default)]
    pub per_page: u32,
}

impl HerdQuery {
    /// The rows per page this query gets.
    pub fn page_size(&self) -> u32 {
        if HERD_PAGE_SIZES.contains(&self.per_page) {
            self.per_page
        } else {
            HERD_PAGE_SIZE
        }
    }
}

/// The sort keys a herd list understands.
pub const HERD_SORTS: &[(&str, &str)] = &[
    ("updated", "Last change"),
    ("nlis", "NLIS id"),
    ("breed", "Breed"),
    ("value", "Value"),
    ("risk", "Confidence"),
];

/// A client as lists and forms show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientSummary {
    /// Client id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Property Identification Code.
    pub pic: String,
    /// Whether the signed-in user manages this client.
    pub mine: bool,
}

/// One page of the herd a user may see.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HerdPage {
    /// The animals on this page.
    pub rows: Vec<CattleRecord>,
    /// How many animals match the filters in all.
    pub total: u64,
    /// This page's number, 1-based.
    pub page: u32,
    /// Rows per page.
    pub page_size: u32,
    /// Breeds present in the visible herd, for the filter.
    pub breeds: Vec<String>,
    /// Owners present in the visible herd, for the filter.
    pub owners: Vec<ClientSummary>,
    /// Mobs in the visible herd, for the filter and the bulk actions.
    #[serde(default)]
    pub mobs: Vec<String>,
    /// How the mob the list is filtered on is growing; none unless filtered on a mob.
    #[serde(default)]
    pub mob_gain: Option<MobGain>,
}

/// How a mob is growing: the mean of its animals' average daily gains, counting the animals
/// weighed at least a day apart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MobGain {
    /// The mob.
    pub mob: String,
    /// Kilograms a day; none while no animal of the mob was weighed a day apart.
    pub average_daily_gain_kg: Option<f64>,
    /// The animals the mean counts.
    pub animals_gaining: u32,
    /// The mob's animals the user sees.
    pub animals: u32,
}

impl MobGain {
    /// The gain as the herd list says it.
    pub fn in_words(&self) -> String {
        match self.average_daily_gain_kg {
            Some(kg) => format!(
                "Mob {}: average daily gain {kg:.2} kg a day ({} of {} animals weighed a day \
                 or more apart)",
                self.mob, self.animals_gaining, self.animals
            ),
            None => format!(
                "Mob {}: no animal weighed twice a day or more apart yet, so no daily gain.",
                self.mob
            ),
        }
    }
}

/// The most animals one bulk action selects ("every animal matching").
pub const MOST_SELECTED: usize = 1_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_offered_page_sizes_are_taken() {
        let sized = |per_page| HerdQuery {
            per_page,
            ..HerdQuery::default()
        };
        assert_eq!(sized(50).page_size(), 50);
        assert_eq!(sized(0).page_size(), HERD_PAGE_SIZE);
        assert_eq!(sized(7).page_size(), HERD_PAGE_SIZE);
        assert_eq!(sized(100_000).page_size(), HERD_PAGE_SIZE);
    }
}
