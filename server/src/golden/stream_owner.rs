//! Whose a stream is, as the golden record knows it: an animal belongs to a client, a client
//! stream to the user who registered it. Asked before a live update reaches a farmer.
use crate::entity::{cattle, client, rejected_event};
use app::model::SignedInUser;
use domain::{may_see, Role};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter};

/// What the golden record says a stream belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamOwner {
    /// An animal owned by this client.
    Client(i64),
    /// A client's own stream, registered by this user (when recorded).
    RegisteredBy(Option<String>),
    /// Not (yet) in the golden record.
    Unknown,
}

impl StreamOwner {
    /// Whether `user`, whose own clients are `own_clients`, may see the stream: the herd
    /// rule for animals; a client stream is its registering farmer's; a farmer sees nothing
    /// the golden record does not know. Assessors and administrators see every stream.
    pub fn visible_to(&self, user: &SignedInUser, own_clients: &[i64]) -> bool {
        match self {
            StreamOwner::Client(client) => may_see(user.role, own_clients, *client),
            StreamOwner::RegisteredBy(by) => {
                user.role != Role::Farmer || by.as_deref() == Some(user.username.as_str())
            }
            StreamOwner::Unknown => user.role != Role::Farmer,
        }
    }
}

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
