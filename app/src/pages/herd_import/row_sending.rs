//! Sending an import's valid rows: a few requests in flight, each carrying a chunk of rows,
//! each row's outcome recorded as its answer comes; a row that failed for a technical reason
//! is sent again (the registry answers a registration sent twice with the first).
use super::ImportRun;
use crate::model::{row_answer, CommandFailure, ImportProgress, RowAnswer};
use crate::server_fns::{flat, submit_commands};
use domain::herd_file::{HerdFileRow, RowOutcome};
use leptos::prelude::*;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

/// Rows sent in one request.
const ROWS_PER_REQUEST: usize = 25;
/// Requests in flight at once.
const REQUESTS_IN_FLIGHT: usize = 4;
/// Tries of a row that fails for a technical reason before it is reported as not sent.
const ATTEMPTS: u32 = 3;

/// Sends every valid row, `ROWS_PER_REQUEST` to a request and `REQUESTS_IN_FLIGHT` requests
/// at a time, recording each outcome as it comes.
pub(super) fn start_import(rows: &[HerdFileRow], run: ImportRun) {
    let queue: VecDeque<(usize, serde_json::Value)> = rows
        .iter()
        .enumerate()
        .filter_map(|(index, row)| Some((index, row.command()?)))
        .collect();
    let total = queue.len();
    run.progress.set(Some(ImportProgress {
        total,
        done: 0,
        elapsed_ms: 0.0,
    }));
    run.outcomes
        .set(rows.iter().map(RowOutcome::of_invalid).collect());
    let queue = Rc::new(RefCell::new(queue));
    let started = now_ms();
    for _ in 0..REQUESTS_IN_FLIGHT {
        let queue = queue.clone();
        leptos::task::spawn_local(async move {
            loop {
                let chunk: Vec<(usize, serde_json::Value)> = {
                    let mut queue = queue.borrow_mut();
                    let take = queue.len().min(ROWS_PER_REQUEST);
                    queue.drain(..take).collect()
                };
                if chunk.is_empty() {
                    break;
                }
                let ended = send_chunk(chunk, run.stopped).await;
                let answered = ended.len();
                run.outcomes.update(|outcomes| {
                    for (index, outcome) in ended {
                        outcomes[index] = Some(outcome);
                    }
                });
                run.progress.update(|progress| {
                    if let Some(progress) = progress {
                        progress.done += answered;
                        progress.elapsed_ms = now_ms() - started;
                    }
                });
            }
        });
    }
}

/// Sends one chunk of rows, sending again those that failed for a technical reason: each
/// row's outcome.
async fn send_chunk(
    mut chunk: Vec<(usize, serde_json::Value)>,
    stopped: RwSignal<Option<String>>,
) -> Vec<(usize, RowOutcome)> {
    let mut ended = Vec::with_capacity(chunk.len());
    let mut last = String::new();
    for _ in 0..ATTEMPTS {
        if chunk.is_empty() {
            break;
        }
        if let Some(reason) = stopped.get_untracked() {
            last = reason;
            break;
        }
        let commands = chunk.iter().map(|(_, command)| command.clone()).collect();
        let answers = match flat(submit_commands(commands).await) {
            Ok(answers) if answers.len() == chunk.len() => answers,
            Ok(_) => {
                let failure = CommandFailure::Unavailable {
                    message: "the registry answered for other rows than were sent".into(),
                };
                chunk.iter().map(|_| Err(failure.clone())).collect()
            }
            // The request as a whole failed: every row of it is tried again.
            Err(failure) => chunk.iter().map(|_| Err(failure.clone())).collect(),
        };
        let mut again = Vec::new();
        for ((index, command), answer) in chunk.into_iter().zip(answers) {
            match row_answer(answer) {
                RowAnswer::Ended(outcome) => ended.push((index, outcome)),
                RowAnswer::StopAll(reason) => {
                    stopped.set(Some(reason.clone()));
                    ended.push((index, RowOutcome::NotSent { reason }));
                }
                RowAnswer::Again(reason) => {
                    last = reason;
                    again.push((index, command));
                }
            }
        }
        chunk = again;
    }
    ended.extend(chunk.into_iter().map(|(index, _)| {
        let reason = format!("{last} (import the file again to send it)");
        (index, RowOutcome::NotSent { reason })
    }));
    ended
}

/// Milliseconds on the browser's clock (for the rate and the time left only).
fn now_ms() -> f64 {
    #[cfg(feature = "hydrate")]
    {
        window().performance().map_or(0.0, |clock| clock.now())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        0.0
    }
}
