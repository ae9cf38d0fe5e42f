//! Waiting, at start-up, until every partition's leader answers for it.
use rdkafka::admin::AdminClient;
use rdkafka::client::DefaultClientContext;
use rdkafka::metadata::Metadata;
use std::time::Duration;

const ATTEMPTS: u32 = 40;
const PAUSE: Duration = Duration::from_millis(250);
const QUERY_TIMEOUT: Duration = Duration::from_secs(5);

/// A partition whose leader did not answer for it within 10 s.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("partition {partition} of {topic} does not answer: {error}")]
pub struct SilentLeader {
    /// The topic.
    pub topic: String,
    /// The partition.
    pub partition: i32,
    /// The last answer.
    pub error: String,
}

/// Returns once the leader of every partition of `names` answers an offsets query. A
/// partition created a moment ago is listed with its leader before that broker has taken
/// the leadership up, and until then it answers NOT_LEADER_FOR_PARTITION: a server that
/// called itself ready then would report the log as down on its first health check.
pub(crate) async fn leaders_answering(
    admin: &AdminClient<DefaultClientContext>,
    metadata: &Metadata,
    names: &[String],
) -> Result<(), SilentLeader> {
    for topic in metadata
        .topics()
        .iter()
        .filter(|t| names.iter().any(|n| n == t.name()))
    {
        for partition in topic.partitions() {
            leader_answering(admin, topic.name(), partition.id()).await?;
        }
    }
    Ok(())
}

async fn leader_answering(
    admin: &AdminClient<DefaultClientContext>,
    topic: &str,
    partition: i32,
) -> Result<(), SilentLeader> {
    let mut attempt = 0;
    loop {
        match admin
            .inner()
            .fetch_watermarks(topic, partition, QUERY_TIMEOUT)
        {
            Ok(_) => return Ok(()),
            Err(error) if attempt + 1 >= ATTEMPTS => {
                return Err(SilentLeader {
                    topic: topic.to_string(),
                    partition,
                    error: error.to_string(),
                })
            }
            Err(error) => {
                tracing::debug!(topic, partition, %error, "waiting for the partition's leader");
                attempt += 1;
                tokio::time::sleep(PAUSE).await;
            }
        }
    }
}
