//! The course loader: the sample loads, each broken fixture fails with its own error at the
//! right file and line, and the shipped Distributed Systems track holds what it must.

use std::collections::HashSet;
use std::path::Path;

use quorum::course::{load_catalog, load_track, Level};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

#[test]
fn the_sample_track_loads_with_its_sections_topics_and_questions() {
    let catalog = load_catalog(&Path::new(FIXTURES).join("sample")).expect("sample is valid");

    assert_eq!(catalog.tracks.len(), 1);
    let track = &catalog.tracks[0];
    assert_eq!(track.id, "sample");
    assert_eq!(track.sections.len(), 2);
    let numbers: Vec<u32> = track.topics.iter().map(|t| t.number).collect();
    assert_eq!(numbers, [1, 2, 3, 4, 5]);
    assert_eq!(track.topic("delta").unwrap().requires, ["beta", "gamma"]);
    assert_eq!(catalog.question_count(), 15);
}

/// (fixture, file the error must name, line, words the message must hold)
const BROKEN: &[(&str, &str, usize, &str)] = &[
    (
        "duplicate-id",
        "topics/03-beta.toml",
        1,
        "duplicate id: `beta`",
    ),
    (
        "number-gap",
        "topics/04-gamma.toml",
        2,
        "numbered 1 to 3 without gaps",
    ),
    (
        "unknown-require",
        "topics/03-gamma.toml",
        6,
        "`omega` names no topic",
    ),
    (
        "cycle",
        "topics/01-alpha.toml",
        6,
        "cycle: alpha -> gamma -> beta -> alpha",
    ),
    (
        "topic-in-no-section",
        "topics/03-gamma.toml",
        1,
        "`gamma` is in no section",
    ),
    (
        "topic-in-two-sections",
        "track.toml",
        17,
        "`gamma` is in two sections",
    ),
    (
        "section-names-missing-topic",
        "track.toml",
        11,
        "names `zeta`, which is no topic",
    ),
    (
        "answer-out-of-range",
        "topics/02-beta.toml",
        18,
        "is 3, but the 3 choices are numbered 0 to 2",
    ),
    (
        "too-few-choices",
        "topics/02-beta.toml",
        17,
        "has 1 choices; a question needs 2 to 5",
    ),
    (
        "too-many-choices",
        "topics/02-beta.toml",
        17,
        "has 6 choices; a question needs 2 to 5",
    ),
    (
        "choice-too-long",
        "topics/02-beta.toml",
        17,
        "Discord shows at most 80",
    ),
    (
        "summary-too-long",
        "topics/02-beta.toml",
        9,
        "Discord shows at most 3500",
    ),
    (
        "unknown-field",
        "topics/02-beta.toml",
        11,
        "unknown field `difficulty`",
    ),
    ("bad-syntax", "topics/02-beta.toml", 5, "invalid string"),
];

#[test]
fn each_broken_fixture_fails_with_its_own_error_naming_file_and_line() {
    for (fixture, file, line, words) in BROKEN {
        let dir = Path::new(FIXTURES).join("broken").join(fixture);

        let errors = load_track(&dir).expect_err(fixture).0;

        let first = &errors[0];
        let shown = first.to_string();
        assert_eq!(first.file, dir.join(file), "{fixture}: {shown}");
        assert_eq!(first.line, Some(*line), "{fixture}: {shown}");
        assert!(
            shown.contains(words),
            "{fixture}: `{shown}` lacks `{words}`"
        );
        assert!(
            shown.starts_with(&dir.join(file).display().to_string()),
            "{shown}"
        );
    }
}

#[test]
fn every_broken_fixture_is_otherwise_valid_so_each_tests_one_rule() {
    for (fixture, ..) in BROKEN {
        let dir = Path::new(FIXTURES).join("broken").join(fixture);
        let errors = load_track(&dir).expect_err(fixture).0;
        let messages: HashSet<String> = errors.iter().map(|e| e.message.clone()).collect();
        // Quiz rules fire once per question, all alike; everything else fires once.
        assert_eq!(messages.len(), 1, "{fixture}: {errors:#?}");
    }
}

#[test]
fn a_missing_course_folder_is_a_clear_error() {
    let error = load_catalog(Path::new("/nonexistent/course"))
        .unwrap_err()
        .to_string();
    assert!(error.contains("/nonexistent/course"), "{error}");
    assert!(error.contains("QUORUM_COURSE_DIR"), "{error}");
}

#[test]
fn the_distributed_systems_track_holds_what_it_must() {
    let catalog = load_catalog(&Path::new(env!("CARGO_MANIFEST_DIR")).join("course"))
        .unwrap_or_else(|e| panic!("{e}"));
    let track = catalog
        .track("distributed-systems")
        .expect("the track is shipped");

    assert_eq!(track.title, "Many machines, one system");
    assert_eq!(track.subject, "Distributed Systems");
    let sections: Vec<(&str, usize)> = track
        .sections
        .iter()
        .map(|s| (s.title.as_str(), s.topics.len()))
        .collect();
    assert_eq!(
        sections,
        [
            ("Foundations", 4),
            ("Scalability & Data", 5),
            ("System Patterns", 3)
        ]
    );
    use Level::*;
    let expected = [
        ("fallacies", Beginner, 5),
        ("cap-consistency", Beginner, 5),
        ("time-ordering", Intermediate, 5),
        ("consensus", Advanced, 5),
        ("scalability", Beginner, 5),
        ("load-balancing", Intermediate, 5),
        ("caching", Intermediate, 5),
        ("replication-sharding", Advanced, 5),
        ("messaging", Intermediate, 5),
        ("single-node-patterns", Intermediate, 5),
        ("serving-patterns", Advanced, 5),
        ("batch-patterns", Advanced, 6),
    ];
    let in_section_order: Vec<&str> = track
        .sections
        .iter()
        .flat_map(|s| s.topics.iter().map(String::as_str))
        .collect();
    assert_eq!(in_section_order, expected.map(|(id, ..)| id));
    for (number, (id, level, minutes)) in (1..).zip(expected) {
        let topic = track.topic(id).expect(id);
        assert_eq!(
            (topic.number, topic.level, topic.minutes),
            (number, level, minutes),
            "{id}"
        );
        assert!(
            topic.quiz.len() >= 10,
            "{id} has {} questions",
            topic.quiz.len()
        );
        let words = topic.summary.split_whitespace().count();
        assert!(
            (200..=450).contains(&words),
            "{id} summary has {words} words"
        );
        assert!((4..=7).contains(&topic.key_points.len()), "{id} key points");
        assert!(
            (2..=4).contains(&topic.further_reading.len()),
            "{id} reading"
        );
    }
    assert!(track.question_count() >= 120);

    // Every topic is reachable from topic 1 by following `requires` edges forward.
    let mut reached: HashSet<&str> = HashSet::from(["fallacies"]);
    loop {
        let before = reached.len();
        for topic in &track.topics {
            if topic.requires.iter().any(|r| reached.contains(r.as_str())) {
                reached.insert(&topic.id);
            }
        }
        if reached.len() == before {
            break;
        }
    }
    assert_eq!(
        reached.len(),
        track.topics.len(),
        "reached only {reached:?}"
    );
    assert!(track.insight.title.contains("partial failure"));

    // Skill-map edges follow what each topic builds on (issue 13).
    let requires = |id: &str| track.topic(id).expect(id).requires.clone();
    assert!(requires("serving-patterns").contains(&"caching".to_string()));
    assert!(requires("replication-sharding").contains(&"load-balancing".to_string()));
    assert_eq!(requires("messaging"), ["scalability", "cap-consistency"]);

    // No reading is listed under two topics.
    let mut readings = HashSet::new();
    for topic in &track.topics {
        for reading in &topic.further_reading {
            let work = reading.title.split(" (").next().unwrap_or(&reading.title);
            assert!(readings.insert(work.to_string()), "{work} is listed twice");
        }
    }
}
