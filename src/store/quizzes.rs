//! Quiz sessions and answers. A session row carries its whole plan so that any process can
//! pick a quiz up where it stopped.

use chrono::{DateTime, Utc};

use super::actions::{action_columns, action_values, visit_values, Action, VISIT};
use super::backend::{args, Sql};
use super::reviews::card_values;
use super::{from_millis, guild_key, to_millis, user_key, Store, StoreError};
use crate::ids::{Learner, UserId};
use crate::study::domain::CardState;

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
    /// The topic's review card, read with the session so a review's end needs no second read.
    pub card: Option<CardState>,
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
    /// Whether to store the learner's name and server: false when they are stored already.
    pub visit: bool,
    pub track_id: &'a str,
    pub topic_id: &'a str,
    pub kind: &'a str,
    pub plan: &'a [PlannedQuestion],
}

/// An answer to write: which question of which session, and what was chosen.
pub struct NewAnswer<'a> {
    pub quiz: &'a QuizRecord,
    pub position: usize,
    pub answer: StoredAnswer,
}

/// The end of a review, written with its last answer: the card's next state and the points.
#[derive(Debug, Clone, Copy)]
pub struct ReviewEnd {
    pub card: CardState,
    /// Until when the card's topic stays remembered (see `Scheduler::kept_until`).
    pub kept_until: DateTime<Utc>,
    pub points: i64,
}

/// An answer, and with `review_ref` set the end of the review it finishes: see the
/// `quiz_answer_writes` view.
const ANSWER: Sql = Sql::both(concat!(
    "INSERT INTO quiz_answer_writes (",
    action_columns!(),
    ", session_id, position, track_id, topic_id, question, chosen, correct,
       review_ref, review_points, due, stability, difficulty, elapsed_days, scheduled_days,
       reps, lapses, state, last_review, kept_until)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
             $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31)"
));

const NEW_SESSION: Sql = Sql::both(
    "INSERT INTO quiz_sessions
         (user_id, guild_id, track_id, topic_id, kind, plan, started_at, updated_at)
     VALUES ($1, $2, $4, $5, $6, $7, $3, $3)
     RETURNING id",
);

const SESSION: Sql = Sql::both(
    "SELECT s.id, s.user_id, s.track_id, s.topic_id, s.kind, s.plan, s.position,
            s.correct, s.started_at, s.updated_at, c.due, c.stability, c.difficulty,
            c.elapsed_days, c.scheduled_days, c.reps, c.lapses, c.state, c.last_review
     FROM quiz_sessions s
     LEFT JOIN review_cards c ON c.user_id = s.user_id AND c.track_id = s.track_id
         AND c.topic_id = s.topic_id
     WHERE s.id = $1",
);

const STORED_ANSWER: Sql =
    Sql::both("SELECT chosen, correct FROM quiz_answers WHERE session_id = $1 AND position = $2");

#[derive(sqlx::FromRow)]
struct QuizRow {
    id: i64,
    user_id: i64,
    track_id: String,
    topic_id: String,
    kind: String,
    plan: String,
    position: i64,
    correct: i64,
    started_at: i64,
    updated_at: i64,
    due: Option<i64>,
    stability: Option<f64>,
    difficulty: Option<f64>,
    elapsed_days: Option<i64>,
    scheduled_days: Option<i64>,
    reps: Option<i64>,
    lapses: Option<i64>,
    state: Option<i64>,
    last_review: Option<i64>,
}

impl QuizRow {
    fn into_record(self) -> Option<QuizRecord> {
        let card = match (self.due, self.stability, self.difficulty) {
            (Some(due), Some(stability), Some(difficulty)) => Some(CardState {
                due: from_millis(due),
                stability,
                difficulty,
                elapsed_days: self.elapsed_days.unwrap_or(0),
                scheduled_days: self.scheduled_days.unwrap_or(0),
                reps: self.reps.unwrap_or(0) as i32,
                lapses: self.lapses.unwrap_or(0) as i32,
                state: self.state.unwrap_or(0) as i32,
                last_review: self.last_review.map(from_millis),
            }),
            _ => None,
        };
        Some(QuizRecord {
            id: self.id,
            user: UserId(self.user_id as u64),
            track_id: self.track_id,
            topic_id: self.topic_id,
            kind: self.kind,
            plan: decode_plan(&self.plan)?,
            position: usize::try_from(self.position).ok()?,
            correct: usize::try_from(self.correct).ok()?,
            started_at: from_millis(self.started_at),
            updated_at: from_millis(self.updated_at),
            card,
        })
    }
}

impl Store {
    #[tracing::instrument(skip_all, fields(user = %quiz.learner.user, topic = quiz.topic_id))]
    pub async fn create_quiz(
        &self,
        quiz: NewQuiz<'_>,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let mut writer = self.writer().await?;
        let mut tx = writer.begin().await?;
        if quiz.visit {
            tx.execute(&VISIT, visit_values(quiz.learner, now)).await?;
        }
        let values = args![
            user_key(quiz.learner.user),
            quiz.learner.guild.map(guild_key),
            to_millis(now),
            quiz.track_id,
            quiz.topic_id,
            quiz.kind,
            encode_plan(quiz.plan),
        ];
        let (id,): (i64,) = tx.fetch_one(&NEW_SESSION, values).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A session with its topic's review card (if the learner has one).
    pub async fn quiz(&self, id: i64) -> Result<Option<QuizRecord>, StoreError> {
        let row: Option<QuizRow> = self.fetch_optional(&SESSION, args![id]).await?;
        Ok(row.and_then(QuizRow::into_record))
    }

    pub async fn quiz_answer(
        &self,
        session: i64,
        position: usize,
    ) -> Result<Option<StoredAnswer>, StoreError> {
        let row: Option<(i64, i64)> = self
            .fetch_optional(&STORED_ANSWER, args![session, position as i64])
            .await?;
        Ok(row.map(|(chosen, correct)| StoredAnswer {
            chosen: chosen as usize,
            correct: correct != 0,
        }))
    }

    /// Writes an answer (and, with `review_end`, the end of the review it finishes) in one
    /// statement. A second answer to the same question changes nothing.
    #[tracing::instrument(skip_all, fields(session = answer.quiz.id, position = answer.position))]
    pub async fn record_answer(
        &self,
        action: &Action<'_>,
        answer: &NewAnswer<'_>,
        review_end: Option<&ReviewEnd>,
    ) -> Result<(), StoreError> {
        let quiz = answer.quiz;
        let Some(planned) = quiz.plan.get(answer.position) else {
            return Ok(());
        };
        let mut values = action_values(action, format!("{}:{}", quiz.id, answer.position));
        values.extend(args![
            quiz.id,
            answer.position as i64,
            quiz.track_id.as_str(),
            quiz.topic_id.as_str(),
            planned.question as i64,
            answer.answer.chosen as i64,
            answer.answer.correct,
        ]);
        match review_end {
            Some(end) => {
                values.extend(args![quiz.id.to_string(), end.points]);
                values.extend(card_values(&end.card, end.kept_until));
            }
            // No review ends: the review reference and the card's values stay NULL.
            None => values.extend(args![
                None::<String>,
                None::<i64>,
                None::<i64>,
                None::<f64>,
                None::<f64>,
                None::<i64>,
                None::<i64>,
                None::<i64>,
                None::<i64>,
                None::<i64>,
                None::<i64>,
                None::<i64>,
            ]),
        }
        self.execute(&ANSWER, values).await?;
        Ok(())
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
