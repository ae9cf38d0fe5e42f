//! The embedded search index over a generated herd: how fast the view's batches are
//! indexed, and how long a mix of searches people make takes.
use super::latency::{Latencies, Percentiles};
use app::model::{NearPlace, SearchRequest, SearchSort};
use domain::{
    CattleId, CattleState, CattleStatus, ChainHead, ClientState, LocationFix, RiskLevel, Sex,
    StreamState,
};
use indicatif::ProgressBar;
use server::search::{EmbeddedIndex, SearchCheckpoint, SearchDocument, SearchFold, SearchIndex};
use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

/// Documents per write, as the view's batches hold at most.
const BATCH: usize = 1000;
/// Owners the generated herd is spread over.
const OWNERS: i64 = 50;
const BREEDS: [&str; 8] = [
    "Angus",
    "Hereford",
    "Wagyu",
    "Brahman",
    "Charolais",
    "Murray Grey",
    "Droughtmaster",
    "Limousin",
];

/// What the search rows report.
pub struct SearchFigures {
    /// Animals indexed per second, written in the view's batches (each a commit).
    pub indexed_per_s: f64,
    /// One search of the mix, end to end through the port.
    pub queries: Percentiles,
}

/// A few spare bits of `n`, mixed.
fn mix(n: u64) -> u64 {
    let mut x = n.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xA5A5_A5A5;
    x ^= x >> 31;
    x.wrapping_mul(0xBF58_476D_1CE4_E5B9) >> 7
}

fn nlis(n: usize) -> String {
    format!("BENCH{n:011}")
}

fn animal(n: usize) -> SearchFold {
    let r = mix(n as u64);
    let owner = 1 + (r % OWNERS as u64) as i64;
    let at = format!(
        "2026-{:02}-{:02}T08:00:00.000Z",
        1 + r % 12,
        1 + (r >> 8) % 28
    );
    let state = CattleState {
        cattle_id: CattleId::for_nlis(&nlis(n)),
        nlis_id: nlis(n),
        breed: BREEDS[(r >> 4) as usize % BREEDS.len()].into(),
        sex: if r.is_multiple_of(2) {
            Sex::Female
        } else {
            Sex::Male
        },
        birth_date: None,
        client_id: owner,
        status: if r.is_multiple_of(17) {
            CattleStatus::Sold
        } else {
            CattleStatus::Active
        },
        current_valuation: (!r.is_multiple_of(5)).then(|| 80_000 + (r >> 12) as i64 % 400_000),
        valuation_method: None,
        valued_at: None,
        health_record_count: 1,
        last_health: None,
        weight_kg: None,
        last_location: Some(LocationFix {
            latitude: -25.0 - ((r >> 16) % 1000) as f64 / 100.0,
            longitude: 140.0 + ((r >> 26) % 1000) as f64 / 100.0,
            pic: None,
            paddock: None,
            at: at.clone(),
        }),
        verifications: Vec::new(),
        open_alerts: Vec::new(),
        confirmed_suspicions: Vec::new(),
        suspicions: Vec::new(),
        confidence_score: 40,
        risk_level: if r.is_multiple_of(7) {
            RiskLevel::Medium
        } else {
            RiskLevel::High
        },
        transfer_count: 0,
        recent_transfers: Vec::new(),
        created_at: at.clone(),
        updated_at: at,
        sequence: 3,
        pending_transfer: None,
        mob: None,
        withholding_until: None,
    };
    SearchFold {
        head: ChainHead::default(),
        state: StreamState::Cattle(state),
        health_notes: vec![format!("vaccination 7-in-1 booster batch {}", r % 90)],
    }
}

fn owners() -> HashMap<i64, ClientState> {
    (1..=OWNERS)
        .map(|id| {
            let pic = format!("QBEN{id:04}");
            let client = ClientState {
                aggregate_id: CattleId::for_client_pic(&pic),
                client_id: id,
                name: format!("Station {id}"),
                pic,
                registered_at: "2026-01-01T00:00:00.000Z".into(),
                sequence: 1,
            };
            (id, client)
        })
        .collect()
}

/// The searches timed, in turn: a typo, the start of a word, an NLIS prefix, an owner,
/// filters, a place, an order, a farmer's own herd.
fn searches(animals: usize) -> Vec<(SearchRequest, Option<Vec<i64>>)> {
    let text = SearchRequest::for_text;
    let one = nlis(animals / 3);
    vec![
        (text("angsu"), None),
        (text("here"), None),
        (text(&one[..one.len() - 2]), None),
        (text("station 17"), None),
        (
            SearchRequest {
                breed: Some("Wagyu".into()),
                status: Some(CattleStatus::Active),
                ..text("")
            },
            None,
        ),
        (
            SearchRequest {
                near: Some(NearPlace {
                    latitude: -30.0,
                    longitude: 145.0,
                    km: 50.0,
                }),
                ..text("")
            },
            None,
        ),
        (
            SearchRequest {
                sort: SearchSort::ValueHigh,
                ..text("booster")
            },
            None,
        ),
        (text("charolias"), Some(vec![3, 9, 27])),
    ]
}

/// Indexes `animals` animals into a fresh index in `dir`, then times `queries` searches.
pub async fn measure(
    dir: &Path,
    animals: usize,
    queries: usize,
    progress: &ProgressBar,
) -> anyhow::Result<SearchFigures> {
    let index = EmbeddedIndex::open(dir)?;
    let clients = owners();
    progress.set_length(animals as u64);
    let started = Instant::now();
    let mut client_documents: Vec<SearchDocument> = clients
        .values()
        .map(|c| {
            SearchDocument::of(
                SearchFold {
                    head: ChainHead::default(),
                    state: StreamState::Client(c.clone()),
                    health_notes: Vec::new(),
                },
                &clients,
            )
        })
        .collect();
    for (n, first) in (0..animals).step_by(BATCH).enumerate() {
        let mut documents = std::mem::take(&mut client_documents);
        documents.extend(
            (first..(first + BATCH).min(animals)).map(|a| SearchDocument::of(animal(a), &clients)),
        );
        let checkpoint = SearchCheckpoint {
            topic: "bench".into(),
            partition: 0,
            offset: n as i64,
        };
        index.write(documents, vec![checkpoint]).await?;
        progress.set_position((first + BATCH).min(animals) as u64);
    }
    let indexed_per_s = animals as f64 / started.elapsed().as_secs_f64().max(1e-9);
    let everything = index.search(&SearchRequest::for_text(""), None).await?;
    anyhow::ensure!(
        everything.total == animals as u64,
        "the index holds {} animals, not {animals}",
        everything.total
    );
    let mix = searches(animals);
    let mut samples = Latencies::new();
    progress.set_position(0);
    progress.set_length(queries as u64);
    for n in 0..queries {
        let (request, owners) = &mix[n % mix.len()];
        let started = Instant::now();
        let found = index.search(request, owners.as_deref()).await?;
        samples.record(started.elapsed());
        anyhow::ensure!(found.total > 0, "{request:?} found nothing");
        progress.inc(1);
    }
    Ok(SearchFigures {
        indexed_per_s,
        queries: samples.percentiles(),
    })
}
