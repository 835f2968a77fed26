//! The reminder sweep over 1,000,000 review cards of 100,000 members, 1% of the cards due:
//! the first sweep of a day (writes the reminders) and a steady sweep (nothing new to write).

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use quorum::clock::ManualClock;
use quorum::course::load_catalog;
use quorum::store::Store;
use quorum::study::Study;

const MEMBERS: i64 = 100_000;
const CARDS_PER_MEMBER: i64 = 10;

/// Bulk seeding with plain SQL: the store's one-row-per-transaction writes would take minutes.
async fn seed(store: &Store, now_ms: i64) {
    let day = 86_400_000_i64;
    let statements = [
        format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {MEMBERS})
             INSERT INTO learners (user_id, display_name, created_at)
             SELECT i, 'member ' || i, 0 FROM n"
        ),
        // Card k of member i is due (in the past) when (i * 10 + k) % 100 == 0: 1% of cards.
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
    ];
    let mut tx = store.pool().begin().await.expect("a transaction");
    for statement in statements {
        sqlx::query(&statement)
            .execute(&mut *tx)
            .await
            .expect("seeding works");
    }
    tx.commit().await.expect("seeded");
}

fn sweep(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let dir = tempfile::tempdir().expect("a temp dir");
    let now = Utc.with_ymd_and_hms(2026, 11, 25, 18, 0, 0).unwrap();
    let (study, store) = runtime.block_on(async {
        let url = format!("sqlite://{}", dir.path().join("sweep.db").display());
        let store = Store::open(&url).await.expect("database opens");
        seed(&store, now.timestamp_millis()).await;
        let catalog = Arc::new(load_catalog(Path::new("course")).expect("course is valid"));
        let clock = Arc::new(ManualClock::starting_at(now));
        (Study::new(catalog, store.clone(), clock), store)
    });
    let plan = runtime.block_on(store.due_reviews_plan()).expect("a plan");
    println!("due query plan: {plan:?}");

    c.bench_function("sweep, first of the day (writes 10,000 reminders)", |b| {
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                runtime.block_on(async {
                    sqlx::query("DELETE FROM reminder_outbox")
                        .execute(store.pool())
                        .await
                        .expect("reset");
                    let start = Instant::now();
                    let written = study.plan_reminders(now).await.expect("sweep");
                    total += start.elapsed();
                    assert!(written > 9_000, "{written} reminders");
                });
            }
            total
        })
    });
    c.bench_function("sweep, steady (all reminded today)", |b| {
        b.to_async(&runtime)
            .iter(|| async { study.plan_reminders(now).await.expect("sweep") })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = sweep
}
criterion_main!(benches);
