//! The boards of a server with 100,000 members and 5,000,000 quiz answers: for each of the four
//! boards and both periods, the whole `/leaderboard` use case (bring a fading board up to now, a
//! page, the count and the caller's own rank, the caller in the middle of the board), then
//! `/who-knows` and `/group` (their data, not the picture). The query plans of the very
//! statements that run are printed first, and the peak memory of the process last.

use std::path::Path;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use quorum::clock::ManualClock;
use quorum::course::load_catalog;
use quorum::ids::{GuildId, Learner, UserId};
use quorum::store::Store;
use quorum::study::domain::{Period, ScoreWeek, POINTS_CORRECT_ANSWER};
use quorum::study::{Board, Study};

const MEMBERS: i64 = 100_000;
const ANSWERS: i64 = 5_000_000;
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

/// Seeds the database with bulk SQL in one transaction: members, answers spread over a week
/// with each answer's activity row and the points the core gives it, 0 to 12 learned topics per
/// member with their review cards (some already faded), and streaks (a third of them broken).
/// The store's own triggers turn these facts into the boards and counters, as they do for every
/// action in production.
async fn seed(store: &Store) {
    let mut tx = store.pool().begin().await.expect("a transaction");
    let statements = [
        format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {MEMBERS})
             INSERT INTO learners (user_id, display_name, created_at)
             SELECT i, 'member ' || i, {WEEK} FROM n"
        ),
        format!(
            "INSERT INTO memberships (guild_id, user_id, display_name, first_seen_at, last_seen_at)
             SELECT {GUILD}, user_id, display_name, {WEEK}, {WEEK} FROM learners"
        ),
        // Answer i: session i / 5, member u = i % MEMBERS (50 answers each), right 3 to 12
        // times in 17 depending on the member, spread over the week (604,800,000 ms).
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
            "INSERT INTO activity (user_id, guild_id, kind, ref, points, at, week_start)
             SELECT user_id, guild_id, 'answer', session_id || ':' || position,
                    correct * {POINTS_CORRECT_ANSWER}, answered_at, {WEEK}
             FROM quiz_answers ORDER BY answered_at"
        ),
        "CREATE TEMP TABLE topics (n INTEGER PRIMARY KEY, id TEXT)".to_owned(),
        format!(
            "INSERT INTO topics (n, id) VALUES {}",
            TOPICS
                .iter()
                .enumerate()
                .map(|(n, id)| format!("({n}, '{id}')"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        // Member u learned the first u % 13 topics, at times spread over the week.
        format!(
            "INSERT INTO learned_topics (user_id, track_id, topic_id, learned_at, guild_id,
                                         week_start)
             SELECT l.user_id, 'distributed-systems', t.id,
                    {WEEK} + (l.user_id * 7919 + t.n * 104729) % (6 * {DAY}), {GUILD}, {WEEK}
             FROM learners l JOIN topics t ON t.n < l.user_id % 13"
        ),
        // Their cards are kept from 5 days ago to 15 days ahead.
        format!(
            "INSERT INTO review_cards (user_id, track_id, topic_id, due, stability, difficulty,
                 elapsed_days, scheduled_days, reps, lapses, state, last_review, kept_until)
             SELECT user_id, track_id, topic_id, {NOW}, 3.0, 5.0, 0, 0, 1, 0, 2, learned_at,
                    {NOW} + ((user_id * 31 + length(topic_id) * 17) % 20 - 5) * {DAY}
             FROM learned_topics"
        ),
        // A run of 1 to 30 days; a third of them broken (last studied two days ago).
        format!(
            "INSERT INTO streaks (user_id, current_days, current_since, last_day, longest_days,
                                  breaks_at)
             SELECT user_id, user_id % 30 + 1,
                    {NOW} / {DAY} - user_id % 3 - user_id % 30, {NOW} / {DAY} - user_id % 3,
                    user_id % 30 + 1, ({NOW} / {DAY} - user_id % 3 + 2) * {DAY}
             FROM learners"
        ),
    ];
    for statement in &statements {
        sqlx::query(statement)
            .execute(&mut *tx)
            .await
            .expect("seeding works");
    }
    tx.commit().await.expect("commit");
    sqlx::query("ANALYZE")
        .execute(store.pool())
        .await
        .expect("analyze");
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
async fn middle_of(store: &Store, board: Board, week: ScoreWeek) -> UserId {
    let guild = GuildId(GUILD as u64);
    let len = store.board_len(guild, board, week).await.expect("count");
    let rows = store.board_page(guild, board, week, len / 2, 1).await;
    let row = rows.expect("page").into_iter().next().expect("a member");
    eprintln!("{}: {len} members on the board", board.as_str());
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

fn leaderboard(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let dir = tempfile::tempdir().expect("a temp dir");
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let store = runtime.block_on(async {
        let store = Store::open(&url).await.expect("database opens");
        let started = std::time::Instant::now();
        seed(&store).await;
        eprintln!("seeded in {:.1?}", started.elapsed());
        print_plans(&store).await;
        store
    });
    let now = Utc.timestamp_millis_opt(NOW).unwrap();
    let guild = GuildId(GUILD as u64);
    let catalog = Arc::new(load_catalog(Path::new("course")).expect("course is valid"));
    let study = Study::new(
        catalog,
        store.clone(),
        Arc::new(ManualClock::starting_at(now)),
    );
    // Seeding touched every card, so the first read of the remembered board counts everyone:
    // what a board costs once after a day on which all 100,000 members reviewed.
    runtime.block_on(async {
        for board in [Board::Remembered, Board::Streak] {
            let started = std::time::Instant::now();
            store
                .refresh_board(guild, board, now)
                .await
                .expect("refresh");
            eprintln!(
                "{}: first refresh in {:.1?}",
                board.as_str(),
                started.elapsed()
            );
        }
    });
    for board in Board::ALL {
        for period in [Period::Week, Period::AllTime] {
            if !board.has_period() && period == Period::AllTime {
                continue;
            }
            let user = runtime.block_on(middle_of(&store, board, period.score_week(now)));
            let me = Learner {
                user,
                name: "member".into(),
                guild: Some(guild),
            };
            let name = match (board.has_period(), period) {
                (false, _) => format!("/leaderboard {}", board.as_str()),
                (true, Period::Week) => format!("/leaderboard {} week", board.as_str()),
                (true, Period::AllTime) => format!("/leaderboard {} all", board.as_str()),
            };
            c.bench_function(&name, |b| {
                b.to_async(&runtime).iter(|| async {
                    let page = study.leaderboard(guild, board, period, 0, &me).await;
                    page.expect("leaderboard")
                })
            });
        }
    }
    c.bench_function("/who-knows (the 25 who keep it longest)", |b| {
        b.to_async(&runtime).iter(|| async {
            study
                .who_knows(guild, "consensus")
                .await
                .expect("who knows")
        })
    });
    c.bench_function("/group (data)", |b| {
        b.to_async(&runtime)
            .iter(|| async { study.group(guild).await.expect("group") })
    });
    eprintln!("peak memory of the bench process: {}", peak_memory());
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
