//! The key registry as a stream of the log (PROTOCOL.md §11): `KeyStream` reads it into a
//! `domain::KeyLedger`, `KeyRegistrar` appends to it, `key_backfill` registers the keys made
//! before the stream existed.
pub mod key_backfill;
pub mod key_reader;
pub mod key_registrar;

pub use key_backfill::{register_missing, BackfillError, ProducerKey};
pub use key_reader::{KeyStream, KeyStreamError};
pub use key_registrar::{KeyRegistrar, KeyRegistrarError};
