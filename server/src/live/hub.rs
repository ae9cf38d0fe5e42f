use app::model::LiveUpdate;
use tokio::sync::{broadcast, mpsc};

/// Fans committed changes out to every connected browser: in process by default, through a
/// Redis channel when one is configured, so several instances push alike.
#[derive(Clone)]
pub struct LiveHub {
    local: broadcast::Sender<LiveUpdate>,
    fanout: Option<mpsc::Sender<LiveUpdate>>,
}

/// Announcements waiting for Redis beyond this many are delivered to this instance's
/// browsers only: a slow or absent Redis must not grow the queue without end. (Live updates
/// are hints; a page refetches on the next one it gets.)
const FANOUT_QUEUE: usize = 8192;

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
        let (outgoing, receiver) = mpsc::channel(FANOUT_QUEUE);
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
            Some(fanout) => match fanout.try_send(update) {
                Ok(()) => {}
                Err(mpsc::error::TrySendError::Full(update)) => {
                    tracing::debug!("the Redis fan-out is behind; delivering locally only");
                    let _ = self.local.send(update);
                }
                Err(mpsc::error::TrySendError::Closed(update)) => {
                    let _ = self.local.send(update);
                }
            },
            None => {
                let _ = self.local.send(update);
            }
        }
    }

    /// Announces a change to this instance's browsers only (what only this instance knows,
    /// such as its own views' standing).
    pub fn announce_here(&self, update: LiveUpdate) {
        let _ = self.local.send(update);
    }

    /// A new subscription receiving every later announcement.
    pub fn subscribe(&self) -> broadcast::Receiver<LiveUpdate> {
        self.local.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::model::ViewName;

    fn update(sequence: u64) -> LiveUpdate {
        LiveUpdate::CattleChanged {
            view: ViewName::GoldenRecord,
            cattle_id: 1,
            event_id: format!("evt_{sequence}"),
            event_type: domain::EventType::HealthRecorded,
            sequence,
        }
    }

    #[tokio::test]
    async fn a_full_fan_out_queue_delivers_here_instead_of_growing() {
        let (local, _) = broadcast::channel(16);
        // A queue of one that nobody drains: Redis has stopped taking messages.
        let (outgoing, _stalled) = mpsc::channel(1);
        let hub = LiveHub {
            local,
            fanout: Some(outgoing),
        };
        let mut here = hub.subscribe();
        hub.announce(update(1));
        hub.announce(update(2));
        assert_eq!(here.try_recv().ok(), Some(update(2)));
        assert!(here.try_recv().is_err());
    }
}
