//! The browser side of the outbox: keeping, sending in order and discarding entries.
use super::{browser_store, online, Outbox, RETRY_EVERY};
use crate::model::{queue_of, send_answer, OutboxEntry, SendAnswer};
use crate::server_fns::{flat, submit_command};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::Value;

impl Outbox {
    /// Opens `username`'s outbox: reads what the browser kept, sends what waits, and sends
    /// again when the browser comes back online and every little while something waits.
    pub fn open_for(&self, username: String) {
        let first = match self.user.get_untracked() {
            Some(open) if open == username => return,
            Some(_) => false,
            None => true,
        };
        self.user.set(Some(username));
        let outbox = *self;
        spawn_local(async move {
            outbox.reload().await;
            if online() {
                outbox.send_now();
            }
        });
        // The outbox lives as long as the app (signing out leaves the page), and so do its
        // listeners: a navigation bar drawn again must not take them away.
        if first {
            let _ = window_event_listener(leptos::ev::online, move |_| outbox.send_now());
            let _ = set_interval_with_handle(
                move || {
                    if online() && outbox.waiting_untracked() > 0 {
                        outbox.send_now();
                    }
                },
                RETRY_EVERY,
            );
        }
    }

    fn waiting_untracked(&self) -> usize {
        self.entries
            .with_untracked(|entries| entries.iter().filter(|e| e.waiting()).count())
    }

    /// Reads the user's entries from the browser's storage.
    async fn reload(&self) {
        let Some(user) = self.user.get_untracked() else {
            return;
        };
        match browser_store::all().await {
            Ok(all) => self.entries.set(queue_of(&all, &user)),
            Err(error) => self.problem.set(Some(error.to_string())),
        }
    }

    /// Keeps a command the registry could not be reached with, to be sent under
    /// `command_id`; an error says why the browser could not keep it.
    pub async fn keep(&self, command: Value, command_id: String) -> Result<(), String> {
        let user = self
            .user
            .get_untracked()
            .ok_or_else(|| "please sign in first".to_string())?;
        let queued_at = js_sys::Date::new_0()
            .to_iso_string()
            .as_string()
            .unwrap_or_default();
        let entry = OutboxEntry::new(command_id, user, command, queued_at);
        browser_store::put(&entry)
            .await
            .map_err(|error| error.to_string())?;
        self.entries.update(|entries| entries.push(entry));
        Ok(())
    }

    /// Sends the waiting entries in order, unless a send is already under way or the
    /// browser knows it has no connection.
    pub fn send_now(&self) {
        if self.sending.get_untracked() || self.waiting_untracked() == 0 {
            return;
        }
        if !online() {
            self.problem.set(Some(
                "No connection: what waits is sent when you are back online.".into(),
            ));
            return;
        }
        self.problem.set(None);
        self.sending.set(true);
        let outbox = *self;
        spawn_local(async move {
            outbox.send_waiting().await;
            outbox.sending.set(false);
        });
    }

    async fn send_waiting(&self) {
        // Another tab may have sent or refused some meanwhile.
        self.reload().await;
        let waiting: Vec<OutboxEntry> = self
            .entries
            .get_untracked()
            .into_iter()
            .filter(OutboxEntry::waiting)
            .collect();
        for mut entry in waiting {
            entry.attempts += 1;
            let answer =
                flat(submit_command(entry.command.clone(), Some(entry.command_id.clone())).await);
            match send_answer(answer) {
                SendAnswer::Delivered(ack) => {
                    if let Err(error) = browser_store::remove(&entry.command_id).await {
                        self.problem.set(Some(error.to_string()));
                    }
                    let id = entry.command_id.clone();
                    self.entries
                        .update(|entries| entries.retain(|e| e.command_id != id));
                    self.delivered.update(|delivered| delivered.push((id, ack)));
                    self.problem.set(None);
                }
                SendAnswer::Refused(reason) => {
                    entry.refused = Some(reason);
                    self.replace(entry).await;
                }
                SendAnswer::TryLater(reason) => {
                    entry.last_failure = Some(reason);
                    self.replace(entry).await;
                    return;
                }
                SendAnswer::SignIn(reason) => {
                    self.problem.set(Some(reason));
                    return;
                }
            }
        }
    }

    async fn replace(&self, entry: OutboxEntry) {
        if let Err(error) = browser_store::put(&entry).await {
            self.problem.set(Some(error.to_string()));
        }
        self.entries.update(|entries| {
            if let Some(kept) = entries
                .iter_mut()
                .find(|e| e.command_id == entry.command_id)
            {
                *kept = entry;
            }
        });
    }

    /// Forgets an entry the user chose to give up (one the registry refused).
    pub fn discard(&self, command_id: String) {
        let outbox = *self;
        spawn_local(async move {
            match browser_store::remove(&command_id).await {
                Ok(()) => outbox
                    .entries
                    .update(|entries| entries.retain(|e| e.command_id != command_id)),
                Err(error) => outbox.problem.set(Some(error.to_string())),
            }
        });
    }
}
