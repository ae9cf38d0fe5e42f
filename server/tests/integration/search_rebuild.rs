//! Rebuilding the search index blue/green: a new index is replayed from the log beside the
//! one in use while a searcher keeps asking; it never gets an empty or smaller answer, the
//! rebuilt index answers every search as before, the replaced one is removed, and later
//! animals are found in the rebuilt one. A cancelled rebuild leaves the index in use as it
//! was and its copy gone. The embedded index always; a Meilisearch server (its index swap)
//! when `ICATTLE_TEST_MEILI_URL` names one.
use crate::support;

use support::rebuilds::{followed_to_the_end, rebuild_call};

use domain::Role;
use reqwest::Method;
use serde_json::{json, Value};
use server::search::MeiliIndex;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

const ANIMALS: u32 = 24;

fn generation_in_use(search_dir: &Path) -> String {
    std::fs::read_to_string(search_dir.join("current"))
        .expect("the generation in use is named")
        .trim()
        .to_string()
}

fn generations(search_dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(search_dir)
        .expect("the search directory")
        .flatten()
        .filter(|entry| entry.path().is_dir())
        .filter_map(|entry| entry.file_name().to_str().map(str::to_string))
        .collect();
    names.sort();
    names
}

/// Where the index under test is kept.
enum Place {
    /// The embedded index's generations in this directory.
    Embedded(PathBuf),
    /// The index `uid` on the Meilisearch server at `url`, with `key`.
    Meili {
        url: String,
        key: Option<String>,
        uid: String,
    },
}

impl Place {
    /// What is kept: the embedded index's generations, or the Meilisearch indexes of the
    /// test (the one in use, and its copy while one exists).
    async fn kept(&self) -> Vec<String> {
        match self {
            Place::Embedded(dir) => generations(dir),
            Place::Meili { url, key, uid } => {
                let mut kept = Vec::new();
                for name in [uid.clone(), format!("{uid}_rebuild")] {
                    let mut asked = reqwest::Client::new().get(format!("{url}/indexes/{name}"));
                    if let Some(key) = key {
                        asked = asked.bearer_auth(key);
                    }
                    let answer = asked.send().await.expect("the Meilisearch server answers");
                    if answer.status().is_success() {
                        kept.push(name);
                    }
                }
                kept
            }
        }
    }

    /// What names the index in use: the embedded generation, or the Meilisearch index
    /// (whose name a swap keeps).
    fn in_use(&self) -> String {
        match self {
            Place::Embedded(dir) => generation_in_use(dir),
            Place::Meili { uid, .. } => uid.clone(),
        }
    }

    /// Removes what the test left on a Meilisearch server.
    async fn clean_up(&self) {
        if let Place::Meili { url, key, uid } = self {
            if let Ok(index) = MeiliIndex::connect(url, key.as_deref(), uid).await {
                index.delete().await.expect("the index is deleted");
            }
        }
    }
}

/// The totals and hit ids of the searches the test asks.
async fn answers(http: &reqwest::Client, base: &str) -> Vec<(u64, Vec<i64>)> {
    let mut all = Vec::new();
    for query in ["q=angus", "q=wagyu", "q=3RBLD", "breed=Angus&sort=newest"] {
        let found = support::json_answer(http.get(format!("{base}/api/search?{query}"))).await;
        let ids = found["hits"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|hit| hit["cattle_id"].as_i64())
            .collect();
        all.push((found["total"].as_u64().unwrap_or_default(), ids));
    }
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_search_index_is_rebuilt_beside_the_one_in_use_and_searches_never_go_empty() {
    let settings = support::settings("search_rebuild").await;
    let place = Place::Embedded(settings.data_dir.join("search"));
    rebuilt_under_a_searcher(&settings, &place).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_meilisearch_index_is_rebuilt_beside_the_one_in_use_and_swapped_by_the_server() {
    let Ok(url) = std::env::var("ICATTLE_TEST_MEILI_URL") else {
        eprintln!(
            "search rebuild: the Meilisearch half was not run (ICATTLE_TEST_MEILI_URL is not set)"
        );
        return;
    };
    let mut settings = support::settings("meili_rebuild").await;
    let place = Place::Meili {
        url: url.clone(),
        key: std::env::var("ICATTLE_TEST_MEILI_KEY").ok(),
        uid: support::unique("meili_rebuild"),
    };
    if let Place::Meili { key, uid, .. } = &place {
        settings.0.meili_url = Some(url);
        settings.0.meili_key = key.clone();
        settings.0.meili_index = uid.clone();
    }
    rebuilt_under_a_searcher(&settings, &place).await;
    place.clean_up().await;
}

/// A cancelled rebuild leaves the index in use and its answers as they were, and no copy.
async fn cancelled_leaves_the_index_as_it_was(
    admin: &reqwest::Client,
    assessor: &reqwest::Client,
    base: &str,
    place: &Place,
    before: &[(u64, Vec<i64>)],
) {
    let (first, kept_before) = (place.in_use(), place.kept().await);
    assert_eq!(
        rebuild_call(admin, base, Method::POST, "search_index")
            .await
            .status(),
        202
    );
    assert_eq!(
        rebuild_call(admin, base, Method::DELETE, "search_index")
            .await
            .status(),
        202
    );
    let (run, _) = followed_to_the_end(admin, base, "search_index").await;
    assert_eq!(run["state"], "CANCELLED", "{run}");
    assert_eq!(place.kept().await, kept_before, "the copy is gone");
    assert_eq!(place.in_use(), first);
    assert_eq!(answers(assessor, base).await, before);
}

/// A cancelled rebuild, then one under a searcher, of the index kept at `place`.
async fn rebuilt_under_a_searcher(settings: &support::TestSettings, place: &Place) {
    let server = support::start(settings).await;
    let base = format!("http://{}", server.addr);
    let admin = support::api_client(&support::signed_in(&server, Role::Admin).await);
    let assessor = support::api_client(&support::signed_in(&server, Role::Assessor).await);
    let (farmer, _) = support::farmer_with_clients(&server, &[63]).await;
    for n in 0..ANIMALS {
        let breed = if n % 3 == 0 { "Wagyu" } else { "Angus" };
        support::applied_command(&server, &farmer, json!({"type": "CREATE_CATTLE",
            "data": {"nlisId": format!("3RBLD{:011}", n), "breed": breed, "sex": "FEMALE", "clientId": 63}}))
        .await;
    }
    let angus = ANIMALS as u64 - ANIMALS.div_ceil(3) as u64;
    support::eventually(
        Duration::from_secs(20),
        "the index holds the herd",
        || async {
            let found =
                support::json_answer(assessor.get(format!("{base}/api/search?q=angus"))).await;
            (found["total"].as_u64() == Some(angus)).then_some(())
        },
    )
    .await;
    let before = answers(&assessor, &base).await;
    let first = place.in_use();
    cancelled_leaves_the_index_as_it_was(&admin, &assessor, &base, place, &before).await;

    // A searcher asks all along the rebuild; every answer must hold the whole herd.
    let stop = Arc::new(AtomicBool::new(false));
    let asked = Arc::new(AtomicU64::new(0));
    let searcher = tokio::spawn({
        let (stop, asked, http, base) =
            (stop.clone(), asked.clone(), assessor.clone(), base.clone());
        async move {
            let mut short = Vec::new();
            while !stop.load(Ordering::SeqCst) {
                let found: Value =
                    support::json_answer(http.get(format!("{base}/api/search?q=angus"))).await;
                asked.fetch_add(1, Ordering::SeqCst);
                if found["total"].as_u64() != Some(angus) {
                    short.push(found["total"].clone());
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            short
        }
    });
    assert_eq!(
        rebuild_call(&admin, &base, Method::POST, "search_index")
            .await
            .status(),
        202
    );
    let (run, _) = followed_to_the_end(&admin, &base, "search_index").await;
    assert_eq!(run["state"], "FINISHED", "{run}");
    stop.store(true, Ordering::SeqCst);
    let short = searcher.await.expect("the searcher ran");
    assert!(
        short.is_empty(),
        "searches answered fewer animals: {short:?}"
    );
    assert!(asked.load(Ordering::SeqCst) > 0);

    let rebuilt = place.in_use();
    if let Place::Embedded(_) = place {
        assert_ne!(rebuilt, first, "a new generation is in use");
    }
    assert_eq!(
        place.kept().await,
        [rebuilt],
        "the replaced index is removed"
    );
    assert_eq!(answers(&assessor, &base).await, before);

    // The live view goes on writing into the rebuilt index.
    support::applied_command(
        &server,
        &farmer,
        json!({"type": "CREATE_CATTLE",
        "data": {"nlisId": "3RBLDLATER000001", "breed": "Angus", "sex": "MALE", "clientId": 63}}),
    )
    .await;
    support::eventually(
        Duration::from_secs(20),
        "the later animal is found",
        || async {
            let found =
                support::json_answer(assessor.get(format!("{base}/api/search?q=3RBLDLATER000001")))
                    .await;
            (found["total"].as_u64() == Some(1)).then_some(())
        },
    )
    .await;
    server.stop().await;
}
