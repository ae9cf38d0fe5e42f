//! The search index's contract, run against every adapter this machine can reach: the
//! embedded index always, and a Meilisearch server when `ICATTLE_TEST_MEILI_URL` names one
//! (each test in an index of its own, deleted after), over a herd the golden record holds
//! too, so every answer is checked against SQL over the same animals.
use crate::support;

use app::model::{NearPlace, SearchHit, SearchRequest, SearchResults, SearchSort, MOST_HITS};
use domain::{CattleStatus, RiskLevel, Sex};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use server::cache::{MemoryCache, SharedCache};
use server::keys::TrustedKeys;
use server::search::text_query::distance_km;
use server::search::{EmbeddedIndex, MeiliIndex, SearchIndex, SearchView, SharedSearch};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;
use support::herd_history::{herd_history, Dice};
use support::views::{spawn, Views};

const WITHIN: Duration = Duration::from_secs(300);
/// Fewer animals than one search answers, so every answer can be compared whole.
const ANIMALS: u32 = 90;

/// One animal as the golden record holds it.
#[derive(Debug, Clone)]
struct Row {
    id: i64,
    nlis: String,
    breed: String,
    sex: String,
    status: String,
    risk: String,
    owner: i64,
    value: Option<i64>,
    updated: String,
    place: Option<(f64, f64)>,
}

async fn golden_rows(db: &DatabaseConnection) -> Vec<Row> {
    let rows = db
        .query_all(Statement::from_string(
            db.get_database_backend(),
            "SELECT id, nlis_id, breed, sex, status, risk_level, client_id, current_valuation, \
             state->>'updated_at' AS updated, \
             (state->'last_location'->>'latitude')::float8 AS lat, \
             (state->'last_location'->>'longitude')::float8 AS lon FROM cattle",
        ))
        .await
        .expect("the golden record answers");
    rows.iter()
        .map(|r| {
            let lat: Option<f64> = r.try_get("", "lat").expect("lat");
            let lon: Option<f64> = r.try_get("", "lon").expect("lon");
            Row {
                id: r.try_get("", "id").expect("id"),
                nlis: r.try_get("", "nlis_id").expect("nlis"),
                breed: r.try_get("", "breed").expect("breed"),
                sex: r.try_get("", "sex").expect("sex"),
                status: r.try_get("", "status").expect("status"),
                risk: r.try_get("", "risk_level").expect("risk"),
                owner: r.try_get("", "client_id").expect("owner"),
                value: r.try_get("", "current_valuation").expect("value"),
                updated: r.try_get("", "updated").expect("updated"),
                place: lat.zip(lon),
            }
        })
        .collect()
}

fn ids(hits: &[SearchHit]) -> BTreeSet<i64> {
    hits.iter().map(|h| h.cattle_id).collect()
}

fn ids_of<'a>(rows: impl Iterator<Item = &'a Row>) -> BTreeSet<i64> {
    rows.map(|r| r.id).collect()
}

fn all(mut request: SearchRequest) -> SearchRequest {
    request.limit = MOST_HITS;
    request
}

async fn search(index: &dyn SearchIndex, request: &SearchRequest) -> SearchResults {
    index
        .search(request, None)
        .await
        .expect("the index answers")
}

/// Every clause of the contract, on `index` holding the herd `rows` describe.
async fn contract(index: &dyn SearchIndex, rows: &[Row]) {
    assert_eq!(rows.len(), ANIMALS as usize);
    let everything = search(index, &all(SearchRequest::for_text(""))).await;
    assert_eq!(everything.total, rows.len() as u64);
    assert_eq!(ids(&everything.hits), ids_of(rows.iter()));

    // A typo while typing a breed.
    let angus = ids_of(rows.iter().filter(|r| r.breed == "Angus"));
    assert!(!angus.is_empty());
    let typo = search(index, &all(SearchRequest::for_text("angsu"))).await;
    assert_eq!(ids(&typo.hits), angus, "\"angsu\" finds the Angus animals");
    let started = search(index, &all(SearchRequest::for_text("Here"))).await;
    assert_eq!(
        ids(&started.hits),
        ids_of(rows.iter().filter(|r| r.breed == "Hereford")),
        "the start of a word finds it"
    );

    // An NLIS id by its start: the whole herd shares the first letters, one animal the rest.
    let one = &rows[17];
    let shared = search(index, &all(SearchRequest::for_text(&one.nlis[..9]))).await;
    assert_eq!(shared.total, rows.len() as u64);
    let prefix = &one.nlis[..one.nlis.len() - 1];
    let found = search(index, &all(SearchRequest::for_text(prefix))).await;
    assert!(
        ids(&found.hits).contains(&one.id),
        "{prefix} finds {}",
        one.nlis
    );
    assert!(found.total <= 10, "{prefix} is nearly the whole id");
    let whole = search(index, &SearchRequest::for_text(&one.nlis.to_lowercase())).await;
    assert_eq!(whole.hits.first().map(|h| h.cattle_id), Some(one.id));

    // Filters agree with SQL, alone and together, and so do the facet counts.
    for sex in Sex::ALL {
        let request = SearchRequest {
            sex: Some(*sex),
            ..all(SearchRequest::for_text(""))
        };
        let found = search(index, &request).await;
        assert_eq!(
            ids(&found.hits),
            ids_of(rows.iter().filter(|r| r.sex == sex.as_str()))
        );
    }
    for status in CattleStatus::ALL {
        let request = SearchRequest {
            status: Some(*status),
            ..all(SearchRequest::for_text(""))
        };
        let found = search(index, &request).await;
        assert_eq!(
            ids(&found.hits),
            ids_of(rows.iter().filter(|r| r.status == status.as_str()))
        );
    }
    for risk in RiskLevel::ALL {
        let request = SearchRequest {
            risk: Some(*risk),
            breed: Some("Wagyu".into()),
            ..all(SearchRequest::for_text(""))
        };
        let found = search(index, &request).await;
        let expected = rows
            .iter()
            .filter(|r| r.risk == risk.as_str() && r.breed == "Wagyu");
        assert_eq!(
            ids(&found.hits),
            ids_of(expected),
            "risk {risk} among Wagyu"
        );
    }
    let mut breeds: BTreeMap<String, u64> = BTreeMap::new();
    for row in rows {
        *breeds.entry(row.breed.clone()).or_default() += 1;
    }
    let facets: BTreeMap<String, u64> = everything
        .facets
        .breed
        .iter()
        .map(|f| (f.value.clone(), f.count))
        .collect();
    assert_eq!(facets, breeds, "breed facet counts");
    let statuses: u64 = everything.facets.status.iter().map(|f| f.count).sum();
    assert_eq!(statuses, rows.len() as u64);

    // Sorts agree with SQL (compared by their keys: ties may come in any order).
    let values = |sort| async move {
        let request = SearchRequest {
            sort,
            ..all(SearchRequest::for_text(""))
        };
        let found = search(index, &request).await;
        found.hits.iter().map(|h| h.value_cents).collect::<Vec<_>>()
    };
    let mut high: Vec<Option<i64>> = rows.iter().map(|r| r.value).collect();
    high.sort_by(|a, b| match (a, b) {
        (Some(a), Some(b)) => b.cmp(a),
        (a, b) => b.is_some().cmp(&a.is_some()),
    });
    assert_eq!(
        values(SearchSort::ValueHigh).await,
        high,
        "highest value first, unvalued last"
    );
    let mut low: Vec<Option<i64>> = rows.iter().map(|r| r.value).collect();
    low.sort_by(|a, b| match (a, b) {
        (Some(a), Some(b)) => a.cmp(b),
        (a, b) => b.is_some().cmp(&a.is_some()),
    });
    assert_eq!(
        values(SearchSort::ValueLow).await,
        low,
        "lowest value first, unvalued last"
    );
    let newest = search(
        index,
        &SearchRequest {
            sort: SearchSort::Newest,
            ..all(SearchRequest::for_text(""))
        },
    )
    .await;
    let mut updated: Vec<String> = rows.iter().map(|r| r.updated.clone()).collect();
    updated.sort_by(|a, b| b.cmp(a));
    let shown: Vec<String> = newest.hits.iter().map(|h| h.updated_at.clone()).collect();
    assert_eq!(shown, updated, "latest change first");

    // Within a circle, as the great-circle distance from the golden record's places says.
    let centre = (-27.05, 151.05);
    let near = NearPlace {
        latitude: centre.0,
        longitude: centre.1,
        km: 4.0,
    };
    let found = search(
        index,
        &SearchRequest {
            near: Some(near),
            ..all(SearchRequest::for_text(""))
        },
    )
    .await;
    let inside = rows
        .iter()
        .filter(|r| r.place.is_some_and(|p| distance_km(centre, p) <= near.km));
    let inside = ids_of(inside);
    assert!(
        !inside.is_empty() && inside.len() < rows.len(),
        "{} inside",
        inside.len()
    );
    assert_eq!(ids(&found.hits), inside);
    assert!(found
        .hits
        .iter()
        .all(|h| h.distance_km.is_some_and(|d| d <= 4.0)));

    // Owners: the server's filter. Another farmer's animal never comes back.
    for owners in [vec![1], vec![2, 4], vec![]] {
        let found = index
            .search(&all(SearchRequest::for_text("")), Some(&owners))
            .await
            .expect("the index answers");
        assert_eq!(
            ids(&found.hits),
            ids_of(rows.iter().filter(|r| owners.contains(&r.owner)))
        );
        let typed = index
            .search(&all(SearchRequest::for_text("station")), Some(&owners))
            .await
            .expect("the index answers");
        assert!(typed
            .hits
            .iter()
            .all(|h| owners.contains(&h.owner_client_id)));
    }
    // The owner's PIC is searchable, and the owner's name shown.
    let station = search(index, &all(SearchRequest::for_text("qabc0003"))).await;
    assert_eq!(
        ids(&station.hits),
        ids_of(rows.iter().filter(|r| r.owner == 3))
    );
    assert!(station
        .hits
        .iter()
        .all(|h| h.owner_name.as_deref() == Some("Station 3")));
}

/// An index the contract runs against.
#[derive(Clone)]
enum Adapter {
    /// The embedded index, in a directory of the test's data.
    Embedded,
    /// A Meilisearch server, at this URL with this key.
    Meili(String, Option<String>),
}

impl Adapter {
    /// The Meilisearch server `ICATTLE_TEST_MEILI_URL` (and `ICATTLE_TEST_MEILI_KEY`) name.
    fn meili() -> Option<Self> {
        let url = std::env::var("ICATTLE_TEST_MEILI_URL").ok()?;
        Some(Self::Meili(
            url,
            std::env::var("ICATTLE_TEST_MEILI_KEY").ok(),
        ))
    }

    /// A new, empty index of this kind named after `name`, with what removes it.
    async fn open(&self, settings: &support::TestSettings, name: &str) -> Opened {
        match self {
            Self::Embedded => {
                let index = EmbeddedIndex::open(&settings.data_dir.join(name)).expect("an index");
                Opened(Arc::new(index), None)
            }
            Self::Meili(url, key) => {
                let uid = support::unique(name);
                let index = MeiliIndex::connect(url, key.as_deref(), &uid)
                    .await
                    .expect("the Meilisearch server answers");
                Opened(Arc::new(index.clone()), Some(index))
            }
        }
    }
}

/// An index a test opened; a Meilisearch one is deleted by `close`.
struct Opened(SharedSearch, Option<MeiliIndex>);

impl Opened {
    async fn close(self) {
        if let Some(meili) = self.1 {
            meili.delete().await.expect("the test's index is deleted");
        }
    }
}

/// The herd the contract searches: in the log, in the golden record, and the offsets the
/// views must reach.
struct Herd {
    settings: support::TestSettings,
    views: Views,
    trusted: TrustedKeys,
    last: BTreeMap<i32, i64>,
    rows: Vec<Row>,
}

async fn the_herd(label: &str) -> Herd {
    let settings = support::settings(label).await;
    let key = support::test_key();
    let cache: SharedCache = Arc::new(MemoryCache::new());
    let trusted = TrustedKeys::new([key.public_key_hex()]);
    let views = Views::new(&settings, cache, trusted.clone()).await;
    let (messages, _) = herd_history(&key, &support::test_key(), ANIMALS, 8, 15);
    let last = views.publish(&messages).await;
    let golden = views.start_golden();
    views.caught_up(&views.golden, &last, WITHIN).await;
    golden.abort();
    let rows = golden_rows(&views.db).await;
    Herd {
        settings,
        views,
        trusted,
        last,
        rows,
    }
}

/// Indexes the herd into a new index of `adapter` and runs the contract on it.
async fn contract_on(herd: &Herd, adapter: &Adapter, name: &str) {
    let opened = adapter.open(&herd.settings, name).await;
    let view = SearchView::new(opened.0.clone(), herd.trusted.clone());
    let consumer = spawn(view.clone(), herd.views.source(name));
    herd.views.caught_up(&view, &herd.last, WITHIN).await;
    consumer.abort();
    contract(opened.0.as_ref(), &herd.rows).await;
    opened.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_search_index_keeps_the_contract() {
    let herd = the_herd("search_contract").await;
    contract_on(&herd, &Adapter::Embedded, "search-embedded").await;
    match Adapter::meili() {
        Some(meili) => contract_on(&herd, &meili, "search-meili").await,
        None => println!(
            "search contract: the Meilisearch half was not run (ICATTLE_TEST_MEILI_URL is not set)"
        ),
    }
}

/// Kills the search consumer ten times while 5,000 events arrive, then compares the index
/// with one built in a single pass.
async fn killed_ten_times_equals_a_clean_rebuild(adapter: &Adapter, label: &str) {
    let settings = support::settings(label).await;
    let key = support::test_key();
    let trusted = TrustedKeys::new([key.public_key_hex()]);
    let views = Views::new(&settings, Arc::new(MemoryCache::new()), trusted.clone()).await;
    let (messages, _) = herd_history(&key, &support::test_key(), 250, 20, 77);
    assert!(messages.len() >= 5_000, "{} messages", messages.len());
    let killed = adapter.open(&settings, "search-killed").await;
    let view = SearchView::new(killed.0.clone(), trusted.clone());
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| d.as_nanos() as u64);
    println!("kill timings from seed {seed}");
    let mut dice = Dice(seed | 1);
    let chunks: Vec<&[support::herd_history::Message]> =
        messages.chunks(messages.len() / 10 + 1).collect();
    let mut last = BTreeMap::new();
    let mut consumer = spawn(view.clone(), views.source("search-index"));
    for chunk in chunks {
        for (partition, offset) in views.publish(chunk).await {
            last.insert(partition, offset);
        }
        tokio::time::sleep(Duration::from_millis(50 + dice.roll(700))).await;
        consumer.abort();
        let _ = consumer.await;
        consumer = spawn(view.clone(), views.source("search-index"));
    }
    views.caught_up(&view, &last, WITHIN).await;
    consumer.abort();
    let _ = consumer.await;
    let topic = views.topics.cattle_events();
    let documents = killed.0.documents().await.expect("the documents");
    let checkpoints = killed.0.checkpoints(&topic).await.expect("checkpoints");

    let rebuilt = adapter.open(&settings, "search-rebuilt").await;
    let clean = SearchView::new(rebuilt.0.clone(), trusted);
    let consumer = spawn(clean.clone(), views.source("search-index-rebuild"));
    views.caught_up(&clean, &last, WITHIN).await;
    consumer.abort();
    let _ = consumer.await;
    assert_eq!(documents.len(), 255, "250 animals and 5 clients");
    assert!(
        documents == rebuilt.0.documents().await.expect("the documents"),
        "the killed index equals a clean rebuild"
    );
    assert_eq!(
        checkpoints,
        rebuilt.0.checkpoints(&topic).await.expect("checkpoints")
    );
    killed.close().await;
    rebuilt.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_search_consumer_killed_ten_times_ends_equal_to_a_clean_rebuild() {
    killed_ten_times_equals_a_clean_rebuild(&Adapter::Embedded, "search_kills").await;
    match Adapter::meili() {
        Some(meili) => killed_ten_times_equals_a_clean_rebuild(&meili, "search_kills_meili").await,
        None => println!(
            "search kills: the Meilisearch half was not run (ICATTLE_TEST_MEILI_URL is not set)"
        ),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn through_the_api_a_farmer_finds_only_their_own_animals_and_mistakes_are_named() {
    let settings = support::settings("search_api").await;
    let server = support::start(&settings).await;
    let base = format!("http://{}", server.addr);
    let (mine, _) = support::farmer_with_clients(&server, &[71]).await;
    let (theirs, _) = support::farmer_with_clients(&server, &[72]).await;
    for (http, client, n) in [(&mine, 71, 7101), (&theirs, 72, 7201)] {
        let response = http
            .post(format!("{base}/api/commands?wait=applied&timeout_ms=20000"))
            .json(
                &serde_json::json!({"type": "CREATE_CATTLE", "data": {"nlisId": support::nlis(n),
                "breed": "Angus", "sex": "MALE", "clientId": client}}),
            )
            .send()
            .await
            .expect("the API answers");
        assert_eq!(response.status(), 200);
    }
    let assessor = support::api_client(&support::signed_in(&server, domain::Role::Assessor).await);
    let everyone: serde_json::Value = support::eventually(WITHIN, "both animals indexed", || {
        let (assessor, base) = (&assessor, &base);
        async move {
            let found: serde_json::Value = assessor
                .get(format!("{base}/api/search?q=angsu"))
                .send()
                .await
                .ok()?
                .json()
                .await
                .ok()?;
            (found["total"] == 2).then_some(found)
        }
    })
    .await;
    assert_eq!(everyone["facets"]["breed"][0]["count"], 2);

    let own: serde_json::Value =
        support::json_answer(mine.get(format!("{base}/api/search?q=angsu"))).await;
    assert_eq!(own["total"], 1);
    assert_eq!(own["hits"][0]["nlis_id"], support::nlis(7101));
    assert_eq!(own["hits"][0]["owner_name"], "Test station 71");

    for (query, field) in [
        ("q=angus&colour=red", "colour"),
        ("sex=STEER", "sex"),
        ("lat=-27.4&lon=153", "km"),
        ("limit=1000", "limit"),
        ("q=a&q=b", "q"),
    ] {
        let response = mine
            .get(format!("{base}/api/search?{query}"))
            .send()
            .await
            .expect("the API answers");
        assert_eq!(response.status(), 400, "{query}");
        let body: serde_json::Value = response.json().await.expect("JSON");
        assert_eq!(body["errors"][0]["field"], field, "{query}: {body}");
    }
}
