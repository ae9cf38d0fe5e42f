//! Sending many commands a chunk to a request, a few requests in flight, each command's
//! outcome recorded as its answer comes: the import page's rows and a bulk action's animals.
//! A command that failed for a technical reason is sent again; the registry recognises it
//! (a registration by its tag, a bulk action's command by the action id).
use crate::browser_clock::now_ms;
use crate::model::{ChunkAnswer, CommandAck, CommandFailure, ImportProgress};
use crate::server_fns::Answer;
use leptos::prelude::*;
use serde_json::Value;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::rc::Rc;

/// A command and its place in the page's result list.
pub(crate) type Placed = (usize, Value);

/// How a page sends its commands and keeps their outcomes.
pub(crate) trait ChunkSender: Clone + 'static {
    /// One command's outcome as the page lists it.
    type Outcome: 'static;
    /// Commands sent in one request.
    const PER_REQUEST: usize;
    /// Requests in flight at once.
    const IN_FLIGHT: usize;
    /// Sends one chunk: each command's answer, in order.
    fn send(&self, commands: Vec<Value>) -> impl Future<Output = Answer<Vec<Answer<CommandAck>>>>;
    /// What one answer means.
    fn read(&self, answer: Answer<CommandAck>) -> ChunkAnswer<Self::Outcome>;
    /// The outcome of a command that could not be sent, and why.
    fn not_sent(&self, reason: String) -> Self::Outcome;
    /// Keeps the outcomes of a chunk.
    fn record(&self, ended: Vec<(usize, Self::Outcome)>);
}

/// Tries of a command that fails for a technical reason before it is reported as not sent.
const ATTEMPTS: u32 = 3;

/// Sends `queue` with `sender`, moving `progress` as answers come; `stopped` says why the
/// run stopped early (the user was signed out).
pub(crate) fn send_in_chunks<S: ChunkSender>(
    sender: S,
    queue: VecDeque<Placed>,
    progress: RwSignal<Option<ImportProgress>>,
    stopped: RwSignal<Option<String>>,
) {
    stopped.set(None);
    progress.set(Some(ImportProgress {
        total: queue.len(),
        done: 0,
        elapsed_ms: 0.0,
    }));
    let queue = Rc::new(RefCell::new(queue));
    let started = now_ms();
    for _ in 0..S::IN_FLIGHT {
        let (queue, sender) = (queue.clone(), sender.clone());
        leptos::task::spawn_local(async move {
            loop {
                let chunk: Vec<Placed> = {
                    let mut queue = queue.borrow_mut();
                    let take = queue.len().min(S::PER_REQUEST);
                    queue.drain(..take).collect()
                };
                if chunk.is_empty() {
                    break;
                }
                let ended = send_chunk(&sender, chunk, stopped).await;
                let answered = ended.len();
                sender.record(ended);
                progress.update(|progress| {
                    if let Some(progress) = progress {
                        progress.done += answered;
                        progress.elapsed_ms = now_ms() - started;
                    }
                });
            }
        });
    }
}

/// Sends one chunk, again for the commands that failed for a technical reason: each
/// command's outcome.
async fn send_chunk<S: ChunkSender>(
    sender: &S,
    mut chunk: Vec<Placed>,
    stopped: RwSignal<Option<String>>,
) -> Vec<(usize, S::Outcome)> {
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
        let answers = match sender.send(commands).await {
            Ok(answers) if answers.len() == chunk.len() => answers,
            Ok(_) => {
                let failure = CommandFailure::Unavailable {
                    message: "the registry answered for other commands than were sent".into(),
                };
                chunk.iter().map(|_| Err(failure.clone())).collect()
            }
            // The request as a whole failed: every command of it is tried again.
            Err(failure) => chunk.iter().map(|_| Err(failure.clone())).collect(),
        };
        let mut again = Vec::new();
        for ((index, command), answer) in chunk.into_iter().zip(answers) {
            match sender.read(answer) {
                ChunkAnswer::Ended(outcome) => ended.push((index, outcome)),
                ChunkAnswer::StopAll(reason) => {
                    stopped.set(Some(reason.clone()));
                    ended.push((index, sender.not_sent(reason)));
                }
                ChunkAnswer::Again(reason) => {
                    last = reason;
                    again.push((index, command));
                }
            }
        }
        chunk = again;
    }
    ended.extend(
        chunk
            .into_iter()
            .map(|(index, _)| (index, sender.not_sent(last.clone()))),
    );
    ended
}
