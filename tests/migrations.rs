//! Migrations are append-only once they are on main: a database that applied one must never
//! meet a different text under the same number. `tests/migration_checksums.txt` holds the
//! SHA-384 (the checksum sqlx itself records) of every migration that landed; this test fails
//! when one of them changes or goes, and when a new migration is not listed yet.

use std::collections::BTreeMap;

mod support;

const LANDED: &str = include_str!("migration_checksums.txt");
const LANDED_POSTGRES: &str = include_str!("migration_checksums_postgres.txt");

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn landed_migrations_never_change() {
    check_landed(
        sqlx::migrate!("./migrations"),
        LANDED,
        "migration_checksums.txt",
    );
}

#[test]
fn landed_postgres_migrations_never_change() {
    check_landed(
        sqlx::migrate!("./migrations/postgres"),
        LANDED_POSTGRES,
        "migration_checksums_postgres.txt",
    );
}

fn check_landed(migrator: sqlx::migrate::Migrator, landed: &str, list: &str) {
    let embedded: BTreeMap<i64, (String, String)> = migrator
        .iter()
        .map(|m| (m.version, (m.description.to_string(), hex(&m.checksum))))
        .collect();
    let mut listed = 0;
    for line in landed
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
    {
        let mut fields = line.split_whitespace();
        let (Some(version), Some(checksum)) = (fields.next(), fields.next()) else {
            panic!("a line of {list} is not `VERSION CHECKSUM`: {line}");
        };
        let version: i64 = version.parse().expect("a migration number");
        let (description, actual) = embedded
            .get(&version)
            .unwrap_or_else(|| panic!("migration {version} landed on main and is gone"));
        assert_eq!(
            actual, checksum,
            "migration {version} ({description}) changed after it landed: add a new one instead"
        );
        listed += 1;
    }
    assert_eq!(
        listed,
        embedded.len(),
        "a new migration is not in tests/{list} yet: add `VERSION CHECKSUM`"
    );
}

/// A database from before the boards were pages (migration 0006) keeps its points, learned
/// marks, streaks and cards through migration 0007 and the start-up fill-in of `kept_until`:
/// every board and group view shows what it showed before.
#[tokio::test]
async fn a_database_from_before_boards_were_pages_keeps_its_boards() {
    use std::borrow::Cow;
    use std::sync::Arc;

    use chrono::{Duration, TimeZone, Utc};
    use quorum::clock::ManualClock;
    use quorum::course::load_catalog;
    use quorum::ids::{GuildId, Learner, UserId};
    use quorum::store::Store;
    use quorum::study::domain::Period;
    use quorum::study::{Board, Study};
    use sqlx::{ConnectOptions, Connection};

    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("old.db").display());
    let now = Utc.with_ymd_and_hms(2026, 11, 4, 12, 0, 0).unwrap();
    let (monday, learned) = (1_793_577_600_000_i64, now.timestamp_millis() - 3_600_000);
    {
        let mut old = sqlx::migrate!("./migrations");
        old.migrations = Cow::Owned(
            old.migrations
                .iter()
                .filter(|m| m.version <= 6)
                .cloned()
                .collect(),
        );
        let options: sqlx::sqlite::SqliteConnectOptions = url.parse().unwrap();
        let mut conn = options.create_if_missing(true).connect().await.unwrap();
        old.run(&mut conn).await.unwrap();
        // Ann (2 marks, 30 points, a 2-day streak) and Bob (1 mark, 10 points), as 0006 kept them.
        for statement in [
            "INSERT INTO learners VALUES (1, 'ann', 0), (2, 'bob', 0)".to_owned(),
            "INSERT INTO memberships (guild_id, user_id, display_name, first_seen_at, last_seen_at)
             VALUES (77, 1, 'ann', 0, 0), (77, 2, 'bob', 0, 0)"
                .to_owned(),
            format!(
                "INSERT INTO learned_topics (user_id, track_id, topic_id, learned_at, guild_id)
                 VALUES (1, 'sample', 'alpha', {learned}, 77), (1, 'sample', 'beta', {learned}, 77),
                        (2, 'sample', 'alpha', {learned}, 77)"
            ),
            "INSERT INTO review_cards (user_id, track_id, topic_id, due, stability,
                 difficulty, elapsed_days, scheduled_days, reps, lapses, state, last_review)
             SELECT user_id, track_id, topic_id, learned_at + 86400000, 0, 0, 0, 0, 0, 0, 0,
                    NULL FROM learned_topics"
                .to_owned(),
            format!(
                "INSERT INTO scores (guild_id, week_start, user_id, points, reached_at)
                 VALUES (77, 0, 1, 30, {learned}), (77, {monday}, 1, 30, {learned}),
                        (77, 0, 2, 10, {learned}), (77, {monday}, 2, 10, {learned})"
            ),
            format!(
                "INSERT INTO streaks VALUES (1, 2, {day} - 1, {day}, 2)",
                day = now.timestamp_millis() / 86_400_000
            ),
        ] {
            sqlx::query(&statement).execute(&mut conn).await.unwrap();
        }
        conn.close().await.unwrap();
    }

    let store = Store::open(&url).await.unwrap();
    let catalog = load_catalog(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sample"),
    )
    .unwrap();
    let clock = ManualClock::starting_at(now);
    let study = Study::new(Arc::new(catalog), store, Arc::new(clock.clone()));
    assert_eq!(study.fill_in_kept_until().await.unwrap(), 3);
    assert_eq!(study.fill_in_kept_until().await.unwrap(), 0, "done once");

    let guild = GuildId(77);
    let bob = Learner {
        user: UserId(2),
        name: "bob".into(),
        guild: Some(guild),
    };
    let board = |which: Board, period: Period| {
        let study = &study;
        let bob = &bob;
        async move {
            let page = study
                .leaderboard(guild, which, period, 0, bob)
                .await
                .unwrap();
            page.rows
                .iter()
                .map(|r| (r.user.0, r.score))
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        board(Board::Points, Period::AllTime).await,
        [(1, 30), (2, 10)]
    );
    assert_eq!(board(Board::Points, Period::Week).await, [(1, 30), (2, 10)]);
    assert_eq!(
        board(Board::Learned, Period::AllTime).await,
        [(1, 2), (2, 1)]
    );
    assert_eq!(board(Board::Learned, Period::Week).await, [(1, 2), (2, 1)]);
    assert_eq!(
        board(Board::Remembered, Period::AllTime).await,
        [(1, 2), (2, 1)]
    );
    assert_eq!(board(Board::Streak, Period::AllTime).await, [(1, 2)]);
    let group = study.group(guild).await.unwrap();
    assert_eq!(group.members, 2);
    let alpha = group.topics.iter().find(|t| t.topic.id == "alpha").unwrap();
    assert_eq!(alpha.learned, 2);
    assert_eq!(
        study.who_knows(guild, "alpha").await.unwrap().knowers.len(),
        2
    );

    // The old cards fade as FSRS says, like new ones.
    clock.advance(Duration::days(30));
    assert!(board(Board::Remembered, Period::AllTime).await.is_empty());
}

on_postgres_only! {
    /// SQLite's migrations and PostgreSQL's twin (`migrations/postgres/`) hold the same
    /// tables, keys and indexes, and the same rows after the same statements:
    /// `schema_twins.sh` runs them on both and compares every table.
    #[tokio::test]
    async fn the_postgres_schema_is_the_twin_of_sqlites() {
        let admin = std::env::var(support::db::POSTGRES_URL_VAR).unwrap_or_default();
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/schema_twins.sh");
        let out = std::process::Command::new("bash")
            .arg(script)
            .arg(admin)
            .output()
            .expect("bash runs the script");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "the schemas differ:\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout.contains("SQLite and PostgreSQL agree"), "{stdout}");
    }
}
