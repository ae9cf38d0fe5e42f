use app::model::LiveUpdate;
use tokio::sync::broadcast;

/// Fans committed changes out to every connected browser in this process.
#[derive(Clone)]
pub struct LiveHub {
    sender: broadcast::Sender<LiveUpdate>,
}

impl Default for LiveHub {
    fn default() -> Self {
        Self::new()
    }
}

impl LiveHub {
    /// A hub that keeps up to 1024 undelivered updates per slow subscriber.
    pub fn new() -> Self {
        let (sender, _) = broadcast::channel(1024);
        Self { sender }
    }

    /// Announces a change; nobody listening is not an error.
    pub fn announce(&self, update: LiveUpdate) {
        let _ = self.sender.send(update);
    }

    /// A new subscription receiving every later announcement.
    pub fn subscribe(&self) -> broadcast::Receiver<LiveUpdate> {
        self.sender.subscribe()
    }
}
