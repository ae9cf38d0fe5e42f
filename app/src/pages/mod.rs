//! One file per page.
mod animal;
mod animal_actions;
mod choose_password;
mod dashboard;
mod fraud_desk;
mod herd;
mod herd_import;
mod log_verification_panel;
mod offer_by_pic;
mod operations;
mod outbox;
mod search;
mod sign_in;
mod transfer_offers;
mod users;
mod view_rebuild_panel;

pub use animal::AnimalPage;
pub use choose_password::PasswordPage;
pub use dashboard::DashboardPage;
pub use fraud_desk::{FraudDeskLink, FraudDeskPage};
pub use herd::HerdPage;
pub use herd_import::HerdImportPage;
pub use operations::OperationsPage;
pub use outbox::{OutboxLink, OutboxPage};
pub use search::SearchPage;
pub use sign_in::SignInPage;
pub use users::UsersPage;
