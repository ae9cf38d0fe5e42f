//! Sending an import's valid rows in chunks (see `chunked_sending`); a row sent twice is
//! answered with its first registration.
use super::ImportRun;
use crate::model::{row_answer, CommandAck, RowAnswer};
use crate::pages::chunked_sending::{send_in_chunks, ChunkSender, Placed};
use crate::server_fns::{flat, submit_commands, Answer};
use domain::herd_file::{HerdFileRow, RowOutcome};
use leptos::prelude::*;
use serde_json::Value;
use std::collections::VecDeque;

/// The import's rows as the chunked sender sends them.
#[derive(Clone, Copy)]
struct RowSender(RwSignal<Vec<Option<RowOutcome>>>);

impl ChunkSender for RowSender {
    type Outcome = RowOutcome;
    const PER_REQUEST: usize = 25;
    const IN_FLIGHT: usize = 4;

    async fn send(&self, commands: Vec<Value>) -> Answer<Vec<Answer<CommandAck>>> {
        flat(submit_commands(commands).await)
    }

    fn read(&self, answer: Answer<CommandAck>) -> RowAnswer {
        row_answer(answer)
    }

    fn not_sent(&self, reason: String) -> RowOutcome {
        RowOutcome::NotSent {
            reason: format!("{reason} (import the file again to send it)"),
        }
    }

    fn record(&self, ended: Vec<(usize, RowOutcome)>) {
        self.0.update(|outcomes| {
            for (index, outcome) in ended {
                outcomes[index] = Some(outcome);
            }
        });
    }
}

/// Sends every valid row, recording each outcome as it comes.
pub(super) fn start_import(rows: &[HerdFileRow], run: ImportRun) {
    let queue: VecDeque<Placed> = rows
        .iter()
        .enumerate()
        .filter_map(|(index, row)| Some((index, row.command()?)))
        .collect();
    run.outcomes
        .set(rows.iter().map(RowOutcome::of_invalid).collect());
    send_in_chunks(RowSender(run.outcomes), queue, run.progress, run.stopped);
}
