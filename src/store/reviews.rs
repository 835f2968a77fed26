//! FSRS review cards, one per learned topic. The store keeps the numbers; `study::review`
//! decides them.

use chrono::{DateTime, Utc};
use sqlx::{Sqlite, Transaction};

use super::{from_millis, to_millis, user_key, Store, StoreError};
use crate::ids::UserId;

/// A card's scheduling state, as FSRS defines it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CardState {
    pub due: DateTime<Utc>,
    pub stability: f64,
    pub difficulty: f64,
    pub elapsed_days: i64,
    pub scheduled_days: i64,
    pub reps: i32,
    pub lapses: i32,
    /// FSRS state: 0 new, 1 learning, 2 review, 3 relearning.
    pub state: i32,
    pub last_review: Option<DateTime<Utc>>,
}

/// A card with the topic it schedules.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewCard {
    pub track_id: String,
    pub topic_id: String,
    pub card: CardState,
}

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

    /// Saves a card after a review.
    pub async fn update_review_card(
        &self,
        user: UserId,
        card: &ReviewCard,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        write_card(&mut tx, user, card, true).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Inserts a card, or with `replace` overwrites it; without `replace` an existing card stays.
pub(super) async fn write_card(
    tx: &mut Transaction<'_, Sqlite>,
    user: UserId,
    card: &ReviewCard,
    replace: bool,
) -> Result<(), StoreError> {
    let on_conflict = if replace {
        "DO UPDATE SET due = excluded.due, stability = excluded.stability,
             difficulty = excluded.difficulty, elapsed_days = excluded.elapsed_days,
             scheduled_days = excluded.scheduled_days, reps = excluded.reps,
             lapses = excluded.lapses, state = excluded.state, last_review = excluded.last_review"
    } else {
        "DO NOTHING"
    };
    let c = &card.card;
    sqlx::query(&format!(
        "INSERT INTO review_cards (user_id, {CARD_COLUMNS})
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (user_id, track_id, topic_id) {on_conflict}"
    ))
    .bind(user_key(user))
    .bind(&card.track_id)
    .bind(&card.topic_id)
    .bind(to_millis(c.due))
    .bind(c.stability)
    .bind(c.difficulty)
    .bind(c.elapsed_days)
    .bind(c.scheduled_days)
    .bind(i64::from(c.reps))
    .bind(i64::from(c.lapses))
    .bind(i64::from(c.state))
    .bind(c.last_review.map(to_millis))
    .execute(&mut **tx)
    .await?;
    Ok(())
}
