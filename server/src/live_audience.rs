//! One browser's share of the live updates: a farmer receives updates about the animals of
//! their own clients, offers made to their clients, their own client streams and the
//! refusals of events they signed;
//! assessors and administrators receive every update about the herd (they see every herd),
//! and only administrators hear that the operations moved. The same rule
//! as the herd list (`domain::may_see`), asked of the golden record.
use crate::registry_office::RegistryOffice;
use app::model::{CommandFailure, LiveUpdate, SignedInUser};
use domain::{may_see_stream, EventType, Role, StreamOwner};
use std::collections::HashMap;

/// Streams whose owner is remembered; beyond this the memory starts again.
const OWNERS_KEPT: usize = 10_000;

/// The updates one signed-in user may receive.
pub struct LiveAudience {
    office: RegistryOffice,
    user: SignedInUser,
    own_clients: Option<Vec<i64>>,
    owners: HashMap<i64, StreamOwner>,
}

impl LiveAudience {
    /// The audience of `user`, asking `office` what the golden record holds.
    pub fn new(office: RegistryOffice, user: SignedInUser) -> Self {
        Self {
            office,
            user,
            own_clients: None,
            owners: HashMap::new(),
        }
    }

    /// Forgets the user's clients, so the next check reads them again (after a re-check of
    /// the session, or when the user registered a client).
    pub fn refresh(&mut self) {
        self.own_clients = None;
    }

    /// Whether `update` may reach the user.
    pub async fn admits(&mut self, update: &LiveUpdate) -> Result<bool, CommandFailure> {
        if matches!(update, LiveUpdate::OperationsChanged) {
            return Ok(self.user.role == Role::Admin);
        }
        if self.user.role != Role::Farmer {
            return Ok(true);
        }
        match update {
            LiveUpdate::CattleChanged {
                cattle_id,
                event_type,
                event_id,
                ..
            } => {
                match event_type {
                    // A transfer, an offer or its end: the farmers of both clients hear, read
                    // from the event itself (each view announces it; by the later ones the
                    // animal may have left the farmer it came from).
                    EventType::OwnershipTransfer
                    | EventType::TransferOffered
                    | EventType::TransferDeclined => {
                        let before = match self.owners.remove(cattle_id) {
                            Some(owner) => self.may_see_owner(owner).await?,
                            None => false,
                        };
                        if before || self.may_see_stream(*cattle_id).await? {
                            return Ok(true);
                        }
                        for client in self.office.transfer_parties_of(event_id).await? {
                            if self.may_see_owner(StreamOwner::Client(client)).await? {
                                return Ok(true);
                            }
                        }
                        Ok(false)
                    }
                    EventType::ClientRegistered => {
                        // A client of the user's may be new.
                        self.refresh();
                        self.may_see_stream(*cattle_id).await
                    }
                    _ => self.may_see_stream(*cattle_id).await,
                }
            }
            // Administrators only, and a farmer is none.
            LiveUpdate::OperationsChanged => Ok(false),
            LiveUpdate::EventDuplicate { cattle_id, .. } => match cattle_id {
                Some(stream) => self.may_see_stream(*stream).await,
                None => Ok(false),
            },
            LiveUpdate::EventRejected {
                event_id,
                cattle_id,
                ..
            } => {
                if let Some(stream) = cattle_id {
                    if self.may_see_stream(*stream).await? {
                        return Ok(true);
                    }
                }
                match event_id {
                    Some(event_id) => Ok(self.office.author_of_refused(event_id).await?.as_deref()
                        == Some(self.user.user_id.as_str())),
                    None => Ok(false),
                }
            }
        }
    }

    async fn may_see_stream(&mut self, stream: i64) -> Result<bool, CommandFailure> {
        let owner = match self.owners.get(&stream) {
            Some(owner) => owner.clone(),
            None => {
                let owner = self.office.stream_owner(stream).await?;
                // An unknown stream may be known a moment later: not remembered.
                if owner != StreamOwner::Unknown {
                    if self.owners.len() >= OWNERS_KEPT {
                        self.owners.clear();
                    }
                    self.owners.insert(stream, owner.clone());
                }
                owner
            }
        };
        self.may_see_owner(owner).await
    }

    async fn may_see_owner(&mut self, owner: StreamOwner) -> Result<bool, CommandFailure> {
        if !matches!(owner, StreamOwner::Client(_)) {
            return Ok(may_see_stream(
                self.user.role,
                &self.user.user_id,
                &[],
                &owner,
            ));
        }
        let own = match &self.own_clients {
            Some(own) => own,
            None => self
                .own_clients
                .insert(self.office.own_clients(&self.user).await?),
        };
        Ok(may_see_stream(
            self.user.role,
            &self.user.user_id,
            own,
            &owner,
        ))
    }
}
