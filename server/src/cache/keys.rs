/// The key names of the cache view, behind a configurable prefix (tests share one Redis).
#[derive(Debug, Clone)]
pub struct CacheKeys {
    prefix: String,
}

impl CacheKeys {
    /// Keys starting with `prefix`.
    pub fn new(prefix: &str) -> Self {
        Self {
            prefix: prefix.to_string(),
        }
    }

    /// Every key of the view starts with this.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// `cattle:{id}`: the animal as the golden record shows it (JSON).
    pub fn cattle(&self, id: i64) -> String {
        format!("{}cattle:{id}", self.prefix)
    }

    /// `cattle:{id}:valuation`: its current valuation in cents.
    pub fn valuation(&self, id: i64) -> String {
        format!("{}cattle:{id}:valuation", self.prefix)
    }

    /// `cattle:{id}:risk`: its confidence score and risk level (JSON).
    pub fn risk(&self, id: i64) -> String {
        format!("{}cattle:{id}:risk", self.prefix)
    }

    /// `client:{id}:cattle`: the ids of the client's animals (JSON array).
    pub fn client_cattle(&self, client_id: i64) -> String {
        format!("{}client:{client_id}:cattle", self.prefix)
    }

    /// The view's own fold of a stream (chain head and state); never expires.
    pub fn fold(&self, aggregate_id: i64) -> String {
        format!("{}icattle:fold:{aggregate_id}", self.prefix)
    }

    /// The last offset applied of one partition; never expires.
    pub fn checkpoint(&self, topic: &str, partition: i32) -> String {
        format!("{}{partition}", self.checkpoint_prefix(topic))
    }

    /// The prefix of every checkpoint of `topic`.
    pub fn checkpoint_prefix(&self, topic: &str) -> String {
        format!("{}icattle:checkpoint:{topic}:", self.prefix)
    }

    /// Present while the store still holds the view's state; a store that restarted empty
    /// lacks it, and the view is rebuilt from the log.
    pub fn alive(&self) -> String {
        format!("{}icattle:alive", self.prefix)
    }
}
