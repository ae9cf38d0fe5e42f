//! Everything that talks to Kafka.
pub mod category_relay;
pub mod cloud_events;
pub mod consumer_groups;
pub mod dead_letter;
pub mod embedded_broker;
pub mod envelope_body;
pub mod log_reader;
pub mod partition_leaders;
pub mod publisher;
pub mod reader_config;
pub mod topics;
