//! The signed tree heads and their proofs: heads and consistency proofs are public, like
//! the keys; an event's inclusion proof only for who may see the animal.
use super::RegistryOffice;
use crate::technical_failure::unavailable;
use crate::tree_heads::head_answers::{
    AnimalInclusion, EventInclusion, HeadConsistency, InclusionRefusal, NoSuchHead,
};
use crate::tree_heads::head_proofs;
use crate::tree_heads::{head_book, TreeHeadError};
use app::model::{CommandFailure, SignedInUser};
use domain::{CommittedHead, TreeHead};

fn read_failed_heads(error: sea_orm::DbErr) -> CommandFailure {
    unavailable("The signed tree heads could not be read", error)
}

fn heads_failed(error: TreeHeadError) -> CommandFailure {
    unavailable("The signed tree heads could not be read", error)
}

impl RegistryOffice {
    async fn head(&self, number: Option<u64>) -> Result<Option<TreeHead>, CommandFailure> {
        match number {
            Some(number) => head_book::numbered(&self.db, number).await,
            None => head_book::latest(&self.db).await,
        }
        .map_err(heads_failed)
    }

    /// Head `number`, or the newest; none before the first head is signed.
    pub async fn tree_head(&self, number: Option<u64>) -> Result<Option<TreeHead>, CommandFailure> {
        self.head(number).await
    }

    /// Head `number` (or the newest) with every animal head it commits to.
    /// Only for who may see every herd: the listing names every stream and its newest event.
    pub async fn committed_head(
        &self,
        user: &SignedInUser,
        number: Option<u64>,
    ) -> Result<Option<CommittedHead>, CommandFailure> {
        if self
            .visible_clients(user)
            .await
            .map_err(read_failed_heads)?
            .is_some()
        {
            return Err(CommandFailure::Forbidden {
                message: "the animal heads name every herd's animals: only assessors and \
                          administrators may read them"
                    .into(),
            });
        }
        let Some(head) = self.head(number).await? else {
            return Ok(None);
        };
        let animal_heads = head_proofs::animal_heads(&self.db, &self.log_topic, &head)
            .await
            .map_err(heads_failed)?;
        Ok(Some(CommittedHead { head, animal_heads }))
    }

    /// Heads `from` and `to` with their consistency proof.
    pub async fn head_consistency(
        &self,
        from: u64,
        to: u64,
    ) -> Result<Result<HeadConsistency, NoSuchHead>, CommandFailure> {
        let Some(earlier) = self.head(Some(from)).await? else {
            return Ok(Err(NoSuchHead(from)));
        };
        let Some(later) = self.head(Some(to)).await? else {
            return Ok(Err(NoSuchHead(to)));
        };
        let partitions = head_proofs::consistency(
            &self.db,
            &self.partition_trees,
            &self.log_topic,
            &earlier,
            &later,
        )
        .await
        .map_err(heads_failed)?;
        Ok(Ok(HeadConsistency {
            from: earlier,
            to: later,
            partitions,
        }))
    }

    /// The proof that event `sequence` of `cattle_id` is in head `number` (or the newest).
    pub async fn event_inclusion(
        &self,
        user: &SignedInUser,
        cattle_id: i64,
        sequence: i64,
        number: Option<u64>,
    ) -> Result<Result<EventInclusion, InclusionRefusal>, CommandFailure> {
        self.check_may_see(user, cattle_id).await?;
        let Some(head) = self.head(number).await? else {
            return Ok(Err(InclusionRefusal::NoHead(match number {
                Some(number) => NoSuchHead(number).to_string(),
                None => "no tree head has been signed yet".into(),
            })));
        };
        let proof = head_proofs::inclusion(
            &self.db,
            &self.partition_trees,
            &self.log_topic,
            &head,
            cattle_id,
            sequence,
        )
        .await
        .map_err(heads_failed)?;
        Ok(proof
            .map(|proof| EventInclusion { head, proof })
            .map_err(InclusionRefusal::Event))
    }

    /// The newest head and the proof of the newest of the animal's events it includes.
    pub async fn animal_inclusion(
        &self,
        user: &SignedInUser,
        cattle_id: i64,
    ) -> Result<AnimalInclusion, CommandFailure> {
        self.check_may_see(user, cattle_id).await?;
        let Some(head) = self.head(None).await? else {
            return Ok(AnimalInclusion {
                head: None,
                proof: None,
            });
        };
        let proof = head_proofs::newest_included(
            &self.db,
            &self.partition_trees,
            &self.log_topic,
            &head,
            cattle_id,
        )
        .await
        .map_err(heads_failed)?;
        Ok(AnimalInclusion {
            head: Some(head),
            proof,
        })
    }
}
