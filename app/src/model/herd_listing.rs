use super::CattleRecord;
use serde::{Deserialize, Serialize};

/// Rows per herd page.
pub const HERD_PAGE_SIZE: u32 = 25;

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
}
