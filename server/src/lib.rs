//! The iCattle server: the imperative shell around `domain`. Configuration, the HTTP app,
//! command handling, Kafka, the golden record and live push.
#![recursion_limit = "256"]
pub mod accounts;
pub mod audit;
pub mod cache;
pub mod checked_signatures;
pub mod command_handler;
pub mod config;
pub mod database;
pub mod duplicate_commands;
pub mod entity;
pub mod fraud;
pub mod from_log;
pub mod golden;
pub mod http;
pub mod instance;
pub mod kafka;
pub mod keys;
pub mod live;
pub mod live_audience;
pub mod log_catch_up;
pub mod registry_office;
pub mod seed_vault;
pub mod technical_failure;
pub mod telemetry;
pub mod views;
pub mod written_streams;
