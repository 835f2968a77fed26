//! The skill map: which topics are learned, which one glows as the next step, which are
//! open and which wait behind unlearned requirements.

use std::collections::HashSet;
use std::sync::Arc;

use crate::course::{Topic, Track};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TopicState {
    Learned,
    /// The lowest-numbered unlearned topic whose requirements are all learned.
    Next,
    /// Unlearned, requirements met, but not the next step.
    Available,
    /// Some requirement is not learned yet (it can still be opened and read).
    Locked,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub learned: usize,
    pub total: usize,
}

impl Progress {
    pub fn is_complete(&self) -> bool {
        self.total > 0 && self.learned == self.total
    }

    pub fn percent(&self) -> usize {
        (self.learned * 100).checked_div(self.total).unwrap_or(0)
    }
}

#[derive(Debug, Clone)]
pub struct TopicEntry {
    pub topic: Arc<Topic>,
    pub state: TopicState,
}

#[derive(Debug, Clone)]
pub struct SectionView {
    pub id: String,
    pub title: String,
    pub progress: Progress,
    pub topics: Vec<TopicEntry>,
}

#[derive(Debug, Clone)]
pub struct SkillMap {
    pub track: Arc<Track>,
    pub sections: Vec<SectionView>,
    pub next: Option<Arc<Topic>>,
    pub total: Progress,
}

impl SkillMap {
    pub fn compute(track: &Arc<Track>, learned: &HashSet<String>) -> Self {
        let is_learned = |id: &str| learned.contains(id);
        let open = |topic: &Topic| topic.requires.iter().all(|r| is_learned(r));
        let next = track
            .topics
            .iter()
            .find(|t| !is_learned(&t.id) && open(t))
            .cloned();
        let state_of = |topic: &Topic| {
            if is_learned(&topic.id) {
                TopicState::Learned
            } else if next.as_ref().is_some_and(|n| n.id == topic.id) {
                TopicState::Next
            } else if open(topic) {
                TopicState::Available
            } else {
                TopicState::Locked
            }
        };
        let sections: Vec<SectionView> = track
            .sections
            .iter()
            .map(|section| {
                let topics: Vec<TopicEntry> = section
                    .topics
                    .iter()
                    .filter_map(|id| track.topic(id))
                    .map(|topic| TopicEntry {
                        topic: Arc::clone(topic),
                        state: state_of(topic),
                    })
                    .collect();
                SectionView {
                    id: section.id.clone(),
                    title: section.title.clone(),
                    progress: Progress {
                        learned: topics
                            .iter()
                            .filter(|t| t.state == TopicState::Learned)
                            .count(),
                        total: topics.len(),
                    },
                    topics,
                }
            })
            .collect();
        let total = Progress {
            learned: sections.iter().map(|s| s.progress.learned).sum(),
            total: track.topics.len(),
        };
        Self {
            track: Arc::clone(track),
            sections,
            next,
            total,
        }
    }

    pub fn entries(&self) -> impl Iterator<Item = &TopicEntry> {
        self.sections.iter().flat_map(|s| s.topics.iter())
    }

    pub fn state_of(&self, topic_id: &str) -> TopicState {
        self.entries()
            .find(|e| e.topic.id == topic_id)
            .map_or(TopicState::Locked, |e| e.state)
    }

    pub fn section_of(&self, topic_id: &str) -> Option<&SectionView> {
        self.sections
            .iter()
            .find(|s| s.topics.iter().any(|e| e.topic.id == topic_id))
    }

    /// The learned topic numbers, ascending: with the track id, all the picture depends on.
    pub fn learned_numbers(&self) -> Vec<u32> {
        let mut numbers: Vec<u32> = self
            .entries()
            .filter(|e| e.state == TopicState::Learned)
            .map(|e| e.topic.number)
            .collect();
        numbers.sort_unstable();
        numbers
    }
}
