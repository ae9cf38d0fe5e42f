//! Reusable pieces of the pages.
mod action_bar;
mod charts;
mod choose_password;
mod command_encoding;
mod command_form;
mod event_timeline;
mod field;
mod form_memory;
mod herd_table;
mod history_slider;
mod live_connection;
mod search_box;
mod signed_in_only;

pub use action_bar::{ActionBar, BarAction, OpenActions};
pub use charts::{dollars, BarChart, TrendChart};
pub use choose_password::ChoosePassword;
pub use command_encoding::{command_json, FormField, Input};
pub use command_form::{CommandForm, FieldBox};
pub use event_timeline::{author, verdicts, EventTimeline, Verdict};
pub use field::TextField;
pub use form_memory::FormMemory;
pub use herd_table::HerdTable;
pub use live_connection::LiveConnection;
pub use search_box::{SearchBox, SearchHitLine};
pub use signed_in_only::{use_current_user, CurrentUser, SignedInOnly};
