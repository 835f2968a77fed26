//! The author's linter: signals that let a learner guess a quiz answer without knowing the
//! topic. A bank passes when a test-wise reader who never read the topic scores no better than
//! chance by picking "the longest", "the second-longest", "position C" or "the one without
//! *never*", and when no question is asked twice under two topics.
//!
//! Everything here is a pure function of a loaded [`Track`]; `quorum check` prints the result
//! and `quorum check --strict` fails when a signal is outside [`bounds`].

use std::collections::HashSet;
use std::fmt;

use super::model::Track;

/// Where a signal turns into a finding. Shares are fractions of a track's questions (or, for
/// absolute words, of its keys and of its distractors).
pub mod bounds {
    /// How far a share may stray from what chance gives. With four choices chance is 25% per
    /// length rank and per position, so no rank or position may exceed 35%, nor fall below
    /// 15% (a key that is never the longest is as much a tell as one that always is). For a
    /// bank of 120 questions, 10 points is about 2.5 standard deviations of an honest shuffle.
    pub const TOLERANCE: f64 = 0.10;
    /// Shares of smaller banks move 5 points per question, too coarse to judge; below this
    /// the figures are printed but no share signal is raised.
    pub const MIN_QUESTIONS: usize = 20;
    /// Keys and distractors may differ this much in how often they hold an absolute word.
    pub const ABSOLUTE_GAP: f64 = 0.10;
    /// Two questions whose stem-plus-key content words overlap this much (Jaccard) test the
    /// same thing. Rewordings of one question score 0.4 and up; unrelated questions of one
    /// track stay under 0.25.
    pub const DUPLICATE_SIMILARITY: f64 = 0.3;
}

/// Words that make a claim absolute. Test-wise readers learn that distractors carry them
/// more often than keys do, so a bank must use them evenly.
pub const ABSOLUTE_WORDS: &[&str] = &[
    "all",
    "any",
    "must",
    "no",
    "always",
    "never",
    "only",
    "cannot",
    "can't",
    "every",
    "everyone",
    "everything",
    "everywhere",
    "none",
    "nothing",
    "nobody",
    "impossible",
    "entirely",
    "completely",
    "forever",
];

/// A question named the way an author finds it: topic id and 1-based number in its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionRef {
    pub topic: String,
    pub number: usize,
}

impl fmt::Display for QuestionRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} Q{}", self.topic, self.number)
    }
}

/// The key's place among its question's choices.
#[derive(Debug, Clone)]
struct Scored {
    at: QuestionRef,
    choices: usize,
    /// 1 = longest: one more than the number of choices strictly longer than the key.
    length_rank: usize,
    strictly_longest: bool,
    position: usize,
    key_absolute: bool,
    absolute_distractors: usize,
}

/// One share against its chance value, with the questions that make it up.
#[derive(Debug, Clone)]
pub struct Share {
    pub label: String,
    pub share: f64,
    pub chance: f64,
    pub questions: Vec<QuestionRef>,
}

impl Share {
    fn too_high(&self) -> bool {
        self.share > self.chance + bounds::TOLERANCE + 1e-9
    }
    fn too_low(&self) -> bool {
        self.share < self.chance - bounds::TOLERANCE - 1e-9
    }
}

/// A pair of questions that ask the same thing.
#[derive(Debug, Clone)]
pub struct NearDuplicate {
    pub first: QuestionRef,
    pub second: QuestionRef,
    pub similarity: f64,
}

/// A signal outside its bound, in words an author can act on.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub signal: &'static str,
    pub message: String,
    pub questions: Vec<QuestionRef>,
}

/// The linter's figures for one track.
#[derive(Debug, Clone)]
pub struct TrackLint {
    pub track: String,
    pub questions: usize,
    /// The share of keys that are strictly the longest choice.
    pub strictly_longest: Share,
    /// One share per length rank, longest first.
    pub length_ranks: Vec<Share>,
    /// One share per answer position, first choice first.
    pub positions: Vec<Share>,
    /// Keys holding an absolute word, as a share of questions.
    pub absolute_keys: Share,
    /// Distractors holding an absolute word, as a share of all distractors.
    pub absolute_distractors: Share,
    pub duplicates: Vec<NearDuplicate>,
}

/// Computes every signal for one track.
pub fn lint_track(track: &Track) -> TrackLint {
    let scored: Vec<Scored> = track
        .topics
        .iter()
        .flat_map(|topic| {
            topic.quiz.iter().enumerate().map(|(i, q)| {
                let key = q.choices.get(q.answer).map_or(0, |c| c.chars().count());
                let longer = q.choices.iter().filter(|c| c.chars().count() > key).count();
                let equal = q
                    .choices
                    .iter()
                    .filter(|c| c.chars().count() == key)
                    .count();
                Scored {
                    at: QuestionRef {
                        topic: topic.id.clone(),
                        number: i + 1,
                    },
                    choices: q.choices.len(),
                    length_rank: longer + 1,
                    strictly_longest: longer == 0 && equal == 1,
                    position: q.answer,
                    key_absolute: q.choices.get(q.answer).is_some_and(|c| is_absolute(c)),
                    absolute_distractors: q
                        .choices
                        .iter()
                        .enumerate()
                        .filter(|&(j, c)| j != q.answer && is_absolute(c))
                        .count(),
                }
            })
        })
        .collect();

    let total = scored.len().max(1) as f64;
    let widest = scored.iter().map(|s| s.choices).max().unwrap_or(0);
    // Chance of slot `k` (rank or position): 1/n for a question with n > k choices.
    let chance_of = |k: usize| {
        scored
            .iter()
            .filter(|s| s.choices > k)
            .map(|s| 1.0 / s.choices as f64)
            .sum::<f64>()
            / total
    };
    let share_of = |label: String, chance: f64, hit: &dyn Fn(&Scored) -> bool| {
        let questions: Vec<QuestionRef> = scored
            .iter()
            .filter(|s| hit(s))
            .map(|s| s.at.clone())
            .collect();
        Share {
            label,
            share: questions.len() as f64 / total,
            chance,
            questions,
        }
    };

    let strictly_longest = share_of("strictly longest".into(), chance_of(0), &|s| {
        s.strictly_longest
    });
    let length_ranks = (0..widest)
        .map(|k| share_of(ordinal(k + 1), chance_of(k), &|s| s.length_rank == k + 1))
        .collect();
    let positions = (0..widest)
        .map(|k| share_of(letter(k), chance_of(k), &|s| s.position == k))
        .collect();

    let absolute_keys = share_of("keys".into(), 0.0, &|s| s.key_absolute);
    let distractors: usize = scored.iter().map(|s| s.choices.saturating_sub(1)).sum();
    let absolute_distractors = Share {
        label: "distractors".into(),
        share: scored.iter().map(|s| s.absolute_distractors).sum::<usize>() as f64
            / distractors.max(1) as f64,
        chance: 0.0,
        questions: scored
            .iter()
            .filter(|s| s.absolute_distractors > 0 && !s.key_absolute)
            .map(|s| s.at.clone())
            .collect(),
    };

    TrackLint {
        track: track.id.clone(),
        questions: scored.len(),
        strictly_longest,
        length_ranks,
        positions,
        absolute_keys,
        absolute_distractors,
        duplicates: near_duplicates(track),
    }
}

impl TrackLint {
    /// The signals outside their bounds; empty when the bank passes `--strict`.
    pub fn findings(&self) -> Vec<Finding> {
        let mut findings = Vec::new();
        if self.questions >= bounds::MIN_QUESTIONS {
            // Too high is the 1st rank's finding; too low is a tell of its own.
            if self.strictly_longest.too_low() {
                findings.push(share_finding(
                    "length",
                    "the key is",
                    &self.strictly_longest,
                ));
            }
            for rank in self.length_ranks.iter().filter(|s| s.too_high()) {
                let what = if rank.label == "1st" {
                    "the key is the longest choice (ties included) in".to_string()
                } else {
                    format!("the key is the {}-longest choice in", rank.label)
                };
                findings.push(share_finding("length", &what, rank));
            }
            for position in &self.positions {
                if position.too_high() || position.too_low() {
                    findings.push(share_finding(
                        "position",
                        &format!("the key is choice {} in", position.label),
                        position,
                    ));
                }
            }
            let gap = self.absolute_distractors.share - self.absolute_keys.share;
            if gap.abs() > bounds::ABSOLUTE_GAP + 1e-9 {
                let (more, fewer, questions) = if gap > 0.0 {
                    (
                        &self.absolute_distractors,
                        &self.absolute_keys,
                        &self.absolute_distractors.questions,
                    )
                } else {
                    (
                        &self.absolute_keys,
                        &self.absolute_distractors,
                        &self.absolute_keys.questions,
                    )
                };
                findings.push(Finding {
                    signal: "absolute words",
                    message: format!(
                        "{} of {} but {} of {} hold an absolute word (always, never, only...): \
                         a gap above {}",
                        percent(more.share),
                        more.label,
                        percent(fewer.share),
                        fewer.label,
                        points(bounds::ABSOLUTE_GAP)
                    ),
                    questions: questions.clone(),
                });
            }
        }
        for pair in &self.duplicates {
            findings.push(Finding {
                signal: "near-duplicate",
                message: format!(
                    "{} and {} ask the same thing (similarity {:.2})",
                    pair.first, pair.second, pair.similarity
                ),
                questions: vec![pair.first.clone(), pair.second.clone()],
            });
        }
        findings
    }
}

fn share_finding(signal: &'static str, what: &str, share: &Share) -> Finding {
    let message = if signal == "length" && share.label == "strictly longest" {
        format!(
            "{what} strictly the longest choice in {} of questions; chance is {}, \
             the bound {} either side",
            percent(share.share),
            percent(share.chance),
            points(bounds::TOLERANCE)
        )
    } else {
        format!(
            "{what} {} of questions; chance is {}, the bound {} either side",
            percent(share.share),
            percent(share.chance),
            points(bounds::TOLERANCE)
        )
    };
    Finding {
        signal,
        message,
        questions: share.questions.clone(),
    }
}

impl fmt::Display for TrackLint {
    /// The figures, then one line per finding followed by the questions that feed it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "  Quiz-bank lint, {} questions{}:",
            self.questions,
            if self.questions < bounds::MIN_QUESTIONS {
                format!(" (shares judged from {} up)", bounds::MIN_QUESTIONS)
            } else {
                String::new()
            }
        )?;
        let list = |shares: &[Share]| {
            shares
                .iter()
                .map(|s| format!("{} {}", s.label, percent(s.share)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        writeln!(
            f,
            "    key length rank: {}; strictly longest {}",
            list(&self.length_ranks),
            percent(self.strictly_longest.share)
        )?;
        writeln!(f, "    answer position: {}", list(&self.positions))?;
        writeln!(
            f,
            "    absolute words: {} of keys, {} of distractors",
            percent(self.absolute_keys.share),
            percent(self.absolute_distractors.share)
        )?;
        writeln!(f, "    near-duplicate pairs: {}", self.duplicates.len())?;
        let findings = self.findings();
        if findings.is_empty() {
            return writeln!(f, "    all signals within bounds");
        }
        for finding in findings {
            writeln!(f, "    ! {}: {}", finding.signal, finding.message)?;
            if finding.signal != "near-duplicate" && !finding.questions.is_empty() {
                let names: Vec<String> = finding.questions.iter().map(|q| q.to_string()).collect();
                writeln!(f, "      {}", names.join(", "))?;
            }
        }
        Ok(())
    }
}

/// Whether a text holds one of [`ABSOLUTE_WORDS`].
pub fn is_absolute(text: &str) -> bool {
    words(text)
        .iter()
        .any(|w| ABSOLUTE_WORDS.contains(&w.as_str()))
}

/// Every pair of questions in the track, across topics too, whose stem and key share most of
/// their content words.
pub fn near_duplicates(track: &Track) -> Vec<NearDuplicate> {
    let bags: Vec<(QuestionRef, HashSet<String>)> = track
        .topics
        .iter()
        .flat_map(|topic| {
            topic.quiz.iter().enumerate().map(|(i, q)| {
                let key = q.choices.get(q.answer).map_or("", String::as_str);
                let at = QuestionRef {
                    topic: topic.id.clone(),
                    number: i + 1,
                };
                (at, content_words(&format!("{} {key}", q.question)))
            })
        })
        .collect();
    let mut pairs = Vec::new();
    for (i, (first, a)) in bags.iter().enumerate() {
        for (second, b) in &bags[i + 1..] {
            let similarity = jaccard(a, b);
            if similarity >= bounds::DUPLICATE_SIMILARITY {
                pairs.push(NearDuplicate {
                    first: first.clone(),
                    second: second.clone(),
                    similarity,
                });
            }
        }
    }
    pairs
}

fn jaccard(a: &HashSet<String>, b: &HashSet<String>) -> f64 {
    let union = a.union(b).count();
    if union == 0 {
        return 0.0;
    }
    a.intersection(b).count() as f64 / union as f64
}

/// Lowercase words, apostrophes kept so that "can't" stays one word.
fn words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .replace('’', "'")
        .split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .map(|w| w.trim_matches('\'').to_string())
        .filter(|w| !w.is_empty())
        .collect()
}

/// Words that carry meaning, with a plural or possessive `s` dropped so "replica" matches
/// "replicas" and "France's".
fn content_words(text: &str) -> HashSet<String> {
    const STOP: &[&str] = &[
        "a", "an", "the", "and", "or", "of", "to", "in", "on", "for", "by", "with", "at", "from",
        "as", "is", "are", "was", "be", "it", "its", "this", "that", "these", "those", "what",
        "which", "who", "why", "how", "when", "does", "do", "can", "you", "your", "they", "their",
        "them", "not", "no", "but", "if", "so", "than", "then", "into", "one", "two", "more",
        "most", "best", "will", "would", "should", "has", "have", "after", "before", "about",
        "there", "here", "each", "some", "all", "any",
    ];
    words(text)
        .into_iter()
        .map(|w| w.strip_suffix("'s").map_or(w.clone(), str::to_string))
        .filter(|w| !STOP.contains(&w.as_str()))
        .map(|w| {
            if w.len() > 3 && w.ends_with('s') && !w.ends_with("ss") {
                w[..w.len() - 1].to_string()
            } else {
                w
            }
        })
        .collect()
}

fn ordinal(n: usize) -> String {
    match n {
        1 => "1st".into(),
        2 => "2nd".into(),
        3 => "3rd".into(),
        _ => format!("{n}th"),
    }
}

fn letter(k: usize) -> String {
    char::from(b'A' + (k as u8).min(25)).to_string()
}

fn percent(share: f64) -> String {
    format!("{:.0}%", share * 100.0)
}

fn points(share: f64) -> String {
    format!("{:.0} points", share * 100.0)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::course::model::{Insight, Level, Question, Topic};

    fn question(stem: &str, choices: &[&str], answer: usize) -> Question {
        Question {
            question: stem.into(),
            choices: choices.iter().map(|c| c.to_string()).collect(),
            answer,
            explain: "because".into(),
        }
    }

    fn track(topics: Vec<(&str, Vec<Question>)>) -> Track {
        Track {
            id: "t".into(),
            title: "T".into(),
            subject: "S".into(),
            tagline: "".into(),
            description: "".into(),
            sections: Vec::new(),
            topics: topics
                .into_iter()
                .zip(1..)
                .map(|((id, quiz), number)| {
                    Arc::new(Topic {
                        id: id.into(),
                        number,
                        title: id.into(),
                        short_title: id.into(),
                        level: Level::Beginner,
                        minutes: 5,
                        requires: Vec::new(),
                        aliases: Vec::new(),
                        hook: "".into(),
                        summary: "".into(),
                        key_points: Vec::new(),
                        further_reading: Vec::new(),
                        quiz,
                    })
                })
                .collect(),
            insight: Insight {
                title: "".into(),
                body: "".into(),
            },
        }
    }

    /// Twenty-four distinct questions whose key takes each length rank and each position
    /// equally often.
    fn balanced() -> Vec<Question> {
        let lengths = ["aaaa", "bbb", "cc", "d"];
        (0..24)
            .map(|i| {
                let rank = i % 4;
                let position = (i / 4) % 4;
                // Put the choice of length rank `rank` at `position`, the rest in order.
                let mut choices: Vec<String> = lengths
                    .iter()
                    .enumerate()
                    .filter(|&(r, _)| r != rank)
                    .map(|(_, c)| c.to_string())
                    .collect();
                choices.insert(position, lengths[rank].to_string());
                Question {
                    question: format!("topic{i} subject{i} matter{i}?"),
                    choices,
                    answer: position,
                    explain: "because".into(),
                }
            })
            .collect()
    }

    #[test]
    fn a_balanced_bank_has_no_findings() {
        let lint = lint_track(&track(vec![("a", balanced())]));

        assert_eq!(lint.questions, 24);
        for rank in &lint.length_ranks {
            assert!((rank.share - 0.25).abs() < 0.01, "{rank:?}");
        }
        assert_eq!(lint.findings(), []);
    }

    #[test]
    fn a_key_that_is_never_the_longest_is_flagged_with_its_questions() {
        let mut quiz = balanced();
        for q in quiz.iter_mut() {
            let padded = (q.answer + 1) % 4;
            for (j, choice) in q.choices.iter_mut().enumerate() {
                *choice = match j {
                    j if j == q.answer => "xx".into(),
                    j if j == padded => "yyy".into(),
                    _ => "z".into(),
                };
            }
        }

        let findings = lint_track(&track(vec![("a", quiz)])).findings();

        let length: Vec<&Finding> = findings.iter().filter(|f| f.signal == "length").collect();
        assert!(
            length
                .iter()
                .any(|f| f.message.contains("strictly the longest choice in 0%")),
            "{findings:#?}"
        );
        assert!(length
            .iter()
            .any(|f| f.message.contains("2nd-longest") && f.questions.len() == 24));
    }

    #[test]
    fn keys_stacked_on_one_position_are_flagged() {
        let mut quiz = balanced();
        for q in quiz.iter_mut() {
            let key = q.choices.remove(q.answer);
            q.choices.insert(2, key);
            q.answer = 2;
        }

        let findings = lint_track(&track(vec![("a", quiz)])).findings();

        assert!(findings
            .iter()
            .any(|f| f.signal == "position" && f.message.contains("choice C in 100%")));
    }

    #[test]
    fn absolute_words_in_distractors_only_are_flagged() {
        let mut quiz = balanced();
        for q in quiz.iter_mut() {
            let other = (q.answer + 1) % 4;
            q.choices[other] = format!("it never {}", q.choices[other]);
        }

        let findings = lint_track(&track(vec![("a", quiz)])).findings();

        let absolute = findings
            .iter()
            .find(|f| f.signal == "absolute words")
            .expect("flagged");
        assert_eq!(absolute.questions.len(), 24);
    }

    #[test]
    fn absolute_words_are_whole_words_and_phrases() {
        assert!(is_absolute("It can't fail at all"));
        assert!(is_absolute("Only the leader"));
        assert!(is_absolute("No, the follower"));
        assert!(!is_absolute("A lonely knight knows"));
        assert!(!is_absolute("The node's data, allocated"));
    }

    #[test]
    fn the_same_question_in_two_topics_is_a_near_duplicate() {
        let stem = "What happens to most keys when a cache cluster grows under mod-N hashing?";
        let a = vec![question(stem, &["They move", "They stay"], 0)];
        let b = vec![
            question(
                "Under mod-N hashing, what happens to most keys when the cache cluster grows?",
                &["They move", "They stay"],
                0,
            ),
            question(
                "Which clock never goes backwards?",
                &["Monotonic", "Wall"],
                0,
            ),
        ];

        let duplicates = near_duplicates(&track(vec![("one", a), ("two", b)]));

        assert_eq!(duplicates.len(), 1, "{duplicates:?}");
        assert_eq!(duplicates[0].first.to_string(), "one Q1");
        assert_eq!(duplicates[0].second.to_string(), "two Q1");
    }

    #[test]
    fn a_small_bank_is_not_judged_on_shares() {
        let quiz: Vec<Question> = balanced()
            .into_iter()
            .take(8)
            .map(|mut q| {
                q.answer = 0;
                q
            })
            .collect();

        assert_eq!(lint_track(&track(vec![("a", quiz)])).findings(), []);
    }
}
