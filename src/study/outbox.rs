//! Keeping the reminder outbox moving: which reminders go now, which are folded into the
//! member's next one, which may be resent after an interruption, and when to retry a failure.
//! The Discord adapter sends what [`Study::claim_reminders`] hands it and reports how it went.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use super::reminders::local_day_and_hour;
use super::{Study, StudyError};
use crate::course::Topic;
use crate::ids::UserId;
use crate::store::{ClosedAs, OutboxReminder};

pub const MAX_BACKOFF: Duration = Duration::hours(1);
/// A reminder still failing after this many attempts is given up (about a day of retries).
pub const MAX_ATTEMPTS: u32 = 30;
/// How long Discord's `enforce_nonce` is trusted to deduplicate a message: it checks "in the
/// past few minutes"; two minutes stays inside that. A reminder whose send may have reached
/// Discord is resent only within this window of that send, never after.
pub const NONCE_WINDOW: Duration = Duration::minutes(2);
/// On a database shared by several processes, how old a claim must be before another process
/// takes the reminder over: far longer than a send takes (one REST call, bounded by its
/// timeout), and short enough that the takeover still falls inside [`NONCE_WINDOW`].
pub const CLAIM_LEASE: Duration = Duration::seconds(60);

/// A reminder ready to send.
#[derive(Debug, Clone)]
pub struct Reminder {
    pub id: i64,
    pub user: UserId,
    /// The due topics, most overdue first.
    pub topics: Vec<Arc<Topic>>,
    /// Written for reviews that fell due while the bot was down.
    pub catch_up: bool,
    pub attempts: u32,
    /// The DM channel Discord opened with the member before, if known.
    pub dm_channel: Option<u64>,
}

/// What [`Study::claim_reminders`] took from the outbox.
#[derive(Debug, Default)]
pub struct Claimed {
    /// To send now (each is `sending` in the outbox).
    pub reminders: Vec<Reminder>,
    /// Reminders of a local day that has passed: not sent, folded into the next reminder.
    pub folded: usize,
    /// Interrupted sends too old for Discord's nonce to deduplicate: never resent.
    pub unknown: usize,
}

/// Why a send failed, and so when to try again.
#[derive(Debug, Clone, Copy)]
pub enum Retry {
    /// A 5xx or a network error: back off from `first`, doubling, up to [`MAX_BACKOFF`].
    /// `unconfirmed`: the request may have reached Discord (a timeout).
    Backoff { first: Duration, unconfirmed: bool },
    /// A 429: exactly when Discord said.
    After(Duration),
}

/// How long to wait after `attempts` failed sends, the first wait being `first`.
pub fn backoff(first: Duration, attempts: u32) -> Duration {
    let factor = 1_i32.checked_shl(attempts.min(16)).unwrap_or(i32::MAX);
    (first * factor).min(MAX_BACKOFF)
}

impl Study {
    /// Reminders left `sending` by a stop mid-send are resent if their send began within
    /// [`NONCE_WINDOW`] (Discord deduplicates them by nonce), else marked `unknown` and never
    /// resent. Returns (resent, unknown).
    ///
    /// On SQLite only this process writes, so at its start every `sending` row is its last
    /// run's. On a shared database other processes are sending too: a claim is taken over only
    /// once it is older than [`CLAIM_LEASE`], and the worker looks again at every sweep, so a
    /// crashed process's reminders go out from another.
    pub async fn recover_interrupted_reminders(&self) -> Result<(u64, u64), StudyError> {
        let now = self.clock.now();
        let claimed_before = if self.database_is_shared() {
            now - CLAIM_LEASE
        } else {
            DateTime::<Utc>::MAX_UTC
        };
        Ok(self
            .store
            .recover_sending(now - NONCE_WINDOW, claimed_before, now)
            .await?)
    }

    /// Whether several processes may share the database (PostgreSQL).
    pub fn database_is_shared(&self) -> bool {
        self.store.is_postgres()
    }

    /// Takes up to `limit` reminders whose attempt is due and marks them `sending`.
    pub async fn claim_reminders(&self, limit: u32) -> Result<Claimed, StudyError> {
        let now = self.clock.now();
        let mut claimed = Claimed::default();
        for entry in self.store.claim_reminders(now, limit).await? {
            let (id, user) = (entry.id, entry.user);
            // "Today" under the offset the reminder's day was read under: a later offset change
            // does not make a fresh reminder look old.
            let (today, _) = local_day_and_hour(now, i64::from(entry.utc_offset_minutes));
            let closed = if entry
                .unconfirmed_since
                .is_some_and(|since| since < now - NONCE_WINDOW)
            {
                claimed.unknown += 1;
                let reason = "may have reached Discord too long ago to resend safely";
                self.store
                    .reminder_closed(id, ClosedAs::Unknown, reason, now)
                    .await
            } else if entry.local_day < today {
                claimed.folded += 1;
                self.store.reminder_folded(id, user, now).await
            } else {
                claimed.reminders.push(self.reminder_from(entry));
                Ok(())
            };
            // One row's trouble must not hold back the others; it stays `sending` and the
            // next start decides about it.
            if let Err(error) = closed {
                tracing::error!(%error, reminder = id, "outbox row not updated; going on");
            }
        }
        Ok(claimed)
    }

    /// When the earliest waiting reminder is due, if one waits.
    pub async fn next_reminder_attempt(&self) -> Result<Option<DateTime<Utc>>, StudyError> {
        Ok(self.store.next_reminder_attempt().await?)
    }

    fn reminder_from(&self, entry: OutboxReminder) -> Reminder {
        let topics = entry
            .topics
            .iter()
            .filter_map(|(track, topic)| self.catalog().track(track)?.topic(topic).cloned())
            .collect();
        Reminder {
            id: entry.id,
            user: entry.user,
            topics,
            catch_up: entry.catch_up,
            attempts: entry.attempts,
            dm_channel: entry.dm_channel,
        }
    }

    pub async fn reminder_delivered(
        &self,
        reminder: &Reminder,
        channel: u64,
    ) -> Result<(), StudyError> {
        Ok(self
            .store
            .reminder_sent(reminder.id, channel, self.clock.now())
            .await?)
    }

    /// A send failed for a passing reason: retry as `retry` says, or give up after
    /// [`MAX_ATTEMPTS`].
    pub async fn reminder_failed(
        &self,
        reminder: &Reminder,
        error: &str,
        retry: Retry,
    ) -> Result<(), StudyError> {
        let now = self.clock.now();
        if reminder.attempts + 1 >= MAX_ATTEMPTS {
            return Ok(self
                .store
                .reminder_closed(reminder.id, ClosedAs::Abandoned, error, now)
                .await?);
        }
        let (wait, unconfirmed) = match retry {
            Retry::Backoff { first, unconfirmed } => {
                (backoff(first, reminder.attempts), unconfirmed)
            }
            Retry::After(wait) => (wait, false),
        };
        Ok(self
            .store
            .reminder_failed(reminder.id, error, now + wait, unconfirmed)
            .await?)
    }

    /// Discord refused the DM (the member blocks DMs from the bot). Returns the study channel
    /// to post in instead; with none, DM reminders are switched off for the member and the
    /// reminder leaves the queue.
    pub async fn dm_refused(&self, reminder: &Reminder) -> Result<Option<u64>, StudyError> {
        if let Some((_, channel)) = self.store.study_channel_for(reminder.user).await? {
            return Ok(Some(channel));
        }
        self.store.block_dms(reminder.user).await?;
        self.store
            .reminder_closed(
                reminder.id,
                ClosedAs::Abandoned,
                "the member does not accept DMs",
                self.clock.now(),
            )
            .await?;
        Ok(None)
    }

    /// Remembers (or with `None` forgets) the DM channel Discord opened with the member.
    pub async fn remember_dm_channel(
        &self,
        user: UserId,
        channel: Option<u64>,
    ) -> Result<(), StudyError> {
        Ok(self.store.remember_dm_channel(user, channel).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_the_first_wait_up_to_an_hour() {
        let first = Duration::seconds(2);
        assert_eq!(backoff(first, 0), Duration::seconds(2));
        assert_eq!(backoff(first, 1), Duration::seconds(4));
        assert_eq!(backoff(first, 3), Duration::seconds(16));
        assert_eq!(backoff(first, 20), MAX_BACKOFF);
    }
}
