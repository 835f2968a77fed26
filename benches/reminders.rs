//! Reminders at the scale of a public bot.
//!
//! 1. Delivery (a timed run, not criterion): 10,000 members due at once, the fake Discord on
//!    127.0.0.1 answering each post after 20 ms; the real worker with the default settings.
//!    Prints the time to deliver all, the rate, and the most posts in flight at once.
//!    `QUORUM_BENCH_DELIVERY=0` skips it; `QUORUM_BENCH_DELIVERY_MEMBERS` changes the count;
//!    `QUORUM_BENCH_DELIVERY_COLD=1` starts without known DM channels (two calls a reminder).
//! 2. The sweep over 1,000,000 review cards of 100,000 members, 1% of the cards due: the first
//!    sweep of a day (10,000 newly due, writes the reminders) and a sweep with nothing new.
//!
//! With `QUORUM_TEST_POSTGRES_URL` set, both run on a fresh PostgreSQL database as well: the
//! delivery after SQLite's, and each sweep case right after its SQLite twin
//! (`reminders/sqlite/sweep_first_of_day` beside `reminders/postgres/sweep_first_of_day`).

mod common;
#[path = "../tests/support/mod.rs"]
mod support;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use common::{Backend, BenchDatabase, Bulk};
use criterion::{criterion_group, BenchmarkId, Criterion};
use quorum::clock::{Clock, ManualClock};
use quorum::config::ReminderConfig;
use quorum::course::load_catalog;
use quorum::store::Store;
use quorum::study::Study;

const MEMBERS: i64 = 100_000;
const CARDS_PER_MEMBER: i64 = 10;
const DAY_MS: i64 = 86_400_000;

/// Bulk seeding with plain SQL, in both dialects (see `common::seed`).
async fn seed(store: &Store, now_ms: i64) {
    let day = DAY_MS;
    let statements = [
        Bulk::new(
            format!(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {MEMBERS})
                 INSERT INTO learners (user_id, display_name, created_at)
                 SELECT i, 'member ' || i, 0 FROM n"
            ),
            format!(
                "INSERT INTO learners (user_id, display_name, created_at)
                 SELECT i, 'member ' || i, 0 FROM generate_series(1, {MEMBERS}) AS n(i)"
            ),
        ),
        // Card k of member i is due (in the past) when (i * 10 + k) % 100 == 0: 1% of cards.
        Bulk::new(
            format!(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {MEMBERS}),
                      k(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM k WHERE j < {CARDS_PER_MEMBER} - 1)
                 INSERT INTO review_cards (user_id, track_id, topic_id, due, stability, difficulty,
                     elapsed_days, scheduled_days, reps, lapses, state, last_review)
                 SELECT i, 'distributed-systems', 'topic-' || j,
                        CASE WHEN (i * 10 + j) % 100 = 0 THEN {now_ms} - {day} ELSE {now_ms} + (1 + (i + j) % 30) * {day} END,
                        3.0, 5.0, 0, 3, 1, 0, 2, {now_ms} - 3 * {day}
                 FROM n, k"
            ),
            format!(
                "INSERT INTO review_cards (user_id, track_id, topic_id, due, stability, difficulty,
                     elapsed_days, scheduled_days, reps, lapses, state, last_review)
                 SELECT i, 'distributed-systems', 'topic-' || j,
                        CASE WHEN (i * 10 + j) % 100 = 0 THEN {now_ms} - {day} ELSE {now_ms} + (1 + (i + j) % 30) * {day} END,
                        3.0, 5.0, 0, 3, 1, 0, 2, {now_ms} - 3 * {day}
                 FROM generate_series($1, $2 - 1) AS n(i),
                      generate_series(0, {CARDS_PER_MEMBER} - 1) AS k(j)"
            ),
        )
        .sliced(1, MEMBERS + 1, 10_000),
    ];
    common::seed(store, &statements).await;
    // PostgreSQL is left as autovacuum would leave it after such a load (instead of running in
    // the middle of a measurement).
    if store.is_postgres() {
        store.execute_sql("VACUUM ANALYZE").await.expect("vacuum");
    }
}

/// As if the previous sweep ran two days ago and nobody was reminded since: the next sweep is
/// the first of the day, with the 1% of cards that fell due yesterday.
async fn before_the_first_sweep_of_the_day(store: &Store, now_ms: i64) {
    for statement in [
        "DELETE FROM reminder_outbox".to_string(),
        "UPDATE reminder_prefs SET quiet_until = NULL, last_reminded_at = NULL, wake_at = NULL"
            .to_string(),
        format!(
            "INSERT INTO reminder_planner (id, swept_until) VALUES (1, {})
             ON CONFLICT (id) DO UPDATE SET swept_until = excluded.swept_until",
            now_ms - 2 * DAY_MS
        ),
    ] {
        store.execute_sql(&statement).await.expect("reset");
    }
    // The reset's own writes are not the sweep's: out of SQLite's log before the clock starts;
    // on PostgreSQL, the rows it deleted and replaced vacuumed away (else they pile up, one
    // batch for every iteration).
    let settle = if store.is_postgres() {
        "VACUUM reminder_outbox, reminder_prefs, reminder_planner"
    } else {
        "PRAGMA wal_checkpoint(TRUNCATE)"
    };
    store.execute_sql(settle).await.expect("settle");
}

/// One backend's seeded database.
struct Run {
    backend: Backend,
    database: BenchDatabase,
    store: Store,
    study: Study,
}

fn sweep(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let now = Utc.with_ymd_and_hms(2026, 11, 25, 18, 0, 0).unwrap();
    let clock = ManualClock::starting_at(now);
    let runs: Vec<Run> = runtime.block_on(async {
        let mut runs = Vec::new();
        for database in common::databases("reminders").await {
            let store = Store::open(&database.url).await.expect("database opens");
            let started = Instant::now();
            seed(&store, now.timestamp_millis()).await;
            let backend = database.backend;
            eprintln!("{}: seeded in {:.1?}", backend.as_str(), started.elapsed());
            let catalog = Arc::new(load_catalog(Path::new("course")).expect("course is valid"));
            let study = Study::new(catalog, store.clone(), Arc::new(clock.clone()));
            runs.push(Run {
                backend,
                database,
                store,
                study,
            });
        }
        runs
    });
    // SQLite's plan only: the store explains its statements on SQLite alone.
    let plan = runtime
        .block_on(runs[0].store.due_reviews_plan())
        .expect("a plan");
    println!("sweep query plan (DUE_REVIEWS), SQLite: {plan:#?}");

    let mut group = c.benchmark_group("reminders");
    // Each case on every backend in turn, so that both are measured in the same stretch of the
    // machine's noise.
    for run in &runs {
        let (store, study) = (&run.store, &run.study);
        let id = BenchmarkId::new(run.backend.as_str(), "sweep_first_of_day");
        group.bench_function(id, |b| {
            b.iter_custom(|iterations| {
                let mut total = Duration::ZERO;
                for _ in 0..iterations {
                    // A later "now" each time, so the sweep's reads are not cached answers.
                    clock.advance(chrono::Duration::milliseconds(1));
                    runtime.block_on(async {
                        before_the_first_sweep_of_the_day(store, clock.now().timestamp_millis())
                            .await;
                        let start = Instant::now();
                        let written = study.plan_reminders(now).await.expect("sweep");
                        total += start.elapsed();
                        assert!(written > 9_000, "{written} reminders");
                    });
                }
                total
            })
        });
    }
    for run in &runs {
        let study = &run.study;
        // Whatever ran before (or nothing, when only this case is picked), the day's work is
        // planned first, so what is timed is a sweep with nothing new.
        runtime.block_on(study.plan_reminders(now)).expect("sweep");
        let id = BenchmarkId::new(run.backend.as_str(), "sweep_nothing_new");
        group.bench_function(id, |b| {
            b.to_async(&runtime).iter(|| async {
                clock.advance(chrono::Duration::milliseconds(1));
                let written = study.plan_reminders(now).await.expect("sweep");
                assert_eq!(written, 0);
            })
        });
    }
    group.finish();
    runtime.block_on(async {
        for run in runs {
            run.store.close().await;
            run.database.remove().await;
        }
    });
}

/// The timed delivery run (see the top of the file), on SQLite and then, when the variable
/// is set, on PostgreSQL.
fn delivery() {
    if std::env::var("QUORUM_BENCH_DELIVERY").is_ok_and(|v| v == "0") {
        return;
    }
    let members: i64 = std::env::var("QUORUM_BENCH_DELIVERY_MEMBERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let cold = std::env::var("QUORUM_BENCH_DELIVERY_COLD").is_ok_and(|v| v == "1");
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    runtime.block_on(async {
        deliver(None, members, cold).await;
        if let Some(admin) = common::postgres_admin_url() {
            let database = common::postgres_database(&admin, "reminders_delivery").await;
            deliver(Some(&database), members, cold).await;
            database.remove().await;
        }
    });
}

/// One delivery run: on the bot's own SQLite file, or on `postgres`.
async fn deliver(postgres: Option<&BenchDatabase>, members: i64, cold: bool) {
    let mut bot = support::bot::spawn_bot().await;
    bot.shutdown().await;
    if let Some(database) = postgres {
        // Started once on the new database, as spawn_bot started it on its own: the same
        // previous sweep.
        bot.config.database_url = database.url.clone();
        bot.start().await;
        bot.shutdown().await;
    }
    let backend = postgres.map_or(Backend::Sqlite, |database| database.backend);
    bot.config.reminders = ReminderConfig::default();
    let now_ms = bot.clock.now().timestamp_millis();
    let store = bot.store().await;
    let first_user = support::fake_discord::user_id(0) as i64;
    let first_channel = support::fake_discord::dm_channel_id(0) as i64;
    // Both databases read these the same way.
    let mut statements = vec![
        format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {members})
             INSERT INTO learners (user_id, display_name, created_at)
             SELECT {first_user} + i, 'member ' || i, 0 FROM n"
        ),
        format!(
            "INSERT INTO review_cards (user_id, track_id, topic_id, due, stability, difficulty,
                 elapsed_days, scheduled_days, reps, lapses, state, last_review)
             SELECT user_id, 'sample', 'alpha', {now_ms} + 60000, 3.0, 5.0, 0, 1, 1, 0, 2,
                    {now_ms} - {DAY_MS}
             FROM learners"
        ),
    ];
    if !cold {
        // Members reminded before: their DM channel is known.
        statements.push(format!(
            "INSERT INTO reminder_prefs (user_id, dm_channel_id)
             SELECT user_id, {first_channel} + (user_id - {first_user}) FROM learners"
        ));
    }
    for statement in statements {
        store.execute_sql(&statement).await.expect("seeded");
    }
    store.close().await;
    // All fall due a minute after the previous sweep; the worker starts two minutes later.
    bot.clock.advance(chrono::Duration::minutes(2));
    bot.fake
        .delay("POST", "/api/v10/channels/", Duration::from_millis(20));
    bot.fake.count_in_flight("POST", "/api/v10/channels/");

    let start = Instant::now();
    bot.start().await;
    let want = members as usize;
    let deadline = start + Duration::from_secs(1_800);
    loop {
        let done = bot.fake.count_answered("POST", "/api/v10/channels/", 200);
        if done >= want || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let took = start.elapsed();
    let delivered = bot.fake.count_answered("POST", "/api/v10/channels/", 200);
    let calls = bot.fake.requests().len();
    println!(
        "delivery ({}): {delivered} of {want} reminders in {:.1} s = {:.1} reminders/s \
         (default settings: {} in flight at most, {:.0} requests/s; {} DM channels), \
         most posts in flight at once: {}, REST calls in all: {calls}",
        backend.as_str(),
        took.as_secs_f64(),
        delivered as f64 / took.as_secs_f64(),
        ReminderConfig::default().concurrency,
        ReminderConfig::default().requests_per_second(),
        if cold { "unknown" } else { "known" },
        bot.fake.most_in_flight(),
    );
    bot.shutdown().await;
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = sweep
}

fn main() {
    delivery();
    benches();
    Criterion::default().configure_from_args().final_summary();
}
