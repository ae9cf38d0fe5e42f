//! The search view: every animal of the log in a full-text index, behind one port
//! (`SearchIndex`) so the embedded index (tantivy, under `./data/search`) and a
//! Meilisearch server (`MEILI_URL`) hold it alike. The view folds the log itself, like
//! the cache view, and the index keeps its checkpoints with its documents.
pub mod embedded_index;
mod herd_collector;
pub mod index_home;
mod index_schema;
pub mod meili_document;
pub mod meili_index;
pub mod search_fold;
mod search_home;
pub mod search_index;
pub mod swappable_search;
pub mod text_query;
pub mod view;

pub use embedded_index::EmbeddedIndex;
pub use index_home::IndexHome;
pub use meili_index::MeiliIndex;
pub use search_fold::{SearchDocument, SearchFold};
pub use search_home::SearchHome;
pub use search_index::{SearchCheckpoint, SearchError, SearchIndex, SharedSearch, StoredDocuments};
pub use swappable_search::SwappableSearch;
pub use view::SearchView;
