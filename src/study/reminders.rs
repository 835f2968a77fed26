//! Deciding who gets a review reminder today and keeping the outbox moving. The Discord
//! adapter only sends what `pending_reminders` hands it and reports how it went.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, Timelike, Utc};

use super::domain::ReminderPrefs;
use super::{Study, StudyError};
use crate::course::Topic;
use crate::ids::{Learner, UserId};
use crate::store::{NewReminder, OutboxReminder};

/// The first retry waits this long; each further one twice as long, up to `MAX_BACKOFF`.
pub const FIRST_BACKOFF: Duration = Duration::seconds(30);
pub const MAX_BACKOFF: Duration = Duration::hours(1);
/// A reminder still failing after this many attempts is given up (about a day of retries).
pub const MAX_ATTEMPTS: u32 = 30;

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
}

/// (due, track, topic): sorting puts the most overdue first.
type DueTopic = (DateTime<Utc>, String, String);

/// The member's local date and hour for a UTC offset.
fn local_day_and_hour(now: DateTime<Utc>, offset_minutes: i32) -> (String, u8) {
    let local = now + Duration::minutes(i64::from(offset_minutes));
    (local.format("%Y-%m-%d").to_string(), local.hour() as u8)
}

/// Reads a UTC offset as people write it: `+2`, `-5`, `+5:30`, `UTC+1`, `0`. Minutes east of
/// UTC, within Discord's world of -12:00 to +14:00.
pub fn parse_utc_offset(text: &str) -> Option<i32> {
    let text = text.trim().to_ascii_uppercase();
    let text = text
        .trim_start_matches("UTC")
        .trim_start_matches("GMT")
        .trim();
    if text.is_empty() || text == "Z" {
        return Some(0);
    }
    let (sign, rest) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => (1, text),
    };
    let (hours, minutes) = match rest.split_once(':') {
        Some((h, m)) => (h.parse::<i32>().ok()?, m.parse::<i32>().ok()?),
        None => (rest.parse::<i32>().ok()?, 0),
    };
    let total = sign * (hours * 60 + minutes);
    ((0..60).contains(&minutes) && (-12 * 60..=14 * 60).contains(&total)).then_some(total)
}

/// The UTC instant at which the member's current local day ends.
fn end_of_local_day(now: DateTime<Utc>, offset_minutes: i32) -> DateTime<Utc> {
    let offset = Duration::minutes(i64::from(offset_minutes));
    let local = (now + offset).date_naive();
    let next_midnight = local
        .succ_opt()
        .and_then(|day| day.and_hms_opt(0, 0, 0))
        .map(|midnight| midnight.and_utc() - offset);
    next_midnight.unwrap_or(now + Duration::days(1))
}

/// How long to wait after `attempts` failed sends.
pub fn backoff(attempts: u32) -> Duration {
    let factor = 1_i32.checked_shl(attempts.min(16)).unwrap_or(i32::MAX);
    (FIRST_BACKOFF * factor).min(MAX_BACKOFF)
}

impl Study {
    /// Writes today's reminder to the outbox for every member with reviews due, reminders on,
    /// and their chosen local hour reached. Reviews that fell due before `online_since` (while
    /// the bot was down) make a catch-up reminder. Returns how many reminders were written.
    pub async fn plan_reminders(&self, online_since: DateTime<Utc>) -> Result<usize, StudyError> {
        let now = self.clock.now();
        let due = self.store.due_reviews(now).await?;
        let mut by_user: BTreeMap<UserId, (ReminderPrefs, Vec<DueTopic>)> = BTreeMap::new();
        for review in due {
            by_user
                .entry(review.user)
                .or_insert_with(|| (review.prefs, Vec::new()))
                .1
                .push((review.due, review.track_id, review.topic_id));
        }
        let mut reminders = Vec::new();
        for (user, (prefs, mut topics)) in by_user {
            if !prefs.enabled || prefs.dm_blocked {
                continue;
            }
            let (local_day, hour) = local_day_and_hour(now, prefs.utc_offset_minutes);
            if prefs.hour.is_some_and(|wanted| hour < wanted) {
                continue;
            }
            topics.sort();
            reminders.push(NewReminder {
                user,
                local_day,
                quiet_until: end_of_local_day(now, prefs.utc_offset_minutes),
                catch_up: topics.first().is_some_and(|(due, ..)| *due < online_since),
                topics: topics
                    .into_iter()
                    .map(|(_, track, topic)| (track, topic))
                    .collect(),
            });
        }
        if reminders.is_empty() {
            return Ok(0);
        }
        Ok(self.store.enqueue_reminders(&reminders, now).await?)
    }

    /// Reminders whose (next) attempt is due.
    pub async fn pending_reminders(&self, limit: u32) -> Result<Vec<Reminder>, StudyError> {
        let pending = self
            .store
            .pending_reminders(self.clock.now(), limit)
            .await?;
        Ok(pending
            .into_iter()
            .map(|entry| self.reminder_from(entry))
            .collect())
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

    /// A send failed for a passing reason (429, 5xx, timeout): retry with backoff, or give up
    /// after [`MAX_ATTEMPTS`].
    pub async fn reminder_failed(
        &self,
        reminder: &Reminder,
        error: &str,
    ) -> Result<(), StudyError> {
        let now = self.clock.now();
        if reminder.attempts + 1 >= MAX_ATTEMPTS {
            self.store
                .reminder_abandoned(reminder.id, error, now)
                .await?;
        } else {
            let retry_at = now + backoff(reminder.attempts);
            self.store
                .reminder_failed(reminder.id, error, retry_at)
                .await?;
        }
        Ok(())
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
            .reminder_abandoned(
                reminder.id,
                "the member does not accept DMs",
                self.clock.now(),
            )
            .await?;
        Ok(None)
    }

    pub async fn reminder_prefs(&self, user: UserId) -> Result<ReminderPrefs, StudyError> {
        Ok(self.store.reminder_prefs(user).await?)
    }

    /// Changes a member's reminder settings; turning reminders on also clears a DM block, so
    /// the next reminder tries a DM again.
    pub async fn set_reminder_prefs(
        &self,
        learner: &Learner,
        change: impl FnOnce(&mut ReminderPrefs),
    ) -> Result<ReminderPrefs, StudyError> {
        let mut prefs = self.store.reminder_prefs(learner.user).await?;
        change(&mut prefs);
        if prefs.enabled {
            prefs.dm_blocked = false;
        }
        self.store
            .set_reminder_prefs(learner, prefs, self.clock.now())
            .await?;
        // The offset decides the learner's days: read it afresh next time.
        self.learners.forget(learner.user);
        Ok(prefs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn backoff_doubles_from_thirty_seconds_up_to_an_hour() {
        assert_eq!(backoff(0), Duration::seconds(30));
        assert_eq!(backoff(1), Duration::seconds(60));
        assert_eq!(backoff(3), Duration::seconds(240));
        assert_eq!(backoff(20), MAX_BACKOFF);
    }

    #[test]
    fn utc_offsets_are_read_as_people_write_them() {
        assert_eq!(parse_utc_offset("+2"), Some(120));
        assert_eq!(parse_utc_offset("-5"), Some(-300));
        assert_eq!(parse_utc_offset("+5:30"), Some(330));
        assert_eq!(parse_utc_offset("UTC+1"), Some(60));
        assert_eq!(parse_utc_offset("0"), Some(0));
        assert_eq!(parse_utc_offset("+15"), None);
        assert_eq!(parse_utc_offset("+2:75"), None);
        assert_eq!(parse_utc_offset("soon"), None);
    }

    #[test]
    fn a_reminded_member_stays_quiet_until_their_local_midnight() {
        let now = Utc.with_ymd_and_hms(2026, 11, 2, 23, 30, 0).unwrap();
        let midnight_utc = Utc.with_ymd_and_hms(2026, 11, 3, 0, 0, 0).unwrap();
        assert_eq!(end_of_local_day(now, 0), midnight_utc);
        // UTC+1: it is already 00:30 on the 3rd; quiet until the 4th, local midnight.
        assert_eq!(
            end_of_local_day(now, 60),
            Utc.with_ymd_and_hms(2026, 11, 3, 23, 0, 0).unwrap()
        );
        assert_eq!(
            end_of_local_day(now, -300),
            Utc.with_ymd_and_hms(2026, 11, 3, 5, 0, 0).unwrap()
        );
    }

    #[test]
    fn the_local_day_follows_the_members_offset() {
        let now = Utc.with_ymd_and_hms(2026, 11, 2, 23, 30, 0).unwrap();
        assert_eq!(local_day_and_hour(now, 0), ("2026-11-02".into(), 23));
        assert_eq!(local_day_and_hour(now, 60), ("2026-11-03".into(), 0));
        assert_eq!(local_day_and_hour(now, -300), ("2026-11-02".into(), 18));
    }
}
