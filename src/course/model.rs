//! The validated course: tracks of sections of topics, each with its quiz bank.

use std::fmt;
use std::sync::Arc;

/// All tracks found under the course directory, in folder-name order.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub tracks: Vec<Arc<Track>>,
}

impl Catalog {
    /// The track used when a command names none: the first one, so that a single-track course
    /// never makes anyone type its name.
    pub fn default_track(&self) -> Option<&Arc<Track>> {
        self.tracks.first()
    }

    /// Finds a track by id or title, case-insensitively.
    pub fn track(&self, query: &str) -> Option<&Arc<Track>> {
        let query = query.trim();
        self.tracks
            .iter()
            .find(|t| t.id.eq_ignore_ascii_case(query) || t.title.eq_ignore_ascii_case(query))
    }

    pub fn question_count(&self) -> usize {
        self.tracks.iter().map(|t| t.question_count()).sum()
    }
}

#[derive(Debug, Clone)]
pub struct Track {
    pub id: String,
    pub title: String,
    pub subject: String,
    pub tagline: String,
    pub description: String,
    pub sections: Vec<Section>,
    /// Ordered by topic number, so `topics[n - 1]` is topic `n`.
    pub topics: Vec<Arc<Topic>>,
    pub insight: Insight,
}

impl Track {
    pub fn topic(&self, id: &str) -> Option<&Arc<Topic>> {
        self.topics.iter().find(|t| t.id == id)
    }

    pub fn topic_by_number(&self, number: u32) -> Option<&Arc<Topic>> {
        let index = usize::try_from(number).ok()?.checked_sub(1)?;
        self.topics.get(index)
    }

    /// The section a topic belongs to; validation guarantees there is exactly one.
    pub fn section_of(&self, topic_id: &str) -> Option<&Section> {
        self.sections
            .iter()
            .find(|s| s.topics.iter().any(|t| t == topic_id))
    }

    pub fn question_count(&self) -> usize {
        self.topics.iter().map(|t| t.quiz.len()).sum()
    }
}

#[derive(Debug, Clone)]
pub struct Section {
    pub id: String,
    pub title: String,
    pub summary: String,
    /// Topic ids in reading order.
    pub topics: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Insight {
    pub title: String,
    pub body: String,
}

#[derive(Debug, Clone)]
pub struct Topic {
    pub id: String,
    pub number: u32,
    pub title: String,
    /// A few words that fit inside a node of the skill-map picture.
    pub short_title: String,
    pub level: Level,
    pub minutes: u32,
    pub requires: Vec<String>,
    pub aliases: Vec<String>,
    pub hook: String,
    pub summary: String,
    pub key_points: Vec<String>,
    pub further_reading: Vec<Reading>,
    pub quiz: Vec<Question>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Beginner,
    Intermediate,
    Advanced,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Beginner => "Beginner",
            Level::Intermediate => "Intermediate",
            Level::Advanced => "Advanced",
        })
    }
}

#[derive(Debug, Clone)]
pub struct Reading {
    pub title: String,
    pub url: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Question {
    pub question: String,
    pub choices: Vec<String>,
    /// 0-based index into `choices`.
    pub answer: usize,
    pub explain: String,
}
