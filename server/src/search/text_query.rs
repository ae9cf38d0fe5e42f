//! A search request as a tantivy query: every word found exactly, as the start of a word,
//! or with a typo, and the filters as required terms.

use super::index_schema::{IndexSchema, ANIMAL};
use app::model::{NearPlace, SearchRequest};
use std::ops::Bound;
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, FuzzyTermQuery, Occur, Query, RangeQuery, TermQuery,
    TermSetQuery,
};
use tantivy::schema::IndexRecordOption;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::Term;

/// Kilometres per degree of latitude.
const KM_PER_DEGREE: f64 = 111.32;

/// How many typos a word may carry: none in short words, where one typo makes another
/// word, nor in words with digits (an NLIS id or a PIC with a typo is another animal's or
/// property's); one from four letters, two from eight.
fn typos_allowed(word: &str) -> u8 {
    if word.chars().any(|c| c.is_ascii_digit()) {
        return 0;
    }
    match word.chars().count() {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

/// The query of `request` among the animals of `owners` (all when `None`).
pub fn query_for(
    fields: &IndexSchema,
    analyzer: &mut TextAnalyzer,
    request: &SearchRequest,
    owners: Option<&[i64]>,
) -> BooleanQuery {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = words(analyzer, &request.text)
        .into_iter()
        .map(|word| (Occur::Must, word_query(fields, &word)))
        .collect();
    let mut filters: Vec<Term> = vec![Term::from_field_u64(fields.kind, ANIMAL)];
    if let Some(breed) = &request.breed {
        filters.push(Term::from_field_text(fields.breed, breed));
    }
    if let Some(sex) = request.sex {
        filters.push(Term::from_field_text(fields.sex, sex.as_str()));
    }
    if let Some(status) = request.status {
        filters.push(Term::from_field_text(fields.status, status.as_str()));
    }
    if let Some(risk) = request.risk {
        filters.push(Term::from_field_text(fields.risk, risk.as_str()));
    }
    for term in filters {
        clauses.push((
            Occur::Must,
            filter(TermQuery::new(term, IndexRecordOption::Basic)),
        ));
    }
    if let Some(owners) = owners {
        let terms = owners
            .iter()
            .map(|id| Term::from_field_i64(fields.owner, *id));
        clauses.push((Occur::Must, filter(TermSetQuery::new(terms))));
    }
    if let Some(near) = request.near {
        clauses.extend(
            bounding_box(fields, near)
                .into_iter()
                .map(|range| (Occur::Must, filter(range))),
        );
    }
    BooleanQuery::new(clauses)
}

/// A filter scores nothing: only the words rank the hits.
fn filter(query: impl Query) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(Box::new(query), 0.0))
}

/// The words of `text` as the index tokenized them.
fn words(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while let Some(token) = stream.next() {
        words.push(token.text.clone());
    }
    words
}

/// One word: exact beats a word starting with it, which beats a near miss.
fn word_query(fields: &IndexSchema, word: &str) -> Box<dyn Query> {
    let term = Term::from_field_text(fields.text, word);
    let mut ways: Vec<(Occur, Box<dyn Query>)> = vec![
        (
            Occur::Should,
            Box::new(BoostQuery::new(
                Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs)),
                4.0,
            )),
        ),
        (
            Occur::Should,
            Box::new(BoostQuery::new(
                Box::new(FuzzyTermQuery::new_prefix(term.clone(), 0, true)),
                2.0,
            )),
        ),
    ];
    let typos = typos_allowed(word);
    if typos > 0 {
        ways.push((
            Occur::Should,
            Box::new(FuzzyTermQuery::new_prefix(term, typos, true)),
        ));
    }
    Box::new(BooleanQuery::new(ways))
}

/// Ranges of latitude and longitude holding the circle `near` (the collector keeps only
/// what lies within it); no longitude range where the box would cross a pole or the
/// antimeridian.
fn bounding_box(fields: &IndexSchema, near: NearPlace) -> Vec<RangeQuery> {
    let span = near.km / KM_PER_DEGREE;
    let range = |field, low: f64, high: f64| {
        RangeQuery::new(
            Bound::Included(Term::from_field_f64(field, low)),
            Bound::Included(Term::from_field_f64(field, high)),
        )
    };
    let mut ranges = vec![range(
        fields.latitude,
        (near.latitude - span).max(-90.0),
        (near.latitude + span).min(90.0),
    )];
    let cos = near.latitude.to_radians().cos();
    if near.latitude.abs() + span < 89.0 && cos > 0.0 {
        let lon_span = span / cos;
        let (west, east) = (near.longitude - lon_span, near.longitude + lon_span);
        if west >= -180.0 && east <= 180.0 {
            ranges.push(range(fields.longitude, west, east));
        }
    }
    ranges
}

/// Great-circle distance in kilometres between two points given in degrees.
pub fn distance_km(from: (f64, f64), to: (f64, f64)) -> f64 {
    const EARTH_RADIUS_KM: f64 = 6_371.008_8;
    let (lat1, lat2) = (from.0.to_radians(), to.0.to_radians());
    let dlat = lat2 - lat1;
    let dlon = (to.1 - from.1).to_radians();
    let a = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * a.sqrt().min(1.0).asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sydney_to_melbourne_is_about_714_km() {
        let d = distance_km((-33.8688, 151.2093), (-37.8136, 144.9631));
        assert!((d - 714.0).abs() < 5.0, "{d}");
        assert_eq!(distance_km((10.0, 20.0), (10.0, 20.0)), 0.0);
    }

    #[test]
    fn short_words_and_ids_allow_no_typo() {
        assert_eq!(typos_allowed("red"), 0);
        assert_eq!(typos_allowed("angus"), 1);
        assert_eq!(typos_allowed("hereford"), 2);
        assert_eq!(typos_allowed("qabc0003"), 0);
    }
}
