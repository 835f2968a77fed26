//! Reads `course/<track>/track.toml` and `topics/*.toml`, keeping every value's position so
//! that each validation error can name its file, line and field.

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use toml::Spanned;

use super::model::{Catalog, Insight, Level, Question, Reading, Section, Topic, Track};
use super::validate;

/// One problem in a course file, with where to find it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CourseError {
    pub file: PathBuf,
    /// 1-based; `None` when the problem is the file itself (unreadable, missing).
    pub line: Option<usize>,
    pub field: String,
    pub message: String,
}

impl fmt::Display for CourseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if !self.field.is_empty() {
            write!(f, ": `{}`", self.field)?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Every problem found in a course, reported together so an author fixes them in one pass.
#[derive(Debug, Clone, thiserror::Error)]
pub struct CourseErrors(pub Vec<CourseError>);

impl fmt::Display for CourseErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.0.len();
        writeln!(
            f,
            "the course has {count} problem{}:",
            if count == 1 { "" } else { "s" }
        )?;
        for error in &self.0 {
            writeln!(f, "  {error}")?;
        }
        Ok(())
    }
}

/// Loads every track under `dir` (each folder holding a `track.toml`), in folder-name order.
/// When `dir` is itself a track folder, the catalog is that one track, so an author can check
/// a new track on its own.
pub fn load_catalog(dir: &Path) -> Result<Catalog, CourseErrors> {
    if dir.join("track.toml").is_file() {
        return load_track(dir).map(|track| Catalog {
            tracks: vec![Arc::new(track)],
        });
    }
    let file_error = |message: String| CourseErrors(vec![error_at(dir, None, "", message)]);
    let entries = fs::read_dir(dir).map_err(|e| {
        file_error(format!(
            "cannot read the course directory ({e}); set `course_dir` or QUORUM_COURSE_DIR"
        ))
    })?;
    let mut track_dirs: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.join("track.toml").is_file())
        .collect();
    track_dirs.sort();
    if track_dirs.is_empty() {
        return Err(file_error(
            "no track found: a track is a folder holding a `track.toml`".into(),
        ));
    }

    let mut tracks = Vec::new();
    let mut errors = Vec::new();
    for track_dir in track_dirs {
        match load_track(&track_dir) {
            Ok(track) => tracks.push(Arc::new(track)),
            Err(CourseErrors(mut more)) => errors.append(&mut more),
        }
    }
    for (i, track) in tracks.iter().enumerate() {
        if tracks[..i].iter().any(|t| t.id == track.id) {
            errors.push(error_at(
                dir,
                None,
                "id",
                format!("two tracks share the id `{}`", track.id),
            ));
        }
    }
    if errors.is_empty() {
        Ok(Catalog { tracks })
    } else {
        Err(CourseErrors(errors))
    }
}

/// Loads and validates one track folder.
pub fn load_track(dir: &Path) -> Result<Track, CourseErrors> {
    let mut errors = Vec::new();
    let track = parse_file::<RawTrack>(&dir.join("track.toml"), &mut errors);

    let topics_dir = dir.join("topics");
    let mut topic_paths: Vec<PathBuf> = match fs::read_dir(&topics_dir) {
        Ok(entries) => entries
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
            .collect(),
        Err(e) => {
            errors.push(error_at(
                &topics_dir,
                None,
                "",
                format!("cannot read the topics folder: {e}"),
            ));
            Vec::new()
        }
    };
    topic_paths.sort();
    let topics: Vec<Parsed<RawTopic>> = topic_paths
        .iter()
        .filter_map(|path| parse_file(path, &mut errors))
        .collect();

    // A file that does not parse would make every cross-file rule report noise.
    let Some(track) = track.filter(|_| errors.is_empty()) else {
        return Err(CourseErrors(errors));
    };
    validate::track(&track, &topics, &mut errors);
    if errors.is_empty() {
        Ok(build(track.value, topics))
    } else {
        Err(CourseErrors(errors))
    }
}

/// A parsed file with what is needed to turn byte offsets into line numbers.
pub(super) struct Parsed<T> {
    pub path: PathBuf,
    line_starts: Vec<usize>,
    pub value: T,
}

impl<T> Parsed<T> {
    pub fn line_of<S>(&self, spanned: &Spanned<S>) -> usize {
        let offset = spanned.span().start;
        self.line_starts.partition_point(|&start| start <= offset)
    }

    pub fn error<S>(
        &self,
        at: &Spanned<S>,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> CourseError {
        error_at(&self.path, Some(self.line_of(at)), field, message)
    }
}

fn error_at(
    path: &Path,
    line: Option<usize>,
    field: impl Into<String>,
    message: impl Into<String>,
) -> CourseError {
    CourseError {
        file: path.to_path_buf(),
        line,
        field: field.into(),
        message: message.into(),
    }
}

fn parse_file<T: for<'de> Deserialize<'de>>(
    path: &Path,
    errors: &mut Vec<CourseError>,
) -> Option<Parsed<T>> {
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => {
            errors.push(error_at(
                path,
                None,
                "",
                format!("cannot read the file: {e}"),
            ));
            return None;
        }
    };
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    match toml::from_str::<T>(&text) {
        Ok(value) => Some(Parsed {
            path: path.to_path_buf(),
            line_starts,
            value,
        }),
        Err(e) => {
            let line = e
                .span()
                .map(|span| line_starts.partition_point(|&start| start <= span.start));
            let message = e.message().trim().replace('\n', "; ");
            errors.push(error_at(path, line, "", message));
            None
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTrack {
    pub id: Spanned<String>,
    pub title: Spanned<String>,
    pub subject: Spanned<String>,
    pub tagline: Spanned<String>,
    pub description: Spanned<String>,
    pub sections: Spanned<Vec<RawSection>>,
    pub insight: RawInsight,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSection {
    pub id: Spanned<String>,
    pub title: Spanned<String>,
    pub summary: Spanned<String>,
    pub topics: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawInsight {
    pub title: Spanned<String>,
    pub body: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTopic {
    pub id: Spanned<String>,
    pub number: Spanned<u32>,
    pub title: Spanned<String>,
    pub short_title: Option<Spanned<String>>,
    pub level: Level,
    pub minutes: Spanned<u32>,
    #[serde(default)]
    pub requires: Vec<Spanned<String>>,
    #[serde(default)]
    pub aliases: Vec<Spanned<String>>,
    pub hook: Spanned<String>,
    pub summary: Spanned<String>,
    pub key_points: Spanned<Vec<Spanned<String>>>,
    #[serde(default)]
    pub further_reading: Vec<RawReading>,
    #[serde(default)]
    pub quiz: Vec<RawQuestion>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawReading {
    pub title: Spanned<String>,
    pub url: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawQuestion {
    pub question: Spanned<String>,
    pub choices: Spanned<Vec<Spanned<String>>>,
    pub answer: Spanned<usize>,
    pub explain: Spanned<String>,
}

fn build(raw: RawTrack, topics: Vec<Parsed<RawTopic>>) -> Track {
    let mut topics: Vec<Topic> = topics.into_iter().map(|p| build_topic(p.value)).collect();
    topics.sort_by_key(|t| t.number);
    Track {
        id: raw.id.into_inner(),
        title: raw.title.into_inner(),
        subject: raw.subject.into_inner(),
        tagline: raw.tagline.into_inner(),
        description: raw.description.into_inner().trim().to_string(),
        sections: raw
            .sections
            .into_inner()
            .into_iter()
            .map(|s| Section {
                id: s.id.into_inner(),
                title: s.title.into_inner(),
                summary: s.summary.into_inner(),
                topics: s.topics.into_iter().map(Spanned::into_inner).collect(),
            })
            .collect(),
        topics: topics.into_iter().map(Arc::new).collect(),
        insight: Insight {
            title: raw.insight.title.into_inner(),
            body: raw.insight.body.into_inner().trim().to_string(),
        },
    }
}

fn build_topic(raw: RawTopic) -> Topic {
    let title = raw.title.into_inner();
    let short_title = raw
        .short_title
        .map(Spanned::into_inner)
        .unwrap_or_else(|| validate::derive_short_title(&title));
    Topic {
        id: raw.id.into_inner(),
        number: raw.number.into_inner(),
        title,
        short_title,
        level: raw.level,
        minutes: raw.minutes.into_inner(),
        requires: raw.requires.into_iter().map(Spanned::into_inner).collect(),
        aliases: raw.aliases.into_iter().map(Spanned::into_inner).collect(),
        hook: raw.hook.into_inner(),
        summary: raw.summary.into_inner().trim().to_string(),
        key_points: raw
            .key_points
            .into_inner()
            .into_iter()
            .map(Spanned::into_inner)
            .collect(),
        further_reading: raw
            .further_reading
            .into_iter()
            .map(|r| Reading {
                title: r.title.into_inner(),
                url: r.url.map(Spanned::into_inner),
            })
            .collect(),
        quiz: raw
            .quiz
            .into_iter()
            .map(|q| Question {
                question: q.question.into_inner(),
                choices: q
                    .choices
                    .into_inner()
                    .into_iter()
                    .map(Spanned::into_inner)
                    .collect(),
                answer: q.answer.into_inner(),
                explain: q.explain.into_inner(),
            })
            .collect(),
    }
}
