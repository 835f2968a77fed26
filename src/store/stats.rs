//! What a member's own stats read: their answers per topic and when they studied. Their points
//! are on the boards (see `boards`).

use chrono::{DateTime, Utc};

use super::backend::{args, Sql};
use super::{from_millis, to_millis, user_key, Store, StoreError};
use crate::ids::UserId;

impl Store {
    /// Right answers and answers per topic a member ever gave: (track, topic, right, all).
    pub async fn answer_totals(
        &self,
        user: UserId,
    ) -> Result<Vec<(String, String, i64, i64)>, StoreError> {
        let statement = Sql::both(
            "SELECT track_id, topic_id, CAST(SUM(correct) AS BIGINT), COUNT(*) FROM quiz_answers
             WHERE user_id = $1 GROUP BY track_id, topic_id",
        );
        self.fetch_all(&statement, args![user_key(user)]).await
    }

    /// When a member acted (a mark, an answer, a review) from `since` on, oldest first.
    pub async fn activity_times(
        &self,
        user: UserId,
        since: DateTime<Utc>,
    ) -> Result<Vec<DateTime<Utc>>, StoreError> {
        let statement =
            Sql::both("SELECT at FROM activity WHERE user_id = $1 AND at >= $2 ORDER BY at");
        let rows: Vec<(i64,)> = self
            .fetch_all(&statement, args![user_key(user), to_millis(since)])
            .await?;
        Ok(rows.into_iter().map(|(at,)| from_millis(at)).collect())
    }
}
