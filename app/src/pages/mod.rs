//! One file per page.
mod animal;
mod animal_actions;
mod dashboard;
mod herd;
mod sign_in;

pub use animal::AnimalPage;
pub use dashboard::DashboardPage;
pub use herd::HerdPage;
pub use sign_in::SignInPage;
