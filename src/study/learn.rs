//! Marking topics learned and unlearned.

use std::sync::Arc;

use super::domain::POINTS_LEARNED;
use super::map::{Progress, SkillMap};
use super::{Study, StudyError};
use crate::course::Topic;
use crate::ids::Learner;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkChange {
    Learned,
    AlreadyLearned,
    Unlearned,
    WasNotLearned,
}

#[derive(Debug, Clone)]
pub struct LearnReply {
    pub topic: Arc<Topic>,
    pub change: MarkChange,
    /// The map after the change.
    pub map: SkillMap,
    /// The member's new longest streak, when this mark made one (of two days or more).
    pub new_longest_streak: Option<i64>,
}

impl LearnReply {
    pub fn section_progress(&self) -> Option<(&str, Progress)> {
        self.map
            .section_of(&self.topic.id)
            .map(|s| (s.title.as_str(), s.progress))
    }

    /// True when this very mark filled its section.
    pub fn completed_section(&self) -> bool {
        self.change == MarkChange::Learned
            && self
                .section_progress()
                .is_some_and(|(_, progress)| progress.is_complete())
    }

    /// True when this very mark finished the whole track.
    pub fn completed_track(&self) -> bool {
        self.change == MarkChange::Learned && self.map.total.is_complete()
    }
}

impl Study {
    /// Marks a topic learned (creating its review card) and answers with the new map.
    pub async fn learn(
        &self,
        learner: &Learner,
        track: Option<&str>,
        query: &str,
    ) -> Result<LearnReply, StudyError> {
        self.change_mark(learner, track, query, true).await
    }

    /// Removes a topic's mark (and its review card) and answers with the new map.
    pub async fn unlearn(
        &self,
        learner: &Learner,
        track: Option<&str>,
        query: &str,
    ) -> Result<LearnReply, StudyError> {
        self.change_mark(learner, track, query, false).await
    }

    async fn change_mark(
        &self,
        learner: &Learner,
        track: Option<&str>,
        query: &str,
        learned: bool,
    ) -> Result<LearnReply, StudyError> {
        let track = self
            .track_of(Some(learner.user), learner.guild, track)
            .await?;
        let topic = track.find_topic(query)?;
        let now = self.clock.now();
        let mut write = self.learners.write(&self.store, learner.user).await?;
        let was_learned = write.state.has_learned(&track.id, &topic.id);
        let longest_before = write.state.streak.map_or(0, |s| s.longest_days);
        let change = match (learned, was_learned) {
            (true, false) => {
                let action = self.action(learner, &mut write.state, POINTS_LEARNED, now);
                let first_card = self.scheduler.first_card(now);
                let kept_until = self.scheduler.kept_until(&first_card);
                self.store
                    .mark_learned(&action, &track.id, &topic.id, &first_card, kept_until)
                    .await?;
                MarkChange::Learned
            }
            (true, true) => {
                if write.state.visit(learner) {
                    self.store.touch_learner(learner, now).await?;
                }
                MarkChange::AlreadyLearned
            }
            (false, true) => {
                self.store
                    .unmark_learned(learner.user, &track.id, &topic.id)
                    .await?;
                MarkChange::Unlearned
            }
            (false, false) => MarkChange::WasNotLearned,
        };
        write.state.set_learned(&track.id, &topic.id, learned);
        let learned_now = write.state.learned_set(&track.id);
        let longest = write.state.streak.map_or(0, |s| s.longest_days);
        write.commit();
        Ok(LearnReply {
            topic: Arc::clone(topic),
            change,
            map: SkillMap::compute(track, &learned_now),
            new_longest_streak: (longest > longest_before && longest >= 2).then_some(longest),
        })
    }
}
