//! What every study action writes besides its own rows: the learner's name, the server they
//! acted in, the activity row (whose points a trigger adds to the boards) and the streak the core
//! computed. Each action is one INSERT into a writable view of migrations 0006 and 0007, whose trigger
//! puts the values where they belong: one statement, one round trip, atomic on its own.

use super::backend::{args, Sql, Value};
use super::{guild_key, to_millis, user_key};
use crate::ids::Learner;
use crate::study::domain::{LocalZone, StreakRun};
use chrono::{DateTime, Utc};

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

/// The columns every action view starts with, in the order of [`action_values`].
macro_rules! action_columns {
    () => {
        "user_id, display_name, guild_id, at, ref, points, week_start, \
         streak_days, streak_since, streak_last_day, streak_longest, streak_breaks_at"
    };
}
pub(super) use action_columns;

/// The action's twelve values; `reference` names the action so that it counts once.
pub(super) fn action_values<'q>(action: &Action<'q>, reference: String) -> Vec<Value<'q>> {
    let streak = action.streak;
    args![
        user_key(action.learner.user),
        action.visit.then_some(action.learner.name.as_str()),
        action.learner.guild.map(guild_key),
        to_millis(action.at),
        reference,
        action.points,
        to_millis(action.score_week),
        streak.map(|s| s.current_days),
        streak.map(|s| s.current_since),
        streak.map(|s| s.last_day),
        streak.map(|s| s.longest_days),
        streak.map(|s| to_millis(s.breaks_at(action.zone))),
    ]
}

/// Keeps a learner's name fresh and remembers the server they acted in, recording no study.
pub(super) const VISIT: Sql = Sql::both(
    "INSERT INTO study_actions (user_id, display_name, guild_id, at) VALUES ($1, $2, $3, $4)",
);

/// [`VISIT`]'s four values.
pub(super) fn visit_values(learner: &Learner, at: DateTime<Utc>) -> Vec<Value<'_>> {
    args![
        user_key(learner.user),
        learner.name.as_str(),
        learner.guild.map(guild_key),
        to_millis(at),
    ]
}
