//! The operations page live over the WebSocket: once a second this instance's engines,
//! alerts, views, rebuilds and whole-log verification are compared with what was last
//! announced, and a change is announced to this instance's administrators
//! (`LiveUpdate::OperationsChanged`); their page reads it all again. Nothing is sent while
//! nothing moves, and another instance's administrators are not told (it is not theirs).
use crate::live::LiveHub;
use crate::registry_office::RegistryOffice;
use app::model::LiveUpdate;
use std::time::Duration;
use tokio::task::JoinHandle;

/// How often the readings are compared (the watch takes them every second).
const EVERY: Duration = Duration::from_secs(1);

/// Runs the pulse until the instance stops.
pub fn spawn(office: RegistryOffice, hub: LiveHub) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut last = office.operations_digest();
        let mut ticks = tokio::time::interval(EVERY);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let now = office.operations_digest();
            if now != last {
                hub.announce_here(LiveUpdate::OperationsChanged);
                last = now;
            }
        }
    })
}
