//! Rebuilding the embedded search index blue/green: a new generation of the index is replayed
//! from the log beside the one in use while a searcher keeps asking; it never gets an empty
//! or smaller answer, the rebuilt index answers every search as before, the replaced
//! generation is removed, and later animals are found in the rebuilt one. A cancelled
//! rebuild leaves the index in use as it was and its copy gone.
use crate::support;

use support::rebuilds::{followed_to_the_end, rebuild_call};

use domain::Role;
use reqwest::Method;
use serde_json::{json, Value};
use std::path::Path;
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
    let search_dir = settings.data_dir.join("search");
    let server = support::start(&settings).await;
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
    let first_generation = generation_in_use(&search_dir);

    // A cancelled rebuild: the copy goes, the index in use stays.
    assert_eq!(
        rebuild_call(&admin, &base, Method::POST, "search_index")
            .await
            .status(),
        202
    );
    assert_eq!(
        rebuild_call(&admin, &base, Method::DELETE, "search_index")
            .await
            .status(),
        202
    );
    let (run, _) = followed_to_the_end(&admin, &base, "search_index").await;
    assert_eq!(run["state"], "CANCELLED", "{run}");
    assert_eq!(
        generations(&search_dir),
        std::slice::from_ref(&first_generation)
    );
    assert_eq!(answers(&assessor, &base).await, before);

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

    let rebuilt_generation = generation_in_use(&search_dir);
    assert_ne!(rebuilt_generation, first_generation);
    assert_eq!(
        generations(&search_dir),
        [rebuilt_generation],
        "the old generation is removed"
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
