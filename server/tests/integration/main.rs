//! Every integration test of the server in one test binary: each file is a module, run
//! against the real PostgreSQL, Redis and Apache Kafka. One binary links once and keeps
//! one copy of the app on disk instead of forty; nextest still runs each test in its own
//! process, so a test's process state never leaks into another's.
mod support;

mod audit_archive;
mod authorization;
mod bench_cli;
mod broker_crashes;
mod broker_outage;
mod bulk_actions;
mod cache_rebuild;
mod cache_view;
mod category_relay;
mod category_topics;
mod command_fuzz;
mod command_traces;
mod concurrent_writers;
mod consumer_groups;
mod dashboard_figures;
mod deployment_description;
mod duplicates_across_instances;
mod embedded_engines;
mod fraud_detector;
mod fraud_detector_crashes;
mod fraud_view_rebuild;
mod golden_consumer;
mod golden_slice;
mod herd_as_of;
mod herd_import_cli;
mod idempotent_restart;
mod keys_at_rest;
mod live_fanout;
mod live_scope;
mod log_verification;
mod metrics;
mod operations_live;
mod outbox_sends;
mod read_models;
mod rebuild_lock;
mod request_guards;
mod route_matrix;
mod schema_migrations;
mod search_contract;
mod search_rebuild;
mod sessions;
mod shared_views;
mod snapshots;
mod time_travel;
mod topic_layout;
mod transfer_offers;
mod user_administration;
mod verify_cli;
mod view_rebuild;
mod view_replay_cli;
mod web_reads;
mod write_side;
