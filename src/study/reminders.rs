//! Deciding who gets a review reminder today: the sweep plans from new work only, and one
//! member gets at most one reminder per local day whatever their offset changes. Sending is
//! `outbox.rs`'s business.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Timelike, Utc};

use super::domain::{LocalZone, ReminderPrefs};
use super::{Study, StudyError};
use crate::ids::{Learner, UserId};
use crate::store::{NewReminder, ReminderTimes, SweepPlan};

/// (due, track, topic): sorting puts the most overdue first.
type DueTopic = (DateTime<Utc>, String, String);

/// The member's local date and hour at a UTC offset.
pub(super) fn local_day_and_hour(now: DateTime<Utc>, offset_minutes: i64) -> (String, u8) {
    let local = now + Duration::minutes(offset_minutes);
    (local.format("%Y-%m-%d").to_string(), local.hour() as u8)
}

/// The UTC instant at which the member's current local day ends (in their zone, daylight
/// saving included).
fn end_of_local_day(now: DateTime<Utc>, zone: LocalZone) -> DateTime<Utc> {
    zone.day_start(zone.local_day(now) + 1)
}

/// A time zone as a member types it: an IANA name (`Europe/Berlin`) or a UTC offset (`+2`).
pub fn parse_zone(text: &str) -> Result<LocalZone, StudyError> {
    LocalZone::parse(text).map_err(StudyError::UnknownZone)
}

impl Study {
    /// Plans reminders from new work only: members with a card that fell due since the previous
    /// sweep, or whose wake-up time (their hour, the end of their quiet day, a settings change)
    /// has come. Each gets today's reminder when reminders are on, their local hour is reached
    /// and they were not reminded this local day; otherwise a time to look again. Reviews that
    /// fell due before `online_since` (while the bot was down) make a catch-up reminder.
    /// Returns how many reminders were written.
    pub async fn plan_reminders(&self, online_since: DateTime<Utc>) -> Result<usize, StudyError> {
        let now = self.clock.now();
        let since = self.store.swept_until().await?;
        let rows = self.store.due_reviews(since, now).await?;
        let mut by_user: BTreeMap<UserId, (ReminderPrefs, ReminderTimes, Vec<DueTopic>)> =
            BTreeMap::new();
        for row in rows {
            let entry = by_user
                .entry(row.user)
                .or_insert_with(|| (row.prefs, row.times, Vec::new()));
            if let Some((track, topic, due)) = row.card {
                entry.2.push((due, track, topic));
            }
        }
        let mut plan = SweepPlan::default();
        for (user, (prefs, times, mut topics)) in by_user {
            match decide(now, &prefs, &times, topics.is_empty()) {
                Decision::Wait(wake_at) => plan.wakes.push((user, wake_at)),
                Decision::Remind { local_day } => {
                    topics.sort();
                    plan.reminders.push(NewReminder {
                        user,
                        local_day,
                        utc_offset_minutes: prefs.zone.offset_minutes_at(now) as i32,
                        quiet_until: end_of_local_day(now, prefs.zone),
                        catch_up: topics.first().is_some_and(|(due, ..)| *due < online_since),
                        topics: topics
                            .into_iter()
                            .map(|(_, track, topic)| (track, topic))
                            .collect(),
                    });
                }
            }
        }
        Ok(self.store.save_sweep(&plan, now).await?)
    }

    pub async fn reminder_prefs(&self, user: UserId) -> Result<ReminderPrefs, StudyError> {
        Ok(self.store.reminder_prefs(user).await?)
    }

    /// Changes a member's reminder settings; turning reminders on also clears a DM block, so
    /// the next reminder tries a DM again. A new zone never shortens the quiet time: the member
    /// stays quiet until the end of the day of their last reminder in the new zone too, so no
    /// zone change brings a second reminder into one local day.
    pub async fn set_reminder_prefs(
        &self,
        learner: &Learner,
        change: impl FnOnce(&mut ReminderPrefs),
    ) -> Result<ReminderPrefs, StudyError> {
        let (mut prefs, times) = self.store.reminder_state(learner.user).await?;
        change(&mut prefs);
        if prefs.enabled {
            prefs.dm_blocked = false;
        }
        let quiet_until = match times.last_reminded_at {
            Some(last) => {
                let under_new_offset = end_of_local_day(last, prefs.zone);
                Some(
                    times
                        .quiet_until
                        .map_or(under_new_offset, |q| q.max(under_new_offset)),
                )
            }
            None => times.quiet_until,
        };
        self.store
            .set_reminder_prefs(learner, prefs, quiet_until, self.clock.now())
            .await?;
        // The offset decides the learner's days: read it afresh next time.
        self.learners.forget(learner.user);
        Ok(prefs)
    }
}

/// What the sweep does with one member.
#[derive(Debug, PartialEq, Eq)]
enum Decision {
    /// Write today's reminder.
    Remind { local_day: String },
    /// Look again at this time (`None`: when one of their cards falls due).
    Wait(Option<DateTime<Utc>>),
}

fn decide(
    now: DateTime<Utc>,
    prefs: &ReminderPrefs,
    times: &ReminderTimes,
    nothing_due: bool,
) -> Decision {
    if nothing_due || !prefs.enabled || prefs.dm_blocked {
        return Decision::Wait(None);
    }
    if let Some(quiet) = times.quiet_until.filter(|quiet| *quiet > now) {
        return Decision::Wait(Some(quiet));
    }
    let (local_day, hour) = local_day_and_hour(now, prefs.zone.offset_minutes_at(now));
    match prefs.hour {
        Some(wanted) if hour < wanted => {
            Decision::Wait(Some(local_hour_today(now, prefs.zone, wanted)))
        }
        _ => Decision::Remind { local_day },
    }
}

/// The UTC instant of `hour` o'clock on the member's current local day (an hour skipped by a
/// daylight-saving jump counts from the jump).
fn local_hour_today(now: DateTime<Utc>, zone: LocalZone, hour: u8) -> DateTime<Utc> {
    let start = zone.day_start(zone.local_day(now));
    let at = start + Duration::hours(i64::from(hour));
    // Across a daylight-saving change the day's offset moves: correct by the difference.
    at - Duration::minutes(zone.offset_minutes_at(at) - zone.offset_minutes_at(start))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_reminded_member_stays_quiet_until_their_local_midnight() {
        let now = Utc.with_ymd_and_hms(2026, 11, 2, 23, 30, 0).unwrap();
        let midnight_utc = Utc.with_ymd_and_hms(2026, 11, 3, 0, 0, 0).unwrap();
        let fixed = LocalZone::Fixed;
        assert_eq!(end_of_local_day(now, fixed(0)), midnight_utc);
        // UTC+1: it is already 00:30 on the 3rd; quiet until the 4th, local midnight.
        assert_eq!(
            end_of_local_day(now, fixed(60)),
            Utc.with_ymd_and_hms(2026, 11, 3, 23, 0, 0).unwrap()
        );
        assert_eq!(
            end_of_local_day(now, fixed(-300)),
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

    #[test]
    fn the_sweep_reminds_waits_for_the_hour_or_the_quiet_time_or_for_a_card() {
        let now = Utc.with_ymd_and_hms(2026, 11, 2, 9, 30, 0).unwrap();
        let prefs = ReminderPrefs::default();
        let none = ReminderTimes::default();
        assert_eq!(
            decide(now, &prefs, &none, false),
            Decision::Remind {
                local_day: "2026-11-02".into()
            }
        );
        assert_eq!(decide(now, &prefs, &none, true), Decision::Wait(None));
        let off = ReminderPrefs {
            enabled: false,
            ..prefs
        };
        assert_eq!(decide(now, &off, &none, false), Decision::Wait(None));
        // 18:00 at UTC+2 is 16:00 UTC.
        let evening = ReminderPrefs {
            hour: Some(18),
            zone: LocalZone::Fixed(120),
            ..prefs
        };
        assert_eq!(
            decide(now, &evening, &none, false),
            Decision::Wait(Some(Utc.with_ymd_and_hms(2026, 11, 2, 16, 0, 0).unwrap()))
        );
        let quiet = ReminderTimes {
            quiet_until: Some(now + Duration::hours(3)),
            last_reminded_at: Some(now - Duration::hours(1)),
        };
        assert_eq!(
            decide(now, &prefs, &quiet, false),
            Decision::Wait(quiet.quiet_until)
        );
    }
}
