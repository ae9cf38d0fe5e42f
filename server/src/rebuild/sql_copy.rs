//! The copy of a view kept in SQL (the golden record, the fraud view): the whole schema in
//! a PostgreSQL schema or SQLite file of its own (`ShadowStore`), swapped in by replacing
//! the live rows and checkpoints in one transaction.
use super::row_swap::{replace_view, TableSwap};
use super::shadow_store::ShadowStore;
use super::view_copy::{spawn_copy, CopyConsumer, CopyError, ViewCopy};
use crate::fraud::FraudView;
use crate::fraud_detector::FraudDetector;
use crate::golden::GoldenRecord;
use crate::keys::TrustedKeys;
use crate::views::consumer::ConsumerSource;
use crate::views::sql_checkpoint;
use app::model::ViewName;
use sea_orm::DatabaseConnection;
use std::collections::BTreeMap;
use std::path::Path;

/// A SQL view's copy.
pub struct SqlCopy {
    view: ViewName,
    tables: Vec<TableSwap>,
    shadow: ShadowStore,
    live: DatabaseConnection,
    /// The live fraud detector, for the detector's copy.
    detector: Option<FraudDetector>,
}

impl SqlCopy {
    /// Opens the copy of `view` (whose tables are `tables`) beside the live database,
    /// making it when there is none.
    pub async fn open(
        view: ViewName,
        tables: Vec<TableSwap>,
        live: &DatabaseConnection,
        live_url: &str,
        data_dir: &Path,
    ) -> Result<Self, CopyError> {
        let shadow = ShadowStore::open(live, live_url, data_dir, view).await?;
        Ok(Self {
            view,
            tables,
            shadow,
            live: live.clone(),
            detector: None,
        })
    }

    /// The copy raising the fraud detector's findings as `live` does (for its own view).
    pub fn raising_as(mut self, live: Option<FraudDetector>) -> Self {
        self.detector = live;
        self
    }
}

#[async_trait::async_trait]
impl ViewCopy for SqlCopy {
    fn describe(&self) -> String {
        self.shadow.describe()
    }

    async fn applied(&self, topic: &str) -> Result<BTreeMap<i32, i64>, CopyError> {
        Ok(
            sql_checkpoint::checkpoints(self.shadow.db(), self.view.as_str(), topic)
                .await?
                .into_iter()
                .collect(),
        )
    }

    fn spawn(&self, source: ConsumerSource, trusted: TrustedKeys) -> CopyConsumer {
        let db = self.shadow.db().clone();
        match (self.view, &self.detector) {
            (ViewName::FraudView, _) => spawn_copy(FraudView::new(db, trusted), source),
            // It raises only what the live detector has not judged, through the live
            // command handler, which knows each finding already raised.
            (ViewName::FraudDetector, Some(live)) => spawn_copy(live.copy_into(db), source),
            _ => spawn_copy(GoldenRecord::new(db, trusted), source),
        }
    }

    async fn swap_in(&self) -> Result<u64, CopyError> {
        let txn = crate::database::begin_write(&self.live).await?;
        let rows = replace_view(self.view, &self.tables, self.shadow.db(), &txn).await?;
        txn.commit().await?;
        Ok(rows)
    }

    async fn discard(self: Box<Self>) -> Result<(), CopyError> {
        let Self { shadow, live, .. } = *self;
        Ok(shadow.discard(&live).await?)
    }
}
