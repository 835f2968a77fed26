//! FSRS review cards, one per learned topic. The store keeps the numbers; `study::review`
//! decides them.

use super::backend::{args, Sql, Value};
use super::{from_millis, to_millis, user_key, Store, StoreError};
use crate::ids::UserId;
use crate::study::domain::{CardState, ReviewCard};
use chrono::{DateTime, Utc};

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

/// A card's nine values, in `review_cards` column order after the topic, then `kept_until`.
pub(super) fn card_values(card: &CardState, kept_until: DateTime<Utc>) -> Vec<Value<'static>> {
    args![
        to_millis(card.due),
        card.stability,
        card.difficulty,
        card.elapsed_days,
        card.scheduled_days,
        i64::from(card.reps),
        i64::from(card.lapses),
        i64::from(card.state),
        card.last_review.map(to_millis),
        to_millis(kept_until),
    ]
}

const CARDS: Sql = Sql::both(
    "SELECT track_id, topic_id, due, stability, difficulty, elapsed_days, scheduled_days, reps,
            lapses, state, last_review
     FROM review_cards WHERE user_id = $1 ORDER BY due, topic_id",
);

const CARD: Sql = Sql::both(
    "SELECT track_id, topic_id, due, stability, difficulty, elapsed_days, scheduled_days, reps,
            lapses, state, last_review
     FROM review_cards WHERE user_id = $1 AND track_id = $2 AND topic_id = $3",
);

impl Store {
    /// All of a user's cards, the most overdue first.
    pub async fn review_cards(&self, user: UserId) -> Result<Vec<ReviewCard>, StoreError> {
        let rows: Vec<CardRow> = self.fetch_all(&CARDS, args![user_key(user)]).await?;
        Ok(rows.into_iter().map(from_row).collect())
    }

    pub async fn review_card(
        &self,
        user: UserId,
        track: &str,
        topic: &str,
    ) -> Result<Option<ReviewCard>, StoreError> {
        let row: Option<CardRow> = self
            .fetch_optional(&CARD, args![user_key(user), track, topic])
            .await?;
        Ok(row.map(from_row))
    }
}
