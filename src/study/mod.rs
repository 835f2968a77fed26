//! The use cases of Quorum, free of Discord: each takes plain ids and text and returns a plain
//! reply value that the console and the Discord adapter render in their own way.

mod community;
mod error;
mod leaderboard;
mod learn;
mod map;
mod quiz;
mod reminders;
mod review;
mod stats;
mod topic;

use std::collections::HashSet;
use std::sync::Arc;

pub use community::{GroupView, Knower, TopicShare, WhoKnows, PURGE_GRACE};
pub use error::StudyError;
pub use leaderboard::{Board, Leaderboard, Ranked, PAGE_SIZE};
pub use learn::{LearnReply, MarkChange};
pub use map::{Progress, SectionView, SkillMap, TopicEntry, TopicState};
pub use quiz::{QuizFeedback, QuizKind, QuizQuestion, QuizResult, QuizStep, DEFAULT_QUESTIONS};
pub use reminders::{backoff, parse_utc_offset, Reminder};
pub use review::{rating_for, ReviewSchedule, ScheduledTopic, Scheduler, REVIEW_QUESTIONS};
pub use stats::{SectionAccuracy, Stats, Streak, ACTIVITY_DAYS};
pub use topic::{CardAction, NextStep, TopicCard};

use crate::clock::Clock;
use crate::course::{Catalog, Track};
use crate::ids::UserId;
use crate::store::Store;

/// Everything a use case needs: the course, the store and the clock. Cheap to clone.
#[derive(Clone)]
pub struct Study {
    catalog: Arc<Catalog>,
    store: Store,
    clock: Arc<dyn Clock>,
    scheduler: Scheduler,
}

impl Study {
    pub fn new(catalog: Arc<Catalog>, store: Store, clock: Arc<dyn Clock>) -> Self {
        Self {
            catalog,
            store,
            clock,
            scheduler: Scheduler::new(0.9),
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

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn clock(&self) -> &dyn Clock {
        self.clock.as_ref()
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
    pub async fn map(&self, user: UserId, track: Option<&str>) -> Result<SkillMap, StudyError> {
        let track = self.track(track)?;
        let learned = self.learned_set(user, track).await?;
        Ok(SkillMap::compute(track, &learned))
    }

    async fn learned_set(
        &self,
        user: UserId,
        track: &Track,
    ) -> Result<HashSet<String>, StudyError> {
        let marks = self.store.learned_topics(user, &track.id).await?;
        Ok(marks.into_iter().map(|m| m.topic_id).collect())
    }
}
