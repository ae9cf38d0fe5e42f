//! Live push across server instances: announcements go through a Redis channel and every
//! instance (this one included) forwards what the channel carries to its own browsers.
use app::model::LiveUpdate;
use futures::StreamExt;
use std::time::Duration;
use tokio::sync::{broadcast, mpsc};

/// Publishes announcements to the channel; when Redis does not take one, this instance's
/// browsers still get it directly.
pub async fn publish_loop(
    client: redis::Client,
    channel: String,
    mut outgoing: mpsc::UnboundedReceiver<LiveUpdate>,
    local: broadcast::Sender<LiveUpdate>,
) {
    let mut connection = None;
    while let Some(update) = outgoing.recv().await {
        let Ok(text) = serde_json::to_string(&update) else {
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
        if !published {
            connection = None;
            tracing::warn!("live update not fanned out through Redis; delivering locally only");
            let _ = local.send(update);
        }
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
                        match serde_json::from_str::<LiveUpdate>(&text) {
                            Ok(update) => {
                                let _ = local.send(update);
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
