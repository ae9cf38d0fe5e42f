//! Sending a bulk action's commands in chunks (see `chunked_sending`), every chunk under the
//! action's id, so a chunk sent again is answered with the events the first send wrote.
use super::BulkRun;
use crate::model::{
    bulk_answer, command_for, BulkAnswer, BulkOutcome, CommandAck, SelectedAnimal,
    BULK_COMMANDS_PER_REQUEST,
};
use crate::pages::chunked_sending::{send_in_chunks, ChunkSender, Placed};
use crate::server_fns::{flat, submit_bulk, Answer};
use leptos::prelude::*;
use serde_json::{Map, Value};
use std::collections::VecDeque;
use std::rc::Rc;

/// One bulk action as the chunked sender sends it.
#[derive(Clone)]
struct BulkSender {
    action_id: Rc<str>,
    outcomes: RwSignal<Vec<(SelectedAnimal, Option<BulkOutcome>)>>,
}

impl ChunkSender for BulkSender {
    type Outcome = BulkOutcome;
    const PER_REQUEST: usize = BULK_COMMANDS_PER_REQUEST;
    const IN_FLIGHT: usize = 2;

    async fn send(&self, commands: Vec<Value>) -> Answer<Vec<Answer<CommandAck>>> {
        flat(submit_bulk(self.action_id.to_string(), commands).await)
    }

    fn read(&self, answer: Answer<CommandAck>) -> BulkAnswer {
        bulk_answer(answer)
    }

    fn not_sent(&self, reason: String) -> BulkOutcome {
        BulkOutcome::NotSent(format!("{reason} (apply the action again to send it)"))
    }

    fn record(&self, ended: Vec<(usize, BulkOutcome)>) {
        self.outcomes.update(|outcomes| {
            for (index, outcome) in ended {
                outcomes[index].1 = Some(outcome);
            }
        });
    }
}

/// Sends `command_type` with `data` to every one of `animals` under `action_id`.
pub(super) fn start_bulk(
    action_id: String,
    command_type: &'static str,
    data: Map<String, Value>,
    animals: Vec<SelectedAnimal>,
    run: BulkRun,
) {
    let queue: VecDeque<Placed> = animals
        .iter()
        .enumerate()
        .map(|(index, animal)| (index, command_for(command_type, &data, animal.id)))
        .collect();
    run.outcomes
        .set(animals.into_iter().map(|animal| (animal, None)).collect());
    let sender = BulkSender {
        action_id: action_id.into(),
        outcomes: run.outcomes,
    };
    send_in_chunks(sender, queue, run.progress, run.stopped);
}
