//! A review card: FSRS's scheduling state of one learned topic. `study::review` decides the
//! numbers; the store keeps them.

use chrono::{DateTime, Utc};

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
