//! sea-orm entities of the golden record (schema in the `migrations` crate).
pub mod cattle;
pub mod cattle_event;
pub mod checkpoint;
pub mod rejected_event;
