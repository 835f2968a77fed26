//! `/plan <minutes>`: what to do with the time a member has. Due reviews come first, since a
//! topic about to be forgotten is cheaper to keep than to learn again; then new topics in
//! reading order whose requirements are met (counting the ones planned before them), each by
//! its reading time. Whatever does not fit is left for another day.

use std::collections::HashSet;
use std::sync::Arc;

use super::{Study, StudyError};
use crate::course::{Topic, Track};
use crate::ids::{GuildId, UserId};

/// About how long one review takes: three questions and their explanations.
pub const REVIEW_MINUTES: u32 = 2;

/// The most steps a plan lists: one screen, and one button each.
pub const PLAN_STEPS: usize = 10;

#[derive(Debug, Clone)]
pub enum PlanStep {
    /// Review a due topic (the most overdue first).
    Review { topic: Arc<Topic>, track_id: String },
    /// Read a new topic whose requirements are met.
    Read { topic: Arc<Topic>, track_id: String },
}

impl PlanStep {
    pub fn minutes(&self) -> u32 {
        match self {
            PlanStep::Review { .. } => REVIEW_MINUTES,
            PlanStep::Read { topic, .. } => topic.minutes,
        }
    }

    pub fn topic(&self) -> &Arc<Topic> {
        match self {
            PlanStep::Review { topic, .. } | PlanStep::Read { topic, .. } => topic,
        }
    }
}

#[derive(Debug, Clone)]
pub struct StudyPlan {
    /// The time the member has.
    pub minutes: u32,
    pub steps: Vec<PlanStep>,
    /// Due reviews left out for lack of time.
    pub reviews_left: usize,
}

impl StudyPlan {
    pub fn planned_minutes(&self) -> u32 {
        self.steps.iter().map(PlanStep::minutes).sum()
    }
}

impl Study {
    /// A plan for the next `minutes` of `user`, on the server's default track (or the first).
    pub async fn plan(
        &self,
        user: UserId,
        guild: Option<GuildId>,
        minutes: u32,
    ) -> Result<StudyPlan, StudyError> {
        let track = Arc::clone(self.track_for(guild, None).await?);
        let due = self.review_schedule(user).await?.due;
        let mut learned = self.learned_set(user, &track).await?;
        let mut left = minutes;
        let mut steps = Vec::new();
        let mut reviews_left = 0;
        for review in due {
            if left >= REVIEW_MINUTES && steps.len() < PLAN_STEPS {
                left -= REVIEW_MINUTES;
                steps.push(PlanStep::Review {
                    topic: review.topic,
                    track_id: review.track_id,
                });
            } else {
                reviews_left += 1;
            }
        }
        for topic in next_topics(&track, &mut learned, &mut left) {
            if steps.len() == PLAN_STEPS {
                break;
            }
            steps.push(PlanStep::Read {
                topic,
                track_id: track.id.clone(),
            });
        }
        Ok(StudyPlan {
            minutes,
            steps,
            reviews_left,
        })
    }
}

/// New topics in reading order that fit in `left` minutes, each open once the ones before it
/// are learned (`learned` grows as the plan goes).
fn next_topics(track: &Track, learned: &mut HashSet<String>, left: &mut u32) -> Vec<Arc<Topic>> {
    let mut planned = Vec::new();
    let mut topics: Vec<&Arc<Topic>> = track.topics.iter().collect();
    topics.sort_by_key(|t| t.number);
    for topic in topics {
        let open = topic.requires.iter().all(|r| learned.contains(r));
        if learned.contains(&topic.id) || !open || topic.minutes > *left {
            continue;
        }
        *left -= topic.minutes;
        learned.insert(topic.id.clone());
        planned.push(Arc::clone(topic));
    }
    planned
}
