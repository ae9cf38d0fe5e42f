//! The search view: every animal of the log in a full-text index, behind one port
//! (`SearchIndex`) so the embedded index (tantivy, under `./data/search`) and a search
//! server can hold it alike. The view folds the log itself, like the cache view, and the
//! index keeps its checkpoints with its documents.
pub mod embedded_index;
mod herd_collector;
mod index_schema;
pub mod search_fold;
pub mod search_index;
pub mod text_query;
pub mod view;

pub use embedded_index::EmbeddedIndex;
pub use search_fold::{SearchDocument, SearchFold};
pub use search_index::{SearchCheckpoint, SearchError, SearchIndex, SharedSearch};
pub use view::SearchView;
