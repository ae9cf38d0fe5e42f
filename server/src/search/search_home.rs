//! Where a rebuild writes a new search index beside the one in use.
use super::index_home::IndexHome;
use super::meili_index::MeiliIndex;

/// Where a rebuilt search index is written beside the one in use, and how it replaces it.
#[derive(Clone)]
pub enum SearchHome {
    /// The embedded index's generations under the data directory: the rebuilt one is named
    /// in use and put in place for every search of this instance.
    Embedded(IndexHome),
    /// The index in use on a Meilisearch server: the rebuilt one is written into an index
    /// beside it and swapped with it by the server, at once for every instance.
    Meili(MeiliIndex),
}

impl SearchHome {
    /// Whether the index is this instance's own (embedded), so its view reads every
    /// partition instead of sharing them with other instances.
    pub fn is_embedded(&self) -> bool {
        matches!(self, SearchHome::Embedded(_))
    }
}
