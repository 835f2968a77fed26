//! Streaks: consecutive days with a mark, a quiz answer or a review, in the member's own day.

use chrono::{DateTime, Utc};

use super::calendar::LocalDay;
use super::zone::LocalZone;

/// A streak as kept: the run as of the member's last active day, and the longest run ever.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreakRun {
    pub current_days: i64,
    /// The first local day of the current run.
    pub current_since: LocalDay,
    /// The last local day with study.
    pub last_day: LocalDay,
    pub longest_days: i64,
}

impl StreakRun {
    /// The run of someone who studied for the first time on `day`.
    pub fn first(day: LocalDay) -> Self {
        Self {
            current_days: 1,
            current_since: day,
            last_day: day,
            longest_days: 1,
        }
    }

    /// The run after studying on `day`: the same day changes nothing, the next day extends the
    /// run, a gap starts over. A day earlier than the last one (the member's offset moved west)
    /// counts as the same day.
    pub fn after_study_on(self, day: LocalDay) -> Self {
        if day <= self.last_day {
            return self;
        }
        let (current_days, current_since) = if day == self.last_day + 1 {
            (self.current_days + 1, self.current_since)
        } else {
            (1, day)
        };
        Self {
            current_days,
            current_since,
            last_day: day,
            longest_days: self.longest_days.max(current_days),
        }
    }

    /// The run of `run` (none yet: `None`) after studying on `day`.
    pub fn extend(run: Option<Self>, day: LocalDay) -> Self {
        run.map_or_else(|| Self::first(day), |run| run.after_study_on(day))
    }

    /// When the run breaks unless the member studies again: the start of the day after their
    /// next one, in their own day (in `zone`, daylight saving included). Boards drop the run
    /// then.
    pub fn breaks_at(self, zone: LocalZone) -> DateTime<Utc> {
        zone.day_start(self.last_day + 2)
    }

    /// The streak as seen on `today`: alive while the member studied today or yesterday.
    pub fn as_of(self, today: LocalDay) -> Streak {
        Streak {
            current: if self.last_day >= today - 1 {
                self.current_days
            } else {
                0
            },
            longest: self.longest_days,
        }
    }
}

/// A member's streak as shown: the live run and the longest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Streak {
    /// Alive while the member studied today or yesterday (in their own day).
    pub current: i64,
    pub longest: i64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::study::domain::local_day;

    #[test]
    fn a_run_breaks_when_the_day_after_the_next_begins_in_the_members_own_day() {
        let offset = 120;
        let run = StreakRun::first(100);
        let breaks = run.breaks_at(LocalZone::Fixed(offset));
        let before = breaks - chrono::Duration::milliseconds(1);
        assert_eq!(
            run.as_of(local_day(before, offset)).current,
            1,
            "alive just before"
        );
        assert_eq!(
            run.as_of(local_day(breaks, offset)).current,
            0,
            "broken from then on"
        );
    }

    #[test]
    fn a_run_grows_day_by_day_and_a_gap_starts_over_keeping_the_longest() {
        let run = StreakRun::first(100);
        assert_eq!(run.after_study_on(100), run, "the same day changes nothing");
        let run = run.after_study_on(101).after_study_on(102);
        assert_eq!(
            (run.current_days, run.current_since, run.longest_days),
            (3, 100, 3)
        );
        let run = run.after_study_on(105);
        assert_eq!(
            (run.current_days, run.current_since, run.longest_days),
            (1, 105, 3)
        );
        assert_eq!(
            run.after_study_on(104),
            run,
            "an earlier day counts as the same day"
        );
    }

    #[test]
    fn a_streak_is_alive_today_and_tomorrow_then_broken() {
        let run = StreakRun::extend(Some(StreakRun::first(10)), 11);
        assert_eq!(
            run.as_of(11),
            Streak {
                current: 2,
                longest: 2
            }
        );
        assert_eq!(run.as_of(12).current, 2);
        assert_eq!(
            run.as_of(13),
            Streak {
                current: 0,
                longest: 2
            }
        );
    }
}
