//! The rules a track must meet before Quorum serves it. Most limits come from where Discord
//! shows the text: a quiz choice becomes a button label, a summary an embed description.

use std::collections::{HashMap, HashSet};

use toml::Spanned;

use super::loader::{CourseError, Parsed, RawTopic, RawTrack};

/// Text limits, in characters, derived from Discord's limits with room for decoration.
pub mod limits {
    /// A quiz choice is a button label (Discord: 80).
    pub const CHOICE: usize = 80;
    /// A summary is an embed description (Discord: 4096) next to the card's header lines.
    pub const SUMMARY: usize = 3500;
    /// A topic title is an embed title (256) and a select-menu label (100) with its number.
    pub const TOPIC_TITLE: usize = 90;
    /// Fits inside a node of the skill-map picture.
    pub const SHORT_TITLE: usize = 22;
    /// The hook is a select-menu option description (Discord: 100).
    pub const HOOK: usize = 100;
    /// Key points share one embed field (Discord: 1024) with their bullets.
    pub const KEY_POINT: usize = 150;
    pub const KEY_POINTS_TOTAL: usize = 950;
    pub const QUESTION: usize = 400;
    pub const EXPLAIN: usize = 700;
    pub const ALIAS: usize = 32;
    pub const READING_TITLE: usize = 200;
    pub const TRACK_TITLE: usize = 100;
    pub const TAGLINE: usize = 200;
    pub const DESCRIPTION: usize = 1000;
    pub const SECTION_TITLE: usize = 60;
    pub const SECTION_SUMMARY: usize = 300;
    pub const INSIGHT_TITLE: usize = 200;
    pub const INSIGHT_BODY: usize = 1500;
    pub const MIN_CHOICES: usize = 2;
    pub const MAX_CHOICES: usize = 5;
    /// Autocomplete and select menus offer at most 25 options.
    pub const MAX_TOPICS: usize = 25;
}

/// A short title for the map when the author gave none: the part before a colon, or a cut.
pub fn derive_short_title(title: &str) -> String {
    let head = title.split(':').next().unwrap_or(title).trim();
    if head.chars().count() <= limits::SHORT_TITLE {
        return head.to_string();
    }
    let cut: String = head.chars().take(limits::SHORT_TITLE - 1).collect();
    format!("{}…", cut.trim_end())
}

/// Checks a track and its topic files, pushing one error per broken rule.
pub(super) fn track(
    track: &Parsed<RawTrack>,
    topics: &[Parsed<RawTopic>],
    errors: &mut Vec<CourseError>,
) {
    let t = &track.value;
    check_id(track, &t.id, "id", errors);
    for (field, text, max) in [
        ("title", &t.title, limits::TRACK_TITLE),
        ("subject", &t.subject, limits::TRACK_TITLE),
        ("tagline", &t.tagline, limits::TAGLINE),
        ("description", &t.description, limits::DESCRIPTION),
        ("insight.title", &t.insight.title, limits::INSIGHT_TITLE),
        ("insight.body", &t.insight.body, limits::INSIGHT_BODY),
    ] {
        check_text(track, text, field, max, errors);
    }
    if t.sections.get_ref().is_empty() {
        errors.push(track.error(
            &t.sections,
            "sections",
            "a track needs at least one section",
        ));
    }
    if topics.is_empty() {
        errors.push(track.error(&t.id, "topics", "the track has no topic files in topics/"));
    }
    if topics.len() > limits::MAX_TOPICS {
        errors.push(track.error(
            &t.id,
            "topics",
            format!(
                "{} topics is more than the {} a Discord menu can offer",
                topics.len(),
                limits::MAX_TOPICS
            ),
        ));
    }

    for topic in topics {
        check_topic(topic, errors);
    }
    check_unique_ids(topics, errors);
    check_numbers(topics, errors);
    check_requires(topics, errors);
    check_sections(track, topics, errors);
}

fn check_id<T, S>(file: &Parsed<T>, id: &Spanned<S>, field: &str, errors: &mut Vec<CourseError>)
where
    S: AsRef<str>,
{
    let value = id.get_ref().as_ref();
    let valid = !value.is_empty()
        && value.len() <= 40
        && value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !valid {
        errors.push(file.error(
            id,
            field,
            format!("`{value}` must be 1 to 40 lowercase letters, digits or dashes"),
        ));
    }
}

fn check_text<T>(
    file: &Parsed<T>,
    text: &Spanned<String>,
    field: &str,
    max: usize,
    errors: &mut Vec<CourseError>,
) {
    let length = text.get_ref().trim().chars().count();
    if length == 0 {
        errors.push(file.error(text, field, "must not be empty"));
    } else if length > max {
        errors.push(file.error(
            text,
            field,
            format!("is {length} characters; Discord shows at most {max} here"),
        ));
    }
}

fn check_topic(file: &Parsed<RawTopic>, errors: &mut Vec<CourseError>) {
    let t = &file.value;
    check_id(file, &t.id, "id", errors);
    let expected_name = format!("{:02}-{}.toml", t.number.get_ref(), t.id.get_ref());
    let actual_name = file.path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if actual_name != expected_name {
        errors.push(file.error(
            &t.id,
            "id",
            format!("the file should be named `{expected_name}` after its number and id"),
        ));
    }
    check_text(file, &t.title, "title", limits::TOPIC_TITLE, errors);
    if let Some(short) = &t.short_title {
        check_text(file, short, "short_title", limits::SHORT_TITLE, errors);
    }
    check_text(file, &t.hook, "hook", limits::HOOK, errors);
    check_text(file, &t.summary, "summary", limits::SUMMARY, errors);
    let minutes = *t.minutes.get_ref();
    if !(1..=120).contains(&minutes) {
        errors.push(file.error(&t.minutes, "minutes", "must be between 1 and 120"));
    }
    for alias in &t.aliases {
        check_text(file, alias, "aliases", limits::ALIAS, errors);
        if alias.get_ref().parse::<u32>().is_ok() {
            errors.push(file.error(
                alias,
                "aliases",
                "an alias cannot be a number: numbers already name topics",
            ));
        }
    }

    let points = t.key_points.get_ref();
    if points.is_empty() {
        errors.push(file.error(&t.key_points, "key_points", "give at least one key point"));
    }
    for point in points {
        check_text(file, point, "key_points", limits::KEY_POINT, errors);
    }
    let total: usize = points.iter().map(|p| p.get_ref().chars().count() + 3).sum();
    if total > limits::KEY_POINTS_TOTAL {
        errors.push(file.error(
            &t.key_points,
            "key_points",
            format!(
                "together they are {total} characters; one embed field holds {}",
                limits::KEY_POINTS_TOTAL
            ),
        ));
    }

    for reading in &t.further_reading {
        check_text(
            file,
            &reading.title,
            "further_reading.title",
            limits::READING_TITLE,
            errors,
        );
        if let Some(url) = &reading.url {
            let u = url.get_ref();
            if !(u.starts_with("https://") || u.starts_with("http://")) || u.contains(' ') {
                errors.push(file.error(
                    url,
                    "further_reading.url",
                    format!("`{u}` is not an http(s) URL"),
                ));
            }
        }
    }

    for (n, q) in t.quiz.iter().enumerate() {
        let field = |name: &str| format!("quiz[{}].{name}", n + 1);
        check_text(
            file,
            &q.question,
            &field("question"),
            limits::QUESTION,
            errors,
        );
        check_text(file, &q.explain, &field("explain"), limits::EXPLAIN, errors);
        let choices = q.choices.get_ref();
        if !(limits::MIN_CHOICES..=limits::MAX_CHOICES).contains(&choices.len()) {
            errors.push(file.error(
                &q.choices,
                field("choices"),
                format!(
                    "has {} choices; a question needs {} to {}",
                    choices.len(),
                    limits::MIN_CHOICES,
                    limits::MAX_CHOICES
                ),
            ));
        }
        for choice in choices {
            check_text(file, choice, &field("choices"), limits::CHOICE, errors);
        }
        let answer = *q.answer.get_ref();
        if answer >= choices.len() {
            errors.push(file.error(
                &q.answer,
                field("answer"),
                format!(
                    "is {answer}, but the {} choices are numbered 0 to {}",
                    choices.len(),
                    choices.len().saturating_sub(1)
                ),
            ));
        }
    }
}

/// Ids, aliases and numbers are how people name topics, so no two topics may share one.
fn check_unique_ids(topics: &[Parsed<RawTopic>], errors: &mut Vec<CourseError>) {
    let mut names: HashMap<String, (usize, &str)> = HashMap::new();
    for (index, file) in topics.iter().enumerate() {
        let t = &file.value;
        let owner = t.id.get_ref().as_str();
        let aliases = t.aliases.iter().map(|a| ("aliases", a));
        for (field, name) in std::iter::once(("id", &t.id)).chain(aliases) {
            let key = name.get_ref().to_lowercase();
            match names.get(&key) {
                Some((other, _)) if *other == index => {
                    errors.push(file.error(name, field, format!("`{key}` is listed twice")))
                }
                Some((_, other)) => errors.push(file.error(
                    name,
                    field,
                    format!("duplicate id: `{key}` already names topic `{other}`"),
                )),
                None => {
                    names.insert(key, (index, owner));
                }
            }
        }
    }
}

fn check_numbers(topics: &[Parsed<RawTopic>], errors: &mut Vec<CourseError>) {
    let count = topics.len() as u32;
    let mut seen: HashMap<u32, &str> = HashMap::new();
    for file in topics {
        let t = &file.value;
        let number = *t.number.get_ref();
        if let Some(other) = seen.insert(number, t.id.get_ref()) {
            errors.push(file.error(
                &t.number,
                "number",
                format!("topic number {number} is also used by `{other}`"),
            ));
        } else if number == 0 || number > count {
            errors.push(file.error(
                &t.number,
                "number",
                format!("topics must be numbered 1 to {count} without gaps; {number} is outside"),
            ));
        }
    }
}

fn check_requires(topics: &[Parsed<RawTopic>], errors: &mut Vec<CourseError>) {
    let ids: HashSet<&str> = topics
        .iter()
        .map(|f| f.value.id.get_ref().as_str())
        .collect();
    for file in topics {
        let t = &file.value;
        for required in &t.requires {
            let name = required.get_ref();
            if name == t.id.get_ref() {
                errors.push(file.error(required, "requires", "a topic cannot require itself"));
            } else if !ids.contains(name.as_str()) {
                errors.push(file.error(
                    required,
                    "requires",
                    format!("`{name}` names no topic of this track"),
                ));
            }
        }
    }
    if let Some(cycle) = find_cycle(topics) {
        let first = &topics[cycle[0]];
        let path: Vec<&str> = cycle
            .iter()
            .chain(std::iter::once(&cycle[0]))
            .map(|&i| topics[i].value.id.get_ref().as_str())
            .collect();
        let edge = first
            .value
            .requires
            .iter()
            .find(|r| r.get_ref() == path[1])
            .unwrap_or(&first.value.id);
        errors.push(first.error(
            edge,
            "requires",
            format!("the requirements form a cycle: {}", path.join(" -> ")),
        ));
    }
}

/// Depth-first search for a cycle in `requires`; returns the topics on it, in order.
fn find_cycle(topics: &[Parsed<RawTopic>]) -> Option<Vec<usize>> {
    let index: HashMap<&str, usize> = topics
        .iter()
        .enumerate()
        .map(|(i, f)| (f.value.id.get_ref().as_str(), i))
        .collect();
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        OnPath,
        Done,
    }
    let mut marks = vec![Mark::New; topics.len()];
    let mut path = Vec::new();

    fn visit(
        node: usize,
        topics: &[Parsed<RawTopic>],
        index: &HashMap<&str, usize>,
        marks: &mut [Mark],
        path: &mut Vec<usize>,
    ) -> Option<Vec<usize>> {
        marks[node] = Mark::OnPath;
        path.push(node);
        for required in &topics[node].value.requires {
            let Some(&next) = index.get(required.get_ref().as_str()) else {
                continue;
            };
            match marks[next] {
                Mark::OnPath => {
                    let start = path.iter().position(|&n| n == next).unwrap_or(0);
                    return Some(path[start..].to_vec());
                }
                Mark::New => {
                    if let Some(cycle) = visit(next, topics, index, marks, path) {
                        return Some(cycle);
                    }
                }
                Mark::Done => {}
            }
        }
        path.pop();
        marks[node] = Mark::Done;
        None
    }

    (0..topics.len()).find_map(|start| {
        if marks[start] == Mark::New {
            visit(start, topics, &index, &mut marks, &mut path)
        } else {
            None
        }
    })
}

fn check_sections(
    track: &Parsed<RawTrack>,
    topics: &[Parsed<RawTopic>],
    errors: &mut Vec<CourseError>,
) {
    let ids: HashSet<&str> = topics
        .iter()
        .map(|f| f.value.id.get_ref().as_str())
        .collect();
    let mut placed: HashMap<&str, &str> = HashMap::new();
    let mut section_ids = HashSet::new();
    for section in track.value.sections.get_ref() {
        check_id(track, &section.id, "sections.id", errors);
        check_text(
            track,
            &section.title,
            "sections.title",
            limits::SECTION_TITLE,
            errors,
        );
        check_text(
            track,
            &section.summary,
            "sections.summary",
            limits::SECTION_SUMMARY,
            errors,
        );
        let section_id = section.id.get_ref().as_str();
        if !section_ids.insert(section_id) {
            errors.push(track.error(
                &section.id,
                "sections.id",
                format!("duplicate id: two sections are called `{section_id}`"),
            ));
        }
        for topic in &section.topics {
            let name = topic.get_ref().as_str();
            if !ids.contains(name) {
                errors.push(track.error(topic, "sections.topics", format!("section `{section_id}` names `{name}`, which is no topic file of this track")));
            } else if let Some(other) = placed.insert(name, section_id) {
                errors.push(track.error(
                    topic,
                    "sections.topics",
                    format!("topic `{name}` is in two sections: `{other}` and `{section_id}`"),
                ));
            }
        }
    }
    for file in topics {
        let id = file.value.id.get_ref().as_str();
        if !placed.contains_key(id) {
            errors.push(file.error(
                &file.value.id,
                "id",
                format!("topic `{id}` is in no section of track.toml"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_title_takes_the_part_before_a_colon() {
        assert_eq!(
            derive_short_title("Consensus and Coordination"),
            "Consensus and Coordin…"
        );
        assert_eq!(
            derive_short_title("Serving Patterns: Replicated"),
            "Serving Patterns"
        );
        assert_eq!(derive_short_title("Caching"), "Caching");
    }
}
