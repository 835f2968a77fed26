//! What every study action writes besides its own rows: the learner's name, the server they
//! acted in, the activity row (whose points a trigger adds to the boards) and the streak the core
//! computed. Each action is one INSERT into a writable view of migrations 0006 and 0007, whose trigger
//! puts the values where they belong: one statement, one round trip, atomic on its own.

use chrono::{DateTime, Utc};
use sqlx::query::Query;
use sqlx::sqlite::SqliteArguments;
use sqlx::Sqlite;

use super::{guild_key, to_millis, user_key};
use crate::ids::Learner;
use crate::study::domain::{LocalZone, StreakRun};

/// A study action as the core decided it: who, when, what it earns and the streak after it.
#[derive(Debug, Clone, Copy)]
pub struct Action<'a> {
    pub learner: &'a Learner,
    /// Whether to store the learner's name and server: false when they are stored already.
    pub visit: bool,
    pub at: DateTime<Utc>,
    /// Points earned in the server where it happened (none outside a server).
    pub points: i64,
    /// The Monday 00:00 UTC of the week the points count for.
    pub score_week: DateTime<Utc>,
    /// The streak after the action; `None` when it did not change.
    pub streak: Option<StreakRun>,
    /// The learner's time zone, which says when that streak breaks.
    pub zone: LocalZone,
}

/// The columns every action view starts with, in the order [`bind_action`] binds them.
macro_rules! action_columns {
    () => {
        "user_id, display_name, guild_id, at, ref, points, week_start, \
         streak_days, streak_since, streak_last_day, streak_longest, streak_breaks_at"
    };
}
pub(super) use action_columns;

/// Binds the action's twelve values; `reference` names the action so that it counts once.
pub(super) fn bind_action<'q>(
    query: Query<'q, Sqlite, SqliteArguments<'q>>,
    action: &Action<'q>,
    reference: String,
) -> Query<'q, Sqlite, SqliteArguments<'q>> {
    let streak = action.streak;
    query
        .bind(user_key(action.learner.user))
        .bind(action.visit.then_some(action.learner.name.as_str()))
        .bind(action.learner.guild.map(guild_key))
        .bind(to_millis(action.at))
        .bind(reference)
        .bind(action.points)
        .bind(to_millis(action.score_week))
        .bind(streak.map(|s| s.current_days))
        .bind(streak.map(|s| s.current_since))
        .bind(streak.map(|s| s.last_day))
        .bind(streak.map(|s| s.longest_days))
        .bind(streak.map(|s| to_millis(s.breaks_at(action.zone))))
}

/// Keeps a learner's name fresh and remembers the server they acted in, recording no study.
pub(super) const VISIT: &str =
    "INSERT INTO study_actions (user_id, display_name, guild_id, at) VALUES (?, ?, ?, ?)";

/// Binds [`VISIT`]'s four values.
pub(super) fn bind_visit<'q>(
    query: Query<'q, Sqlite, SqliteArguments<'q>>,
    learner: &'q Learner,
    at: DateTime<Utc>,
) -> Query<'q, Sqlite, SqliteArguments<'q>> {
    query
        .bind(user_key(learner.user))
        .bind(learner.name.as_str())
        .bind(learner.guild.map(guild_key))
        .bind(to_millis(at))
}
