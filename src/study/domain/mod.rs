//! The vocabulary of the game, shared by the use cases and the store: what a point is worth,
//! when a day or a week starts, how a streak grows, what a review card holds, what a server can
//! set. Each rule is defined here once, with its tests; the store maps rows to and from these
//! types and decides nothing.

mod boards;
mod calendar;
mod cards;
mod member_data;
mod points;
mod settings;
mod streak;
mod zone;

pub use boards::Board;
pub use calendar::{local_day, week_start, LocalDay, Period, ScoreWeek};
pub use cards::{CardState, ReviewCard};
pub use member_data::{Cell, TableRows};
pub use points::{
    answer_points, is_on_time, review_points, ON_TIME, POINTS_CORRECT_ANSWER, POINTS_LEARNED,
    POINTS_REVIEW_ON_TIME,
};
pub use settings::{GuildSettings, ReminderPrefs, ResetScope, SettingChange};
pub use streak::{Streak, StreakRun};
pub use zone::{zones_matching, LocalZone, ZoneMiss};
