//! Reminder preferences, the servers' study channels, and the reminder outbox: a reminder is
//! written here before it is sent and marked after Discord accepts it.

use chrono::{DateTime, Utc};
use sqlx::{QueryBuilder, Sqlite};

use sqlx::Connection as _;

use super::actions::{bind_visit, VISIT};
use super::{from_millis, to_millis, user_key, Store, StoreError};
use crate::ids::{GuildId, Learner, UserId};
use crate::study::domain::ReminderPrefs;

/// A review card that is due, with its owner's settings.
#[derive(Debug, Clone)]
pub struct DueReview {
    pub user: UserId,
    pub track_id: String,
    pub topic_id: String,
    pub due: DateTime<Utc>,
    pub prefs: ReminderPrefs,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReminder {
    pub user: UserId,
    /// The member's own date, `YYYY-MM-DD`: at most one reminder each.
    pub local_day: String,
    /// (track, topic), most overdue first.
    pub topics: Vec<(String, String)>,
    pub catch_up: bool,
    /// The end of that local day: no more reminders for the member before it.
    pub quiet_until: DateTime<Utc>,
}

/// A reminder waiting in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxReminder {
    pub id: i64,
    pub user: UserId,
    pub local_day: String,
    pub topics: Vec<(String, String)>,
    pub catch_up: bool,
    pub attempts: u32,
}

type PrefsRow = (i64, Option<i64>, i64, i64);

fn prefs_from(row: Option<PrefsRow>) -> ReminderPrefs {
    row.map_or_else(
        ReminderPrefs::default,
        |(enabled, hour, offset, blocked)| ReminderPrefs {
            enabled: enabled != 0,
            hour: hour.and_then(|h| u8::try_from(h).ok()),
            utc_offset_minutes: offset as i32,
            dm_blocked: blocked != 0,
        },
    )
}

/// The sweep's read; bound twice to "now".
const DUE_REVIEWS: &str = "SELECT c.user_id, c.track_id, c.topic_id, c.due,
            p.enabled, p.hour, p.utc_offset_minutes, p.dm_blocked
     FROM review_cards c LEFT JOIN reminder_prefs p ON p.user_id = c.user_id
     WHERE c.due <= ? AND (p.quiet_until IS NULL OR p.quiet_until <= ?)";

impl Store {
    /// SQLite's plan for the sweep's due query, one line per step (for benchmarks and tests).
    pub async fn due_reviews_plan(&self) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(i64, i64, i64, String)> =
            sqlx::query_as(&format!("EXPLAIN QUERY PLAN {DUE_REVIEWS}"))
                .bind(0_i64)
                .bind(0_i64)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().map(|(.., detail)| detail).collect())
    }

    pub async fn reminder_prefs(&self, user: UserId) -> Result<ReminderPrefs, StoreError> {
        let row: Option<PrefsRow> = sqlx::query_as(
            "SELECT enabled, hour, utc_offset_minutes, dm_blocked FROM reminder_prefs
             WHERE user_id = ?",
        )
        .bind(user_key(user))
        .fetch_optional(&self.pool)
        .await?;
        Ok(prefs_from(row))
    }

    pub async fn set_reminder_prefs(
        &self,
        learner: &Learner,
        prefs: ReminderPrefs,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut writer = self.write().await?;
        let mut tx = writer.begin_with("BEGIN IMMEDIATE").await?;
        bind_visit(sqlx::query(VISIT), learner, now)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO reminder_prefs (user_id, enabled, hour, utc_offset_minutes, dm_blocked)
             VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (user_id) DO UPDATE SET enabled = excluded.enabled,
                 hour = excluded.hour, utc_offset_minutes = excluded.utc_offset_minutes,
                 dm_blocked = excluded.dm_blocked",
        )
        .bind(user_key(learner.user))
        .bind(i64::from(prefs.enabled))
        .bind(prefs.hour.map(i64::from))
        .bind(i64::from(prefs.utc_offset_minutes))
        .bind(i64::from(prefs.dm_blocked))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every due card with its owner's settings, but for members already reminded today (quiet
    /// until their local midnight): the reminder sweep's one read, served by the index on `due`.
    /// It runs [`DUE_REVIEWS`], the statement [`Store::due_reviews_plan`] explains.
    #[tracing::instrument(skip_all)]
    pub async fn due_reviews(&self, now: DateTime<Utc>) -> Result<Vec<DueReview>, StoreError> {
        type Row = (
            i64,
            String,
            String,
            i64,
            Option<i64>,
            Option<i64>,
            Option<i64>,
            Option<i64>,
        );
        let rows: Vec<Row> = sqlx::query_as(DUE_REVIEWS)
            .bind(to_millis(now))
            .bind(to_millis(now))
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .into_iter()
            .map(
                |(user, track_id, topic_id, due, enabled, hour, offset, blocked)| {
                    let prefs = match (enabled, offset, blocked) {
                        (Some(enabled), Some(offset), Some(blocked)) => {
                            prefs_from(Some((enabled, hour, offset, blocked)))
                        }
                        _ => ReminderPrefs::default(),
                    };
                    DueReview {
                        user: UserId(user as u64),
                        track_id,
                        topic_id,
                        due: from_millis(due),
                        prefs,
                    }
                },
            )
            .collect())
    }

    /// Writes reminders to the outbox in one transaction, and keeps each member quiet until
    /// the end of their local day; a member's second reminder of the same day is ignored.
    /// Rows go in batches of multi-row inserts: a morning can bring thousands at once.
    #[tracing::instrument(skip_all, fields(count = reminders.len()))]
    pub async fn enqueue_reminders(
        &self,
        reminders: &[NewReminder],
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        const BATCH: usize = 500;
        let mut writer = self.write().await?;
        let mut tx = writer.begin_with("BEGIN IMMEDIATE").await?;
        let mut inserted = 0;
        for batch in reminders.chunks(BATCH) {
            let mut outbox = QueryBuilder::<Sqlite>::new(
                "INSERT INTO reminder_outbox
                     (user_id, local_day, topics, catch_up, created_at, next_attempt_at) ",
            );
            outbox.push_values(batch, |mut row, reminder| {
                let topics: Vec<String> = reminder
                    .topics
                    .iter()
                    .map(|(track, topic)| format!("{track}/{topic}"))
                    .collect();
                row.push_bind(user_key(reminder.user))
                    .push_bind(reminder.local_day.clone())
                    .push_bind(topics.join(","))
                    .push_bind(i64::from(reminder.catch_up))
                    .push_bind(to_millis(now))
                    .push_bind(to_millis(now));
            });
            outbox.push(" ON CONFLICT (user_id, local_day) DO NOTHING");
            inserted += outbox.build().execute(&mut *tx).await?.rows_affected() as usize;

            let mut quiet =
                QueryBuilder::<Sqlite>::new("INSERT INTO reminder_prefs (user_id, quiet_until) ");
            quiet.push_values(batch, |mut row, reminder| {
                row.push_bind(user_key(reminder.user))
                    .push_bind(to_millis(reminder.quiet_until));
            });
            quiet.push(" ON CONFLICT (user_id) DO UPDATE SET quiet_until = excluded.quiet_until");
            quiet.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(inserted)
    }

    /// Unsent reminders whose next attempt is due, oldest first.
    pub async fn pending_reminders(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<OutboxReminder>, StoreError> {
        let rows: Vec<(i64, i64, String, String, i64, i64)> = sqlx::query_as(
            "SELECT id, user_id, local_day, topics, catch_up, attempts FROM reminder_outbox
             WHERE sent_at IS NULL AND next_attempt_at <= ?
             ORDER BY next_attempt_at, id LIMIT ?",
        )
        .bind(to_millis(now))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(id, user, local_day, topics, catch_up, attempts)| OutboxReminder {
                    id,
                    user: UserId(user as u64),
                    local_day,
                    topics: topics
                        .split(',')
                        .filter_map(|t| t.split_once('/'))
                        .map(|(track, topic)| (track.to_string(), topic.to_string()))
                        .collect(),
                    catch_up: catch_up != 0,
                    attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
                },
            )
            .collect())
    }

    /// Discord accepted the reminder (in `channel_id`); it is never sent again.
    pub async fn reminder_sent(
        &self,
        id: i64,
        channel_id: u64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE reminder_outbox SET sent_at = ?, channel_id = ? WHERE id = ?")
            .bind(to_millis(now))
            .bind(channel_id as i64)
            .bind(id)
            .execute(&mut *self.write().await?)
            .await?;
        Ok(())
    }

    /// A send failed; try again at `retry_at`.
    pub async fn reminder_failed(
        &self,
        id: i64,
        error: &str,
        retry_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE reminder_outbox
             SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?
             WHERE id = ? AND sent_at IS NULL",
        )
        .bind(error)
        .bind(to_millis(retry_at))
        .bind(id)
        .execute(&mut *self.write().await?)
        .await?;
        Ok(())
    }

    /// The reminder cannot be delivered anywhere; it leaves the queue with the reason.
    pub async fn reminder_abandoned(
        &self,
        id: i64,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE reminder_outbox SET sent_at = ?, last_error = ?, attempts = attempts + 1
             WHERE id = ?",
        )
        .bind(to_millis(now))
        .bind(reason)
        .bind(id)
        .execute(&mut *self.write().await?)
        .await?;
        Ok(())
    }

    /// The study channel of the server the member studied in most recently, if it has one
    /// with reminders on.
    pub async fn study_channel_for(
        &self,
        user: UserId,
    ) -> Result<Option<(GuildId, u64)>, StoreError> {
        let row: Option<(i64, i64)> = sqlx::query_as(
            "SELECT g.guild_id, g.study_channel_id
             FROM memberships m JOIN guild_settings g ON g.guild_id = m.guild_id
             WHERE m.user_id = ? AND g.study_channel_id IS NOT NULL AND g.reminders_enabled = 1
             ORDER BY m.last_seen_at DESC LIMIT 1",
        )
        .bind(user_key(user))
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(guild, channel)| (GuildId(guild as u64), channel as u64)))
    }

    /// Discord refused to DM the member: reminders pause until they turn them on again.
    pub async fn block_dms(&self, user: UserId) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO reminder_prefs (user_id, dm_blocked) VALUES (?, 1)
             ON CONFLICT (user_id) DO UPDATE SET dm_blocked = 1",
        )
        .bind(user_key(user))
        .execute(&mut *self.write().await?)
        .await?;
        Ok(())
    }
}
