//! FSRS review cards, one per learned topic. The store keeps the numbers; `study::review`
//! decides them.

use chrono::{DateTime, Utc};
use sqlx::query::Query;
use sqlx::sqlite::SqliteArguments;
use sqlx::Sqlite;

use super::{from_millis, to_millis, user_key, Store, StoreError};
use crate::ids::UserId;
use crate::study::domain::{CardState, ReviewCard};

/// A `review_cards` row as stored, named after its columns.
#[derive(sqlx::FromRow)]
pub(super) struct CardRow {
    track_id: String,
    topic_id: String,
    due: i64,
    stability: f64,
    difficulty: f64,
    elapsed_days: i64,
    scheduled_days: i64,
    reps: i64,
    lapses: i64,
    state: i64,
    last_review: Option<i64>,
}

pub(super) const CARD_COLUMNS: &str =
    "track_id, topic_id, due, stability, difficulty, elapsed_days, \
                            scheduled_days, reps, lapses, state, last_review";

pub(super) fn from_row(row: CardRow) -> ReviewCard {
    ReviewCard {
        track_id: row.track_id,
        topic_id: row.topic_id,
        card: CardState {
            due: from_millis(row.due),
            stability: row.stability,
            difficulty: row.difficulty,
            elapsed_days: row.elapsed_days,
            scheduled_days: row.scheduled_days,
            reps: row.reps as i32,
            lapses: row.lapses as i32,
            state: row.state as i32,
            last_review: row.last_review.map(from_millis),
        },
    }
}

/// Binds a card's nine values, in `CARD_COLUMNS` order after the topic, then `kept_until`.
pub(super) fn bind_card<'q>(
    query: Query<'q, Sqlite, SqliteArguments<'q>>,
    card: &CardState,
    kept_until: DateTime<Utc>,
) -> Query<'q, Sqlite, SqliteArguments<'q>> {
    query
        .bind(to_millis(card.due))
        .bind(card.stability)
        .bind(card.difficulty)
        .bind(card.elapsed_days)
        .bind(card.scheduled_days)
        .bind(i64::from(card.reps))
        .bind(i64::from(card.lapses))
        .bind(i64::from(card.state))
        .bind(card.last_review.map(to_millis))
        .bind(to_millis(kept_until))
}

impl Store {
    /// All of a user's cards, the most overdue first.
    pub async fn review_cards(&self, user: UserId) -> Result<Vec<ReviewCard>, StoreError> {
        let rows: Vec<CardRow> = sqlx::query_as(&format!(
            "SELECT {CARD_COLUMNS} FROM review_cards WHERE user_id = ? ORDER BY due, topic_id"
        ))
        .bind(user_key(user))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(from_row).collect())
    }

    pub async fn review_card(
        &self,
        user: UserId,
        track: &str,
        topic: &str,
    ) -> Result<Option<ReviewCard>, StoreError> {
        let row: Option<CardRow> = sqlx::query_as(&format!(
            "SELECT {CARD_COLUMNS} FROM review_cards
             WHERE user_id = ? AND track_id = ? AND topic_id = ?"
        ))
        .bind(user_key(user))
        .bind(track)
        .bind(topic)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(from_row))
    }
}
