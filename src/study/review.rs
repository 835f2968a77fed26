//! Spaced review with FSRS (rs-fsrs, FSRS-5). Marking a topic learned creates its card, due
//! the next day; each review is a 3-question quiz whose score becomes the FSRS rating.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use rs_fsrs::{Card, Parameters, Rating, State, FSRS};

use super::domain::{is_on_time, review_points, CardState};
use super::quiz::{QuizKind, QuizQuestion};
use super::{Study, StudyError};
use crate::course::Topic;
use crate::ids::{Learner, UserId};
use crate::store::{QuizRecord, ReviewEnd};

/// Questions in a review.
pub const REVIEW_QUESTIONS: usize = 3;
/// The first review comes a day after learning, like Anki's graduating interval; FSRS takes
/// over from the first review on.
pub const FIRST_REVIEW_AFTER: Duration = Duration::days(1);

/// The furthest [`Scheduler::kept_until`] looks ahead: a century is "kept" for any board.
const KEPT_AT_MOST: Duration = Duration::days(36_500);
/// A review answered all right within this time counts as Easy rather than Good.
pub const QUICK_REVIEW: Duration = Duration::seconds(60);

/// How a review's answers map to an FSRS rating: all right quickly Easy, all right Good, one
/// wrong Hard, more Again.
pub fn rating_for(wrong: usize, took: Duration) -> Rating {
    match wrong {
        0 if took <= QUICK_REVIEW => Rating::Easy,
        0 => Rating::Good,
        1 => Rating::Hard,
        _ => Rating::Again,
    }
}

/// The scheduler for one desired retention, whole days only (no short-term steps, no fuzz:
/// reminders work in days, and tests need the same intervals every run).
#[derive(Debug, Clone)]
pub struct Scheduler {
    fsrs: FSRS,
    desired_retention: f64,
    first_good_stability: f64,
}

impl Scheduler {
    pub fn new(desired_retention: f64) -> Self {
        let parameters = Parameters {
            request_retention: desired_retention,
            enable_short_term: false,
            enable_fuzz: false,
            ..Parameters::default()
        };
        Self {
            // FSRS's stability after a first "Good" (w[2], about 3 days).
            first_good_stability: parameters.w[2],
            fsrs: FSRS::new(parameters),
            desired_retention,
        }
    }

    pub fn desired_retention(&self) -> f64 {
        self.desired_retention
    }

    /// The card of a topic learned `now`: new to FSRS, due after [`FIRST_REVIEW_AFTER`].
    pub fn first_card(&self, now: DateTime<Utc>) -> CardState {
        let mut card = to_card_state(&Card::new());
        card.due = now + FIRST_REVIEW_AFTER;
        card
    }

    pub fn review(&self, card: &CardState, rating: Rating, now: DateTime<Utc>) -> CardState {
        let next = self.fsrs.next(to_fsrs(card), now, rating);
        to_card_state(&next.card)
    }

    /// The probability of recalling the card's topic now. A card never reviewed counts as
    /// learned with a first "Good" when it was marked: FSRS's initial stability for Good, from
    /// the day it was learned. So an unreviewed topic fades as FSRS says it would, instead of
    /// counting as remembered forever.
    pub fn recall(&self, card: &CardState, now: DateTime<Utc>) -> f64 {
        let mut fsrs_card = to_fsrs(card);
        if card.state == 0 {
            fsrs_card.state = State::Review;
            fsrs_card.stability = self.first_good_stability;
            fsrs_card.last_review = card.due - FIRST_REVIEW_AFTER;
        }
        fsrs_card.get_retrievability(now)
    }

    /// The last instant at which the card's topic is still recalled at the desired retention:
    /// what the remembered board and /who-knows compare with the clock. Found by bisecting
    /// [`Scheduler::recall`] itself (it only falls with time), so the two can never disagree.
    pub fn kept_until(&self, card: &CardState) -> DateTime<Utc> {
        let start = card
            .last_review
            .unwrap_or(card.due - FIRST_REVIEW_AFTER)
            .min(card.due);
        let kept = |ms: i64| {
            DateTime::from_timestamp_millis(ms)
                .is_some_and(|at| self.recall(card, at) >= self.desired_retention)
        };
        let (mut lo, mut hi) = (
            start.timestamp_millis(),
            (start + KEPT_AT_MOST).timestamp_millis(),
        );
        if !kept(lo) {
            return start;
        }
        if kept(hi) {
            return start + KEPT_AT_MOST;
        }
        // kept(lo) and not kept(hi): narrow down to the millisecond.
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if kept(mid) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        DateTime::from_timestamp_millis(lo).unwrap_or(start)
    }
}

fn to_fsrs(card: &CardState) -> Card {
    Card {
        due: card.due,
        stability: card.stability,
        difficulty: card.difficulty,
        elapsed_days: card.elapsed_days,
        scheduled_days: card.scheduled_days,
        reps: card.reps,
        lapses: card.lapses,
        state: match card.state {
            1 => State::Learning,
            2 => State::Review,
            3 => State::Relearning,
            _ => State::New,
        },
        last_review: card.last_review.unwrap_or(card.due),
    }
}

fn to_card_state(card: &Card) -> CardState {
    CardState {
        due: card.due,
        stability: card.stability,
        difficulty: card.difficulty,
        elapsed_days: card.elapsed_days,
        scheduled_days: card.scheduled_days,
        reps: card.reps,
        lapses: card.lapses,
        state: card.state as i32,
        last_review: (card.reps > 0).then_some(card.last_review),
    }
}

/// A topic's place in the review schedule.
#[derive(Debug, Clone)]
pub struct ScheduledTopic {
    pub track_id: String,
    pub topic: Arc<Topic>,
    pub due: DateTime<Utc>,
    pub card: CardState,
}

/// What is due now and what comes next, for `/reviews`.
#[derive(Debug, Clone)]
pub struct ReviewSchedule {
    pub due: Vec<ScheduledTopic>,
    pub upcoming: Vec<ScheduledTopic>,
}

impl Study {
    /// Starts a review of the most overdue topic, if any is due.
    pub async fn start_review(&self, learner: &Learner) -> Result<QuizQuestion, StudyError> {
        let schedule = self.review_schedule(learner.user).await?;
        let first = schedule.due.first().ok_or(StudyError::NothingToReview {
            next: schedule.upcoming.first().map(|s| s.due),
        })?;
        self.start_session(
            learner,
            &first.track_id,
            &first.topic,
            QuizKind::Review,
            REVIEW_QUESTIONS,
            Some(first.card),
        )
        .await
    }

    pub async fn review_schedule(&self, user: UserId) -> Result<ReviewSchedule, StudyError> {
        let now = self.clock.now();
        let mut schedule = ReviewSchedule {
            due: Vec::new(),
            upcoming: Vec::new(),
        };
        for card in self.store.review_cards(user).await? {
            let Some(topic) = self
                .catalog
                .track(&card.track_id)
                .and_then(|t| t.topic(&card.topic_id))
            else {
                continue;
            };
            let entry = ScheduledTopic {
                track_id: card.track_id.clone(),
                topic: Arc::clone(topic),
                due: card.card.due,
                card: card.card,
            };
            if card.card.due <= now {
                schedule.due.push(entry);
            } else {
                schedule.upcoming.push(entry);
            }
        }
        Ok(schedule)
    }

    /// How a session ends when its last answer brings it to `correct` right answers: for a
    /// review of a topic still learned, the card's next state and the points; else nothing.
    pub(super) fn review_end(
        &self,
        record: &QuizRecord,
        correct: usize,
        now: DateTime<Utc>,
    ) -> Option<ReviewEnd> {
        if record.kind != QuizKind::Review.as_str() {
            return None;
        }
        let card = record.card?; // unlearned mid-review: nothing to schedule
        let rating = rating_for(
            record.plan.len().saturating_sub(correct),
            now - record.started_at,
        );
        let next = self.scheduler.review(&card, rating, now);
        tracing::debug!(?rating, due = %next.due, "review rescheduled");
        Some(ReviewEnd {
            kept_until: self.scheduler.kept_until(&next),
            card: next,
            points: review_points(is_on_time(card.due, record.started_at, now)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_map_to_ratings_as_the_readme_says() {
        assert_eq!(rating_for(0, Duration::seconds(30)), Rating::Easy);
        assert_eq!(rating_for(0, Duration::seconds(90)), Rating::Good);
        assert_eq!(rating_for(1, Duration::seconds(10)), Rating::Hard);
        assert_eq!(rating_for(2, Duration::seconds(10)), Rating::Again);
        assert_eq!(rating_for(3, Duration::seconds(10)), Rating::Again);
    }

    #[test]
    fn kept_until_is_the_last_instant_recall_is_at_least_the_desired_retention() {
        let scheduler = Scheduler::new(0.9);
        let learned = Utc::now();
        let unreviewed = scheduler.first_card(learned);
        let reviewed = scheduler.review(&unreviewed, Rating::Good, unreviewed.due);
        for card in [unreviewed, reviewed] {
            let kept = scheduler.kept_until(&card);
            assert!(scheduler.recall(&card, kept) >= 0.9, "{card:?}");
            let after = kept + Duration::milliseconds(1);
            assert!(scheduler.recall(&card, after) < 0.9, "{card:?}");
            assert!(
                kept > learned + Duration::days(1),
                "kept for days, not minutes: {kept}"
            );
        }
    }

    #[test]
    fn a_good_first_review_schedules_further_out_than_the_first_interval() {
        let scheduler = Scheduler::new(0.9);
        let learned = Utc::now();
        let card = scheduler.first_card(learned);
        let review_time = card.due;

        let next = scheduler.review(&card, Rating::Good, review_time);

        assert!(
            next.due - review_time > FIRST_REVIEW_AFTER,
            "{:?}",
            next.due - review_time
        );
        assert_eq!(next.reps, 1);
        let again = scheduler.review(&card, Rating::Again, review_time);
        assert!(again.due < next.due);
    }

    #[test]
    fn an_unreviewed_topic_fades_from_the_day_it_was_learned() {
        let scheduler = Scheduler::new(0.9);
        let learned = Utc::now();
        let card = scheduler.first_card(learned);
        let recall_after = |days| scheduler.recall(&card, learned + Duration::days(days));

        assert!(recall_after(0) > 0.99, "{}", recall_after(0));
        assert!(recall_after(3) >= 0.9, "{}", recall_after(3));
        assert!(recall_after(4) < 0.9, "{}", recall_after(4));
        assert!(recall_after(30) < recall_after(4));
    }

    #[test]
    fn higher_retention_means_sooner_reviews() {
        let now = Utc::now();
        let strict = Scheduler::new(0.95);
        let loose = Scheduler::new(0.8);
        let card = strict.first_card(now);
        let reviewed = strict.review(&card, Rating::Good, card.due);
        let after_strict = strict.review(&reviewed, Rating::Good, reviewed.due);
        let after_loose = loose.review(&reviewed, Rating::Good, reviewed.due);
        assert!(after_strict.due < after_loose.due);
    }
}
