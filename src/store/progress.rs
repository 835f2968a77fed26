//! Learners, memberships and learned marks, and what the core keeps of a learner in memory.

use chrono::{DateTime, Utc};

use super::actions::{action_columns, action_values, visit_values, Action, VISIT};
use super::backend::{args, Sql};
use super::reviews::card_values;
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
const MARK_LEARNED: Sql = Sql::both(concat!(
    "INSERT INTO learned_marks (",
    action_columns!(),
    ", track_id, topic_id, due, stability, difficulty, elapsed_days, scheduled_days, reps,
       lapses, state, last_review, kept_until)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
             $19, $20, $21, $22, $23, $24)"
));

const UNMARK: [Sql; 2] = [
    Sql::both("DELETE FROM learned_topics WHERE user_id = $1 AND track_id = $2 AND topic_id = $3"),
    Sql::both("DELETE FROM review_cards WHERE user_id = $1 AND track_id = $2 AND topic_id = $3"),
];

const MARKS: Sql = Sql::both(
    "SELECT track_id, topic_id FROM learned_topics WHERE user_id = $1
     ORDER BY learned_at, topic_id",
);

/// The learner's offset, zone and streak, as one row even when they have none of them.
const PREFS_AND_STREAK: Sql = Sql::both(
    "SELECT p.utc_offset_minutes, p.time_zone, s.current_days, s.current_since, s.last_day,
            s.longest_days
     FROM (SELECT CAST($1 AS BIGINT) AS user_id) AS u
     LEFT JOIN reminder_prefs p ON p.user_id = u.user_id
     LEFT JOIN streaks s ON s.user_id = u.user_id",
);

const RIGHT_ANSWERS: Sql = Sql::both(
    "SELECT DISTINCT track_id, topic_id, question FROM quiz_answers
     WHERE user_id = $1 AND correct = 1",
);

const LEARNED_IN_TRACK: Sql = Sql::both(
    "SELECT topic_id, learned_at FROM learned_topics
     WHERE user_id = $1 AND track_id = $2
     ORDER BY learned_at, topic_id",
);

const SERVERS: Sql =
    Sql::both("SELECT guild_id FROM memberships WHERE user_id = $1 ORDER BY last_seen_at DESC");

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
        let mut values = action_values(action, format!("{track}/{topic}"));
        values.extend(args![track, topic]);
        values.extend(card_values(first_card, kept_until));
        self.execute(&MARK_LEARNED, values).await?;
        Ok(())
    }

    /// Refreshes a learner's name and server without recording any study.
    pub async fn touch_learner(
        &self,
        learner: &Learner,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.execute(&VISIT, visit_values(learner, now)).await?;
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
        let mut writer = self.writer().await?;
        let mut tx = writer.begin().await?;
        for statement in &UNMARK {
            tx.execute(statement, args![user_key(user), track, topic])
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Everything the core keeps of a learner in memory, read once.
    #[tracing::instrument(skip_all, fields(user = %user))]
    pub async fn learner_record(&self, user: UserId) -> Result<LearnerRecord, StoreError> {
        let marks: Vec<(String, String)> = self.fetch_all(&MARKS, args![user_key(user)]).await?;
        type Row = (
            Option<i64>,
            Option<String>,
            Option<i64>,
            Option<i64>,
            Option<i64>,
            Option<i64>,
        );
        let (offset, time_zone, current_days, current_since, last_day, longest_days): Row = self
            .fetch_one(&PREFS_AND_STREAK, args![user_key(user)])
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
        let right_answers = self
            .fetch_all(&RIGHT_ANSWERS, args![user_key(user)])
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
        let rows: Vec<(String, i64)> = self
            .fetch_all(&LEARNED_IN_TRACK, args![user_key(user), track])
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
        let rows: Vec<(i64,)> = self.fetch_all(&SERVERS, args![user_key(user)]).await?;
        Ok(rows.into_iter().map(|(g,)| g as u64).collect())
    }
}
