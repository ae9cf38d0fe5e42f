//! The outbox's entries in the browser's IndexedDB, where they outlive a closed tab, a
//! reload with no signal and a flat phone battery.
use crate::model::OutboxEntry;
use idb::{Database, DatabaseEvent, Factory, KeyPath, ObjectStoreParams, TransactionMode};
use wasm_bindgen::JsValue;

const DATABASE: &str = "icattle";
const STORE: &str = "outbox";
const VERSION: u32 = 1;

/// Why the browser could not keep or read the outbox.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// IndexedDB refused (private browsing, storage full, an old browser).
    #[error("the browser's storage refused: {0}")]
    Storage(#[from] idb::Error),
    /// An entry could not be written or read as JSON.
    #[error("an outbox entry could not be read: {0}")]
    Entry(String),
}

async fn open() -> Result<Database, StoreError> {
    let factory = Factory::new()?;
    let mut request = factory.open(DATABASE, Some(VERSION))?;
    request.on_upgrade_needed(|event| {
        let Ok(database) = event.database() else {
            return;
        };
        if database.store_names().iter().any(|name| name == STORE) {
            return;
        }
        let mut params = ObjectStoreParams::new();
        params.key_path(Some(KeyPath::new_single("command_id")));
        if let Err(error) = database.create_object_store(STORE, params) {
            leptos::logging::error!("the outbox store could not be made: {error}");
        }
    });
    Ok(request.await?)
}

fn to_js(entry: &OutboxEntry) -> Result<JsValue, StoreError> {
    let text = serde_json::to_string(entry).map_err(|e| StoreError::Entry(e.to_string()))?;
    js_sys::JSON::parse(&text).map_err(|e| StoreError::Entry(format!("{e:?}")))
}

fn from_js(value: &JsValue) -> Result<OutboxEntry, StoreError> {
    let text = js_sys::JSON::stringify(value)
        .map_err(|e| StoreError::Entry(format!("{e:?}")))?
        .as_string()
        .unwrap_or_default();
    serde_json::from_str(&text).map_err(|e| StoreError::Entry(e.to_string()))
}

/// Every entry kept, of every user.
pub async fn all() -> Result<Vec<OutboxEntry>, StoreError> {
    let database = open().await?;
    let transaction = database.transaction(&[STORE], TransactionMode::ReadOnly)?;
    let values = transaction
        .object_store(STORE)?
        .get_all(None, None)?
        .await?;
    values.iter().map(from_js).collect()
}

/// Keeps `entry`, replacing the one with its command id.
pub async fn put(entry: &OutboxEntry) -> Result<(), StoreError> {
    let value = to_js(entry)?;
    let database = open().await?;
    let transaction = database.transaction(&[STORE], TransactionMode::ReadWrite)?;
    transaction.object_store(STORE)?.put(&value, None)?.await?;
    transaction.commit()?.await?;
    Ok(())
}

/// Forgets the entry with `command_id`.
pub async fn remove(command_id: &str) -> Result<(), StoreError> {
    let database = open().await?;
    let transaction = database.transaction(&[STORE], TransactionMode::ReadWrite)?;
    transaction
        .object_store(STORE)?
        .delete(JsValue::from_str(command_id))?
        .await?;
    transaction.commit()?.await?;
    Ok(())
}
