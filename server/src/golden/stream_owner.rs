//! Whose a stream is, as the golden record knows it (`domain::StreamOwner`): an animal
//! belongs to a client, a client stream to the user who registered it. Asked before a live
//! update or an event's status reaches a farmer; `domain::may_see_stream` decides.
use crate::entity::{cattle, cattle_event, client, rejected_event};
use domain::{EventType, StreamOwner};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter};

/// Whose stream `stream_id` is.
pub async fn stream_owner(db: &DatabaseConnection, stream_id: i64) -> Result<StreamOwner, DbErr> {
    if let Some(animal) = cattle::Entity::find_by_id(stream_id).one(db).await? {
        return Ok(StreamOwner::Client(animal.client_id));
    }
    let registered = client::Entity::find()
        .filter(client::Column::AggregateId.eq(stream_id))
        .one(db)
        .await?;
    Ok(match registered {
        Some(row) => StreamOwner::RegisteredBy(row.registered_by),
        None => StreamOwner::Unknown,
    })
}

/// Who signed a refused event, read from the envelope the golden record kept of it.
pub async fn author_of_refused(
    db: &DatabaseConnection,
    event_id: &str,
) -> Result<Option<String>, DbErr> {
    let refused = rejected_event::Entity::find()
        .filter(rejected_event::Column::EventId.eq(event_id))
        .one(db)
        .await?;
    Ok(refused.and_then(|row| {
        let envelope: serde_json::Value = serde_json::from_str(&row.envelope).ok()?;
        let author = envelope.pointer("/metadata/created_by")?.as_str()?;
        Some(author.to_string())
    }))
}

/// The clients an applied transfer, offer or end of an offer names (`fromClientId`,
/// `toClientId`): their farmers hear of it whoever owns the animal by the time they ask.
/// Empty for other events and for events the golden record has not applied.
pub async fn transfer_parties_of(
    db: &DatabaseConnection,
    event_id: &str,
) -> Result<Vec<i64>, DbErr> {
    let Some(row) = cattle_event::Entity::find_by_id(event_id).one(db).await? else {
        return Ok(Vec::new());
    };
    Ok(EventType::parse(&row.event_type)
        .map(|event_type| domain::payloads::transfer_parties(event_type, &row.payload))
        .unwrap_or_default())
}
