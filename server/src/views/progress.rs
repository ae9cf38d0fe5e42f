//! How far each view of this process has read the log, what it handled, and the switch an
//! operator pauses it with. The consumers write it; the lag watch and the admin API read it.
use app::model::ViewName;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::watch;

/// One view's standing, as its consumer last reported it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ViewTrack {
    /// Per partition, the offset the view applies next.
    pub next: BTreeMap<i32, i64>,
    /// Messages handled since the process started.
    pub processed: u64,
    /// Of those, refused or undecodable.
    pub failed: u64,
    /// Paused by an operator.
    pub paused: bool,
}

#[derive(Default)]
struct Tracks {
    views: BTreeMap<ViewName, ViewTrack>,
    switches: BTreeMap<ViewName, watch::Sender<bool>>,
}

/// The positions and pause switches of every view in this process; clones share them.
#[derive(Clone, Default)]
pub struct ViewProgress(Arc<Mutex<Tracks>>);

/// Why a view could not be paused or resumed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("the {0} view does not run in this instance")]
pub struct NotRunning(pub ViewName);

impl ViewProgress {
    fn tracks(&self) -> MutexGuard<'_, Tracks> {
        // A panic while holding the lock leaves plain numbers behind, still worth reading.
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Registers `view` and answers the switch its consumer waits on while paused.
    pub fn join(&self, view: ViewName) -> watch::Receiver<bool> {
        let mut tracks = self.tracks();
        tracks.views.entry(view).or_default();
        tracks
            .switches
            .entry(view)
            .or_insert_with(|| watch::channel(false).0)
            .subscribe()
    }

    /// The view applies `next` next on `partition` (after an assignment or a batch).
    pub fn reached(&self, view: ViewName, partition: i32, next: i64) {
        self.tracks()
            .views
            .entry(view)
            .or_default()
            .next
            .insert(partition, next);
    }

    /// The view gave every partition it held back to its group: another instance reports
    /// their positions now.
    pub fn gave_up(&self, view: ViewName) {
        self.tracks().views.entry(view).or_default().next.clear();
    }

    /// The view handled `processed` messages, of which `failed` failed.
    pub fn counted(&self, view: ViewName, processed: u64, failed: u64) {
        let mut tracks = self.tracks();
        let track = tracks.views.entry(view).or_default();
        track.processed += processed;
        track.failed += failed;
    }

    /// Pauses or resumes `view`; a paused view finishes its batch and reads no more.
    pub fn set_paused(&self, view: ViewName, paused: bool) -> Result<(), NotRunning> {
        let mut tracks = self.tracks();
        let switch = tracks.switches.get(&view).ok_or(NotRunning(view))?;
        switch.send_replace(paused);
        tracks.views.entry(view).or_default().paused = paused;
        Ok(())
    }

    /// Every registered view's standing.
    pub fn snapshot(&self) -> BTreeMap<ViewName, ViewTrack> {
        self.tracks().views.clone()
    }
}

/// Waits while an operator keeps the view paused.
pub async fn while_paused(switch: &mut watch::Receiver<bool>, view: ViewName) {
    if !*switch.borrow() {
        return;
    }
    tracing::info!(view = view.as_str(), "paused by an operator");
    // A dropped sender (the progress went away) ends the pause.
    while *switch.borrow_and_update() {
        if switch.changed().await.is_err() {
            break;
        }
    }
    tracing::info!(view = view.as_str(), "resumed");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_paused_view_waits_until_it_is_resumed() {
        let progress = ViewProgress::default();
        let mut switch = progress.join(ViewName::FraudView);
        assert_eq!(
            progress.set_paused(ViewName::CacheView, true),
            Err(NotRunning(ViewName::CacheView))
        );
        progress.set_paused(ViewName::FraudView, true).unwrap();
        assert!(progress.snapshot()[&ViewName::FraudView].paused);
        let waiting = tokio::spawn(async move {
            while_paused(&mut switch, ViewName::FraudView).await;
        });
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished());
        progress.set_paused(ViewName::FraudView, false).unwrap();
        waiting.await.unwrap();
    }

    #[test]
    fn positions_and_counts_add_up() {
        let progress = ViewProgress::default();
        progress.reached(ViewName::GoldenRecord, 0, 5);
        progress.reached(ViewName::GoldenRecord, 0, 9);
        progress.counted(ViewName::GoldenRecord, 4, 1);
        progress.counted(ViewName::GoldenRecord, 3, 0);
        let track = &progress.snapshot()[&ViewName::GoldenRecord];
        assert_eq!(track.next[&0], 9);
        assert_eq!((track.processed, track.failed), (7, 1));
    }
}
