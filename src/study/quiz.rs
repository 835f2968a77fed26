//! Quizzes: questions drawn without repeats, choices shuffled per attempt, one question at a
//! time. The session lives in the store, so a restart mid-quiz loses nothing.

use std::sync::Arc;

use chrono::Duration;
use rand::seq::SliceRandom;

use super::domain::{answer_points, CardState};
use super::learners::LearnerState;
use super::{Study, StudyError};
use crate::course::Topic;
use crate::ids::Learner;
use crate::store::{NewAnswer, NewQuiz, PlannedQuestion, QuizRecord, StoredAnswer};

/// Questions in a quiz when the learner asks for no number.
pub const DEFAULT_QUESTIONS: usize = 5;
/// A quiz untouched for this long is over; its buttons answer politely.
pub const QUIZ_LIFETIME: Duration = Duration::hours(1);
/// The share of right answers from which a quiz offers to mark the topic learned.
pub const PASS_PERCENT: usize = 80;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuizKind {
    Quiz,
    /// A spaced review: a short quiz whose score reschedules the topic's review card.
    Review,
}

impl QuizKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            QuizKind::Quiz => "quiz",
            QuizKind::Review => "review",
        }
    }

    fn parse(text: &str) -> Self {
        if text == "review" {
            QuizKind::Review
        } else {
            QuizKind::Quiz
        }
    }
}

/// A question as shown: its choices in this attempt's order.
#[derive(Debug, Clone)]
pub struct QuizQuestion {
    pub session: i64,
    pub kind: QuizKind,
    pub track_id: String,
    pub topic: Arc<Topic>,
    /// 0-based index of this question in the quiz.
    pub position: usize,
    pub total: usize,
    pub question: String,
    pub choices: Vec<String>,
    /// Right answers before this question.
    pub score: usize,
}

/// The answer to a question: right or wrong, the right choice, and why.
#[derive(Debug, Clone)]
pub struct QuizFeedback {
    pub question: QuizQuestion,
    /// Slots (0-based, as shown) of the chosen and the right choice.
    pub chosen: usize,
    pub right: usize,
    pub correct: bool,
    pub explain: String,
    /// Right answers so far, this one included.
    pub score: usize,
    pub is_last: bool,
}

#[derive(Debug, Clone)]
pub struct QuizResult {
    pub session: i64,
    pub kind: QuizKind,
    pub track_id: String,
    pub topic: Arc<Topic>,
    pub correct: usize,
    pub total: usize,
    /// Offered when the score passes and the topic is not yet learned.
    pub offer_mark: bool,
    /// For a review: when the topic comes back.
    pub next_review: Option<chrono::DateTime<chrono::Utc>>,
}

impl QuizResult {
    pub fn percent(&self) -> usize {
        (self.correct * 100).checked_div(self.total).unwrap_or(0)
    }
}

#[derive(Debug, Clone)]
pub enum QuizStep {
    Question(QuizQuestion),
    Feedback(QuizFeedback),
    Finished(QuizResult),
}

impl Study {
    /// Starts a quiz on a topic with `count` questions (default 5, at most the bank).
    pub async fn start_quiz(
        &self,
        learner: &Learner,
        track: Option<&str>,
        topic: &str,
        count: Option<usize>,
    ) -> Result<QuizQuestion, StudyError> {
        let track = self
            .track_of(Some(learner.user), learner.guild, track)
            .await?;
        let topic = track.find_topic(topic)?;
        let count = count.unwrap_or(DEFAULT_QUESTIONS);
        self.start_session(learner, &track.id, topic, QuizKind::Quiz, count, None)
            .await
    }

    pub(crate) async fn start_session(
        &self,
        learner: &Learner,
        track_id: &str,
        topic: &Arc<Topic>,
        kind: QuizKind,
        count: usize,
        card: Option<CardState>,
    ) -> Result<QuizQuestion, StudyError> {
        if topic.quiz.is_empty() {
            return Err(StudyError::NoQuestions(topic.title.clone()));
        }
        let plan = draw(topic, count);
        let now = self.clock.now();
        let mut write = self.learners.write(&self.store, learner.user).await?;
        let quiz = NewQuiz {
            learner,
            visit: write.state.visit(learner),
            track_id,
            topic_id: &topic.id,
            kind: kind.as_str(),
            plan: &plan,
        };
        let id = self.store.create_quiz(quiz, now).await?;
        let record = QuizRecord {
            id,
            user: learner.user,
            track_id: track_id.to_string(),
            topic_id: topic.id.clone(),
            kind: kind.as_str().to_string(),
            plan,
            position: 0,
            correct: 0,
            started_at: now,
            updated_at: now,
            card,
        };
        let question = question_at(&record, topic, 0);
        write.state.keep_quiz(record);
        write.commit();
        Ok(question)
    }

    /// Answers question `position` with the choice shown at `slot`. A second answer to the
    /// same question (a double press, a retry) changes nothing and shows the first one.
    pub async fn answer_quiz(
        &self,
        learner: &Learner,
        session: i64,
        position: usize,
        slot: usize,
    ) -> Result<QuizStep, StudyError> {
        // The learner's lock orders their presses: a double press reads the first one's result.
        let mut write = self.learners.write(&self.store, learner.user).await?;
        let mut record = self.live_quiz(&write.state, learner, session).await?;
        let topic = self.quiz_topic(&record)?;
        if position > record.position || position >= record.plan.len() {
            drop(write);
            return self.continue_quiz(learner, session).await;
        }
        let stored = if position == record.position {
            let planned = &record.plan[position];
            let chosen = *planned.order.get(slot).ok_or(StudyError::QuizGone)?;
            let question = topic
                .quiz
                .get(planned.question)
                .ok_or(StudyError::QuizGone)?;
            let answer = StoredAnswer {
                chosen,
                correct: chosen == question.answer,
            };
            let now = self.clock.now();
            let question_index = planned.question;
            let before =
                write
                    .state
                    .answered_right(&record.track_id, &record.topic_id, question_index);
            let points = answer_points(answer.correct, before);
            let action = self.action(learner, &mut write.state, points, now);
            let correct = record.correct + usize::from(answer.correct);
            let review_end = (position + 1 == record.plan.len())
                .then(|| self.review_end(&record, correct, now))
                .flatten();
            let new_answer = NewAnswer {
                quiz: &record,
                position,
                answer,
            };
            self.store
                .record_answer(&action, &new_answer, review_end.as_ref())
                .await?;
            if answer.correct {
                write
                    .state
                    .note_right_answer(&record.track_id, &record.topic_id, question_index);
            }
            record.position += 1;
            record.correct = correct;
            record.updated_at = now;
            if let Some(end) = review_end {
                record.card = Some(end.card);
            }
            write.state.keep_quiz(record.clone());
            write.commit();
            answer
        } else {
            drop(write);
            self.store
                .quiz_answer(session, position)
                .await?
                .ok_or(StudyError::QuizGone)?
        };
        feedback(&record, &topic, position, stored)
            .map(QuizStep::Feedback)
            .ok_or(StudyError::QuizGone)
    }

    /// The quiz's current question, or its result once every question is answered.
    pub async fn continue_quiz(
        &self,
        learner: &Learner,
        session: i64,
    ) -> Result<QuizStep, StudyError> {
        let state = self.learners.read(&self.store, learner.user).await?;
        let record = self.live_quiz(&state, learner, session).await?;
        let topic = self.quiz_topic(&record)?;
        if !record.is_finished() {
            return Ok(QuizStep::Question(question_at(
                &record,
                &topic,
                record.position,
            )));
        }
        let kind = QuizKind::parse(&record.kind);
        let learned = state.has_learned(&record.track_id, &topic.id);
        let total = record.plan.len();
        let next_review = match kind {
            QuizKind::Review => record.card.map(|card| card.due),
            QuizKind::Quiz => None,
        };
        Ok(QuizStep::Finished(QuizResult {
            next_review,
            session,
            kind,
            track_id: record.track_id.clone(),
            offer_mark: kind == QuizKind::Quiz
                && !learned
                && record.correct * 100 >= PASS_PERCENT * total,
            topic,
            correct: record.correct,
            total,
        }))
    }

    /// The session (kept in memory, else read), if it exists, belongs to this learner and has
    /// not expired.
    async fn live_quiz(
        &self,
        state: &LearnerState,
        learner: &Learner,
        session: i64,
    ) -> Result<QuizRecord, StudyError> {
        let record = match state.quiz(session) {
            Some(record) => record.clone(),
            None => self
                .store
                .quiz(session)
                .await?
                .ok_or(StudyError::QuizGone)?,
        };
        if record.user != learner.user {
            return Err(StudyError::NotYourQuiz);
        }
        let idle = self.clock.now() - record.updated_at;
        if !record.is_finished() && idle > QUIZ_LIFETIME {
            return Err(StudyError::QuizGone);
        }
        Ok(record)
    }

    fn quiz_topic(&self, record: &QuizRecord) -> Result<Arc<Topic>, StudyError> {
        self.catalog
            .track(&record.track_id)
            .and_then(|t| t.topic(&record.topic_id))
            .cloned()
            .ok_or(StudyError::QuizGone)
    }
}

/// Draws `count` distinct questions (at least one, at most the bank) and shuffles each one's
/// choices.
fn draw(topic: &Topic, count: usize) -> Vec<PlannedQuestion> {
    let mut rng = rand::thread_rng();
    let mut questions: Vec<usize> = (0..topic.quiz.len()).collect();
    questions.shuffle(&mut rng);
    questions.truncate(count.clamp(1, topic.quiz.len()));
    questions
        .into_iter()
        .map(|question| {
            let mut order: Vec<usize> = (0..topic.quiz[question].choices.len()).collect();
            order.shuffle(&mut rng);
            PlannedQuestion { question, order }
        })
        .collect()
}

fn question_at(record: &QuizRecord, topic: &Arc<Topic>, position: usize) -> QuizQuestion {
    let planned = &record.plan[position.min(record.plan.len() - 1)];
    let bank = &topic.quiz[planned.question.min(topic.quiz.len() - 1)];
    QuizQuestion {
        session: record.id,
        kind: QuizKind::parse(&record.kind),
        track_id: record.track_id.clone(),
        topic: Arc::clone(topic),
        position,
        total: record.plan.len(),
        question: bank.question.clone(),
        choices: planned
            .order
            .iter()
            .filter_map(|&i| bank.choices.get(i).cloned())
            .collect(),
        score: record.correct,
    }
}

fn feedback(
    record: &QuizRecord,
    topic: &Arc<Topic>,
    position: usize,
    stored: StoredAnswer,
) -> Option<QuizFeedback> {
    let planned = record.plan.get(position)?;
    let bank = topic.quiz.get(planned.question)?;
    let slot_of = |choice: usize| planned.order.iter().position(|&c| c == choice);
    let question = question_at(record, topic, position);
    Some(QuizFeedback {
        chosen: slot_of(stored.chosen)?,
        right: slot_of(bank.answer)?,
        correct: stored.correct,
        explain: bank.explain.clone(),
        score: record.correct,
        is_last: position + 1 == record.plan.len(),
        question,
    })
}
