//! What the Meilisearch index holds and how a search is asked of it: one document per
//! stream (animal or client) and one per topic partition's checkpoint, all in the index
//! `cattle`, so a batch's documents and checkpoints go in one task and move together.

use super::search_fold::SearchDocument;
use super::search_index::{SearchCheckpoint, SearchError};
use app::model::{SearchHit, SearchRequest, SearchSort};
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

/// The oldest Meilisearch whose settings hold what the index needs (`disableOnNumbers`
/// came in 1.15; older servers refuse the settings as unknown).
pub const OLDEST_SERVER: (u32, u32) = (1, 15);

/// Whether a server of `version` (e.g. `1.15.2`, `1.16.0-rc.1`) is recent enough.
pub fn recent_enough(version: &str) -> bool {
    let mut parts = version
        .split(['.', '-'])
        .map(|part| part.parse::<u32>().unwrap_or(0));
    let major = parts.next().unwrap_or(0);
    let minor = parts.next().unwrap_or(0);
    (major, minor) >= OLDEST_SERVER
}

/// The primary key of every document.
pub const PRIMARY_KEY: &str = "id";

/// Searched, in this order of importance.
pub const SEARCHABLE: [&str; 5] = ["nlis_id", "breed", "owner_name", "owner_pic", "notes"];
/// Matched without typos: a typo in an id or a PIC names another animal or herd.
pub const TYPO_FREE: [&str; 2] = ["nlis_id", "owner_pic"];
/// Filtered on by searches and by the view's reads.
pub const FILTERABLE: [&str; 10] = [
    "kind",
    "stream",
    "owner",
    "topic",
    "breed",
    "sex",
    "status",
    "risk_level",
    "value_cents",
    "_geo",
];
/// Sorted on.
pub const SORTABLE: [&str; 4] = ["updated_ms", "value_cents", "stream", "_geo"];
/// Counted per value beside the results, in `SearchFacets` order.
pub const FACETS: [&str; 4] = ["breed", "sex", "status", "risk_level"];
/// `sort` first, so a chosen order beats relevance as it does in the embedded index;
/// without a sort the rule does nothing and relevance decides.
pub const RANKING_RULES: [&str; 6] = [
    "sort",
    "words",
    "typo",
    "proximity",
    "attribute",
    "exactness",
];

/// What a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// An animal: searched, and its fold.
    Animal,
    /// A client: its fold only (owners' names and PICs come from it).
    Client,
    /// Where one partition of a topic has been applied up to.
    Checkpoint,
}

impl DocumentKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Animal => "animal",
            Self::Client => "client",
            Self::Checkpoint => "checkpoint",
        }
    }
}

/// A point as Meilisearch's `_geo` wants it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GeoPoint {
    /// Latitude in degrees.
    pub lat: f64,
    /// Longitude in degrees.
    pub lng: f64,
}

/// One document of the index. Fields a kind does not use are left out.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MeiliDocument {
    /// The stream id as a string, or `checkpoint-…` for a checkpoint.
    #[serde(default)]
    pub id: String,
    /// What the document is.
    pub kind: Option<DocumentKind>,
    /// The stream id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream: Option<i64>,
    /// The stream's sequence: a document never replaces one of a later sequence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sequence: Option<u64>,
    /// An animal's owner, or a client's own client id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<i64>,
    /// The search view's fold, JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fold: Option<String>,
    /// The NLIS id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nlis_id: Option<String>,
    /// Breed as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub breed: Option<String>,
    /// The owner's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_name: Option<String>,
    /// The owner's PIC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_pic: Option<String>,
    /// The latest health notes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Sex's wire name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sex: Option<String>,
    /// Status's wire name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Risk level's wire name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk_level: Option<String>,
    /// Latest value in cents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_cents: Option<i64>,
    /// Last change, milliseconds since the epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_ms: Option<i64>,
    /// The last location.
    #[serde(default, rename = "_geo", skip_serializing_if = "Option::is_none")]
    pub geo: Option<GeoPoint>,
    /// What a result shows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hit: Option<SearchHit>,
    /// A checkpoint's topic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    /// A checkpoint's partition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition: Option<i32>,
    /// A checkpoint's last applied offset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<i64>,
}

impl MeiliDocument {
    /// The document of a stream.
    pub fn of(document: &SearchDocument) -> Result<Self, SearchError> {
        let fold = &document.fold;
        let stream = fold.stream_id();
        let stored = serde_json::to_string(fold).map_err(|e| SearchError::Document {
            stream,
            reason: e.to_string(),
        })?;
        let mut out = Self {
            id: stream.to_string(),
            stream: Some(stream),
            sequence: Some(fold.head.sequence),
            fold: Some(stored),
            ..Self::default()
        };
        let Some(animal) = &document.animal else {
            out.kind = Some(DocumentKind::Client);
            out.owner = fold.client().map(|c| c.client_id);
            return Ok(out);
        };
        let hit = &animal.hit;
        out.kind = Some(DocumentKind::Animal);
        out.owner = Some(hit.owner_client_id);
        out.nlis_id = Some(hit.nlis_id.clone());
        out.breed = Some(hit.breed.clone());
        out.owner_name = hit.owner_name.clone();
        out.owner_pic = hit.owner_pic.clone();
        out.notes = fold.health_notes.clone();
        out.sex = Some(hit.sex.as_str().into());
        out.status = Some(hit.status.as_str().into());
        out.risk_level = Some(hit.risk_level.as_str().into());
        out.value_cents = hit.value_cents;
        out.updated_ms = Some(animal.updated_ms);
        out.geo = hit.location.map(|(lat, lng)| GeoPoint { lat, lng });
        out.hit = Some(hit.clone());
        Ok(out)
    }

    /// The document of a checkpoint: one per topic partition.
    pub fn checkpoint(checkpoint: &SearchCheckpoint) -> Self {
        let topic_hex: String = checkpoint
            .topic
            .bytes()
            .fold(String::new(), |mut hex, byte| {
                let _ = write!(hex, "{byte:02x}");
                hex
            });
        Self {
            id: format!("checkpoint-{topic_hex}-{}", checkpoint.partition),
            kind: Some(DocumentKind::Checkpoint),
            topic: Some(checkpoint.topic.clone()),
            partition: Some(checkpoint.partition),
            offset: Some(checkpoint.offset),
            ..Self::default()
        }
    }
}

/// A string as a quoted filter value, its quotes and backslashes escaped.
pub fn quoted(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// `field IN [a, b, …]` of numbers.
pub fn one_of(field: &str, values: &[i64]) -> String {
    let values: Vec<String> = values.iter().map(i64::to_string).collect();
    format!("{field} IN [{}]", values.join(", "))
}

/// Documents of `kind`.
pub fn of_kind(kind: DocumentKind) -> String {
    format!("kind = {}", kind.as_str())
}

/// The filter of a search: animals only, of `owners` when given, and the request's filters.
pub fn search_filter(request: &SearchRequest, owners: Option<&[i64]>) -> String {
    let mut clauses = vec![of_kind(DocumentKind::Animal)];
    if let Some(owners) = owners {
        clauses.push(one_of("owner", owners));
    }
    if let Some(breed) = &request.breed {
        clauses.push(format!("breed = {}", quoted(breed)));
    }
    if let Some(sex) = request.sex {
        clauses.push(format!("sex = {}", quoted(sex.as_str())));
    }
    if let Some(status) = request.status {
        clauses.push(format!("status = {}", quoted(status.as_str())));
    }
    if let Some(risk) = request.risk {
        clauses.push(format!("risk_level = {}", quoted(risk.as_str())));
    }
    if let Some(near) = request.near {
        clauses.push(format!(
            "_geoRadius({}, {}, {})",
            near.latitude,
            near.longitude,
            (near.km * 1000.0).round()
        ));
    }
    clauses.join(" AND ")
}

/// The sort of a search; none means by relevance. Ties go to the smaller stream id, as in
/// the embedded index, and a search without words is newest first.
pub fn search_sort(request: &SearchRequest) -> Vec<&'static str> {
    let wordless = request.text.trim().is_empty();
    match request.sort {
        SearchSort::Relevance if !wordless => Vec::new(),
        SearchSort::Relevance | SearchSort::Newest => vec!["updated_ms:desc", "stream:asc"],
        SearchSort::Oldest => vec!["updated_ms:asc", "stream:asc"],
        SearchSort::ValueHigh => vec!["value_cents:desc", "stream:asc"],
        SearchSort::ValueLow => vec!["value_cents:asc", "stream:asc"],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::model::NearPlace;
    use domain::{CattleStatus, RiskLevel, Sex};
    use proptest::prelude::*;

    #[test]
    fn a_farmers_search_is_limited_to_their_animals_and_the_filters_asked() {
        let request = SearchRequest {
            breed: Some("Angus".into()),
            sex: Some(Sex::Female),
            status: Some(CattleStatus::Active),
            risk: Some(RiskLevel::High),
            near: Some(NearPlace {
                latitude: -27.5,
                longitude: 153.0,
                km: 2.5,
            }),
            ..SearchRequest::for_text("angus")
        };
        assert_eq!(
            search_filter(&request, Some(&[3, 4])),
            format!(
                "kind = animal AND owner IN [3, 4] AND breed = \"Angus\" AND sex = \"{}\" AND \
                 status = \"{}\" AND risk_level = \"{}\" AND _geoRadius(-27.5, 153, 2500)",
                Sex::Female.as_str(),
                CattleStatus::Active.as_str(),
                RiskLevel::High.as_str()
            )
        );
        assert_eq!(
            search_filter(&SearchRequest::for_text(""), None),
            "kind = animal"
        );
    }

    #[test]
    fn a_search_without_words_is_newest_first_and_ties_go_to_the_smaller_id() {
        assert_eq!(
            search_sort(&SearchRequest::for_text("")),
            ["updated_ms:desc", "stream:asc"]
        );
        assert!(search_sort(&SearchRequest::for_text("angus")).is_empty());
        let by_value = SearchRequest {
            sort: SearchSort::ValueLow,
            ..SearchRequest::for_text("angus")
        };
        assert_eq!(search_sort(&by_value), ["value_cents:asc", "stream:asc"]);
    }

    #[test]
    fn checkpoint_ids_are_what_meilisearch_accepts_and_differ_per_partition() {
        let at = |topic: &str, partition| {
            MeiliDocument::checkpoint(&SearchCheckpoint {
                topic: topic.into(),
                partition,
                offset: 9,
            })
            .id
        };
        let id = at("t1.cattle.events", 3);
        assert!(id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_ne!(id, at("t1.cattle.events", 4));
        assert_ne!(id, at("t2.cattle.events", 3));
    }

    #[test]
    fn servers_from_1_15_are_recent_enough() {
        for version in ["1.15.0", "1.15.2", "1.16.0-rc.1", "2.0.0"] {
            assert!(recent_enough(version), "{version}");
        }
        for version in ["1.14.9", "1.2.0", "0.30.5", "", "nonsense"] {
            assert!(!recent_enough(version), "{version}");
        }
    }

    proptest! {
        /// Whatever a user types as a breed stays one quoted value: every quote and
        /// backslash inside is escaped, so nothing closes the string early.
        #[test]
        fn a_typed_breed_never_escapes_its_quotes(breed in ".{0,64}") {
            let value = quoted(&breed);
            let inner = &value[1..value.len() - 1];
            let mut chars = inner.chars();
            let mut unescaped = String::new();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => unescaped.push(chars.next().expect("an escaped character")),
                    '"' => panic!("an unescaped quote in {value}"),
                    c => unescaped.push(c),
                }
            }
            prop_assert_eq!(unescaped, breed);
        }
    }
}
