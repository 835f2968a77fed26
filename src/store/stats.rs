//! What a member's own stats read: their answers per topic and when they studied. Their points
//! are on the boards (see `boards`).

use chrono::{DateTime, Utc};

use super::{from_millis, to_millis, user_key, Store, StoreError};
use crate::ids::UserId;

impl Store {
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
