//! What the core keeps of each learner in memory: their learned topics, time zone, streak,
//! latest quizzes, the questions they answered right, and the name and servers already stored.
//! Reads (`/map`, `/topic`, `/next`, `/progress`) are served from here without a query; every
//! write of a mark, an answer or a review goes through [`Learners::write`], which holds the
//! learner's lock while the store writes, then updates the entry (write-through).
//!
//! The database stays the authority: repeats are refused there (unique keys), so a stale entry
//! can never earn points twice. Entries are dropped when the learner's data is deleted, their
//! offset changes or Discord says they left a server, and all idle entries go when the cache is
//! full. The cache is per process: a second process writing for the same learner (several
//! shards on one database) must invalidate it, or do without it.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

use super::domain::{LocalDay, LocalZone, Streak, StreakRun};
use super::StudyError;
use crate::ids::{GuildId, Learner, UserId};
use crate::store::{QuizRecord, Store};

/// Learners kept before idle entries are dropped: from a few hundred bytes to a few KiB each.
const CAPACITY: usize = 20_000;

/// A learner as the core knows them.
#[derive(Debug, Clone, Default)]
pub struct LearnerState {
    /// Learned topic ids per track id.
    learned: HashMap<String, BTreeSet<String>>,
    /// The track of the latest mark: where a command without a track goes outside a server.
    pub last_track: Option<String>,
    /// The learner's time zone: their local days.
    pub zone: LocalZone,
    pub streak: Option<StreakRun>,
    /// The learner's latest quizzes, as stored: an answer needs no read to find its session.
    quizzes: Vec<QuizRecord>,
    /// (track, topic, question) of every question the learner ever answered right.
    right_answers: HashSet<(String, String, usize)>,
    /// The name stored for the learner, and the servers stored as theirs under it.
    stored_name: Option<String>,
    stored_servers: BTreeSet<GuildId>,
}

/// Quizzes kept per learner: one running in a DM and one in each of a couple of servers.
const QUIZZES_KEPT: usize = 3;

impl LearnerState {
    /// The topics of `track` the learner has learned, as the skill map takes them.
    pub fn learned_set(&self, track: &str) -> HashSet<String> {
        self.learned
            .get(track)
            .map(|topics| topics.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// The learner's streak as seen on their local day `today`.
    pub fn streak_on(&self, today: LocalDay) -> Streak {
        self.streak.map(|run| run.as_of(today)).unwrap_or_default()
    }

    pub fn has_learned(&self, track: &str, topic: &str) -> bool {
        self.learned.get(track).is_some_and(|t| t.contains(topic))
    }

    pub fn set_learned(&mut self, track: &str, topic: &str, learned: bool) {
        let topics = self.learned.entry(track.to_string()).or_default();
        if learned {
            topics.insert(topic.to_string());
            self.last_track = Some(track.to_string());
        } else {
            topics.remove(topic);
            // Its card is gone: a review of it that ends now schedules nothing.
            for quiz in &mut self.quizzes {
                if quiz.track_id == track && quiz.topic_id == topic {
                    quiz.card = None;
                }
            }
        }
    }

    /// Notes that `learner`'s name and server are being stored; false when they already are.
    pub fn visit(&mut self, learner: &Learner) -> bool {
        let known_name = self.stored_name.as_deref() == Some(learner.name.as_str());
        let known_server = learner
            .guild
            .map_or(true, |guild| self.stored_servers.contains(&guild));
        if known_name && known_server {
            return false;
        }
        if !known_name {
            self.stored_servers.clear();
            self.stored_name = Some(learner.name.clone());
        }
        self.stored_servers.extend(learner.guild);
        true
    }

    pub fn answered_right(&self, track: &str, topic: &str, question: usize) -> bool {
        self.right_answers
            .contains(&(track.to_string(), topic.to_string(), question))
    }

    pub fn note_right_answer(&mut self, track: &str, topic: &str, question: usize) {
        self.right_answers
            .insert((track.to_string(), topic.to_string(), question));
    }

    pub fn quiz(&self, session: i64) -> Option<&QuizRecord> {
        self.quizzes.iter().find(|quiz| quiz.id == session)
    }

    /// Keeps a quiz as it now stands, dropping the oldest beyond [`QUIZZES_KEPT`].
    pub fn keep_quiz(&mut self, record: QuizRecord) {
        self.quizzes.retain(|quiz| quiz.id != record.id);
        self.quizzes.push(record);
        if self.quizzes.len() > QUIZZES_KEPT {
            self.quizzes.remove(0);
        }
    }
}

type Slot = Arc<AsyncMutex<Option<Arc<LearnerState>>>>;

/// The cache: one slot per learner, each behind its own lock so that one learner's writes are
/// applied in order while others go on.
#[derive(Debug, Default)]
pub struct Learners {
    slots: Mutex<HashMap<UserId, Slot>>,
}

/// A learner's state held for a write: nobody else reads or writes it until it is dropped.
pub struct LearnerWrite {
    guard: OwnedMutexGuard<Option<Arc<LearnerState>>>,
    pub state: LearnerState,
}

impl LearnerWrite {
    /// Keeps `state` once the store has written what it says.
    pub fn commit(mut self) {
        *self.guard = Some(Arc::new(self.state));
    }
}

impl Learners {
    /// The learner's state, loaded from the store on first use.
    pub async fn read(&self, store: &Store, user: UserId) -> Result<Arc<LearnerState>, StudyError> {
        let slot = self.slot(user);
        let mut entry = slot.lock().await;
        load(&mut entry, store, user).await
    }

    /// The learner's state, held until the write is committed or dropped (then unchanged).
    pub async fn write(&self, store: &Store, user: UserId) -> Result<LearnerWrite, StudyError> {
        let mut guard = self.slot(user).lock_owned().await;
        let state = load(&mut guard, store, user).await?;
        Ok(LearnerWrite {
            state: LearnerState::clone(&state),
            guard,
        })
    }

    /// Drops a learner's entry: the next use reads the store again.
    pub fn forget(&self, user: UserId) {
        self.slots
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&user);
    }

    /// Drops every entry: what another process changed meanwhile is unknown.
    pub fn forget_all(&self) {
        self.slots
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    fn slot(&self, user: UserId) -> Slot {
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        if slots.len() >= CAPACITY && !slots.contains_key(&user) {
            // Only idle entries go: one in use is still held by its reader or writer.
            slots.retain(|_, slot| Arc::strong_count(slot) > 1);
        }
        Arc::clone(slots.entry(user).or_default())
    }
}

async fn load(
    entry: &mut Option<Arc<LearnerState>>,
    store: &Store,
    user: UserId,
) -> Result<Arc<LearnerState>, StudyError> {
    if let Some(state) = entry {
        return Ok(Arc::clone(state));
    }
    let record = store.learner_record(user).await?;
    let mut state = LearnerState {
        zone: LocalZone::from_stored(record.time_zone.as_deref(), record.utc_offset_minutes),
        streak: record.streak,
        ..LearnerState::default()
    };
    for (track, topic) in &record.marks {
        state.set_learned(track, topic, true);
    }
    for (track, topic, question) in record.right_answers {
        if let Ok(question) = usize::try_from(question) {
            state.right_answers.insert((track, topic, question));
        }
    }
    let state = Arc::new(state);
    *entry = Some(Arc::clone(&state));
    Ok(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn learner(name: &str, guild: Option<u64>) -> Learner {
        Learner {
            user: UserId(1),
            name: name.to_string(),
            guild: guild.map(GuildId),
        }
    }

    #[test]
    fn a_visit_is_stored_once_per_name_and_server() {
        let mut state = LearnerState::default();
        assert!(state.visit(&learner("ann", Some(7))), "first time");
        assert!(!state.visit(&learner("ann", Some(7))), "stored already");
        assert!(!state.visit(&learner("ann", None)), "a DM adds no server");
        assert!(state.visit(&learner("ann", Some(8))), "a new server");
        assert!(state.visit(&learner("Ann B.", Some(7))), "a new name");
        assert!(
            state.visit(&learner("Ann B.", Some(8))),
            "the new name in the other server"
        );
        assert!(!state.visit(&learner("Ann B.", Some(8))));
    }
}
