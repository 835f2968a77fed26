//! The topic card, and the learner's next step.

use std::sync::Arc;

use super::map::{SkillMap, TopicState};
use super::{Study, StudyError};
use crate::course::{Topic, Track};
use crate::ids::Learner;

/// What a learner can do from a topic card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardAction {
    MarkLearned,
    Unmark,
    Quiz,
    NextTopic,
}

#[derive(Debug, Clone)]
pub struct TopicCard {
    pub track: Arc<Track>,
    pub topic: Arc<Topic>,
    pub state: TopicState,
    pub section_title: String,
    /// Each required topic and whether the learner has learned it.
    pub requires: Vec<(Arc<Topic>, bool)>,
    /// The topic after this one in reading order.
    pub following: Option<Arc<Topic>>,
    pub actions: Vec<CardAction>,
}

impl TopicCard {
    pub fn new(map: &SkillMap, topic: &Arc<Topic>) -> Self {
        let track = &map.track;
        let state = map.state_of(&topic.id);
        let requires = topic
            .requires
            .iter()
            .filter_map(|id| track.topic(id))
            .map(|t| (Arc::clone(t), map.state_of(&t.id) == TopicState::Learned))
            .collect();
        let following = track.topic_by_number(topic.number + 1).cloned();
        let mut actions = vec![if state == TopicState::Learned {
            CardAction::Unmark
        } else {
            CardAction::MarkLearned
        }];
        if !topic.quiz.is_empty() {
            actions.push(CardAction::Quiz);
        }
        if following.is_some() {
            actions.push(CardAction::NextTopic);
        }
        Self {
            track: Arc::clone(track),
            topic: Arc::clone(topic),
            state,
            section_title: track
                .section_of(&topic.id)
                .map(|s| s.title.clone())
                .unwrap_or_default(),
            requires,
            following,
            actions,
        }
    }
}

/// The next step, or the news that the track is done.
#[derive(Debug, Clone)]
pub enum NextStep {
    Topic(Box<TopicCard>),
    TrackComplete(SkillMap),
}

impl Study {
    /// The card of a topic named by id, number, title or alias.
    pub async fn topic(
        &self,
        learner: &Learner,
        track: Option<&str>,
        query: &str,
    ) -> Result<TopicCard, StudyError> {
        let track = self
            .track_of(Some(learner.user), learner.guild, track)
            .await?;
        let topic = track.find_topic(query)?;
        let map = SkillMap::compute(track, &self.learned_set(learner.user, track).await?);
        Ok(TopicCard::new(&map, topic))
    }

    /// The card of the learner's next step.
    pub async fn next(
        &self,
        learner: &Learner,
        track: Option<&str>,
    ) -> Result<NextStep, StudyError> {
        let map = self.map(learner, track).await?;
        Ok(match &map.next {
            Some(topic) => NextStep::Topic(Box::new(TopicCard::new(&map, topic))),
            None => NextStep::TrackComplete(map),
        })
    }
}
