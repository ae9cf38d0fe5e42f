//! Types that cross the wire between the browser and the server.
mod cattle_record;
mod command_outcome;
mod event_status;
mod live_update;

pub use cattle_record::CattleRecord;
pub use command_outcome::{CommandAck, CommandFailure};
pub use event_status::EventStatus;
pub use live_update::LiveUpdate;
