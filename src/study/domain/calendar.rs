//! Days and weeks: a member's streaks and charts count days in their own time, the weekly
//! boards count from Monday 00:00 UTC, the same instant for everyone in a server.

use chrono::{DateTime, Datelike, Duration, TimeZone, Utc};

const DAY_MS: i64 = 86_400_000;

/// A day in a member's own time, counted from 1970-01-01.
pub type LocalDay = i64;

/// The local day number of `time` for a member `offset_minutes` ahead of UTC.
pub fn local_day(time: DateTime<Utc>, offset_minutes: i64) -> LocalDay {
    (time.timestamp_millis() + offset_minutes * 60_000).div_euclid(DAY_MS)
}

/// Monday 00:00 UTC of the week holding `now`: where the weekly boards start.
pub fn week_start(now: DateTime<Utc>) -> DateTime<Utc> {
    let days_since_monday = i64::from(now.weekday().num_days_from_monday());
    let day = now.date_naive() - Duration::days(days_since_monday);
    Utc.from_utc_datetime(&day.and_time(chrono::NaiveTime::MIN))
}

/// Which points a board counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// Since Monday 00:00 UTC.
    Week,
    AllTime,
}

impl Period {
    /// The score bucket this period reads at `now`.
    pub fn score_week(self, now: DateTime<Utc>) -> ScoreWeek {
        match self {
            Period::Week => ScoreWeek::Of(week_start(now)),
            Period::AllTime => ScoreWeek::AllTime,
        }
    }
}

/// Where points are kept: one running total for all time and one per week.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScoreWeek {
    AllTime,
    /// The week starting at this Monday 00:00 UTC.
    Of(DateTime<Utc>),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_start_on_monday_midnight_utc() {
        let sunday_night = Utc.with_ymd_and_hms(2026, 11, 8, 23, 59, 0).unwrap();
        let monday = Utc.with_ymd_and_hms(2026, 11, 9, 0, 0, 0).unwrap();
        assert_eq!(
            week_start(sunday_night),
            Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap()
        );
        assert_eq!(week_start(monday), monday);
        assert_eq!(week_start(monday + Duration::hours(30)), monday);
        assert_eq!(
            Period::Week.score_week(monday + Duration::hours(30)),
            ScoreWeek::Of(monday)
        );
    }

    #[test]
    fn local_days_follow_the_offset() {
        let late_utc = Utc.with_ymd_and_hms(2026, 11, 2, 23, 30, 0).unwrap();
        let utc_day = local_day(late_utc, 0);
        assert_eq!(
            local_day(late_utc, 60),
            utc_day + 1,
            "UTC+1 is past midnight"
        );
        assert_eq!(
            local_day(late_utc, -600),
            utc_day,
            "UTC-10 is still that day"
        );
        let before_1970 = Utc.with_ymd_and_hms(1969, 12, 31, 23, 0, 0).unwrap();
        assert_eq!(
            local_day(before_1970, 0),
            -1,
            "days before the epoch round down"
        );
    }
}
