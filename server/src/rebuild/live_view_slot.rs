//! The live copy of a view as a task that can be stopped and started again: a rebuild's swap
//! happens while it is stopped, so no batch of the old copy commits across it.
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::task::JoinHandle;

type Starter = dyn Fn() -> JoinHandle<()> + Send + Sync;

/// A view's consumer task, stoppable and startable again; clones share it.
#[derive(Clone)]
pub struct LiveViewSlot {
    starter: Arc<Starter>,
    running: Arc<Mutex<Option<JoinHandle<()>>>>,
}

impl LiveViewSlot {
    /// Starts the task `starter` makes, and keeps `starter` to start it again.
    pub fn start_with(starter: impl Fn() -> JoinHandle<()> + Send + Sync + 'static) -> Self {
        let slot = Self {
            starter: Arc::new(starter),
            running: Arc::default(),
        };
        slot.start();
        slot
    }

    fn running(&self) -> MutexGuard<'_, Option<JoinHandle<()>>> {
        self.running
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Starts the task unless it runs.
    pub fn start(&self) {
        let mut running = self.running();
        if running.as_ref().is_none_or(JoinHandle::is_finished) {
            *running = Some((self.starter)());
        }
    }

    /// Stops the task and waits until it has stopped: a batch it was applying is rolled
    /// back with its transaction, to be applied again by whoever reads from the checkpoints.
    pub async fn stop(&self) {
        let task = self.running().take();
        if let Some(task) = task {
            task.abort();
            let _ = task.await;
        }
    }

    /// Stops the task without waiting (when its owner is dropped).
    pub fn abort(&self) {
        if let Some(task) = self.running().take() {
            task.abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn a_stopped_view_starts_again_once() {
        let started = Arc::new(AtomicUsize::new(0));
        let counter = started.clone();
        let slot = LiveViewSlot::start_with(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(std::future::pending())
        });
        slot.start();
        assert_eq!(
            started.load(Ordering::SeqCst),
            1,
            "a running task is not started twice"
        );
        slot.stop().await;
        assert!(slot.running().is_none());
        slot.start();
        assert_eq!(started.load(Ordering::SeqCst), 2);
        slot.abort();
    }
}
