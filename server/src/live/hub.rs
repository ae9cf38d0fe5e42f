use app::model::LiveUpdate;
use tokio::sync::{broadcast, mpsc};

/// Fans committed changes out to every connected browser: in process by default, through a
/// Redis channel when one is configured, so several instances push alike.
#[derive(Clone)]
pub struct LiveHub {
    local: broadcast::Sender<LiveUpdate>,
    fanout: Option<mpsc::UnboundedSender<LiveUpdate>>,
}

impl Default for LiveHub {
    fn default() -> Self {
        Self::new()
    }
}

impl LiveHub {
    /// A hub for this process alone, keeping up to 1024 undelivered updates per subscriber.
    pub fn new() -> Self {
        let (local, _) = broadcast::channel(1024);
        Self {
            local,
            fanout: None,
        }
    }

    /// A hub that fans out through `channel` on the Redis at `url`.
    pub fn with_redis(url: &str, channel: &str) -> Result<Self, redis::RedisError> {
        let client = redis::Client::open(url)?;
        let (local, _) = broadcast::channel(1024);
        let (outgoing, receiver) = mpsc::unbounded_channel();
        tokio::spawn(super::redis_fanout::publish_loop(
            client.clone(),
            channel.to_string(),
            receiver,
            local.clone(),
        ));
        tokio::spawn(super::redis_fanout::subscribe_loop(
            client,
            channel.to_string(),
            local.clone(),
        ));
        Ok(Self {
            local,
            fanout: Some(outgoing),
        })
    }

    /// Announces a change; nobody listening is not an error.
    pub fn announce(&self, update: LiveUpdate) {
        match &self.fanout {
            Some(fanout) => {
                if let Err(unsent) = fanout.send(update) {
                    let _ = self.local.send(unsent.0);
                }
            }
            None => {
                let _ = self.local.send(update);
            }
        }
    }

    /// A new subscription receiving every later announcement.
    pub fn subscribe(&self) -> broadcast::Receiver<LiveUpdate> {
        self.local.subscribe()
    }
}
