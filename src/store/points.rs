//! Points, study activity and streaks, all written in the transaction of the action that earns
//! them, and the points board read back in index order.

use chrono::{DateTime, Datelike, Duration, TimeZone, Utc};
use sqlx::{Sqlite, Transaction};

use super::reviews::{write_card, ReviewCard};
use super::{from_millis, guild_key, to_millis, user_key, Store, StoreError};
use crate::ids::{GuildId, Learner, UserId};

/// Points for a topic learned (the first time only, whatever is unmarked and marked again).
pub const POINTS_LEARNED: i64 = 10;
/// Points for each right answer in a quiz or a review.
pub const POINTS_CORRECT_ANSWER: i64 = 2;
/// Points for a review started while its topic was due and finished within [`ON_TIME`].
pub const POINTS_REVIEW_ON_TIME: i64 = 5;
/// How long a due review may take and still count as done on time.
pub const ON_TIME: Duration = Duration::days(1);

const DAY_MS: i64 = 86_400_000;

/// A study action, as the activity log names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActivityKind {
    Learned,
    Answer,
    Review,
}

impl ActivityKind {
    fn as_str(self) -> &'static str {
        match self {
            ActivityKind::Learned => "learned",
            ActivityKind::Answer => "answer",
            ActivityKind::Review => "review",
        }
    }
}

/// Monday 00:00 UTC of the week holding `now`: where the weekly boards start.
pub fn week_start(now: DateTime<Utc>) -> DateTime<Utc> {
    let days_since_monday = i64::from(now.weekday().num_days_from_monday());
    let day = now.date_naive() - Duration::days(days_since_monday);
    Utc.from_utc_datetime(&day.and_hms_opt(0, 0, 0).unwrap_or_default())
}

/// Which points a board counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// Since Monday 00:00 UTC.
    Week,
    AllTime,
}

impl Period {
    fn key(self, now: DateTime<Utc>) -> i64 {
        match self {
            Period::Week => to_millis(week_start(now)),
            Period::AllTime => 0,
        }
    }
}

/// One row of a board: who, under the name the server knows them by, their score, and when
/// they reached it.
#[derive(Debug, Clone, PartialEq)]
pub struct BoardRow {
    pub user: UserId,
    pub name: String,
    pub score: i64,
    pub reached_at: DateTime<Utc>,
}

impl BoardRow {
    /// From a `(user_id, display_name, score, reached_at)` row.
    pub(super) fn from_row((user, name, score, reached): (i64, String, i64, i64)) -> Self {
        Self {
            user: UserId(user as u64),
            name,
            score,
            reached_at: from_millis(reached),
        }
    }
}

/// A member's place on a board (1-based) and score.
#[derive(Debug, Clone, PartialEq)]
pub struct Standing {
    pub rank: u64,
    pub score: i64,
}

/// A member's streak as stored: the run as of their last active day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredStreak {
    pub current_days: i64,
    pub last_day: i64,
    pub longest_days: i64,
}

impl Store {
    /// The points board of a server: `limit` rows from `offset`, best first; ties go to the
    /// earlier achiever, then the lower user id.
    #[tracing::instrument(skip_all, fields(guild = %guild))]
    pub async fn points_board(
        &self,
        guild: GuildId,
        period: Period,
        now: DateTime<Utc>,
        offset: u64,
        limit: u64,
    ) -> Result<Vec<BoardRow>, StoreError> {
        let rows: Vec<(i64, String, i64, i64)> = sqlx::query_as(
            "SELECT s.user_id, m.display_name, s.points, s.reached_at
             FROM scores s
             JOIN memberships m ON m.guild_id = s.guild_id AND m.user_id = s.user_id
             WHERE s.guild_id = ? AND s.week_start = ? AND s.departed = 0 AND s.points > 0
             ORDER BY s.points DESC, s.reached_at, s.user_id
             LIMIT ? OFFSET ?",
        )
        .bind(guild_key(guild))
        .bind(period.key(now))
        .bind(limit as i64)
        .bind(offset as i64)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(BoardRow::from_row).collect())
    }

    /// How many members are on the points board.
    pub async fn points_board_len(
        &self,
        guild: GuildId,
        period: Period,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let count: i64 = sqlx::query_scalar(
            "SELECT COALESCE(SUM(members), 0) FROM score_counts
             WHERE guild_id = ? AND week_start = ? AND points > 0",
        )
        .bind(guild_key(guild))
        .bind(period.key(now))
        .fetch_one(&self.pool)
        .await?;
        Ok(count as u64)
    }

    /// A member's rank and points on the points board, or `None` without points there.
    #[tracing::instrument(skip_all, fields(guild = %guild, user = %user))]
    pub async fn points_standing(
        &self,
        guild: GuildId,
        user: UserId,
        period: Period,
        now: DateTime<Utc>,
    ) -> Result<Option<Standing>, StoreError> {
        let key = period.key(now);
        let mine: Option<(i64, i64)> = sqlx::query_as(
            "SELECT points, reached_at FROM scores
             WHERE guild_id = ? AND week_start = ? AND user_id = ? AND departed = 0 AND points > 0",
        )
        .bind(guild_key(guild))
        .bind(key)
        .bind(user_key(user))
        .fetch_optional(&self.pool)
        .await?;
        let Some((points, reached_at)) = mine else {
            return Ok(None);
        };
        // Everyone ahead: more points (summed from the per-total counts, one row per distinct
        // total), or as many reached earlier, then the lower id (a range of the board index).
        let ahead: i64 = sqlx::query_scalar(
            "SELECT
               (SELECT COALESCE(SUM(members), 0) FROM score_counts
                WHERE guild_id = ?1 AND week_start = ?2 AND points > ?3)
             + (SELECT COUNT(*) FROM scores
                WHERE guild_id = ?1 AND week_start = ?2 AND departed = 0 AND points = ?3
                  AND (reached_at < ?4 OR (reached_at = ?4 AND user_id < ?5)))",
        )
        .bind(guild_key(guild))
        .bind(key)
        .bind(points)
        .bind(reached_at)
        .bind(user_key(user))
        .fetch_one(&self.pool)
        .await?;
        Ok(Some(Standing {
            rank: ahead as u64 + 1,
            score: points,
        }))
    }

    /// A member's points in a server for a period (0 without any).
    pub async fn points_of(
        &self,
        guild: GuildId,
        user: UserId,
        period: Period,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let points: Option<i64> = sqlx::query_scalar(
            "SELECT points FROM scores WHERE guild_id = ? AND week_start = ? AND user_id = ?",
        )
        .bind(guild_key(guild))
        .bind(period.key(now))
        .bind(user_key(user))
        .fetch_optional(&self.pool)
        .await?;
        Ok(points.unwrap_or(0))
    }

    /// Takes a member who left off the server's boards until they act there again.
    pub async fn mark_departed(
        &self,
        guild: GuildId,
        user: UserId,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE memberships SET left_at = ? WHERE guild_id = ? AND user_id = ?")
            .bind(to_millis(now))
            .bind(guild_key(guild))
            .bind(user_key(user))
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE scores SET departed = 1 WHERE guild_id = ? AND user_id = ?")
            .bind(guild_key(guild))
            .bind(user_key(user))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Saves a card after a review and records the review (with its points when it was done on
    /// time), in one transaction.
    #[tracing::instrument(skip_all, fields(user = %learner.user, session))]
    pub async fn review_done(
        &self,
        learner: &Learner,
        card: &ReviewCard,
        session: i64,
        on_time: bool,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        write_card(&mut tx, learner.user, card, true).await?;
        let points = if on_time { POINTS_REVIEW_ON_TIME } else { 0 };
        let reference = session.to_string();
        record_study(
            &mut tx,
            learner,
            ActivityKind::Review,
            &reference,
            points,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The stored streak of a member, if they ever studied.
    pub async fn streak(&self, user: UserId) -> Result<Option<StoredStreak>, StoreError> {
        let row: Option<(i64, i64, i64)> = sqlx::query_as(
            "SELECT current_days, last_day, longest_days FROM streaks WHERE user_id = ?",
        )
        .bind(user_key(user))
        .fetch_optional(&self.pool)
        .await?;
        Ok(
            row.map(|(current_days, last_day, longest_days)| StoredStreak {
                current_days,
                last_day,
                longest_days,
            }),
        )
    }

    /// A member's offset from UTC in minutes, as `/remind` set it (0 when never set).
    pub async fn utc_offset_minutes(&self, user: UserId) -> Result<i64, StoreError> {
        let offset: Option<i64> =
            sqlx::query_scalar("SELECT utc_offset_minutes FROM reminder_prefs WHERE user_id = ?")
                .bind(user_key(user))
                .fetch_optional(&self.pool)
                .await?;
        Ok(offset.unwrap_or(0))
    }

    /// Right answers and answers per topic a member ever gave: (track, topic, right, all).
    pub async fn answer_totals(
        &self,
        user: UserId,
    ) -> Result<Vec<(String, String, i64, i64)>, StoreError> {
        let rows = sqlx::query_as(
            "SELECT track_id, topic_id, SUM(correct), COUNT(*) FROM quiz_answers
             WHERE user_id = ? GROUP BY track_id, topic_id",
        )
        .bind(user_key(user))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }

    /// How many actions a member did on each of their local days from `first_day` on.
    pub async fn activity_by_day(
        &self,
        user: UserId,
        offset_minutes: i64,
        first_day: i64,
    ) -> Result<Vec<(i64, i64)>, StoreError> {
        let rows: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT (at + ?2 * 60000) / 86400000 AS day, COUNT(*)
             FROM activity WHERE user_id = ?1 AND at >= ?3
             GROUP BY day ORDER BY day",
        )
        .bind(user_key(user))
        .bind(offset_minutes)
        .bind(first_day * DAY_MS - offset_minutes * 60_000)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }
}

/// The local day number (days since 1970-01-01 in the member's time) of `time`.
pub fn local_day(time: DateTime<Utc>, offset_minutes: i64) -> i64 {
    (to_millis(time) + offset_minutes * 60_000).div_euclid(DAY_MS)
}

/// Records a study action inside the caller's transaction: the activity row (once per `ref`),
/// the points in the server where it happened (all-time and this week), and the streak in the
/// member's own day. Returns whether the action was new.
pub(super) async fn record_study(
    tx: &mut Transaction<'_, Sqlite>,
    learner: &Learner,
    kind: ActivityKind,
    reference: &str,
    points: i64,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let user = user_key(learner.user);
    let at = to_millis(now);
    let inserted = sqlx::query(
        "INSERT INTO activity (user_id, guild_id, kind, ref, points, at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (user_id, kind, ref) DO NOTHING",
    )
    .bind(user)
    .bind(learner.guild.map(guild_key))
    .bind(kind.as_str())
    .bind(reference)
    .bind(points)
    .bind(at)
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1;
    if !inserted {
        return Ok(false);
    }
    if let (Some(guild), true) = (learner.guild, points > 0) {
        // The all-time row (week 0) and this week's, in one statement.
        sqlx::query(
            "INSERT INTO scores (guild_id, week_start, user_id, points, reached_at)
             VALUES (?1, 0, ?3, ?4, ?5), (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (guild_id, week_start, user_id) DO UPDATE
             SET points = points + excluded.points, reached_at = excluded.reached_at,
                 departed = 0",
        )
        .bind(guild_key(guild))
        .bind(to_millis(week_start(now)))
        .bind(user)
        .bind(points)
        .bind(at)
        .execute(&mut **tx)
        .await?;
    }
    // The day in the member's own time zone; a day earlier than the last one (the offset moved
    // west) counts as the same day.
    sqlx::query(
        "INSERT INTO streaks (user_id, current_days, current_since, last_day, longest_days)
         SELECT ?1, 1, d.day, d.day, 1
         FROM (SELECT (?2 + COALESCE((SELECT utc_offset_minutes FROM reminder_prefs
                                      WHERE user_id = ?1), 0) * 60000) / 86400000 AS day) AS d
         WHERE true
         ON CONFLICT (user_id) DO UPDATE SET
             current_days = CASE
                 WHEN excluded.last_day <= streaks.last_day THEN streaks.current_days
                 WHEN excluded.last_day = streaks.last_day + 1 THEN streaks.current_days + 1
                 ELSE 1 END,
             current_since = CASE
                 WHEN excluded.last_day <= streaks.last_day + 1 THEN streaks.current_since
                 ELSE excluded.last_day END,
             longest_days = MAX(streaks.longest_days, CASE
                 WHEN excluded.last_day <= streaks.last_day THEN streaks.current_days
                 WHEN excluded.last_day = streaks.last_day + 1 THEN streaks.current_days + 1
                 ELSE 1 END),
             last_day = MAX(streaks.last_day, excluded.last_day)",
    )
    .bind(user)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(true)
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
    }

    async fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("points.db").display());
        (dir, Store::open(&url).await.expect("database"))
    }

    fn member(n: u64) -> Learner {
        Learner {
            user: UserId(n),
            name: format!("m{n}"),
            guild: Some(GuildId(7)),
        }
    }

    async fn earn(store: &Store, who: &Learner, reference: &str, points: i64, at: DateTime<Utc>) {
        let mut tx = store.pool.begin().await.unwrap();
        record_study(&mut tx, who, ActivityKind::Answer, reference, points, at)
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }

    #[tokio::test]
    async fn a_rank_counts_higher_totals_then_earlier_ties_and_skips_departed_members() {
        let (_dir, store) = store().await;
        let t0 = Utc.with_ymd_and_hms(2026, 11, 3, 9, 0, 0).unwrap();
        for (n, points) in [(1, 4), (2, 6), (3, 4), (4, 2)] {
            let at = t0 + Duration::minutes(n as i64);
            sqlx::query("INSERT INTO learners VALUES (?, 'x', 0)")
                .bind(n as i64)
                .execute(&store.pool)
                .await
                .unwrap();
            sqlx::query("INSERT INTO memberships VALUES (7, ?, 'x', 0, 0, NULL)")
                .bind(n as i64)
                .execute(&store.pool)
                .await
                .unwrap();
            earn(&store, &member(n), &format!("a{n}"), points, at).await;
        }
        let rank = |n: u64| {
            let store = store.clone();
            async move {
                store
                    .points_standing(GuildId(7), UserId(n), Period::AllTime, t0)
                    .await
                    .unwrap()
                    .map(|s| s.rank)
            }
        };
        assert_eq!(
            [rank(2).await, rank(1).await, rank(3).await, rank(4).await],
            [Some(1), Some(2), Some(3), Some(4)]
        );

        store
            .mark_departed(GuildId(7), UserId(1), t0)
            .await
            .unwrap();

        assert_eq!([rank(1).await, rank(3).await], [None, Some(2)]);
        let len = store
            .points_board_len(GuildId(7), Period::AllTime, t0)
            .await
            .unwrap();
        assert_eq!(len, 3);
        // Earning again here brings the member back, with the new total.
        earn(&store, &member(1), "b1", 4, t0 + Duration::hours(1)).await;
        assert_eq!(rank(1).await, Some(1));
    }

    #[tokio::test]
    async fn streaks_count_days_in_the_members_own_time_zone() {
        let (_dir, store) = store().await;
        let ann = member(1);
        sqlx::query("INSERT INTO learners VALUES (1, 'ann', 0)")
            .execute(&store.pool)
            .await
            .unwrap();
        sqlx::query("INSERT INTO reminder_prefs (user_id, utc_offset_minutes) VALUES (1, 120)")
            .execute(&store.pool)
            .await
            .unwrap();
        // 21:00 and 23:30 UTC on the same UTC day are two days in UTC+2 (23:00, then 01:30).
        let evening = Utc.with_ymd_and_hms(2026, 11, 3, 21, 0, 0).unwrap();
        earn(&store, &ann, "a", 0, evening).await;
        earn(&store, &ann, "b", 0, evening + Duration::minutes(150)).await;
        let streak = store.streak(UserId(1)).await.unwrap().unwrap();
        assert_eq!((streak.current_days, streak.longest_days), (2, 2));

        // A day without study in between starts over; the longest is kept.
        earn(&store, &ann, "c", 0, evening + Duration::days(3)).await;
        let streak = store.streak(UserId(1)).await.unwrap().unwrap();
        assert_eq!((streak.current_days, streak.longest_days), (1, 2));
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
    }
}
