//! The use cases of Quorum, free of Discord: each takes plain ids and text and returns a plain
//! reply value that the console and the Discord adapter render in their own way.

mod announce;
mod changes;
mod community;
pub mod domain;
mod error;
mod leaderboard;
mod learn;
mod learners;
mod map;
mod outbox;
mod plan;
mod privacy;
mod quiz;
mod reminders;
mod review;
mod stats;
mod topic;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

pub use announce::{Announcement, Milestone, ANNOUNCE_EVERY};
pub use community::{GroupView, Knower, TopicShare, WhoKnows, PURGE_GRACE};
pub use domain::Board;
pub use domain::Streak;
pub use error::StudyError;
pub use leaderboard::{Leaderboard, Ranked, PAGE_SIZE};
pub use learn::{LearnReply, MarkChange};
pub use map::{Progress, SectionView, SkillMap, TopicEntry, TopicState};
pub use outbox::{backoff, Claimed, Reminder, Retry, CLAIM_LEASE, NONCE_WINDOW};
pub use plan::{PlanStep, StudyPlan, PLAN_STEPS, REVIEW_MINUTES};
pub use quiz::{QuizFeedback, QuizKind, QuizQuestion, QuizResult, QuizStep, DEFAULT_QUESTIONS};
pub use reminders::parse_zone;
pub use review::{rating_for, ReviewSchedule, ScheduledTopic, Scheduler, REVIEW_QUESTIONS};
pub use stats::{SectionAccuracy, Stats, ACTIVITY_DAYS};
pub use topic::{CardAction, NextStep, TopicCard};

use chrono::{DateTime, Utc};

use crate::clock::Clock;
use crate::course::{Catalog, Track};
use crate::ids::{GuildId, Learner, UserId};
use crate::store::{Action, Store};
use domain::{week_start, StreakRun};
use learners::{LearnerState, Learners};

/// Everything a use case needs: the course, the store, the clock and what is known of each
/// learner. Cheap to clone; clones share the learners' cache.
#[derive(Clone)]
pub struct Study {
    catalog: Arc<Catalog>,
    store: Store,
    clock: Arc<dyn Clock>,
    scheduler: Scheduler,
    learners: Arc<Learners>,
    /// Each server's default track as last read or set, so a command needs no settings read.
    /// Per process, like the learner cache.
    default_tracks: Arc<std::sync::Mutex<HashMap<GuildId, Option<String>>>>,
    announced: announce::Announced,
}

impl Study {
    pub fn new(catalog: Arc<Catalog>, store: Store, clock: Arc<dyn Clock>) -> Self {
        Self {
            catalog,
            store,
            clock,
            scheduler: Scheduler::new(0.9),
            learners: Arc::default(),
            default_tracks: Arc::default(),
            announced: Arc::default(),
        }
    }

    /// Reviews aim for this recall probability (FSRS desired retention; default 0.9).
    pub fn with_desired_retention(mut self, retention: f64) -> Self {
        self.scheduler = Scheduler::new(retention);
        self
    }

    pub fn scheduler(&self) -> &Scheduler {
        &self.scheduler
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The time by the study's clock, for adapters that stamp what they send.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Closes the store once in-flight work is done; background tasks end then.
    pub async fn close(&self) {
        self.store.close().await;
    }

    pub fn is_closed(&self) -> bool {
        self.store.is_closed()
    }

    /// The named track, or the default one when no name is given.
    pub fn track(&self, query: Option<&str>) -> Result<&Arc<Track>, StudyError> {
        match query.map(str::trim).filter(|q| !q.is_empty()) {
            None => self.catalog.default_track().ok_or(StudyError::NoTrack),
            Some(query) => self
                .catalog
                .track(query)
                .ok_or_else(|| StudyError::UnknownTrack {
                    query: query.to_string(),
                    available: self.catalog.tracks.iter().map(|t| t.id.clone()).collect(),
                }),
        }
    }

    /// The skill map of a track for one user.
    pub async fn map(
        &self,
        learner: &Learner,
        track: Option<&str>,
    ) -> Result<SkillMap, StudyError> {
        let track = self
            .track_of(Some(learner.user), learner.guild, track)
            .await?;
        let learned = self.learned_set(learner.user, track).await?;
        Ok(SkillMap::compute(track, &learned))
    }

    async fn learned_set(
        &self,
        user: UserId,
        track: &Track,
    ) -> Result<HashSet<String>, StudyError> {
        let state = self.learners.read(&self.store, user).await?;
        Ok(state.learned_set(&track.id))
    }

    /// A study action at `now` earning `points`, with the learner's streak moved on to their
    /// local day and their name and server noted (in `state`, which the caller commits once the
    /// store has written it).
    fn action<'a>(
        &self,
        learner: &'a Learner,
        state: &mut LearnerState,
        points: i64,
        now: DateTime<Utc>,
    ) -> Action<'a> {
        let today = state.zone.local_day(now);
        let streak = StreakRun::extend(state.streak, today);
        let changed = state.streak != Some(streak);
        state.streak = Some(streak);
        Action {
            learner,
            visit: state.visit(learner),
            at: now,
            points,
            score_week: week_start(now),
            streak: changed.then_some(streak),
            zone: state.zone,
        }
    }
}
