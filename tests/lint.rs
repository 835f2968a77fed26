//! The author's linter on whole tracks: a length-biased bank and a bank that asks one question
//! twice are each flagged, by the library and by `quorum check --strict`, and the shipped
//! course passes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use quorum::course::lint::lint_track;
use quorum::course::load_track;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/lint")
        .join(name)
}

fn check_strict(course: &Path) -> Output {
    let dir = tempfile::tempdir().expect("a temp dir");
    Command::new(env!("CARGO_BIN_EXE_quorum"))
        .current_dir(dir.path())
        .env_remove("DISCORD_TOKEN")
        .args(["check", "--strict", "--course"])
        .arg(course)
        .output()
        .expect("quorum runs")
}

#[test]
fn a_bank_whose_key_is_always_longest_is_flagged_on_length_only() {
    let track = load_track(&fixture("length-biased")).expect("the fixture is valid");

    let findings = lint_track(&track).findings();

    assert!(!findings.is_empty());
    assert!(
        findings.iter().all(|f| f.signal == "length"),
        "{findings:#?}"
    );
    assert!(findings.iter().any(
        |f| f.message.contains("longest choice (ties included) in 100%") && f.questions.len() == 24
    ));
}

#[test]
fn a_question_asked_twice_across_topics_is_flagged_as_a_near_duplicate_only() {
    let track = load_track(&fixture("duplicate-question")).expect("the fixture is valid");

    let findings = lint_track(&track).findings();

    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0].signal, "near-duplicate");
    let named: Vec<String> = findings[0]
        .questions
        .iter()
        .map(|q| q.to_string())
        .collect();
    assert_eq!(named, ["north Q1", "south Q12"]);
}

#[test]
fn check_strict_fails_on_each_flagged_fixture_and_names_the_questions() {
    for (name, words) in [
        ("length-biased", "longest choice (ties included) in 100%"),
        (
            "duplicate-question",
            "north Q1 and south Q12 ask the same thing",
        ),
    ] {
        let output = check_strict(&fixture(name));

        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{name}: {stdout}");
        assert!(stdout.contains(words), "{name}: {stdout}");
        assert!(stderr.contains("--strict"), "{name}: {stderr}");
    }
}

#[test]
fn check_without_strict_reports_the_signals_but_passes() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let output = Command::new(env!("CARGO_BIN_EXE_quorum"))
        .current_dir(dir.path())
        .args(["check", "--course"])
        .arg(fixture("length-biased"))
        .output()
        .expect("quorum runs");

    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).contains("! length:"));
}

#[test]
fn the_shipped_course_passes_check_strict() {
    let course = Path::new(env!("CARGO_MANIFEST_DIR")).join("course");

    let output = check_strict(&course);

    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}
