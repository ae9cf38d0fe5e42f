//! The step that loads what a command builds on: this instance's own last write to the
//! stream while the golden record may not hold it yet, else the golden record's head; and,
//! for a client registration, whether the register lets the client in.
use super::stream_base::{HeadSource, StreamBase};
use super::{CommandHandler, Halt};
use crate::golden::chain_heads;
use crate::technical_failure::unavailable;
use crate::written_streams::WrittenStream;
use app::model::CommandFailure;
use domain::{
    check_client_registration, ClientRegisterFacts, Command, RegisterClient, Rejection, StreamState,
};

impl CommandHandler {
    /// Loads the stream the command builds on. A client registration starts a new stream,
    /// once the register shows its PIC and client id free; one refused is answered with the
    /// original when it is the same fact sent again.
    pub(super) async fn load(
        &self,
        command: &Command,
        written: Option<&WrittenStream>,
    ) -> Result<StreamBase, Halt> {
        let stream = command.cattle_id().0;
        let Command::RegisterClient(client) = command else {
            return Ok(self.stream_head(stream, written).await?);
        };
        match self
            .client_register_verdict(stream, client, written)
            .await?
        {
            Ok(()) => Ok(StreamBase::new_stream()),
            Err(rejection) => Err(self.refused_unless_accepted(command, &rejection).await),
        }
    }

    /// Whether the register lets `client` in on its PIC's `stream`: the golden record (or
    /// this instance's own write to the stream) gives the facts, the domain decides.
    async fn client_register_verdict(
        &self,
        stream: i64,
        client: &RegisterClient,
        written: Option<&WrittenStream>,
    ) -> Result<Result<(), Rejection>, CommandFailure> {
        let read_failed = |error: sea_orm::DbErr| {
            unavailable(
                "The registry could not read the animal; nothing was published",
                format!("the head of stream {stream}: {error}"),
            )
        };
        let pic_registered = written.is_some()
            || chain_heads::client_head(&self.db, stream)
                .await
                .map_err(read_failed)?
                .is_some();
        let client_id = client.resolved_client_id();
        // A registered PIC is refused whoever holds the client id: no need to look it up.
        let client_id_taken = !pic_registered
            && chain_heads::client_id_taken(&self.db, client_id)
                .await
                .map_err(read_failed)?;
        let facts = ClientRegisterFacts {
            pic_registered,
            client_id_taken,
        };
        Ok(check_client_registration(&client.pic, client_id, facts))
    }

    /// The chain head and state of animal `id` a command builds on, and where they come from.
    pub(super) async fn stream_head(
        &self,
        id: i64,
        written: Option<&WrittenStream>,
    ) -> Result<StreamBase, CommandFailure> {
        let written_animal = written.and_then(|w| match &w.state {
            StreamState::Cattle(animal) => Some((w, animal)),
            StreamState::Client(_) => None,
        });
        if let Some((written, animal)) = written_animal.filter(|(w, _)| self.written.usable(id, w))
        {
            // This instance's own acknowledged events, which the golden record may not have
            // applied yet: no need to ask it (its verdicts settle the entry).
            return Ok(StreamBase::written(written, animal));
        }
        let (head, state) = chain_heads::head_and_state(&self.db, id)
            .await
            .map_err(|error| {
                unavailable(
                    "The registry could not read the animal; nothing was published",
                    format!("the head of stream {id}: {error}"),
                )
            })?;
        if let Some((written, animal)) = written_animal {
            // Still undecided and further on than the golden record (which lags): build on
            // it, as on a fresh head.
            if written.head.sequence > head.sequence && !self.written.decided(id, written) {
                return Ok(StreamBase::written(written, animal));
            }
        }
        let source = if state.is_some() {
            HeadSource::Golden
        } else {
            HeadSource::NewStream
        };
        Ok(StreamBase {
            head,
            state,
            source,
        })
    }
}
