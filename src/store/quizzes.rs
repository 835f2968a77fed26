//! Quiz sessions and answers. A session row carries its whole plan so that any process can
//! pick a quiz up where it stopped.

use chrono::{DateTime, Utc};

use super::points::{record_study, ActivityKind, POINTS_CORRECT_ANSWER};
use super::progress::record_activity;
use super::{from_millis, guild_key, to_millis, user_key, Store, StoreError};
use crate::ids::{Learner, UserId};

/// One question of a quiz: its index in the topic's bank, and the order its choices are shown
/// in (`order[slot]` is the bank index of the choice shown at `slot`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedQuestion {
    pub question: usize,
    pub order: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct QuizRecord {
    pub id: i64,
    pub user: UserId,
    pub track_id: String,
    pub topic_id: String,
    pub kind: String,
    pub plan: Vec<PlannedQuestion>,
    /// How many questions are answered.
    pub position: usize,
    pub correct: usize,
    pub started_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl QuizRecord {
    pub fn is_finished(&self) -> bool {
        self.position >= self.plan.len()
    }
}

/// A stored answer, as the bank indexes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredAnswer {
    pub chosen: usize,
    pub correct: bool,
}

/// What the quiz is about and where it runs, for starting one.
pub struct NewQuiz<'a> {
    pub learner: &'a Learner,
    pub track_id: &'a str,
    pub topic_id: &'a str,
    pub kind: &'a str,
    pub plan: &'a [PlannedQuestion],
}

impl Store {
    #[tracing::instrument(skip_all, fields(user = %quiz.learner.user, topic = quiz.topic_id))]
    pub async fn create_quiz(
        &self,
        quiz: NewQuiz<'_>,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let mut tx = self.pool.begin().await?;
        record_activity(&mut tx, quiz.learner, now).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO quiz_sessions
                 (user_id, guild_id, track_id, topic_id, kind, plan, started_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)
             RETURNING id",
        )
        .bind(user_key(quiz.learner.user))
        .bind(quiz.learner.guild.map(guild_key))
        .bind(quiz.track_id)
        .bind(quiz.topic_id)
        .bind(quiz.kind)
        .bind(encode_plan(quiz.plan))
        .bind(to_millis(now))
        .bind(to_millis(now))
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn quiz(&self, id: i64) -> Result<Option<QuizRecord>, StoreError> {
        type Row = (i64, i64, String, String, String, String, i64, i64, i64, i64);
        let row: Option<Row> = sqlx::query_as(
            "SELECT id, user_id, track_id, topic_id, kind, plan, position, correct,
                    started_at, updated_at
             FROM quiz_sessions WHERE id = ?",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.and_then(
            |(id, user, track_id, topic_id, kind, plan, position, correct, started, updated)| {
                Some(QuizRecord {
                    id,
                    user: UserId(user as u64),
                    track_id,
                    topic_id,
                    kind,
                    plan: decode_plan(&plan)?,
                    position: usize::try_from(position).ok()?,
                    correct: usize::try_from(correct).ok()?,
                    started_at: from_millis(started),
                    updated_at: from_millis(updated),
                })
            },
        ))
    }

    pub async fn quiz_answer(
        &self,
        session: i64,
        position: usize,
    ) -> Result<Option<StoredAnswer>, StoreError> {
        let row: Option<(i64, i64)> = sqlx::query_as(
            "SELECT chosen, correct FROM quiz_answers WHERE session_id = ? AND position = ?",
        )
        .bind(session)
        .bind(position as i64)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(chosen, correct)| StoredAnswer {
            chosen: chosen as usize,
            correct: correct != 0,
        }))
    }

    /// Stores the answer to question `position` and moves the session on, in one transaction.
    /// Returns false when that question was already answered (a double press or a retry).
    #[tracing::instrument(skip_all, fields(session = quiz.id, position))]
    pub async fn record_answer(
        &self,
        quiz: &QuizRecord,
        learner: &Learner,
        position: usize,
        answer: StoredAnswer,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let Some(planned) = quiz.plan.get(position) else {
            return Ok(false);
        };
        let mut tx = self.pool.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO quiz_answers (session_id, position, user_id, guild_id, track_id,
                 topic_id, question, chosen, correct, answered_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (session_id, position) DO NOTHING",
        )
        .bind(quiz.id)
        .bind(position as i64)
        .bind(user_key(learner.user))
        .bind(learner.guild.map(guild_key))
        .bind(&quiz.track_id)
        .bind(&quiz.topic_id)
        .bind(planned.question as i64)
        .bind(answer.chosen as i64)
        .bind(i64::from(answer.correct))
        .bind(to_millis(now))
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if inserted {
            record_activity(&mut tx, learner, now).await?;
            let points = if answer.correct {
                POINTS_CORRECT_ANSWER
            } else {
                0
            };
            let reference = format!("{}:{position}", quiz.id);
            record_study(
                &mut tx,
                learner,
                ActivityKind::Answer,
                &reference,
                points,
                now,
            )
            .await?;
            sqlx::query(
                "UPDATE quiz_sessions
                 SET position = position + 1, correct = correct + ?, updated_at = ?
                 WHERE id = ? AND position = ?",
            )
            .bind(i64::from(answer.correct))
            .bind(to_millis(now))
            .bind(quiz.id)
            .bind(position as i64)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(inserted)
    }
}

fn encode_plan(plan: &[PlannedQuestion]) -> String {
    plan.iter()
        .map(|p| {
            let order: Vec<String> = p.order.iter().map(usize::to_string).collect();
            format!("{}:{}", p.question, order.join(","))
        })
        .collect::<Vec<_>>()
        .join(";")
}

fn decode_plan(text: &str) -> Option<Vec<PlannedQuestion>> {
    text.split(';')
        .map(|item| {
            let (question, order) = item.split_once(':')?;
            Some(PlannedQuestion {
                question: question.parse().ok()?,
                order: order
                    .split(',')
                    .map(|c| c.parse().ok())
                    .collect::<Option<Vec<usize>>>()?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plan_survives_a_round_trip() {
        let plan = vec![
            PlannedQuestion {
                question: 3,
                order: vec![2, 0, 1, 3],
            },
            PlannedQuestion {
                question: 0,
                order: vec![1, 0],
            },
        ];
        assert_eq!(decode_plan(&encode_plan(&plan)), Some(plan));
        assert_eq!(decode_plan("x:1"), None);
    }
}
