//! Everything that talks to Kafka.
pub mod embedded_broker;
pub mod log_reader;
pub mod publisher;
pub mod topics;
