//! Where an event stands: applied, refused, dropped as a duplicate of another, or not yet
//! decided by the golden record.
use crate::entity::{cattle_event, duplicate_event, rejected_event};
use app::model::{EventStatus, EventVerdict};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter};

/// What the golden record knows of an event.
pub async fn event_status(db: &DatabaseConnection, event_id: &str) -> Result<EventStatus, DbErr> {
    if let Some(event) = cattle_event::Entity::find_by_id(event_id.to_string())
        .one(db)
        .await?
    {
        return Ok(EventStatus {
            event_id: event_id.to_string(),
            status: EventVerdict::Applied,
            cattle_id: Some(event.cattle_id),
            sequence: Some(event.sequence),
            code: None,
            reason: None,
            duplicate_of: None,
        });
    }
    if let Some(rejected) = rejected_event::Entity::find()
        .filter(rejected_event::Column::EventId.eq(event_id))
        .one(db)
        .await?
    {
        return Ok(EventStatus {
            event_id: event_id.to_string(),
            status: EventVerdict::Rejected,
            cattle_id: rejected.cattle_id,
            sequence: rejected.sequence,
            code: Some(rejected.reason_code),
            reason: Some(rejected.reason),
            duplicate_of: None,
        });
    }
    if let Some(duplicate) = duplicate_event::Entity::find_by_id(event_id.to_string())
        .one(db)
        .await?
    {
        let original = duplicate.original_event_id;
        return Ok(EventStatus {
            event_id: event_id.to_string(),
            status: EventVerdict::Duplicate,
            cattle_id: Some(duplicate.cattle_id),
            sequence: Some(duplicate.sequence),
            code: Some("DUPLICATE".into()),
            reason: Some(format!("DUPLICATE of {original}")),
            duplicate_of: Some(original),
        });
    }
    Ok(EventStatus {
        event_id: event_id.to_string(),
        status: EventVerdict::Pending,
        cattle_id: None,
        sequence: None,
        code: None,
        reason: None,
        duplicate_of: None,
    })
}
