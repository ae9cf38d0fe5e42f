//! The embedded search index: tantivy in a directory of the instance's data, its
//! checkpoints in the commit's payload so documents and positions move together.

use super::herd_collector::HerdCollector;
use super::index_schema::{IndexSchema, ANIMAL, CLIENT};
use super::search_fold::{SearchDocument, SearchFold};
use super::search_index::{SearchCheckpoint, SearchError, SearchIndex, StoredDocuments};
use super::text_query::query_for;
use app::model::{SearchFacets, SearchHit, SearchRequest, SearchResults, SearchSort};
use domain::ClientState;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tantivy::collector::DocSetCollector;
use tantivy::directory::MmapDirectory;
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{
    DocAddress, Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, TantivyDocument,
    TantivyError, Term,
};

/// The indexing memory budget (tantivy's floor is 15 MB per thread).
const WRITER_MEMORY: usize = 50_000_000;
/// How long a writer waits for the lock an instance stopping in this process still holds.
const WRITER_LOCK_WAIT: Duration = Duration::from_secs(30);

/// Positions per topic and partition, as the commit payload keeps them.
type Positions = BTreeMap<String, BTreeMap<i32, i64>>;

fn index_error(error: impl std::fmt::Display) -> SearchError {
    SearchError::Index(error.to_string())
}

struct Inner {
    index: Index,
    reader: IndexReader,
    fields: IndexSchema,
    /// Taken by the first write, so an instance that only serves never locks the index.
    writer: Mutex<Option<IndexWriter<TantivyDocument>>>,
}

/// The tantivy index of the herd under one directory.
#[derive(Clone)]
pub struct EmbeddedIndex {
    inner: Arc<Inner>,
}

impl EmbeddedIndex {
    /// Opens the index in `dir`, making it when absent. An index of another schema (an
    /// older version of iCattle) is a view like any other: it is removed and rebuilt.
    pub fn open(dir: &Path) -> Result<Self, SearchError> {
        let fields = IndexSchema::new();
        let index = match open_dir(dir, &fields) {
            Err(TantivyError::SchemaError(reason)) => {
                tracing::warn!(dir = %dir.display(), %reason, "rebuilding a search index of another schema");
                std::fs::remove_dir_all(dir).map_err(index_error)?;
                open_dir(dir, &fields).map_err(index_error)?
            }
            other => other.map_err(index_error)?,
        };
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(index_error)?;
        Ok(Self {
            inner: Arc::new(Inner {
                index,
                reader,
                fields,
                writer: Mutex::new(None),
            }),
        })
    }

    /// Runs `work` on the blocking pool: tantivy reads and writes files.
    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Inner) -> Result<T, SearchError> + Send + 'static,
    ) -> Result<T, SearchError> {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || work(&inner))
            .await
            .map_err(index_error)?
    }
}

fn open_dir(dir: &Path, fields: &IndexSchema) -> tantivy::Result<Index> {
    std::fs::create_dir_all(dir)?;
    let directory = MmapDirectory::open(dir)?;
    Index::open_or_create(directory, fields.schema.clone())
}

impl Inner {
    fn positions(&self) -> Result<Positions, SearchError> {
        let metas = self.index.load_metas().map_err(index_error)?;
        match metas.payload {
            Some(payload) if !payload.is_empty() => {
                serde_json::from_str(&payload).map_err(|e| index_error(format!("checkpoints: {e}")))
            }
            _ => Ok(Positions::new()),
        }
    }

    fn stored_folds(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
    ) -> Result<Vec<SearchFold>, SearchError> {
        let found = searcher
            .search(query, &DocSetCollector)
            .map_err(index_error)?;
        found
            .into_iter()
            .map(|address| self.stored(searcher, address, self.fields.fold))
            .collect()
    }

    /// The JSON stored in `field` of the document at `address`, read back.
    fn stored<T: serde::de::DeserializeOwned>(
        &self,
        searcher: &Searcher,
        address: DocAddress,
        field: tantivy::schema::Field,
    ) -> Result<T, SearchError> {
        let document: TantivyDocument = searcher.doc(address).map_err(index_error)?;
        let stream = document
            .get_first(self.fields.stream)
            .and_then(|v| v.as_i64())
            .unwrap_or_default();
        let text = document
            .get_first(field)
            .and_then(|v| v.as_str())
            .unwrap_or_default();
        serde_json::from_str(text).map_err(|e| SearchError::Document {
            stream,
            reason: e.to_string(),
        })
    }

    fn stream_query(&self, stream: i64) -> TermQuery {
        TermQuery::new(
            Term::from_field_i64(self.fields.stream, stream),
            IndexRecordOption::Basic,
        )
    }

    /// Documents of `kind` whose `owner` is `client_id`: a client's animals, or the client.
    fn owned_query(&self, kind: u64, client_id: i64) -> BooleanQuery {
        let term =
            |term| Box::new(TermQuery::new(term, IndexRecordOption::Basic)) as Box<dyn Query>;
        BooleanQuery::new(vec![
            (
                Occur::Must,
                term(Term::from_field_u64(self.fields.kind, kind)),
            ),
            (
                Occur::Must,
                term(Term::from_field_i64(self.fields.owner, client_id)),
            ),
        ])
    }

    fn tantivy_document(&self, document: &SearchDocument) -> Result<TantivyDocument, SearchError> {
        let f = &self.fields;
        let stream = document.fold.stream_id();
        let mut doc = TantivyDocument::new();
        doc.add_i64(f.stream, stream);
        let fold = serde_json::to_string(&document.fold).map_err(|e| SearchError::Document {
            stream,
            reason: e.to_string(),
        })?;
        doc.add_text(f.fold, fold);
        let Some(animal) = &document.animal else {
            doc.add_u64(f.kind, CLIENT);
            if let Some(client) = document.fold.client() {
                doc.add_i64(f.owner, client.client_id);
            }
            return Ok(doc);
        };
        let hit = &animal.hit;
        doc.add_u64(f.kind, ANIMAL);
        doc.add_text(f.text, &animal.text);
        doc.add_text(f.breed, &hit.breed);
        doc.add_text(f.sex, hit.sex.as_str());
        doc.add_text(f.status, hit.status.as_str());
        doc.add_text(f.risk, hit.risk_level.as_str());
        doc.add_i64(f.owner, hit.owner_client_id);
        if let Some(cents) = hit.value_cents {
            doc.add_i64(f.value, cents);
        }
        doc.add_i64(f.updated, animal.updated_ms);
        if let Some((latitude, longitude)) = hit.location {
            doc.add_f64(f.latitude, latitude);
            doc.add_f64(f.longitude, longitude);
        }
        let shown = serde_json::to_string(hit).map_err(|e| SearchError::Document {
            stream,
            reason: e.to_string(),
        })?;
        doc.add_text(f.hit, shown);
        Ok(doc)
    }

    fn with_writer<T>(
        &self,
        work: impl FnOnce(&mut IndexWriter<TantivyDocument>) -> tantivy::Result<T>,
    ) -> Result<T, SearchError> {
        let mut slot = self
            .writer
            .lock()
            .map_err(|_| index_error("the index writer's lock was poisoned"))?;
        if slot.is_none() {
            *slot = Some(self.take_writer()?);
        }
        let Some(writer) = slot.as_mut() else {
            return Err(index_error("no index writer"));
        };
        match work(writer) {
            Ok(done) => Ok(done),
            Err(error) => {
                // Whatever was added is dropped; the consumer retries the whole batch.
                if writer.rollback().is_err() {
                    *slot = None;
                }
                Err(index_error(error))
            }
        }
    }

    fn take_writer(&self) -> Result<IndexWriter<TantivyDocument>, SearchError> {
        let started = std::time::Instant::now();
        loop {
            match self.index.writer_with_num_threads(1, WRITER_MEMORY) {
                Ok(writer) => return Ok(writer),
                Err(TantivyError::LockFailure(..)) if started.elapsed() < WRITER_LOCK_WAIT => {
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(error) => return Err(index_error(error)),
            }
        }
    }

    fn hit_at(&self, searcher: &Searcher, address: DocAddress) -> Result<SearchHit, SearchError> {
        self.stored(searcher, address, self.fields.hit)
    }
}

#[async_trait::async_trait]
impl SearchIndex for EmbeddedIndex {
    async fn checkpoints(&self, topic: &str) -> Result<Vec<(i32, i64)>, SearchError> {
        let topic = topic.to_string();
        self.blocking(move |inner| {
            let positions = inner.positions()?;
            Ok(positions
                .get(&topic)
                .map(|p| p.iter().map(|(k, v)| (*k, *v)).collect())
                .unwrap_or_default())
        })
        .await
    }

    async fn folds(&self, streams: &[i64]) -> Result<HashMap<i64, SearchFold>, SearchError> {
        let streams = streams.to_vec();
        self.blocking(move |inner| {
            let searcher = inner.reader.searcher();
            let mut folds = HashMap::new();
            for stream in streams {
                let query = inner.stream_query(stream);
                if let Some(fold) = inner.stored_folds(&searcher, &query)?.into_iter().next() {
                    folds.insert(stream, fold);
                }
            }
            Ok(folds)
        })
        .await
    }

    async fn clients(&self, client_ids: &[i64]) -> Result<HashMap<i64, ClientState>, SearchError> {
        let client_ids = client_ids.to_vec();
        self.blocking(move |inner| {
            let searcher = inner.reader.searcher();
            let mut clients = HashMap::new();
            for client_id in client_ids {
                let query = inner.owned_query(CLIENT, client_id);
                for fold in inner.stored_folds(&searcher, &query)? {
                    if let Some(client) = fold.client() {
                        clients.insert(client_id, client.clone());
                    }
                }
            }
            Ok(clients)
        })
        .await
    }

    async fn owned_by(&self, client_id: i64) -> Result<Vec<SearchFold>, SearchError> {
        self.blocking(move |inner| {
            let query = inner.owned_query(ANIMAL, client_id);
            inner.stored_folds(&inner.reader.searcher(), &query)
        })
        .await
    }

    async fn write(
        &self,
        documents: Vec<SearchDocument>,
        checkpoints: Vec<SearchCheckpoint>,
    ) -> Result<(), SearchError> {
        self.blocking(move |inner| {
            let mut positions = inner.positions()?;
            for checkpoint in checkpoints {
                positions
                    .entry(checkpoint.topic)
                    .or_default()
                    .insert(checkpoint.partition, checkpoint.offset);
            }
            let payload = serde_json::to_string(&positions).map_err(index_error)?;
            let mut rows = Vec::with_capacity(documents.len());
            for document in &documents {
                rows.push((document.fold.stream_id(), inner.tantivy_document(document)?));
            }
            let stream_field = inner.fields.stream;
            inner.with_writer(move |writer| {
                for (stream, row) in rows {
                    writer.delete_term(Term::from_field_i64(stream_field, stream));
                    writer.add_document(row)?;
                }
                let mut commit = writer.prepare_commit()?;
                commit.set_payload(&payload);
                commit.commit()
            })?;
            inner.reader.reload().map_err(index_error)
        })
        .await
    }

    async fn search(
        &self,
        request: &SearchRequest,
        owners: Option<&[i64]>,
    ) -> Result<SearchResults, SearchError> {
        if owners.is_some_and(|o| o.is_empty()) {
            return Ok(SearchResults::default());
        }
        let request = request.clone();
        let owners = owners.map(<[i64]>::to_vec);
        self.blocking(move |inner| {
            let mut analyzer = inner
                .index
                .tokenizer_for_field(inner.fields.text)
                .map_err(index_error)?;
            let query = query_for(&inner.fields, &mut analyzer, &request, owners.as_deref());
            let wordless = request.text.trim().is_empty();
            let sort = match request.sort {
                SearchSort::Relevance if wordless => SearchSort::Newest,
                sort => sort,
            };
            let collector = HerdCollector {
                near: request.near,
                sort,
                limit: request.limit as usize,
            };
            let searcher = inner.reader.searcher();
            let gathered = searcher.search(&query, &collector).map_err(index_error)?;
            let mut hits = Vec::with_capacity(gathered.hits.len());
            for candidate in &gathered.hits {
                let mut hit = inner.hit_at(&searcher, candidate.address)?;
                hit.distance_km = candidate.distance_km;
                hits.push(hit);
            }
            Ok(SearchResults {
                total: gathered.total,
                hits,
                facets: SearchFacets {
                    breed: gathered.facet(0),
                    sex: gathered.facet(1),
                    status: gathered.facet(2),
                    risk: gathered.facet(3),
                },
            })
        })
        .await
    }

    async fn documents(&self) -> Result<StoredDocuments, SearchError> {
        self.blocking(|inner| {
            let searcher = inner.reader.searcher();
            let found = searcher
                .search(&AllQuery, &DocSetCollector)
                .map_err(index_error)?;
            let mut documents = BTreeMap::new();
            for address in found {
                let document: TantivyDocument = searcher.doc(address).map_err(index_error)?;
                let text = |field| {
                    document
                        .get_first(field)
                        .and_then(|v| v.as_str())
                        .map(str::to_string)
                };
                let stream = document
                    .get_first(inner.fields.stream)
                    .and_then(|v| v.as_i64())
                    .unwrap_or_default();
                let fold = text(inner.fields.fold).unwrap_or_default();
                documents.insert(stream, (fold, text(inner.fields.hit)));
            }
            Ok(documents)
        })
        .await
    }

    async fn ping(&self) -> Result<String, SearchError> {
        let documents = self.inner.reader.searcher().num_docs();
        Ok(format!(
            "the embedded index answers ({documents} documents)"
        ))
    }

    fn kind(&self) -> &'static str {
        "embedded"
    }
}
