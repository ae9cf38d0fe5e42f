//! Everything that talks to Kafka.
pub mod category_relay;
pub mod dead_letter;
pub mod embedded_broker;
pub mod log_reader;
pub mod publisher;
pub mod topics;
