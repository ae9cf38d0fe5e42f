//! One file per page.
mod herd;

pub use herd::HerdPage;
