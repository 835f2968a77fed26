//! Finding a topic from what a learner typed: a number, an id, an alias or a title.

use std::sync::Arc;

use super::model::{Topic, Track};

/// No topic matched; the closest names, best first, for a "did you mean".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicMiss {
    pub query: String,
    pub suggestions: Vec<String>,
}

impl Track {
    /// Resolves a query case-insensitively: exact number, id, alias or title first, then a
    /// unique prefix or substring of one of them; otherwise the three closest names.
    pub fn find_topic(&self, query: &str) -> Result<&Arc<Topic>, TopicMiss> {
        let wanted = normalize(query);
        if let Some(topic) = wanted
            .trim_start_matches('#')
            .parse::<u32>()
            .ok()
            .and_then(|n| self.topic_by_number(n))
        {
            return Ok(topic);
        }
        if wanted.is_empty() {
            return Err(self.miss(query));
        }
        if let Some(topic) = self
            .topics
            .iter()
            .find(|t| names(t).any(|name| normalize(name) == wanted))
        {
            return Ok(topic);
        }
        let partial: Vec<&Arc<Topic>> = self
            .topics
            .iter()
            .filter(|t| names(t).any(|name| normalize(name).contains(&wanted)))
            .collect();
        match partial.as_slice() {
            [only] => Ok(only),
            _ => Err(self.miss(query)),
        }
    }

    /// Topics whose number, id, title or alias matches what is typed so far, for autocomplete.
    pub fn matching_topics<'a>(&'a self, partial: &str) -> impl Iterator<Item = &'a Arc<Topic>> {
        let wanted = normalize(partial);
        self.topics.iter().filter(move |t| {
            wanted.is_empty()
                || t.number.to_string().starts_with(&wanted)
                || names(t).any(|name| normalize(name).contains(&wanted))
        })
    }

    fn miss(&self, query: &str) -> TopicMiss {
        let wanted = normalize(query);
        let mut scored: Vec<(f64, &Arc<Topic>)> = self
            .topics
            .iter()
            .map(|t| {
                let best = names(t)
                    .map(|name| strsim::jaro_winkler(&normalize(name), &wanted))
                    .fold(0.0, f64::max);
                (best, t)
            })
            .filter(|(score, _)| *score >= 0.7)
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.number.cmp(&b.1.number)));
        TopicMiss {
            query: query.trim().to_string(),
            suggestions: scored
                .into_iter()
                .take(3)
                .map(|(_, t)| format!("{} {}", t.number, t.title))
                .collect(),
        }
    }
}

fn names(topic: &Topic) -> impl Iterator<Item = &str> {
    [
        topic.id.as_str(),
        topic.title.as_str(),
        topic.short_title.as_str(),
    ]
    .into_iter()
    .chain(topic.aliases.iter().map(String::as_str))
}

fn normalize(text: &str) -> String {
    text.trim().to_lowercase().replace(['_', ' '], "-")
}
