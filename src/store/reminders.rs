//! The sweep that plans reminders: it
//! reads only members with a card that fell due since the previous sweep or whose wake-up time
//! has come, and writes the day's reminders to the outbox (see `outbox.rs`) in one transaction.

use chrono::{DateTime, Utc};
use sqlx::{QueryBuilder, Sqlite};

use sqlx::Connection as _;

use super::reminder_prefs::prefs_from;
use super::{from_millis, to_millis, user_key, Store, StoreError};
use crate::ids::UserId;
use crate::study::domain::ReminderPrefs;

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
const DUE_REVIEWS: &str = "WITH woke(user_id) AS (
         SELECT d.user_id FROM review_cards d WHERE d.due > ?1 AND d.due <= ?2
         UNION
         SELECT w.user_id FROM reminder_prefs w WHERE w.wake_at <= ?2)
     SELECT json_group_array(json_array(k.user_id, c.track_id, c.topic_id, c.due,
            p.enabled, p.hour, p.utc_offset_minutes, p.dm_blocked, p.quiet_until,
            p.last_reminded_at, p.time_zone))
     FROM woke k
     LEFT JOIN review_cards c ON c.user_id = k.user_id AND c.due <= ?2
     LEFT JOIN reminder_prefs p ON p.user_id = k.user_id";

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
        let rows: Vec<(i64, i64, i64, String)> =
            sqlx::query_as(&format!("EXPLAIN QUERY PLAN {DUE_REVIEWS}"))
                .bind(0_i64)
                .bind(0_i64)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().map(|(.., detail)| detail).collect())
    }

    /// The time up to which due cards were planned (`None` before the first sweep).
    pub async fn swept_until(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let row: Option<(i64,)> =
            sqlx::query_as("SELECT swept_until FROM reminder_planner WHERE id = 1")
                .fetch_optional(&self.pool)
                .await?;
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
        let rows: String = sqlx::query_scalar(DUE_REVIEWS)
            .bind(since.map_or(i64::MIN, to_millis))
            .bind(to_millis(now))
            .fetch_one(&self.pool)
            .await?;
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
        let mut writer = self.write().await?;
        let mut tx = writer.begin_with("BEGIN IMMEDIATE").await?;
        let mut inserted = 0;
        for batch in plan.reminders.chunks(BATCH) {
            let mut outbox = QueryBuilder::<Sqlite>::new(
                "INSERT INTO reminder_outbox
                     (user_id, local_day, utc_offset_minutes, topics, catch_up, created_at,
                      next_attempt_at) ",
            );
            outbox.push_values(batch, |mut row, reminder| {
                let topics: Vec<String> = reminder
                    .topics
                    .iter()
                    .map(|(track, topic)| format!("{track}/{topic}"))
                    .collect();
                row.push_bind(user_key(reminder.user))
                    .push_bind(reminder.local_day.clone())
                    .push_bind(i64::from(reminder.utc_offset_minutes))
                    .push_bind(topics.join(","))
                    .push_bind(i64::from(reminder.catch_up))
                    .push_bind(to_millis(now))
                    .push_bind(to_millis(now));
            });
            outbox.push(" ON CONFLICT (user_id, local_day, utc_offset_minutes) DO NOTHING");
            inserted += outbox.build().execute(&mut *tx).await?.rows_affected() as usize;

            // Quiet until the end of the local day; looked at again then, in case reviews are
            // still due.
            let mut quiet = QueryBuilder::<Sqlite>::new(
                "INSERT INTO reminder_prefs (user_id, quiet_until, last_reminded_at, wake_at) ",
            );
            quiet.push_values(batch, |mut row, reminder| {
                row.push_bind(user_key(reminder.user))
                    .push_bind(to_millis(reminder.quiet_until))
                    .push_bind(to_millis(now))
                    .push_bind(to_millis(reminder.quiet_until));
            });
            quiet.push(
                " ON CONFLICT (user_id) DO UPDATE SET quiet_until = excluded.quiet_until,
                  last_reminded_at = excluded.last_reminded_at, wake_at = excluded.wake_at",
            );
            quiet.build().execute(&mut *tx).await?;
        }
        for batch in plan.wakes.chunks(BATCH) {
            let mut wakes =
                QueryBuilder::<Sqlite>::new("INSERT INTO reminder_prefs (user_id, wake_at) ");
            wakes.push_values(batch, |mut row, (user, wake_at)| {
                row.push_bind(user_key(*user))
                    .push_bind(wake_at.map(to_millis));
            });
            wakes.push(" ON CONFLICT (user_id) DO UPDATE SET wake_at = excluded.wake_at");
            wakes.build().execute(&mut *tx).await?;
        }
        sqlx::query(
            "INSERT INTO reminder_planner (id, swept_until) VALUES (1, ?)
             ON CONFLICT (id) DO UPDATE SET swept_until = excluded.swept_until",
        )
        .bind(to_millis(now))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(inserted)
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
