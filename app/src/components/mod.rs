//! Reusable pieces of the pages.
mod field;
mod herd_table;
mod live_connection;
mod register_animal_form;

pub use field::TextField;
pub use herd_table::HerdTable;
pub use live_connection::LiveConnection;
pub use register_animal_form::RegisterAnimalForm;
