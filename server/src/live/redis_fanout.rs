//! Live push across server instances: announcements go through a Redis channel and every
//! instance (this one included) forwards what the channel carries to its own browsers.
use app::model::LiveUpdate;
use futures::StreamExt;
use std::time::Duration;
use tokio::sync::{broadcast, mpsc};

/// The most announcements one Redis message carries.
const BUNDLE_LIMIT: usize = 512;

/// Publishes announcements to the channel, those already waiting together in one message (a
/// JSON array): one PUBLISH per update was a round trip each and, under load, the views
/// announce thousands a second. When Redis does not take a message, this instance's
/// browsers still get its updates directly.
pub async fn publish_loop(
    client: redis::Client,
    channel: String,
    mut outgoing: mpsc::Receiver<LiveUpdate>,
    local: broadcast::Sender<LiveUpdate>,
) {
    let mut connection = None;
    let mut bundle = Vec::with_capacity(BUNDLE_LIMIT);
    while outgoing.recv_many(&mut bundle, BUNDLE_LIMIT).await > 0 {
        let Ok(text) = serde_json::to_string(&bundle) else {
            bundle.clear();
            continue;
        };
        if connection.is_none() {
            connection = client.get_multiplexed_async_connection().await.ok();
        }
        let published = match connection.as_mut() {
            Some(conn) => redis::cmd("PUBLISH")
                .arg(&channel)
                .arg(&text)
                .query_async::<i64>(conn)
                .await
                .is_ok(),
            None => false,
        };
        if published {
            bundle.clear();
        } else {
            connection = None;
            tracing::warn!("live updates not fanned out through Redis; delivering locally only");
            for update in bundle.drain(..) {
                let _ = local.send(update);
            }
        }
    }
}

/// The updates one channel message carries: a bundle, or (from an instance before bundles) one.
fn unbundle(text: &str) -> Result<Vec<LiveUpdate>, serde_json::Error> {
    match serde_json::from_str::<Vec<LiveUpdate>>(text) {
        Ok(bundle) => Ok(bundle),
        Err(_) => serde_json::from_str::<LiveUpdate>(text).map(|update| vec![update]),
    }
}

/// Forwards every update the channel carries to this instance's browsers, resubscribing
/// after Redis went away.
pub async fn subscribe_loop(
    client: redis::Client,
    channel: String,
    local: broadcast::Sender<LiveUpdate>,
) {
    loop {
        match client.get_async_pubsub().await {
            Ok(mut pubsub) => {
                if let Err(error) = pubsub.subscribe(&channel).await {
                    tracing::warn!(%error, "could not subscribe to live updates");
                } else {
                    let mut messages = pubsub.on_message();
                    while let Some(message) = messages.next().await {
                        let Ok(text) = message.get_payload::<String>() else {
                            continue;
                        };
                        match unbundle(&text) {
                            Ok(bundle) => {
                                for update in bundle {
                                    let _ = local.send(update);
                                }
                            }
                            Err(error) => tracing::warn!(%error, "unreadable live update on Redis"),
                        }
                    }
                }
            }
            Err(error) => tracing::debug!(%error, "live updates: Redis unavailable"),
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn update(n: i64) -> LiveUpdate {
        LiveUpdate::EventDuplicate {
            event_id: format!("e{n}"),
            cattle_id: Some(n),
            original: format!("o{n}"),
        }
    }

    #[test]
    fn a_bundle_and_a_single_update_both_read_back() {
        let bundle = vec![update(1), update(2)];
        let text = serde_json::to_string(&bundle).unwrap();
        assert_eq!(unbundle(&text).unwrap(), bundle);
        let single = serde_json::to_string(&update(3)).unwrap();
        assert_eq!(unbundle(&single).unwrap(), vec![update(3)]);
        assert!(unbundle("{\"kind\":\"nonsense\"}").is_err());
    }
}
