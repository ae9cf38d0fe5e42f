//! A search of the herd: what is asked (parsed from a query string, the same in the browser
//! and behind `GET /api/search`) and what is found.

use domain::{CattleStatus, RiskLevel, Sex};
use serde::{Deserialize, Serialize};

/// The most hits one search answers.
pub const MOST_HITS: u32 = 100;
/// Hits answered when the request does not say.
pub const DEFAULT_HITS: u32 = 20;
/// The longest text searched for, in characters.
pub const LONGEST_TEXT: usize = 200;
/// The widest radius of a "within" filter, in kilometres (a continent's width).
pub const WIDEST_KM: f64 = 5_000.0;

/// The order of the hits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SearchSort {
    /// Best match first (newest first when there is no text).
    #[default]
    Relevance,
    /// Latest change first.
    Newest,
    /// Oldest change first.
    Oldest,
    /// Highest value first; unvalued animals last.
    ValueHigh,
    /// Lowest value first; unvalued animals last.
    ValueLow,
}

impl SearchSort {
    /// Every order, with the words a page shows for it.
    pub const ALL: [(SearchSort, &'static str); 5] = [
        (Self::Relevance, "Best match"),
        (Self::Newest, "Latest change"),
        (Self::Oldest, "Oldest change"),
        (Self::ValueHigh, "Highest value"),
        (Self::ValueLow, "Lowest value"),
    ];

    /// The name in a query string, e.g. `value_high`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Relevance => "relevance",
            Self::Newest => "newest",
            Self::Oldest => "oldest",
            Self::ValueHigh => "value_high",
            Self::ValueLow => "value_low",
        }
    }

    fn parse(name: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .map(|(sort, _)| *sort)
            .find(|sort| sort.as_str() == name)
    }
}

/// A circle on the map: animals whose last location lies within `km` of the centre.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct NearPlace {
    /// The centre's latitude in degrees.
    pub latitude: f64,
    /// The centre's longitude in degrees.
    pub longitude: f64,
    /// The radius in kilometres.
    pub km: f64,
}

/// What a search asks for. The animals a user may see are chosen by the server, never here.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchRequest {
    /// Words to find in the NLIS id, breed, owner's name and PIC, and health notes; each
    /// word may be the start of one, or one with a typo.
    pub text: String,
    /// Only this breed, as written.
    pub breed: Option<String>,
    /// Only this sex.
    pub sex: Option<Sex>,
    /// Only this status.
    pub status: Option<CattleStatus>,
    /// Only this risk level.
    pub risk: Option<RiskLevel>,
    /// Only animals last seen within this circle.
    pub near: Option<NearPlace>,
    /// The order of the hits.
    pub sort: SearchSort,
    /// How many hits to answer (1..=`MOST_HITS`).
    pub limit: u32,
}

/// What is wrong with a search's parameters: the parameter and a sentence for people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct SearchInputError {
    /// The query-string parameter.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

fn wrong(field: &str, message: impl Into<String>) -> SearchInputError {
    SearchInputError {
        field: field.to_string(),
        message: message.into(),
    }
}

/// The parameters `SearchRequest::from_pairs` understands.
pub const SEARCH_PARAMETERS: [&str; 10] = [
    "q", "breed", "sex", "status", "risk", "lat", "lon", "km", "sort", "limit",
];

impl SearchRequest {
    /// A search for `text` with no filters, best match first.
    pub fn for_text(text: &str) -> Self {
        Self {
            text: text.to_string(),
            limit: DEFAULT_HITS,
            ..Self::default()
        }
    }

    /// Parses a query string's pairs. Empty values mean "not given"; words of closed lists
    /// are accepted in any case; every other mistake is named.
    pub fn from_pairs<K: AsRef<str>, V: AsRef<str>>(
        pairs: &[(K, V)],
    ) -> Result<Self, SearchInputError> {
        let mut request = Self::for_text("");
        let (mut lat, mut lon, mut km) = (None, None, None);
        let mut seen = Vec::new();
        for (key, value) in pairs {
            let (key, value) = (key.as_ref(), value.as_ref().trim());
            if !SEARCH_PARAMETERS.contains(&key) {
                return Err(wrong(
                    key,
                    format!(
                        "unknown parameter; the search takes {}",
                        SEARCH_PARAMETERS.join(", ")
                    ),
                ));
            }
            if seen.contains(&key) {
                return Err(wrong(key, "given twice; give it once"));
            }
            seen.push(key);
            if value.is_empty() {
                continue;
            }
            match key {
                "q" => request.text = text(value)?,
                "breed" => request.breed = Some(breed(value)?),
                "sex" => request.sex = Some(word(key, value, Sex::parse, Sex::allowed)?),
                "status" => {
                    request.status = Some(word(
                        key,
                        value,
                        CattleStatus::parse,
                        CattleStatus::allowed,
                    )?)
                }
                "risk" => {
                    request.risk = Some(word(key, value, RiskLevel::parse, RiskLevel::allowed)?)
                }
                "lat" => lat = Some(degrees(key, value, 90.0)?),
                "lon" => lon = Some(degrees(key, value, 180.0)?),
                "km" => km = Some(radius(value)?),
                "sort" => {
                    request.sort =
                        SearchSort::parse(&value.to_ascii_lowercase()).ok_or_else(|| {
                            let names: Vec<_> =
                                SearchSort::ALL.iter().map(|(s, _)| s.as_str()).collect();
                            wrong(
                                key,
                                format!(
                                    "{value:?} is not an order; use one of {}",
                                    names.join(", ")
                                ),
                            )
                        })?
                }
                _ => request.limit = limit(value)?,
            }
        }
        request.near = match (lat, lon, km) {
            (Some(latitude), Some(longitude), Some(km)) => Some(NearPlace {
                latitude,
                longitude,
                km,
            }),
            (None, None, None) => None,
            _ => {
                let missing = [
                    ("lat", lat.is_none()),
                    ("lon", lon.is_none()),
                    ("km", km.is_none()),
                ];
                let field = missing
                    .iter()
                    .find(|(_, absent)| *absent)
                    .map_or("km", |(f, _)| f);
                return Err(wrong(
                    field,
                    "a place filter needs lat, lon and km together",
                ));
            }
        };
        Ok(request)
    }

    /// The query string that `from_pairs` reads back as this request (no leading `?`).
    pub fn to_query_string(&self) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if !self.text.is_empty() {
            pairs.push(("q", self.text.clone()));
        }
        if let Some(breed) = &self.breed {
            pairs.push(("breed", breed.clone()));
        }
        if let Some(sex) = self.sex {
            pairs.push(("sex", sex.as_str().into()));
        }
        if let Some(status) = self.status {
            pairs.push(("status", status.as_str().into()));
        }
        if let Some(risk) = self.risk {
            pairs.push(("risk", risk.as_str().into()));
        }
        if let Some(near) = self.near {
            pairs.push(("lat", near.latitude.to_string()));
            pairs.push(("lon", near.longitude.to_string()));
            pairs.push(("km", near.km.to_string()));
        }
        if self.sort != SearchSort::Relevance {
            pairs.push(("sort", self.sort.as_str().into()));
        }
        if self.limit != DEFAULT_HITS {
            pairs.push(("limit", self.limit.to_string()));
        }
        let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        query_string(&pairs)
    }
}

/// `k=v&…` of the pairs with a value, each value percent-encoded.
pub fn query_string(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn text(value: &str) -> Result<String, SearchInputError> {
    if value.chars().count() > LONGEST_TEXT {
        return Err(wrong("q", format!("longer than {LONGEST_TEXT} characters")));
    }
    Ok(value.to_string())
}

fn breed(value: &str) -> Result<String, SearchInputError> {
    if value.chars().count() > 64 {
        return Err(wrong("breed", "longer than 64 characters"));
    }
    Ok(value.to_string())
}

fn word<T>(
    field: &str,
    value: &str,
    parse: fn(&str) -> Option<T>,
    allowed: fn() -> String,
) -> Result<T, SearchInputError> {
    parse(&value.to_ascii_uppercase())
        .ok_or_else(|| wrong(field, format!("{value:?} is not one of {}", allowed())))
}

fn number(field: &str, value: &str) -> Result<f64, SearchInputError> {
    value
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite())
        .ok_or_else(|| wrong(field, format!("{value:?} is not a number")))
}

fn degrees(field: &str, value: &str, bound: f64) -> Result<f64, SearchInputError> {
    let n = number(field, value)?;
    if n.abs() > bound {
        return Err(wrong(
            field,
            format!("{n} is outside -{bound}..={bound} degrees"),
        ));
    }
    Ok(n)
}

fn radius(value: &str) -> Result<f64, SearchInputError> {
    let n = number("km", value)?;
    if n <= 0.0 || n > WIDEST_KM {
        return Err(wrong(
            "km",
            format!("the radius must be above 0 and at most {WIDEST_KM} km"),
        ));
    }
    Ok(n)
}

fn limit(value: &str) -> Result<u32, SearchInputError> {
    value
        .parse::<u32>()
        .ok()
        .filter(|n| (1..=MOST_HITS).contains(n))
        .ok_or_else(|| {
            wrong(
                "limit",
                format!("{value:?} is not a whole number from 1 to {MOST_HITS}"),
            )
        })
}

/// Percent-encodes a query-string value (RFC 3986 unreserved characters kept).
fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// One animal found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchHit {
    /// The animal.
    pub cattle_id: i64,
    /// NLIS device id.
    pub nlis_id: String,
    /// Breed.
    pub breed: String,
    /// Sex.
    pub sex: Sex,
    /// Where it stands.
    pub status: CattleStatus,
    /// Provenance risk.
    pub risk_level: RiskLevel,
    /// The owner's client id.
    pub owner_client_id: i64,
    /// The owner's name, once the log has shown the owner's registration.
    pub owner_name: Option<String>,
    /// The owner's PIC, likewise.
    pub owner_pic: Option<String>,
    /// Latest value in cents.
    pub value_cents: Option<i64>,
    /// When it last changed (occurred_at of its latest event).
    pub updated_at: String,
    /// Its sequence: how many events the index has applied.
    pub sequence: u64,
    /// Its last location, if any: latitude and longitude.
    pub location: Option<(f64, f64)>,
    /// Kilometres from the centre of a place filter.
    pub distance_km: Option<f64>,
}

/// How many matching animals carry one value of a filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacetCount {
    /// The value, as a filter takes it.
    pub value: String,
    /// How many of the matching animals.
    pub count: u64,
}

/// Counts of the matching animals by filter value, most common first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchFacets {
    /// By breed.
    pub breed: Vec<FacetCount>,
    /// By sex.
    pub sex: Vec<FacetCount>,
    /// By status.
    pub status: Vec<FacetCount>,
    /// By risk level.
    pub risk: Vec<FacetCount>,
}

/// What a search found.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchResults {
    /// How many animals match in all.
    pub total: u64,
    /// The first `limit` of them, in the order asked.
    pub hits: Vec<SearchHit>,
    /// Counts over all matching animals.
    pub facets: SearchFacets,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parse(pairs: &[(&str, &str)]) -> Result<SearchRequest, SearchInputError> {
        SearchRequest::from_pairs(pairs)
    }

    #[test]
    fn words_of_closed_lists_are_taken_in_any_case() {
        let request = parse(&[("sex", "female"), ("status", "Active"), ("risk", "low")]).unwrap();
        assert_eq!(request.sex, Some(Sex::Female));
        assert_eq!(request.status, Some(CattleStatus::Active));
        assert_eq!(request.risk, Some(RiskLevel::Low));
    }

    #[test]
    fn each_mistake_names_its_parameter() {
        let field = |pairs: &[(&str, &str)]| parse(pairs).unwrap_err().field;
        assert_eq!(field(&[("colour", "red")]), "colour");
        assert_eq!(field(&[("sex", "steer")]), "sex");
        assert_eq!(field(&[("lat", "91"), ("lon", "0"), ("km", "5")]), "lat");
        assert_eq!(field(&[("lat", "-33"), ("lon", "151")]), "km");
        assert_eq!(field(&[("lat", "-33"), ("lon", "151"), ("km", "0")]), "km");
        assert_eq!(field(&[("limit", "0")]), "limit");
        assert_eq!(field(&[("sort", "cheapest")]), "sort");
        assert_eq!(field(&[("q", "a"), ("q", "b")]), "q");
    }

    #[test]
    fn empty_values_are_not_given() {
        assert_eq!(
            parse(&[("q", ""), ("breed", " "), ("sex", "")]).unwrap(),
            SearchRequest::for_text("")
        );
    }

    fn any_request() -> impl Strategy<Value = SearchRequest> {
        let near = (-90.0f64..=90.0, -180.0f64..=180.0, 0.001f64..=WIDEST_KM).prop_map(
            |(latitude, longitude, km)| NearPlace {
                latitude,
                longitude,
                km,
            },
        );
        (
            "[^\\s]{0,3}( [^\\s]{1,5}){0,3}",
            proptest::option::of("[A-Za-z][A-Za-z &'-]{0,20}[A-Za-z]"),
            proptest::option::of(proptest::sample::select(Sex::ALL)),
            proptest::option::of(proptest::sample::select(CattleStatus::ALL)),
            proptest::option::of(proptest::sample::select(RiskLevel::ALL)),
            proptest::option::of(near),
            proptest::sample::select(SearchSort::ALL.map(|(s, _)| s).to_vec()),
            1..=MOST_HITS,
        )
            .prop_map(|(text, breed, sex, status, risk, near, sort, limit)| {
                SearchRequest {
                    text,
                    breed,
                    sex,
                    status,
                    risk,
                    near,
                    sort,
                    limit,
                }
            })
    }

    fn pairs_of(query: &str) -> Vec<(String, String)> {
        query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|pair| {
                let (k, v) = pair.split_once('=').unwrap();
                (k.to_string(), percent_decode(v))
            })
            .collect()
    }

    fn percent_decode(value: &str) -> String {
        let bytes = value.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' {
                out.push(u8::from_str_radix(&value[i + 1..i + 3], 16).unwrap());
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        String::from_utf8(out).unwrap()
    }

    proptest! {
        #[test]
        fn a_request_survives_its_query_string(request in any_request()) {
            let back = SearchRequest::from_pairs(&pairs_of(&request.to_query_string())).unwrap();
            let trimmed = SearchRequest { text: request.text.trim().to_string(), ..request };
            prop_assert_eq!(back, trimmed);
        }

        #[test]
        fn any_input_is_parsed_or_named(
            pairs in proptest::collection::vec(
                (proptest::sample::select(SEARCH_PARAMETERS.to_vec()), ".{0,30}"),
                0..6,
            )
        ) {
            match SearchRequest::from_pairs(&pairs) {
                Ok(request) => {
                    prop_assert!((1..=MOST_HITS).contains(&request.limit));
                    prop_assert!(request.text.chars().count() <= LONGEST_TEXT);
                }
                Err(error) => {
                    prop_assert!(SEARCH_PARAMETERS.contains(&error.field.as_str()));
                    prop_assert!(!error.message.is_empty());
                }
            }
        }
    }
}
