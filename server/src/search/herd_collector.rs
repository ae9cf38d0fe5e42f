//! One pass over the matching animals: the place filter, the total, the facet counts and
//! the first hits in the order asked, from fast fields alone.

use super::index_schema::names;
use super::text_query::distance_km;
use app::model::{FacetCount, NearPlace, SearchSort};
use std::cmp::Ordering;
use std::collections::BTreeMap;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

/// The facets counted, in `SearchFacets` order.
const FACETS: [&str; 4] = [names::BREED, names::SEX, names::STATUS, names::RISK];

/// Gathers what a search answers.
pub struct HerdCollector {
    /// Only animals within this circle.
    pub near: Option<NearPlace>,
    /// The order (never `Relevance` without words: the caller picks `Newest` then).
    pub sort: SearchSort,
    /// How many hits.
    pub limit: usize,
}

/// A hit before its stored document is read.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Larger first.
    key: f64,
    /// Ties go to the smaller stream id.
    stream: i64,
    /// Where the document is.
    pub address: DocAddress,
    /// From the centre of the place filter.
    pub distance_km: Option<f64>,
}

fn by_order(a: &Candidate, b: &Candidate) -> Ordering {
    b.key.total_cmp(&a.key).then(a.stream.cmp(&b.stream))
}

/// What the collector found.
#[derive(Debug, Default)]
pub struct Gathered {
    /// How many animals match.
    pub total: u64,
    /// The first hits, in order.
    pub hits: Vec<Candidate>,
    /// Counts per facet, in `FACETS` order.
    pub facets: [BTreeMap<String, u64>; 4],
}

impl Gathered {
    /// One facet's counts, most common first.
    pub fn facet(&self, index: usize) -> Vec<FacetCount> {
        let mut counts: Vec<FacetCount> = self.facets[index]
            .iter()
            .map(|(value, count)| FacetCount {
                value: value.clone(),
                count: *count,
            })
            .collect();
        counts.sort_by(|a, b| b.count.cmp(&a.count).then(a.value.cmp(&b.value)));
        counts
    }
}

/// One segment's share of the work.
pub struct SegmentHerd {
    segment: SegmentOrdinal,
    near: Option<NearPlace>,
    sort: SearchSort,
    limit: usize,
    stream: Option<Column<i64>>,
    value: Option<Column<i64>>,
    updated: Option<Column<i64>>,
    latitude: Option<Column<f64>>,
    longitude: Option<Column<f64>>,
    facets: [Option<StrColumn>; 4],
    ord_counts: [Vec<u64>; 4],
    total: u64,
    candidates: Vec<Candidate>,
}

impl SegmentHerd {
    fn place(&self, doc: DocId) -> Result<Option<f64>, ()> {
        let Some(near) = self.near else {
            return Ok(None);
        };
        let latitude = self.latitude.as_ref().and_then(|c| c.first(doc));
        let longitude = self.longitude.as_ref().and_then(|c| c.first(doc));
        let (Some(latitude), Some(longitude)) = (latitude, longitude) else {
            return Err(());
        };
        let km = distance_km((near.latitude, near.longitude), (latitude, longitude));
        if km <= near.km {
            Ok(Some(km))
        } else {
            Err(())
        }
    }

    fn key(&self, doc: DocId, score: Score) -> f64 {
        let first = |column: &Option<Column<i64>>| column.as_ref().and_then(|c| c.first(doc));
        match self.sort {
            SearchSort::Relevance => f64::from(score),
            SearchSort::Newest => first(&self.updated).map_or(f64::NEG_INFINITY, |t| t as f64),
            SearchSort::Oldest => first(&self.updated).map_or(f64::NEG_INFINITY, |t| -(t as f64)),
            SearchSort::ValueHigh => first(&self.value).map_or(f64::NEG_INFINITY, |v| v as f64),
            SearchSort::ValueLow => first(&self.value).map_or(f64::NEG_INFINITY, |v| -(v as f64)),
        }
    }

    /// Keeps the candidates list short on big herds: the first `limit` in no order, found
    /// in linear time (they are sorted once, at the end).
    fn trim(&mut self) {
        if self.candidates.len() > self.limit && self.limit > 0 {
            self.candidates
                .select_nth_unstable_by(self.limit - 1, by_order);
            self.candidates.truncate(self.limit);
        }
    }
}

impl SegmentCollector for SegmentHerd {
    type Fruit = Gathered;

    fn collect(&mut self, doc: DocId, score: Score) {
        let Ok(distance_km) = self.place(doc) else {
            return;
        };
        self.total += 1;
        for (column, counts) in self.facets.iter().zip(self.ord_counts.iter_mut()) {
            if let Some(ord) = column.as_ref().and_then(|c| c.ords().first(doc)) {
                if let Some(count) = counts.get_mut(ord as usize) {
                    *count += 1;
                }
            }
        }
        let key = self.key(doc, score);
        let stream = self
            .stream
            .as_ref()
            .and_then(|c| c.first(doc))
            .unwrap_or_default();
        self.candidates.push(Candidate {
            key,
            stream,
            address: DocAddress::new(self.segment, doc),
            distance_km,
        });
        if self.candidates.len() >= self.limit.max(64) * 16 {
            self.trim();
        }
    }

    fn harvest(mut self) -> Gathered {
        self.trim();
        self.candidates.sort_by(by_order);
        let mut facets: [BTreeMap<String, u64>; 4] = Default::default();
        for ((column, counts), tally) in self
            .facets
            .iter()
            .zip(self.ord_counts.iter())
            .zip(facets.iter_mut())
        {
            let Some(column) = column else { continue };
            for (ord, count) in counts.iter().enumerate().filter(|(_, c)| **c > 0) {
                let mut value = String::new();
                if column.ord_to_str(ord as u64, &mut value).unwrap_or(false) {
                    *tally.entry(value).or_default() += count;
                }
            }
        }
        Gathered {
            total: self.total,
            hits: self.candidates,
            facets,
        }
    }
}

impl Collector for HerdCollector {
    type Fruit = Gathered;
    type Child = SegmentHerd;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentHerd> {
        let fast = reader.fast_fields();
        let facets = [
            fast.str(FACETS[0])?,
            fast.str(FACETS[1])?,
            fast.str(FACETS[2])?,
            fast.str(FACETS[3])?,
        ];
        let ord_counts = facets
            .each_ref()
            .map(|c| vec![0; c.as_ref().map_or(0, |c| c.num_terms())]);
        Ok(SegmentHerd {
            segment,
            near: self.near,
            sort: self.sort,
            limit: self.limit,
            stream: fast.column_opt(names::STREAM)?,
            value: fast.column_opt(names::VALUE)?,
            updated: fast.column_opt(names::UPDATED)?,
            latitude: fast.column_opt(names::LATITUDE)?,
            longitude: fast.column_opt(names::LONGITUDE)?,
            facets,
            ord_counts,
            total: 0,
            candidates: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        self.sort == SearchSort::Relevance
    }

    fn merge_fruits(&self, fruits: Vec<Gathered>) -> tantivy::Result<Gathered> {
        let mut merged = Gathered::default();
        for fruit in fruits {
            merged.total += fruit.total;
            merged.hits.extend(fruit.hits);
            for (into, from) in merged.facets.iter_mut().zip(fruit.facets) {
                for (value, count) in from {
                    *into.entry(value).or_default() += count;
                }
            }
        }
        merged.hits.sort_by(by_order);
        merged.hits.truncate(self.limit);
        Ok(merged)
    }
}
