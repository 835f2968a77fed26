//! The sweep that plans reminders: it
//! reads only members with a card that fell due since the previous sweep or whose wake-up time
//! has come, and writes the day's reminders to the outbox (see `outbox.rs`) in one transaction.

use super::backend::{args, Sql};
use super::reminder_prefs::prefs_from;
use super::{from_millis, to_millis, user_key, Store, StoreError};
use crate::ids::UserId;
use crate::study::domain::ReminderPrefs;
use chrono::{DateTime, Utc};

/// One row of the sweep's read: a member to look at, with one of their due cards (`None` when
/// nothing of theirs is due any more).
#[derive(Debug, Clone)]
pub struct SweepRow {
    pub user: UserId,
    /// (track, topic, due).
    pub card: Option<(String, String, DateTime<Utc>)>,
    pub prefs: ReminderPrefs,
    pub times: ReminderTimes,
}

/// When a member was last reminded, and until when they stay quiet.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReminderTimes {
    pub quiet_until: Option<DateTime<Utc>>,
    pub last_reminded_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReminder {
    pub user: UserId,
    /// The member's own date, `YYYY-MM-DD`: at most one reminder each.
    pub local_day: String,
    /// The UTC offset `local_day` was read under.
    pub utc_offset_minutes: i32,
    /// (track, topic), most overdue first.
    pub topics: Vec<(String, String)>,
    pub catch_up: bool,
    /// The end of that local day: no more reminders for the member before it.
    pub quiet_until: DateTime<Utc>,
}

/// What one sweep decided: reminders to write, and when to look at other members again.
#[derive(Debug, Clone, Default)]
pub struct SweepPlan {
    pub reminders: Vec<NewReminder>,
    /// (member, when to look again; `None`: when one of their cards falls due).
    pub wakes: Vec<(UserId, Option<DateTime<Utc>>)>,
}

/// The sweep's one read; `?1` is the previous sweep's time, `?2` now. Members come from the
/// index on `due` (cards that fell due in between) and the index on `wake_at`; their due cards
/// from `review_cards_by_user_due`. [`Store::due_reviews_plan`] explains this very text. The rows come
/// back as one JSON array in one row: handing ten thousand rows one by one from SQLite's
/// thread to ours cost more than reading them.
const DUE_REVIEWS: Sql = Sql {
    sqlite: "WITH woke(user_id) AS (
         SELECT d.user_id FROM review_cards d WHERE d.due > $1 AND d.due <= $2
         UNION
         SELECT w.user_id FROM reminder_prefs w WHERE w.wake_at <= $2)
     SELECT json_group_array(json_array(k.user_id, c.track_id, c.topic_id, c.due,
            p.enabled, p.hour, p.utc_offset_minutes, p.dm_blocked, p.quiet_until,
            p.last_reminded_at, p.time_zone))
     FROM woke k
     LEFT JOIN review_cards c ON c.user_id = k.user_id AND c.due <= $2
     LEFT JOIN reminder_prefs p ON p.user_id = k.user_id",
    postgres: "WITH woke(user_id) AS (
         SELECT d.user_id FROM review_cards d WHERE d.due > $1 AND d.due <= $2
         UNION
         SELECT w.user_id FROM reminder_prefs w WHERE w.wake_at <= $2)
     SELECT COALESCE(json_agg(json_build_array(k.user_id, c.track_id, c.topic_id, c.due,
            p.enabled, p.hour, p.utc_offset_minutes, p.dm_blocked, p.quiet_until,
            p.last_reminded_at, p.time_zone)), '[]')::TEXT
     FROM woke k
     LEFT JOIN review_cards c ON c.user_id = k.user_id AND c.due <= $2
     LEFT JOIN reminder_prefs p ON p.user_id = k.user_id",
};

const SWEPT_UNTIL: Sql = Sql::both("SELECT swept_until FROM reminder_planner WHERE id = 1");

/// The planner's mark only moves forward, when two processes sweep at once.
const MOVE_SWEPT_UNTIL: Sql = Sql {
    sqlite: "INSERT INTO reminder_planner (id, swept_until) VALUES (1, $1)
     ON CONFLICT (id) DO UPDATE SET swept_until = MAX(swept_until, excluded.swept_until)",
    postgres: "INSERT INTO reminder_planner (id, swept_until) VALUES (1, $1)
     ON CONFLICT (id) DO UPDATE
     SET swept_until = GREATEST(reminder_planner.swept_until, excluded.swept_until)",
};

/// On PostgreSQL, one sweep writes at a time (held to the end of its transaction), so that two
/// processes' sweeps never wait on each other's rows in opposite orders. A second sweep of the
/// same moment writes nothing new: the outbox's key refuses a second reminder for a day.
const ONE_SWEEP_AT_A_TIME: Sql = Sql {
    sqlite: "SELECT 1",
    postgres: "SELECT pg_advisory_xact_lock(7245001)",
};

type SweepTuple = (
    i64,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<String>,
);

impl Store {
    /// SQLite's plan for the sweep's read, [`DUE_REVIEWS`], one line per step.
    pub async fn due_reviews_plan(&self) -> Result<Vec<String>, StoreError> {
        let plans = self.plans(&[("due reviews", DUE_REVIEWS, 2)]).await?;
        Ok(plans.into_iter().flat_map(|(_, plan)| plan).collect())
    }

    /// The time up to which due cards were planned (`None` before the first sweep).
    pub async fn swept_until(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let row: Option<(i64,)> = self.fetch_optional(&SWEPT_UNTIL, Vec::new()).await?;
        Ok(row.map(|(at,)| from_millis(at)))
    }

    /// Members with a card due in `(since, now]` or a wake-up time reached, with each of their
    /// due cards. It runs [`DUE_REVIEWS`].
    #[tracing::instrument(skip_all)]
    pub async fn due_reviews(
        &self,
        since: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<Vec<SweepRow>, StoreError> {
        let values = args![since.map_or(i64::MIN, to_millis), to_millis(now)];
        let (rows,): (String,) = self.fetch_one(&DUE_REVIEWS, values).await?;
        let rows: Vec<SweepTuple> = serde_json::from_str(&rows)
            .map_err(|error| StoreError::Sql(sqlx::Error::Decode(Box::new(error))))?;
        Ok(rows.into_iter().map(sweep_row).collect())
    }

    /// Writes the sweep's reminders and wake-up times in one transaction, and moves the
    /// planner's mark to `now`. A member's second reminder for the same local day is ignored.
    #[tracing::instrument(skip_all, fields(count = plan.reminders.len()))]
    pub async fn save_sweep(
        &self,
        plan: &SweepPlan,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        const BATCH: usize = 500;
        let mut writer = self.writer().await?;
        let mut tx = writer.begin().await?;
        tx.execute(&ONE_SWEEP_AT_A_TIME, Vec::new()).await?;
        let mut inserted = 0;
        for batch in plan.reminders.chunks(BATCH) {
            let outbox = Batch::new(
                "INSERT INTO reminder_outbox
                     (user_id, local_day, utc_offset_minutes, topics, catch_up, created_at,
                      next_attempt_at) VALUES {rows}
                 ON CONFLICT (user_id, local_day, utc_offset_minutes) DO NOTHING",
                batch.len(),
                7,
            );
            let mut values = Vec::with_capacity(batch.len() * 7);
            for reminder in batch {
                let topics: Vec<String> = reminder
                    .topics
                    .iter()
                    .map(|(track, topic)| format!("{track}/{topic}"))
                    .collect();
                values.extend(args![
                    user_key(reminder.user),
                    reminder.local_day.as_str(),
                    i64::from(reminder.utc_offset_minutes),
                    topics.join(","),
                    reminder.catch_up,
                    to_millis(now),
                    to_millis(now),
                ]);
            }
            inserted += tx.execute(&outbox.sql(), values).await? as usize;

            // Quiet until the end of the local day; looked at again then, in case reviews are
            // still due.
            let quiet = Batch::new(
                "INSERT INTO reminder_prefs (user_id, quiet_until, last_reminded_at, wake_at)
                 VALUES {rows}
                 ON CONFLICT (user_id) DO UPDATE SET quiet_until = excluded.quiet_until,
                     last_reminded_at = excluded.last_reminded_at, wake_at = excluded.wake_at",
                batch.len(),
                4,
            );
            let mut values = Vec::with_capacity(batch.len() * 4);
            for reminder in batch {
                values.extend(args![
                    user_key(reminder.user),
                    to_millis(reminder.quiet_until),
                    to_millis(now),
                    to_millis(reminder.quiet_until),
                ]);
            }
            tx.execute(&quiet.sql(), values).await?;
        }
        for batch in plan.wakes.chunks(BATCH) {
            let wakes = Batch::new(
                "INSERT INTO reminder_prefs (user_id, wake_at) VALUES {rows}
                 ON CONFLICT (user_id) DO UPDATE SET wake_at = excluded.wake_at",
                batch.len(),
                2,
            );
            let mut values = Vec::with_capacity(batch.len() * 2);
            for (user, wake_at) in batch {
                values.extend(args![user_key(*user), wake_at.map(to_millis)]);
            }
            tx.execute(&wakes.sql(), values).await?;
        }
        tx.execute(&MOVE_SWEPT_UNTIL, args![to_millis(now)]).await?;
        tx.commit().await?;
        Ok(inserted)
    }
}

/// A statement over many rows in both spellings: `{rows}` in its text becomes `rows` groups of
/// `columns` parameters. SQLite's are anonymous (`?`): SQLite finds a numbered one (`$7`) by
/// its name, one scan per parameter, which made a batch of 3,500 parameters quadratic (the
/// first sweep of a day took 480 ms instead of 81). PostgreSQL's are numbered.
pub(super) struct Batch {
    sqlite: String,
    postgres: String,
}

impl Batch {
    pub fn new(text: &str, rows: usize, columns: usize) -> Batch {
        let mut anonymous = String::with_capacity(rows * columns * 3);
        let mut numbered = String::with_capacity(rows * columns * 6);
        for row in 0..rows {
            let separator = if row == 0 { "(" } else { ", (" };
            anonymous.push_str(separator);
            numbered.push_str(separator);
            for column in 0..columns {
                if column > 0 {
                    anonymous.push_str(", ");
                    numbered.push_str(", ");
                }
                anonymous.push('?');
                numbered.push_str(&format!("${}", row * columns + column + 1));
            }
            anonymous.push(')');
            numbered.push(')');
        }
        Batch {
            sqlite: text.replace("{rows}", &anonymous),
            postgres: text.replace("{rows}", &numbered),
        }
    }

    pub fn sql(&self) -> Sql<'_> {
        Sql {
            sqlite: &self.sqlite,
            postgres: &self.postgres,
        }
    }
}

fn sweep_row(row: SweepTuple) -> SweepRow {
    let (user, track, topic, due, enabled, hour, offset, blocked, quiet, last, zone) = row;
    let prefs = match (enabled, offset, blocked) {
        (Some(enabled), Some(offset), Some(blocked)) => {
            prefs_from(Some((enabled, hour, offset, blocked, zone)))
        }
        _ => ReminderPrefs::default(),
    };
    let card = match (track, topic, due) {
        (Some(track), Some(topic), Some(due)) => Some((track, topic, from_millis(due))),
        _ => None,
    };
    SweepRow {
        user: UserId(user as u64),
        card,
        prefs,
        times: ReminderTimes {
            quiet_until: quiet.map(from_millis),
            last_reminded_at: last.map(from_millis),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_is_anonymous_on_sqlite_and_numbered_on_postgres() {
        let batch = Batch::new("INSERT INTO t VALUES {rows}", 2, 3);
        let sql = batch.sql();
        assert_eq!(sql.sqlite, "INSERT INTO t VALUES (?, ?, ?), (?, ?, ?)");
        assert_eq!(
            sql.postgres,
            "INSERT INTO t VALUES ($1, $2, $3), ($4, $5, $6)"
        );
    }
}
