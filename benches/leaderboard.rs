//! The points leaderboard of a server with 100,000 members and 5,000,000 quiz answers: the top
//! 10, a member's own rank (from the middle and from the bottom of the board), and the whole
//! `/leaderboard` use case. The query plans are printed before the measurements.

use std::path::Path;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use quorum::clock::ManualClock;
use quorum::course::load_catalog;
use quorum::ids::{GuildId, Learner, UserId};
use quorum::store::Store;
use quorum::study::domain::{Period, POINTS_CORRECT_ANSWER};
use quorum::study::{Board, Study};

const MEMBERS: i64 = 100_000;
const ANSWERS: i64 = 5_000_000;
const GUILD: i64 = 1;
/// Unix ms of Monday 2026-11-02 00:00 UTC: the answers fall in that week.
const WEEK: i64 = 1_793_577_600_000;

/// Seeds the database with bulk SQL in one transaction: members, answers spread over a week,
/// and each answer's activity row with the points the core gives it. The store's own triggers
/// turn the activity into scores and per-total counts, as they do for every answer in
/// production.
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

/// The plans of the very statements the board runs (not copies of them).
async fn print_plans(store: &Store) {
    for (name, steps) in store.points_board_plans().await.expect("plans") {
        eprintln!("EXPLAIN QUERY PLAN ({name}):");
        for step in steps {
            eprintln!("  {step}");
        }
    }
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
    let now = Utc.with_ymd_and_hms(2026, 11, 8, 12, 0, 0).unwrap();
    let guild = GuildId(GUILD as u64);
    let catalog = Arc::new(load_catalog(Path::new("course")).expect("course is valid"));
    let study = Study::new(
        catalog,
        store.clone(),
        Arc::new(ManualClock::starting_at(now)),
    );
    // The member at the middle of the board, and the one at the very bottom.
    let (middle, last) = runtime.block_on(async {
        let pick = |offset: i64| {
            let pool = store.pool().clone();
            async move {
                let user: i64 = sqlx::query_scalar(
                    "SELECT user_id FROM scores WHERE guild_id = ? AND week_start = 0
                     ORDER BY points DESC, reached_at, user_id LIMIT 1 OFFSET ?",
                )
                .bind(GUILD)
                .bind(offset)
                .fetch_one(&pool)
                .await
                .expect("a member");
                UserId(user as u64)
            }
        };
        let on_board: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM scores WHERE week_start = 0")
            .fetch_one(store.pool())
            .await
            .expect("count");
        eprintln!("{on_board} members on the board");
        (pick(on_board / 2).await, pick(on_board - 1).await)
    });

    c.bench_function("points board, top 10 (all time)", |b| {
        b.to_async(&runtime).iter(|| async {
            store
                .points_board(guild, Period::AllTime.score_week(now), 0, 10)
                .await
                .expect("board")
        })
    });
    c.bench_function("own rank, middle of the board", |b| {
        b.to_async(&runtime).iter(|| async {
            store
                .points_standing(guild, middle, Period::AllTime.score_week(now))
                .await
                .expect("rank")
        })
    });
    c.bench_function("own rank, last place", |b| {
        b.to_async(&runtime).iter(|| async {
            store
                .points_standing(guild, last, Period::AllTime.score_week(now))
                .await
                .expect("rank")
        })
    });
    let me = Learner {
        user: last,
        name: "member".into(),
        guild: Some(guild),
    };
    c.bench_function("/leaderboard use case (page, count, own rank)", |b| {
        b.to_async(&runtime).iter(|| async {
            study
                .leaderboard(guild, Board::Points, Period::Week, 0, &me)
                .await
                .expect("leaderboard")
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(50);
    targets = leaderboard
}
criterion_main!(benches);
