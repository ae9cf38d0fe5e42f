//! The search index on a Meilisearch server (`MEILI_URL`): the same port as the embedded
//! index, its documents and checkpoints added in one task per batch, each task awaited.

use super::meili_document::{
    of_kind, one_of, quoted, recent_enough, search_filter, search_sort, DocumentKind,
    MeiliDocument, FACETS, FILTERABLE, OLDEST_SERVER, PRIMARY_KEY, RANKING_RULES, SEARCHABLE,
    SORTABLE, TYPO_FREE,
};
use super::search_fold::{SearchDocument, SearchFold};
use super::search_index::{SearchCheckpoint, SearchError, SearchIndex, StoredDocuments};
use super::text_query::distance_km;
use app::model::{FacetCount, SearchFacets, SearchRequest, SearchResults};
use domain::ClientState;
use meilisearch_sdk::client::{Client, SwapIndexes};
use meilisearch_sdk::documents::DocumentsQuery;
use meilisearch_sdk::indexes::Index;
use meilisearch_sdk::search::Selectors;
use meilisearch_sdk::settings::{
    MinWordSizeForTypos, PaginationSetting, Settings, TypoToleranceSettings,
};
use meilisearch_sdk::task_info::TaskInfo;
use meilisearch_sdk::tasks::Task;
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

/// How often a task's state is asked while waiting for it.
const TASK_POLL: Duration = Duration::from_millis(25);
/// The longest wait for one task (a first indexing of a large herd takes a while).
const TASK_WAIT: Duration = Duration::from_secs(600);
/// Documents read per request.
const PAGE: usize = 1_000;
/// Streams asked for per filter, so a filter stays short.
const STREAMS_PER_FILTER: usize = 500;
/// The most animals a search can count exactly.
const MOST_COUNTED: usize = 10_000_000;

fn meili_error(context: &str, error: impl std::fmt::Display) -> SearchError {
    SearchError::Index(format!("meilisearch, {context}: {error}"))
}

/// The herd in one index of a Meilisearch server.
#[derive(Clone)]
pub struct MeiliIndex {
    client: Client,
    index: Index,
}

impl MeiliIndex {
    /// Connects to the server at `url` with `key`, making the index `uid` when absent and
    /// giving it the settings searches need (awaited, so the first search finds them).
    pub async fn connect(url: &str, key: Option<&str>, uid: &str) -> Result<Self, SearchError> {
        let client = Client::new(url, key).map_err(|e| meili_error("the URL", e))?;
        let version = client
            .get_version()
            .await
            .map_err(|e| meili_error(&format!("the version of the server at {url}"), e))?
            .pkg_version;
        if !recent_enough(&version) {
            let (major, minor) = OLDEST_SERVER;
            return Err(meili_error(
                &format!("the server at {url}"),
                format!("it is version {version}; iCattle needs {major}.{minor} or newer"),
            ));
        }
        let index = client.index(uid);
        let searchable = index_settings();
        let task = index
            .set_settings(&searchable)
            .await
            .map_err(|e| meili_error(&format!("settings of index {uid} at {url}"), e))?;
        let meili = Self { client, index };
        meili.awaited(task, "settings").await?;
        Ok(meili)
    }

    /// The index named `uid` on the same server, made with the same settings when absent
    /// (a rebuild's copy; one an interrupted rebuild left keeps its documents).
    pub async fn beside(&self, uid: &str) -> Result<Self, SearchError> {
        let index = self.client.index(uid);
        let task = index
            .set_settings(&index_settings())
            .await
            .map_err(|e| meili_error(&format!("settings of index {uid}"), e))?;
        let meili = Self {
            client: self.client.clone(),
            index,
        };
        meili.awaited(task, "settings").await?;
        Ok(meili)
    }

    /// The index's name on the server.
    pub fn uid(&self) -> &str {
        &self.index.uid
    }

    /// Swaps the documents (checkpoints too) and settings of this index and `other`, at
    /// once for every search on the server: Meilisearch's own index swap.
    pub async fn swap_with(&self, other: &MeiliIndex) -> Result<(), SearchError> {
        let pair = SwapIndexes {
            indexes: (self.index.uid.clone(), other.index.uid.clone()),
            rename: None,
        };
        let what = format!("swapping index {} with {}", self.index.uid, other.index.uid);
        let task = self
            .client
            .swap_indexes([&pair])
            .await
            .map_err(|e| meili_error(&what, e))?;
        self.awaited(task, &what).await
    }

    /// Removes the index and everything in it (tests clean up with this).
    pub async fn delete(self) -> Result<(), SearchError> {
        let task = self
            .index
            .clone()
            .delete()
            .await
            .map_err(|e| meili_error("deleting the index", e))?;
        self.awaited(task, "deleting the index").await
    }

    /// Waits for `task` and names its failure.
    async fn awaited(&self, task: TaskInfo, what: &str) -> Result<(), SearchError> {
        let done = task
            .wait_for_completion(&self.client, Some(TASK_POLL), Some(TASK_WAIT))
            .await
            .map_err(|e| meili_error(what, e))?;
        match done {
            Task::Failed { content } => Err(meili_error(what, content.error)),
            _ => Ok(()),
        }
    }

    /// Every document matching `filter`, with only `fields`.
    async fn documents_where(
        &self,
        filter: &str,
        fields: &[&str],
    ) -> Result<Vec<MeiliDocument>, SearchError> {
        let mut found = Vec::new();
        loop {
            let mut query = DocumentsQuery::new(&self.index);
            query
                .with_filter(filter)
                .with_fields(fields.iter().copied())
                .with_limit(PAGE)
                .with_offset(found.len());
            let page = self
                .index
                .get_documents_with::<MeiliDocument>(&query)
                .await
                .map_err(|e| meili_error("reading documents", e))?;
            let last = page.results.len() < PAGE;
            found.extend(page.results);
            if last {
                return Ok(found);
            }
        }
    }

    /// The documents of these streams, read in groups.
    async fn streams(
        &self,
        streams: &[i64],
        fields: &[&str],
    ) -> Result<Vec<MeiliDocument>, SearchError> {
        let mut found = Vec::new();
        for group in streams.chunks(STREAMS_PER_FILTER) {
            let filter = one_of("stream", group);
            found.extend(self.documents_where(&filter, fields).await?);
        }
        Ok(found)
    }
}

/// What the index is searched, filtered, sorted and counted by. Typos as in the embedded
/// index: one from 4 letters, two from 8, none in an NLIS id or a PIC (a typo there names
/// another animal) nor in a number.
fn index_settings() -> Settings {
    Settings::new()
        .with_searchable_attributes(SEARCHABLE)
        .with_filterable_attributes(FILTERABLE)
        .with_sortable_attributes(SORTABLE)
        .with_ranking_rules(RANKING_RULES)
        .with_typo_tolerance(TypoToleranceSettings {
            enabled: Some(true),
            disable_on_attributes: Some(TYPO_FREE.iter().map(|a| a.to_string()).collect()),
            disable_on_words: None,
            min_word_size_for_typos: Some(MinWordSizeForTypos {
                one_typo: Some(4),
                two_typos: Some(8),
            }),
            disable_on_numbers: Some(true),
        })
        .with_pagination(PaginationSetting {
            max_total_hits: MOST_COUNTED,
        })
}

fn folds_of(documents: Vec<MeiliDocument>) -> Result<Vec<SearchFold>, SearchError> {
    documents
        .into_iter()
        .filter_map(|document| {
            let stream = document.stream.unwrap_or_default();
            document.fold.map(|fold| {
                serde_json::from_str(&fold).map_err(|e| SearchError::Document {
                    stream,
                    reason: e.to_string(),
                })
            })
        })
        .collect()
}

fn facet(counts: Option<&HashMap<String, usize>>) -> Vec<FacetCount> {
    let mut out: Vec<FacetCount> = counts
        .into_iter()
        .flatten()
        .map(|(value, count)| FacetCount {
            value: value.clone(),
            count: *count as u64,
        })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then(a.value.cmp(&b.value)));
    out
}

#[async_trait::async_trait]
impl SearchIndex for MeiliIndex {
    async fn checkpoints(&self, topic: &str) -> Result<Vec<(i32, i64)>, SearchError> {
        let filter = format!(
            "{} AND topic = {}",
            of_kind(DocumentKind::Checkpoint),
            quoted(topic)
        );
        let mut positions: Vec<(i32, i64)> = self
            .documents_where(&filter, &["partition", "offset"])
            .await?
            .into_iter()
            .filter_map(|d| d.partition.zip(d.offset))
            .collect();
        positions.sort_unstable();
        Ok(positions)
    }

    async fn folds(&self, streams: &[i64]) -> Result<HashMap<i64, SearchFold>, SearchError> {
        let found = self.streams(streams, &["stream", "fold"]).await?;
        Ok(folds_of(found)?
            .into_iter()
            .map(|fold| (fold.stream_id(), fold))
            .collect())
    }

    async fn clients(&self, client_ids: &[i64]) -> Result<HashMap<i64, ClientState>, SearchError> {
        let mut clients = HashMap::new();
        for group in client_ids.chunks(STREAMS_PER_FILTER) {
            let filter = format!(
                "{} AND {}",
                of_kind(DocumentKind::Client),
                one_of("owner", group)
            );
            let found = self.documents_where(&filter, &["stream", "fold"]).await?;
            for fold in folds_of(found)? {
                if let Some(client) = fold.client() {
                    clients.insert(client.client_id, client.clone());
                }
            }
        }
        Ok(clients)
    }

    async fn owned_by(&self, client_id: i64) -> Result<Vec<SearchFold>, SearchError> {
        let filter = format!("{} AND owner = {client_id}", of_kind(DocumentKind::Animal));
        folds_of(self.documents_where(&filter, &["stream", "fold"]).await?)
    }

    /// One task adds the documents and the checkpoints, so they move together. A document
    /// whose stream the index already holds at a later sequence (another instance wrote
    /// it) is left out: an older state never replaces a newer.
    async fn write(
        &self,
        documents: Vec<SearchDocument>,
        checkpoints: Vec<SearchCheckpoint>,
    ) -> Result<(), SearchError> {
        let streams: Vec<i64> = documents.iter().map(|d| d.fold.stream_id()).collect();
        let held: HashMap<i64, u64> = self
            .streams(&streams, &["stream", "sequence"])
            .await?
            .into_iter()
            .filter_map(|d| d.stream.zip(d.sequence))
            .collect();
        let mut batch = Vec::with_capacity(documents.len() + checkpoints.len());
        for document in &documents {
            let newer_held = held
                .get(&document.fold.stream_id())
                .is_some_and(|sequence| *sequence > document.fold.head.sequence);
            if !newer_held {
                batch.push(MeiliDocument::of(document)?);
            }
        }
        batch.extend(checkpoints.iter().map(MeiliDocument::checkpoint));
        if batch.is_empty() {
            return Ok(());
        }
        let task = self
            .index
            .add_or_replace(&batch, Some(PRIMARY_KEY))
            .await
            .map_err(|e| meili_error("adding documents", e))?;
        self.awaited(task, "adding documents").await
    }

    async fn search(
        &self,
        request: &SearchRequest,
        owners: Option<&[i64]>,
    ) -> Result<SearchResults, SearchError> {
        if owners.is_some_and(|o| o.is_empty()) {
            return Ok(SearchResults::default());
        }
        let filter = search_filter(request, owners);
        let sort = search_sort(request);
        let text = request.text.trim();
        let mut query = self.index.search();
        query
            .with_filter(&filter)
            .with_facets(Selectors::Some(&FACETS[..]))
            .with_attributes_to_retrieve(Selectors::Some(&["hit"]))
            .with_page(1)
            .with_hits_per_page(request.limit as usize);
        if !text.is_empty() {
            query.with_query(text);
        }
        if !sort.is_empty() {
            query.with_sort(&sort);
        }
        let found = query
            .execute::<MeiliDocument>()
            .await
            .map_err(|e| meili_error("searching", e))?;
        let hits = found
            .hits
            .into_iter()
            .filter_map(|found| found.result.hit)
            .map(|mut hit| {
                hit.distance_km = request.near.and_then(|near| {
                    hit.location
                        .map(|place| distance_km((near.latitude, near.longitude), place))
                });
                hit
            })
            .collect();
        let facets = found.facet_distribution.unwrap_or_default();
        Ok(SearchResults {
            total: found.total_hits.or(found.estimated_total_hits).unwrap_or(0) as u64,
            hits,
            facets: SearchFacets {
                breed: facet(facets.get(FACETS[0])),
                sex: facet(facets.get(FACETS[1])),
                status: facet(facets.get(FACETS[2])),
                risk: facet(facets.get(FACETS[3])),
            },
        })
    }

    async fn documents(&self) -> Result<StoredDocuments, SearchError> {
        let filter = format!(
            "{} OR {}",
            of_kind(DocumentKind::Animal),
            of_kind(DocumentKind::Client)
        );
        let mut out = BTreeMap::new();
        for document in self
            .documents_where(&filter, &["stream", "fold", "hit"])
            .await?
        {
            let stream = document.stream.unwrap_or_default();
            let hit = match &document.hit {
                Some(hit) => {
                    Some(
                        serde_json::to_string(hit).map_err(|e| SearchError::Document {
                            stream,
                            reason: e.to_string(),
                        })?,
                    )
                }
                None => None,
            };
            out.insert(stream, (document.fold.unwrap_or_default(), hit));
        }
        Ok(out)
    }

    async fn ping(&self) -> Result<String, SearchError> {
        let stats = self
            .index
            .get_stats()
            .await
            .map_err(|e| meili_error("index stats", e))?;
        Ok(format!(
            "Meilisearch answers (index {}, {} documents)",
            self.index.uid, stats.number_of_documents
        ))
    }

    fn kind(&self) -> &'static str {
        "meilisearch"
    }
}
