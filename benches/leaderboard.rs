//! The boards of a server with 100,000 members and 1,000,000 quiz answers: for each of the four
//! boards and both periods, the whole `/leaderboard` use case (bring a fading board up to now, a
//! page, the count and the caller's own rank, the caller in the middle of the board), then
//! `/who-knows` and `/group` (their data, not the picture). SQLite's plans of the very
//! statements that run are printed first, and the peak memory of the process last.
//!
//! With `QUORUM_TEST_POSTGRES_URL` set, every case also runs on a fresh PostgreSQL database
//! seeded the same way, right after its SQLite twin: `leaderboard/sqlite/points_week` beside
//! `leaderboard/postgres/points_week`.

mod common;

use std::path::Path;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use common::{Backend, BenchDatabase, Bulk};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use quorum::clock::ManualClock;
use quorum::course::load_catalog;
use quorum::ids::{GuildId, Learner, UserId};
use quorum::store::Store;
use quorum::study::domain::{Period, ScoreWeek, POINTS_CORRECT_ANSWER};
use quorum::study::{Board, Study};

const MEMBERS: i64 = 100_000;
/// 10 answers a member. It was 50, but 5,000,000 answers through PostgreSQL's per-row triggers
/// would take some 9 minutes to seed (1,000,000 take about 4 with everything else); SQLite's
/// figures shift too (fewer distinct scores, so more ties to count on the points board).
const ANSWERS: i64 = 1_000_000;
const GUILD: i64 = 1;
/// Unix ms of Monday 2026-11-02 00:00 UTC: the answers fall in that week.
const WEEK: i64 = 1_793_577_600_000;

/// Unix ms of the bench's "now": Sunday 2026-11-08 12:00 UTC.
const NOW: i64 = WEEK + 6 * DAY + DAY / 2;
const DAY: i64 = 86_400_000;
/// The shipped track's topics, in reading order.
const TOPICS: [&str; 12] = [
    "fallacies",
    "cap-consistency",
    "time-ordering",
    "consensus",
    "scalability",
    "load-balancing",
    "caching",
    "replication-sharding",
    "messaging",
    "single-node-patterns",
    "serving-patterns",
    "batch-patterns",
];

/// Seeds the database with bulk SQL: members, answers spread over a week with each answer's
/// activity row and the points the core gives it, 0 to 12 learned topics per member with their
/// review cards (some already faded), and streaks (a third of them broken). The store's own
/// triggers turn these facts into the boards and counters, as they do for every action in
/// production. Each statement is spelled for both backends (see `common::seed`).
async fn seed(store: &Store) {
    let topics = TOPICS
        .iter()
        .enumerate()
        .map(|(n, id)| format!("({n}, '{id}')"))
        .collect::<Vec<_>>()
        .join(", ");
    let statements = [
        Bulk::new(
            format!(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {MEMBERS})
                 INSERT INTO learners (user_id, display_name, created_at)
                 SELECT i, 'member ' || i, {WEEK} FROM n"
            ),
            format!(
                "INSERT INTO learners (user_id, display_name, created_at)
                 SELECT i, 'member ' || i, {WEEK} FROM generate_series(1, {MEMBERS}) AS n(i)"
            ),
        ),
        Bulk::new(
            format!(
                "INSERT INTO memberships (guild_id, user_id, display_name, first_seen_at, last_seen_at)
                 SELECT {GUILD}, user_id, display_name, {WEEK}, {WEEK} FROM learners"
            ),
            format!(
                "INSERT INTO memberships (guild_id, user_id, display_name, first_seen_at, last_seen_at)
                 SELECT {GUILD}, user_id, display_name, {WEEK}, {WEEK} FROM learners
                 WHERE user_id >= $1 AND user_id < $2"
            ),
        )
        .sliced(1, MEMBERS + 1, 100),
        // Answer i: session i / 5, member u = i % MEMBERS (10 answers each), right 3 to 12
        // times in 17 depending on the member, spread over the week (604,800,000 ms): in the
        // order of i, since i * 120 stays below a week.
        Bulk::new(
            format!(
                "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {ANSWERS} - 1)
                 INSERT INTO quiz_answers (session_id, position, user_id, guild_id, track_id, topic_id,
                                           question, chosen, correct, answered_at)
                 SELECT i / 5, i % 5, i % {MEMBERS} + 1, {GUILD}, 'distributed-systems', 'cap',
                        i % 7, 0,
                        ((i / {MEMBERS}) * 7 + (i % {MEMBERS}) * 13) % 17 < (i % {MEMBERS}) % 10 + 3,
                        {WEEK} + (i * 120) % 604800000
                 FROM n"
            ),
            format!(
                "INSERT INTO quiz_answers (session_id, position, user_id, guild_id, track_id, topic_id,
                                           question, chosen, correct, answered_at)
                 SELECT i / 5, i % 5, i % {MEMBERS} + 1, {GUILD}, 'distributed-systems', 'cap',
                        i % 7, 0,
                        (((i / {MEMBERS}) * 7 + (i % {MEMBERS}) * 13) % 17
                            < (i % {MEMBERS}) % 10 + 3)::INT,
                        {WEEK} + (i * 120) % 604800000
                 FROM generate_series(0::BIGINT, {ANSWERS} - 1) AS n(i)"
            ),
        ),
        Bulk::new(
            format!(
                "INSERT INTO activity (user_id, guild_id, kind, ref, points, at, week_start)
                 SELECT user_id, guild_id, 'answer', session_id || ':' || position,
                        correct * {POINTS_CORRECT_ANSWER}, answered_at, {WEEK}
                 FROM quiz_answers ORDER BY answered_at"
            ),
            // Sessions in order are answers in time order.
            format!(
                "INSERT INTO activity (user_id, guild_id, kind, ref, points, at, week_start)
                 SELECT user_id, guild_id, 'answer', session_id || ':' || position,
                        correct * {POINTS_CORRECT_ANSWER}, answered_at, {WEEK}
                 FROM quiz_answers WHERE session_id >= $1 AND session_id < $2
                 ORDER BY answered_at"
            ),
        )
        .sliced(0, ANSWERS / 5, 200),
        Bulk::new(
            "CREATE TEMP TABLE topics (n INTEGER PRIMARY KEY, id TEXT)",
            "CREATE TEMP TABLE topics (n BIGINT PRIMARY KEY, id TEXT)",
        ),
        Bulk::both(format!("INSERT INTO topics (n, id) VALUES {topics}")),
        // Member u learned the first u % 13 topics, at times spread over the week.
        Bulk::new(
            format!(
                "INSERT INTO learned_topics (user_id, track_id, topic_id, learned_at, guild_id,
                                             week_start)
                 SELECT l.user_id, 'distributed-systems', t.id,
                        {WEEK} + (l.user_id * 7919 + t.n * 104729) % (6 * {DAY}), {GUILD}, {WEEK}
                 FROM learners l JOIN topics t ON t.n < l.user_id % 13"
            ),
            format!(
                "INSERT INTO learned_topics (user_id, track_id, topic_id, learned_at, guild_id,
                                             week_start)
                 SELECT l.user_id, 'distributed-systems', t.id,
                        {WEEK} + (l.user_id * 7919 + t.n * 104729) % (6 * {DAY}), {GUILD}, {WEEK}
                 FROM learners l JOIN topics t ON t.n < l.user_id % 13
                 WHERE l.user_id >= $1 AND l.user_id < $2"
            ),
        )
        .sliced(1, MEMBERS + 1, 100),
        // Their cards are kept from 5 days ago to 15 days ahead.
        Bulk::new(
            format!(
                "INSERT INTO review_cards (user_id, track_id, topic_id, due, stability, difficulty,
                     elapsed_days, scheduled_days, reps, lapses, state, last_review, kept_until)
                 SELECT user_id, track_id, topic_id, {NOW}, 3.0, 5.0, 0, 0, 1, 0, 2, learned_at,
                        {NOW} + ((user_id * 31 + length(topic_id) * 17) % 20 - 5) * {DAY}
                 FROM learned_topics"
            ),
            format!(
                "INSERT INTO review_cards (user_id, track_id, topic_id, due, stability, difficulty,
                     elapsed_days, scheduled_days, reps, lapses, state, last_review, kept_until)
                 SELECT user_id, track_id, topic_id, {NOW}, 3.0, 5.0, 0, 0, 1, 0, 2, learned_at,
                        {NOW} + ((user_id * 31 + length(topic_id) * 17) % 20 - 5) * {DAY}
                 FROM learned_topics WHERE user_id >= $1 AND user_id < $2"
            ),
        )
        .sliced(1, MEMBERS + 1, 100),
        // A run of 1 to 30 days; a third of them broken (last studied two days ago).
        Bulk::new(
            format!(
                "INSERT INTO streaks (user_id, current_days, current_since, last_day, longest_days,
                                      breaks_at)
                 SELECT user_id, user_id % 30 + 1,
                        {NOW} / {DAY} - user_id % 3 - user_id % 30, {NOW} / {DAY} - user_id % 3,
                        user_id % 30 + 1, ({NOW} / {DAY} - user_id % 3 + 2) * {DAY}
                 FROM learners"
            ),
            format!(
                "INSERT INTO streaks (user_id, current_days, current_since, last_day, longest_days,
                                      breaks_at)
                 SELECT user_id, user_id % 30 + 1,
                        {NOW} / {DAY} - user_id % 3 - user_id % 30, {NOW} / {DAY} - user_id % 3,
                        user_id % 30 + 1, ({NOW} / {DAY} - user_id % 3 + 2) * {DAY}
                 FROM learners WHERE user_id >= $1 AND user_id < $2"
            ),
        )
        .sliced(1, MEMBERS + 1, 100),
        Bulk::both("DROP TABLE topics"),
    ];
    common::seed(store, &statements).await;
    // PostgreSQL also gets the vacuum that autovacuum would run after such a load (and might
    // otherwise run in the middle of a measurement).
    let analyze = if store.is_postgres() {
        "VACUUM ANALYZE"
    } else {
        "ANALYZE"
    };
    store.execute_sql(analyze).await.expect("analyze");
}

/// The plans of the very statements the boards and group views run (not copies of them).
async fn print_plans(store: &Store) {
    let mut plans = store.board_plans().await.expect("plans");
    plans.extend(store.group_plans().await.expect("plans"));
    for (name, steps) in plans {
        eprintln!("EXPLAIN QUERY PLAN ({name}):");
        for step in steps {
            eprintln!("  {step}");
        }
    }
}

/// The member in the middle of a board, to ask for their own rank.
async fn middle_of(run: &Run, board: Board, week: ScoreWeek) -> UserId {
    let guild = GuildId(GUILD as u64);
    let len = run
        .store
        .board_len(guild, board, week)
        .await
        .expect("count");
    let rows = run.store.board_page(guild, board, week, len / 2, 1).await;
    let row = rows.expect("page").into_iter().next().expect("a member");
    eprintln!(
        "{}: {}: {len} members on the board",
        run.backend.as_str(),
        board.as_str()
    );
    row.user
}

/// The process's peak resident memory, from Linux's `VmHWM`.
fn peak_memory() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .map(str::to_owned)
        })
        .unwrap_or_else(|| "VmHWM unknown".to_owned())
}

/// One backend's seeded database, and the use cases on it.
struct Run {
    backend: Backend,
    database: BenchDatabase,
    store: Store,
    study: Study,
}

async fn seeded(database: BenchDatabase) -> Run {
    let backend = database.backend;
    let store = Store::open(&database.url).await.expect("database opens");
    let started = std::time::Instant::now();
    seed(&store).await;
    eprintln!("{}: seeded in {:.1?}", backend.as_str(), started.elapsed());
    // SQLite's plans only: the store explains its statements on SQLite alone.
    if backend == Backend::Sqlite {
        print_plans(&store).await;
    }
    let now = Utc.timestamp_millis_opt(NOW).unwrap();
    let catalog = Arc::new(load_catalog(Path::new("course")).expect("course is valid"));
    let study = Study::new(
        catalog,
        store.clone(),
        Arc::new(ManualClock::starting_at(now)),
    );
    // Seeding touched every card, so the first read of the remembered board counts everyone:
    // what a board costs once after a day on which all 100,000 members reviewed.
    for board in [Board::Remembered, Board::Streak] {
        let started = std::time::Instant::now();
        store
            .refresh_board(GuildId(GUILD as u64), board, now)
            .await
            .expect("refresh");
        eprintln!(
            "{}: {}: first refresh in {:.1?}",
            backend.as_str(),
            board.as_str(),
            started.elapsed()
        );
    }
    // The refresh rewrote a fifth of the boards' rows: autovacuum would take that up within a
    // minute, so it is done now rather than in the middle of a measurement.
    if backend == Backend::Postgres {
        store.execute_sql("VACUUM ANALYZE").await.expect("vacuum");
    }
    Run {
        backend,
        database,
        store,
        study,
    }
}

fn leaderboard(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let runs: Vec<Run> = runtime.block_on(async {
        let mut runs = Vec::new();
        for database in common::databases("leaderboard").await {
            runs.push(seeded(database).await);
        }
        runs
    });
    let now = Utc.timestamp_millis_opt(NOW).unwrap();
    let guild = GuildId(GUILD as u64);
    let mut group = c.benchmark_group("leaderboard");
    // Each case on every backend in turn, so that both are measured in the same stretch of a
    // machine's noise.
    for board in Board::ALL {
        for period in [Period::Week, Period::AllTime] {
            if !board.has_period() && period == Period::AllTime {
                continue;
            }
            let case = match (board.has_period(), period) {
                (false, _) => board.as_str().to_owned(),
                (true, Period::Week) => format!("{}_week", board.as_str()),
                (true, Period::AllTime) => format!("{}_all", board.as_str()),
            };
            for run in &runs {
                let user = runtime.block_on(middle_of(run, board, period.score_week(now)));
                let me = Learner {
                    user,
                    name: "member".into(),
                    guild: Some(guild),
                };
                let study = &run.study;
                let id = BenchmarkId::new(run.backend.as_str(), &case);
                group.bench_function(id, |b| {
                    b.to_async(&runtime).iter(|| async {
                        let page = study.leaderboard(guild, board, period, 0, &me).await;
                        page.expect("leaderboard")
                    })
                });
            }
        }
    }
    // /who-knows: the 25 who keep the topic longest.
    for run in &runs {
        let study = &run.study;
        group.bench_function(BenchmarkId::new(run.backend.as_str(), "who_knows"), |b| {
            b.to_async(&runtime).iter(|| async {
                study
                    .who_knows(guild, "consensus")
                    .await
                    .expect("who knows")
            })
        });
    }
    // /group: its data, not the picture.
    for run in &runs {
        let study = &run.study;
        group.bench_function(BenchmarkId::new(run.backend.as_str(), "group"), |b| {
            b.to_async(&runtime)
                .iter(|| async { study.group(guild).await.expect("group") })
        });
    }
    group.finish();
    eprintln!(
        "peak memory of the bench process (PostgreSQL's own is the server's): {}",
        peak_memory()
    );
    runtime.block_on(async {
        for run in runs {
            run.store.close().await;
            run.database.remove().await;
        }
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(50)
        .warm_up_time(std::time::Duration::from_secs(1))
        .measurement_time(std::time::Duration::from_secs(3));
    targets = leaderboard
}
criterion_main!(benches);
