//! The `quorum` binary as a newcomer meets it: the console on stdin, `check`, and the advice
//! printed when there is no token; and as an operator does: shard ranges refused before
//! anything connects, `quorum register` against the fake Discord.

mod support;

use std::io::Write;
use std::process::{Command, Stdio};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

/// The binary, run in an empty folder with no config file and no token.
fn quorum(dir: &tempfile::TempDir) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_quorum"));
    command
        .current_dir(dir.path())
        .env_remove("DISCORD_TOKEN")
        .env_remove("DATABASE_URL")
        .env("QUORUM_COURSE_DIR", format!("{FIXTURES}/sample"));
    command
}

fn run_console(dir: &tempfile::TempDir, input: &str) -> String {
    let mut child = quorum(dir)
        .args(["console", "--user", "bea"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn the_console_keeps_progress_in_the_default_database_between_runs() {
    let dir = tempfile::tempdir().unwrap();

    let first = run_console(&dir, "/learned alpha\n");
    let second = run_console(&dir, "/map\n");

    assert!(first.contains("Learned: 1 · Topic Alpha"), "{first}");
    assert!(dir.path().join("quorum.db").exists());
    assert!(second.contains("✅ ` 1` Topic Alpha"), "{second}");
    assert!(second.contains("✨ ` 2` Topic Beta"), "{second}");
}

#[test]
fn check_passes_the_sample_and_fails_a_broken_course_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let good = quorum(&dir)
        .args(["check", "--course", &format!("{FIXTURES}/sample")])
        .output()
        .unwrap();
    let bad = quorum(&dir)
        .args(["check", "--course", &format!("{FIXTURES}/broken")])
        .output()
        .unwrap();

    assert!(good.status.success());
    assert!(String::from_utf8_lossy(&good.stdout).contains("5 topics, 15 quiz questions"));
    assert!(!bad.status.success());
    let errors = String::from_utf8_lossy(&bad.stderr);
    assert!(
        errors.contains("broken/cycle/topics/01-alpha.toml:6"),
        "{errors}"
    );
}

/// Without a terminal (a service manager, a script), no token is a failure with the help.
#[test]
fn without_a_token_quorum_explains_and_points_to_the_console() {
    let dir = tempfile::tempdir().unwrap();

    let output = quorum(&dir).output().unwrap();

    assert!(
        !output.status.success(),
        "no token without a terminal fails"
    );
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("DISCORD_TOKEN"), "{text}");
    assert!(text.contains("quorum console"), "{text}");
}

#[test]
fn a_garbage_config_is_a_clear_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config.toml"), "datbase_url = 3\n").unwrap();

    let output = quorum(&dir).arg("console").output().unwrap();

    assert!(!output.status.success());
    let text = String::from_utf8_lossy(&output.stderr);
    assert!(
        text.contains("config.toml: line 1: unknown field `datbase_url`"),
        "{text}"
    );
    assert!(!text.contains("panicked"), "{text}");
}

/// On a terminal (a pseudo-terminal from `script`), `quorum` without a token says how to go
/// online in one line and starts the console, which answers.
#[test]
fn without_a_token_on_a_terminal_quorum_starts_the_console() {
    let dir = tempfile::tempdir().unwrap();
    let binary = env!("CARGO_BIN_EXE_quorum");
    let mut child = Command::new("script")
        .args(["-qec", binary, "/dev/null"])
        .current_dir(dir.path())
        .env_remove("DISCORD_TOKEN")
        .env_remove("DATABASE_URL")
        .env("QUORUM_COURSE_DIR", format!("{FIXTURES}/sample"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("script (util-linux) runs");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"/map\n/quit\n").unwrap();
    let done = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() && done.elapsed().as_secs() < 20 {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    drop(stdin);
    let output = child.wait_with_output().unwrap();

    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("DISCORD_TOKEN=... quorum run"), "{text}");
    assert!(text.contains("quorum> "), "the console prompt: {text}");
    assert!(
        text.contains("A Sample Track"),
        "the console answered /map: {text}"
    );
}

/// `quorum run` with the token and the proxy set, in `dir`, against `fake`: run off the
/// runtime, so that the fake keeps answering while the binary runs.
async fn run_against(
    fake: &support::FakeDiscord,
    dir: &tempfile::TempDir,
    args: &[&str],
) -> std::process::Output {
    let mut command = quorum(dir);
    command
        .args(args)
        .env("DISCORD_TOKEN", support::FakeDiscord::TOKEN)
        .env("DISCORD_PROXY", fake.base_url());
    let run = tokio::task::spawn_blocking(move || command.output().expect("quorum runs"));
    tokio::time::timeout(std::time::Duration::from_secs(30), run)
        .await
        .expect("quorum exits within 30 s")
        .expect("the runner does not panic")
}

/// A range that does not fit its total: one line saying what is wrong and what would be valid,
/// a failure, and nothing opened or connected.
#[tokio::test]
async fn a_shard_range_outside_its_total_is_refused_before_connecting() {
    let fake = support::FakeDiscord::start().await;
    for (shards, total, wrong, valid) in [
        ("3-1", "2", "the first shard is after the last", "e.g. 0-1"),
        ("0-2", "2", "shard 2 does not exist", "e.g. 0-1"),
        ("3-", "2", "`3-` is not FIRST-LAST", "e.g. `0-3`"),
        ("a-b", "2", "`a-b` is not FIRST-LAST", "e.g. `0-3`"),
        ("0-0", "0", "total shards is 0", "at least 1"),
    ] {
        let dir = tempfile::tempdir().unwrap();

        let output = run_against(
            &fake,
            &dir,
            &["run", "--shards", shards, "--total-shards", total],
        )
        .await;

        assert!(!output.status.success(), "{shards} of {total}");
        let errors = String::from_utf8_lossy(&output.stderr);
        let lines: Vec<&str> = errors.lines().collect();
        assert_eq!(lines.len(), 1, "one line: {errors}");
        assert!(lines[0].starts_with("error: "), "{errors}");
        assert!(lines[0].contains(wrong), "what is wrong: {errors}");
        assert!(lines[0].contains(valid), "what is valid: {errors}");
        assert!(!dir.path().join("quorum.db").exists(), "no database opened");
    }
    assert!(fake.requests().is_empty(), "{:?}", fake.requests());
    assert_eq!(fake.connection_count(), 0);
}

/// `quorum register`: the same bulk overwrite as at start, then exit, without the gateway.
#[tokio::test]
async fn register_overwrites_the_commands_once_and_exits_without_the_gateway() {
    let fake = support::FakeDiscord::start().await;
    let dir = tempfile::tempdir().unwrap();

    let output = run_against(&fake, &dir, &["register"]).await;

    assert!(output.status.success(), "{output:?}");
    let listed = quorum::discord::all_commands();
    let said = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        said.trim(),
        format!("registered {} commands (global)", listed.len())
    );
    assert_eq!(fake.registrations().len(), 1);
    let names: Vec<String> = fake
        .registered_commands(None)
        .iter()
        .filter_map(|c| c["name"].as_str().map(str::to_owned))
        .collect();
    let expected: Vec<String> = listed.iter().map(|c| c.name.to_string()).collect();
    assert_eq!(names, expected);
    assert_eq!(fake.connection_count(), 0, "no gateway connection");
    assert!(!dir.path().join("quorum.db").exists(), "no database opened");
}

/// A PostgreSQL URL that cannot be used at start: one line naming the database, host, port and
/// user and what to check, never the password, and a failure before Discord is contacted.
#[tokio::test]
async fn an_unusable_postgres_url_is_one_line_without_the_password() {
    let fake = support::FakeDiscord::start().await;
    for (url, named, check) in [
        (
            // Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
            "postgres://bot:hunter2@127.0.0.1:9/quorum",
            "quorum on 127.0.0.1:9 as bot",
            "check that the server runs",
        ),
        (
            "postgres://bot:hunter2@[nowhere/quorum",
            "at the PostgreSQL URL given",
            "check its spelling",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let mut command = quorum(&dir);
        command
            .args(["run"])
            .env("DISCORD_TOKEN", support::FakeDiscord::TOKEN)
            .env("DISCORD_PROXY", fake.base_url())
            .env("DATABASE_URL", url);
        let output = tokio::task::spawn_blocking(move || command.output().expect("quorum runs"))
            .await
            .expect("the runner does not panic");

        assert!(!output.status.success(), "{url}");
        let errors = String::from_utf8_lossy(&output.stderr);
        let lines: Vec<&str> = errors.lines().collect();
        assert_eq!(lines.len(), 1, "one line: {errors}");
        assert!(lines[0].contains(named), "names the database: {errors}");
        assert!(lines[0].contains(check), "says what to check: {errors}");
        assert!(!errors.contains("hunter2"), "no password: {errors}");
    }
    assert!(fake.requests().is_empty(), "{:?}", fake.requests());
    assert_eq!(
        fake.connection_count(),
        0,
        "Discord's gateway is not contacted"
    );
}
