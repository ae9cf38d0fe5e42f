//! Waiting until a partition's leader answers for it: at start-up for every partition, and
//! at each offsets query a reader makes.
use rdkafka::admin::AdminClient;
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::{Consumer, ConsumerContext};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::metadata::Metadata;
use std::time::{Duration, Instant};

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

/// How long a reader waits for a partition whose leader is not answering for it yet.
const LEADER_WAIT: Duration = Duration::from_secs(10);

/// Whether `error` says only that the partition's leadership is still moving: a partition
/// created a moment ago, or one whose leader was just elected, answers so for a while.
fn leadership_moving(error: &KafkaError) -> bool {
    matches!(
        error.rdkafka_error_code(),
        Some(
            RDKafkaErrorCode::NotLeaderForPartition
                | RDKafkaErrorCode::LeaderNotAvailable
                | RDKafkaErrorCode::UnknownTopicOrPartition
        )
    )
}

/// The low and high watermarks of `partition` of `topic`, asked again for up to 10 s while
/// its leadership is moving. Other failures are returned at once. Blocking.
pub fn watermarks<C, K>(consumer: &K, topic: &str, partition: i32) -> Result<(i64, i64), KafkaError>
where
    C: ConsumerContext,
    K: Consumer<C>,
{
    let started = Instant::now();
    loop {
        match consumer.fetch_watermarks(topic, partition, QUERY_TIMEOUT) {
            Err(error) if leadership_moving(&error) && started.elapsed() < LEADER_WAIT => {
                tracing::debug!(topic, partition, %error, "waiting for the partition's leader");
                std::thread::sleep(PAUSE);
            }
            answer => return answer,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_moving_leadership_is_asked_again() {
        for moving in [
            RDKafkaErrorCode::NotLeaderForPartition,
            RDKafkaErrorCode::LeaderNotAvailable,
            RDKafkaErrorCode::UnknownTopicOrPartition,
        ] {
            assert!(leadership_moving(&KafkaError::MetadataFetch(moving)));
        }
        assert!(!leadership_moving(&KafkaError::MetadataFetch(
            RDKafkaErrorCode::TopicAuthorizationFailed
        )));
        assert!(!leadership_moving(&KafkaError::Canceled));
    }
}
