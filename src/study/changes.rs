//! Keeping this process's memory in step with other processes on a shared database. Each
//! process keeps learners and servers' default tracks in memory (see `learners.rs`); when
//! another process changes one of them, PostgreSQL says so as the change commits and this
//! process drops its copy, so the next command reads the store again.
//!
//! The announcement times need no such care: a mark is announced by the process serving the
//! server it was made in, and only that process announces there.

use std::time::Duration;

use super::Study;
use crate::store::Change;

/// How long to wait before listening again after the listening connection failed.
const RETRY: Duration = Duration::from_secs(1);

impl Study {
    /// Follows the changes other processes make until the store closes. Returns at once on
    /// SQLite, which one process owns.
    pub async fn follow_other_processes(self) {
        while !self.store.is_closed() {
            let mut feed = match self.store.change_feed().await {
                Ok(Some(feed)) => feed,
                Ok(None) => return,
                Err(error) => {
                    tracing::warn!(%error, "cannot listen for other processes' changes");
                    tokio::time::sleep(RETRY).await;
                    continue;
                }
            };
            // Changes made before listening are not heard: start from the store.
            self.forget_everything();
            loop {
                match feed.next().await {
                    Ok(Change::Learner(user)) => self.learners.forget(user),
                    Ok(Change::Guild(guild)) => self.forget_default_track(guild),
                    Ok(Change::Missed) => self.forget_everything(),
                    Err(error) => {
                        if !self.store.is_closed() {
                            tracing::warn!(%error, "lost other processes' changes; listening again");
                            tokio::time::sleep(RETRY).await;
                        }
                        break;
                    }
                }
            }
        }
    }

    fn forget_everything(&self) {
        self.learners.forget_all();
        if let Ok(mut tracks) = self.default_tracks.lock() {
            tracks.clear();
        }
    }
}
