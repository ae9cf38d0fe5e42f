//! The embedded index's fields: what is searched, filtered, sorted and stored.

use tantivy::schema::{Field, Schema, FAST, INDEXED, STORED, STRING, TEXT};

/// `kind` of an animal's document.
pub const ANIMAL: u64 = 0;
/// `kind` of a client's document (kept only for its fold: owners' names).
pub const CLIENT: u64 = 1;

/// The fields of the embedded index.
#[derive(Clone)]
pub struct IndexSchema {
    /// The whole schema.
    pub schema: Schema,
    /// The stream id: one document per stream.
    pub stream: Field,
    /// `ANIMAL` or `CLIENT`.
    pub kind: Field,
    /// Every searchable word, tokenized and lower-cased.
    pub text: Field,
    /// Breed as written (filter and facet).
    pub breed: Field,
    /// Sex's wire name.
    pub sex: Field,
    /// Status's wire name.
    pub status: Field,
    /// Risk level's wire name.
    pub risk: Field,
    /// The owner's client id.
    pub owner: Field,
    /// Latest value in cents.
    pub value: Field,
    /// Last change, milliseconds since the epoch.
    pub updated: Field,
    /// Last location's latitude.
    pub latitude: Field,
    /// Last location's longitude.
    pub longitude: Field,
    /// The search view's fold, JSON.
    pub fold: Field,
    /// The hit a result shows, JSON.
    pub hit: Field,
}

/// Field names the collector reads fast values of.
pub mod names {
    /// Stream id.
    pub const STREAM: &str = "stream";
    /// Breed.
    pub const BREED: &str = "breed";
    /// Sex.
    pub const SEX: &str = "sex";
    /// Status.
    pub const STATUS: &str = "status";
    /// Risk level.
    pub const RISK: &str = "risk";
    /// Value in cents.
    pub const VALUE: &str = "value";
    /// Last change.
    pub const UPDATED: &str = "updated";
    /// Latitude.
    pub const LATITUDE: &str = "latitude";
    /// Longitude.
    pub const LONGITUDE: &str = "longitude";
}

impl IndexSchema {
    /// The schema of this version of iCattle.
    pub fn new() -> Self {
        let mut builder = Schema::builder();
        let stream = builder.add_i64_field(names::STREAM, INDEXED | STORED | FAST);
        let kind = builder.add_u64_field("kind", INDEXED);
        let text = builder.add_text_field("text", TEXT);
        let breed = builder.add_text_field(names::BREED, STRING | FAST);
        let sex = builder.add_text_field(names::SEX, STRING | FAST);
        let status = builder.add_text_field(names::STATUS, STRING | FAST);
        let risk = builder.add_text_field(names::RISK, STRING | FAST);
        let owner = builder.add_i64_field("owner", INDEXED | FAST);
        let value = builder.add_i64_field(names::VALUE, FAST);
        let updated = builder.add_i64_field(names::UPDATED, FAST);
        let latitude = builder.add_f64_field(names::LATITUDE, INDEXED | FAST);
        let longitude = builder.add_f64_field(names::LONGITUDE, INDEXED | FAST);
        let fold = builder.add_text_field("fold", STORED);
        let hit = builder.add_text_field("hit", STORED);
        Self {
            schema: builder.build(),
            stream,
            kind,
            text,
            breed,
            sex,
            status,
            risk,
            owner,
            value,
            updated,
            latitude,
            longitude,
            fold,
            hit,
        }
    }
}

impl Default for IndexSchema {
    fn default() -> Self {
        Self::new()
    }
}
