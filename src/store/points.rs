//! The points boards, read back in index order, and the activity a member's stats count. The
//! points themselves are written with the action that earns them (see `actions`).

use chrono::{DateTime, Utc};

use sqlx::Connection as _;

use super::{from_millis, guild_key, to_millis, user_key, Store, StoreError};
use crate::ids::{GuildId, UserId};
use crate::study::domain::ScoreWeek;

/// The `scores.week_start` key of a bucket: 0 for all time, else the week's Monday in Unix ms.
fn week_key(week: ScoreWeek) -> i64 {
    match week {
        ScoreWeek::AllTime => 0,
        ScoreWeek::Of(monday) => to_millis(monday),
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

/// A page of the points board, walked in the order of the `scores_board` index.
const POINTS_PAGE: &str = "SELECT s.user_id, m.display_name, s.points, s.reached_at
     FROM scores s
     JOIN memberships m ON m.guild_id = s.guild_id AND m.user_id = s.user_id
     WHERE s.guild_id = ? AND s.week_start = ? AND s.departed = 0 AND s.points > 0
     ORDER BY s.points DESC, s.reached_at, s.user_id
     LIMIT ? OFFSET ?";

/// How many are on the board: the per-total counts, one row per distinct total.
const POINTS_COUNT: &str = "SELECT COALESCE(SUM(members), 0) FROM score_counts
     WHERE guild_id = ? AND week_start = ? AND points > 0";

const POINTS_MINE: &str = "SELECT points, reached_at FROM scores
     WHERE guild_id = ? AND week_start = ? AND user_id = ? AND departed = 0 AND points > 0";

/// Everyone ahead of a member: more points (summed from the per-total counts), or as many
/// reached earlier, then the lower id (a range of the board index).
const POINTS_AHEAD: &str = "SELECT
       (SELECT COALESCE(SUM(members), 0) FROM score_counts
        WHERE guild_id = ?1 AND week_start = ?2 AND points > ?3)
     + (SELECT COUNT(*) FROM scores
        WHERE guild_id = ?1 AND week_start = ?2 AND departed = 0 AND points = ?3
          AND (reached_at < ?4 OR (reached_at = ?4 AND user_id < ?5)))";

impl Store {
    /// SQLite's plans for the very statements the points board runs (page, count, the member's
    /// own row, everyone ahead), each as (name, one line per step): for tests and benchmarks.
    pub async fn points_board_plans(&self) -> Result<Vec<(&'static str, Vec<String>)>, StoreError> {
        let mut plans = Vec::new();
        for (name, sql, params) in [
            ("page", POINTS_PAGE, 4),
            ("count", POINTS_COUNT, 2),
            ("mine", POINTS_MINE, 3),
            ("ahead", POINTS_AHEAD, 5),
        ] {
            let explain = format!("EXPLAIN QUERY PLAN {sql}");
            let query = (0..params).fold(sqlx::query_as(&explain), |q, _| q.bind(1_i64));
            let rows: Vec<(i64, i64, i64, String)> = query.fetch_all(&self.pool).await?;
            plans.push((name, rows.into_iter().map(|(.., detail)| detail).collect()));
        }
        Ok(plans)
    }

    /// The points board of a server: `limit` rows from `offset`, best first; ties go to the
    /// earlier achiever, then the lower user id.
    #[tracing::instrument(skip_all, fields(guild = %guild))]
    pub async fn points_board(
        &self,
        guild: GuildId,
        week: ScoreWeek,
        offset: u64,
        limit: u64,
    ) -> Result<Vec<BoardRow>, StoreError> {
        let rows: Vec<(i64, String, i64, i64)> = sqlx::query_as(POINTS_PAGE)
            .bind(guild_key(guild))
            .bind(week_key(week))
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
        week: ScoreWeek,
    ) -> Result<u64, StoreError> {
        let count: i64 = sqlx::query_scalar(POINTS_COUNT)
            .bind(guild_key(guild))
            .bind(week_key(week))
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
        week: ScoreWeek,
    ) -> Result<Option<Standing>, StoreError> {
        let key = week_key(week);
        let mine: Option<(i64, i64)> = sqlx::query_as(POINTS_MINE)
            .bind(guild_key(guild))
            .bind(key)
            .bind(user_key(user))
            .fetch_optional(&self.pool)
            .await?;
        let Some((points, reached_at)) = mine else {
            return Ok(None);
        };
        let ahead: i64 = sqlx::query_scalar(POINTS_AHEAD)
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
        week: ScoreWeek,
    ) -> Result<i64, StoreError> {
        let points: Option<i64> = sqlx::query_scalar(
            "SELECT points FROM scores WHERE guild_id = ? AND week_start = ? AND user_id = ?",
        )
        .bind(guild_key(guild))
        .bind(week_key(week))
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
        let mut writer = self.write().await?;
        let mut tx = writer.begin_with("BEGIN IMMEDIATE").await?;
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

    /// When a member acted (a mark, an answer, a review) from `since` on, oldest first.
    pub async fn activity_times(
        &self,
        user: UserId,
        since: DateTime<Utc>,
    ) -> Result<Vec<DateTime<Utc>>, StoreError> {
        let rows: Vec<i64> =
            sqlx::query_scalar("SELECT at FROM activity WHERE user_id = ? AND at >= ? ORDER BY at")
                .bind(user_key(user))
                .bind(to_millis(since))
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().map(from_millis).collect())
    }
}
