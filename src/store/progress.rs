//! Learners, memberships and learned marks, and what the core keeps of a learner in memory.

use chrono::{DateTime, Utc};

use sqlx::Connection as _;

use super::actions::{action_columns, bind_action, bind_visit, Action, VISIT};
use super::reviews::bind_card;
use super::{from_millis, user_key, Store, StoreError};
use crate::ids::{Learner, UserId};
use crate::study::domain::{CardState, StreakRun};

/// A topic a user has learned, and since when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LearnedMark {
    pub topic_id: String,
    pub learned_at: DateTime<Utc>,
}

/// What the core loads of a learner on first use: their marks, offset, streak and the
/// questions they answered right.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LearnerRecord {
    /// (track, topic) of every learned topic, oldest first.
    pub marks: Vec<(String, String)>,
    pub utc_offset_minutes: i64,
    /// The IANA zone, when the learner named one.
    pub time_zone: Option<String>,
    pub streak: Option<StreakRun>,
    /// (track, topic, question) of every question the learner ever answered right.
    pub right_answers: Vec<(String, String, i64)>,
}

/// A topic marked learned, with its first review card: see the `learned_marks` view.
const MARK_LEARNED: &str = concat!(
    "INSERT INTO learned_marks (",
    action_columns!(),
    ", track_id, topic_id, due, stability, difficulty, elapsed_days, scheduled_days, reps,
       lapses, state, last_review, kept_until)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
);

const UNMARK: [&str; 2] = [
    "DELETE FROM learned_topics WHERE user_id = ? AND track_id = ? AND topic_id = ?",
    "DELETE FROM review_cards WHERE user_id = ? AND track_id = ? AND topic_id = ?",
];

impl Store {
    /// Writes a topic learned in one statement. Marking again keeps the
    /// first time and the first card.
    #[tracing::instrument(skip_all, fields(user = %action.learner.user, track, topic))]
    pub async fn mark_learned(
        &self,
        action: &Action<'_>,
        track: &str,
        topic: &str,
        first_card: &CardState,
        kept_until: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let reference = format!("{track}/{topic}");
        let query = bind_action(sqlx::query(MARK_LEARNED), action, reference)
            .bind(track)
            .bind(topic);
        bind_card(query, first_card, kept_until)
            .execute(&mut *self.write().await?)
            .await?;
        Ok(())
    }

    /// Refreshes a learner's name and server without recording any study.
    pub async fn touch_learner(
        &self,
        learner: &Learner,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        bind_visit(sqlx::query(VISIT), learner, now)
            .execute(&mut *self.write().await?)
            .await?;
        Ok(())
    }

    /// Removes a mark and its review card.
    #[tracing::instrument(skip_all, fields(user = %user, track, topic))]
    pub async fn unmark_learned(
        &self,
        user: UserId,
        track: &str,
        topic: &str,
    ) -> Result<(), StoreError> {
        let mut writer = self.write().await?;
        let mut tx = writer.begin_with("BEGIN IMMEDIATE").await?;
        for statement in UNMARK {
            sqlx::query(statement)
                .bind(user_key(user))
                .bind(track)
                .bind(topic)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Everything the core keeps of a learner in memory, read once.
    #[tracing::instrument(skip_all, fields(user = %user))]
    pub async fn learner_record(&self, user: UserId) -> Result<LearnerRecord, StoreError> {
        let marks: Vec<(String, String)> = sqlx::query_as(
            "SELECT track_id, topic_id FROM learned_topics WHERE user_id = ?
             ORDER BY learned_at, topic_id",
        )
        .bind(user_key(user))
        .fetch_all(&self.pool)
        .await?;
        type Row = (
            Option<i64>,
            Option<String>,
            Option<i64>,
            Option<i64>,
            Option<i64>,
            Option<i64>,
        );
        let (offset, time_zone, current_days, current_since, last_day, longest_days): Row =
            sqlx::query_as(
                "SELECT p.utc_offset_minutes, p.time_zone, s.current_days, s.current_since,
                    s.last_day, s.longest_days
             FROM (SELECT ?1 AS user_id) AS u
             LEFT JOIN reminder_prefs p ON p.user_id = u.user_id
             LEFT JOIN streaks s ON s.user_id = u.user_id",
            )
            .bind(user_key(user))
            .fetch_one(&self.pool)
            .await?;
        let streak = match (current_days, current_since, last_day, longest_days) {
            (Some(current_days), Some(current_since), Some(last_day), Some(longest_days)) => {
                Some(StreakRun {
                    current_days,
                    current_since,
                    last_day,
                    longest_days,
                })
            }
            _ => None,
        };
        let right_answers = sqlx::query_as(
            "SELECT DISTINCT track_id, topic_id, question FROM quiz_answers
             WHERE user_id = ? AND correct = 1",
        )
        .bind(user_key(user))
        .fetch_all(&self.pool)
        .await?;
        Ok(LearnerRecord {
            right_answers,
            marks,
            utc_offset_minutes: offset.unwrap_or(0),
            time_zone,
            streak,
        })
    }

    /// Every topic of a track the user has learned, oldest first.
    pub async fn learned_topics(
        &self,
        user: UserId,
        track: &str,
    ) -> Result<Vec<LearnedMark>, StoreError> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT topic_id, learned_at FROM learned_topics
             WHERE user_id = ? AND track_id = ?
             ORDER BY learned_at, topic_id",
        )
        .bind(user_key(user))
        .bind(track)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(topic_id, learned_at)| LearnedMark {
                topic_id,
                learned_at: from_millis(learned_at),
            })
            .collect())
    }

    /// The servers a user has studied in, most recent first.
    pub async fn servers_of(&self, user: UserId) -> Result<Vec<u64>, StoreError> {
        let rows: Vec<i64> = sqlx::query_scalar(
            "SELECT guild_id FROM memberships WHERE user_id = ? ORDER BY last_seen_at DESC",
        )
        .bind(user_key(user))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|g| g as u64).collect())
    }
}
