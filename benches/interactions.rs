//! What one interaction costs Quorum, from a parsed interaction to the finished response body,
//! against a SQLite file holding 10,000 learners, side by side with a baseline: the same pool
//! doing exactly a minimal bot's work for a mark (`INSERT OR IGNORE` one row, `SELECT COUNT(*)`).
//! Read every figure as a ratio to the baseline measured in the same run.
//!
//! The database is seeded through `Study`, the path production runs, so every derived table is
//! kept by the code that keeps it in production.

use std::future::Future;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use poise::serenity_prelude::CreateInteractionResponseMessage;
use poise::CreateReply;
use quorum::clock::SystemClock;
use quorum::course::load_catalog;
use quorum::discord::Data;
use quorum::discord::PictureCache;
use quorum::ids::{GuildId, Learner, UserId};
use quorum::render::map_picture::MapPicture;
use quorum::store::Store;
use quorum::study::{QuizQuestion, QuizStep, Study};
use tokio::runtime::Runtime;

const LEARNERS: u64 = 10_000;
/// Ids of the learners the write benchmarks use, each one fresh (no mark, no quiz yet).
const FRESH: u64 = 1_000_000;

fn learner(id: u64) -> Learner {
    Learner {
        user: UserId(id),
        name: format!("learner {id}"),
        guild: Some(GuildId(1 + id % 20)),
    }
}

/// Serializes the reply as the interaction callback body, as serenity would send it.
fn finish(reply: CreateReply) -> usize {
    let message = reply.to_slash_initial_response(CreateInteractionResponseMessage::new());
    serde_json::to_vec(&message)
        .map(|body| body.len())
        .unwrap_or(0)
}

async fn seeded_data(dir: &Path) -> (Data, Store) {
    let catalog = Arc::new(load_catalog(Path::new("course")).expect("course is valid"));
    let store = Store::open(&format!("sqlite://{}", dir.join("bench.db").display()))
        .await
        .expect("database opens");
    let study = Study::new(catalog, store.clone(), Arc::new(SystemClock));
    // Each learner has learned the first (id % 13) topics: an even spread of progress.
    for id in 0..LEARNERS {
        for number in 1..=id % 13 {
            study
                .learn(&learner(id), None, &number.to_string())
                .await
                .expect("seeding works");
        }
    }
    let baseline = "CREATE TABLE IF NOT EXISTS baseline_marks (
        user_id BIGINT NOT NULL, topic TEXT NOT NULL, PRIMARY KEY (user_id, topic))";
    sqlx::query(baseline)
        .execute(&mut *store.write().await.expect("the writing connection"))
        .await
        .expect("baseline table");
    // Start every measurement from an empty WAL, not with the seeding's checkpoint to pay.
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&mut *store.write().await.expect("the writing connection"))
        .await
        .expect("checkpoint");
    let data = Data::new(study, PictureCache::new(MapPicture::new()));
    (data, store)
}

/// The minimal bot's whole job for a mark: one insert, one count, both on the store's writing
/// connection (its warmest).
async fn baseline_mark(store: &Store, user: i64) -> i64 {
    let mut writer = store.write().await.expect("the writing connection");
    sqlx::query("INSERT OR IGNORE INTO baseline_marks (user_id, topic) VALUES (?, 'cap')")
        .bind(user)
        .execute(&mut *writer)
        .await
        .expect("insert");
    sqlx::query_scalar("SELECT COUNT(*) FROM baseline_marks WHERE user_id = ?")
        .bind(user)
        .fetch_one(&mut *writer)
        .await
        .expect("count")
}

/// Prepares every iteration's input with `setup`, folds the setup's writes back into the
/// database (so that the timed writes pay only for their own checkpoints), then times
/// `routine` on each input in turn.
fn timed<S, R, SF, RF>(
    runtime: &Runtime,
    store: &Store,
    iterations: u64,
    mut setup: S,
    mut routine: R,
) -> Duration
where
    S: FnMut() -> SF,
    SF: Future,
    R: FnMut(SF::Output) -> RF,
    RF: Future,
{
    let inputs: Vec<SF::Output> = (0..iterations).map(|_| runtime.block_on(setup())).collect();
    runtime.block_on(async {
        let mut writer = store.write().await.expect("the writing connection");
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&mut *writer)
            .await
            .expect("checkpoint");
    });
    let start = Instant::now();
    for input in inputs {
        runtime.block_on(routine(input));
    }
    start.elapsed()
}

fn interactions(c: &mut Criterion) {
    let runtime = Runtime::new().expect("a runtime");
    let dir = tempfile::tempdir().expect("a temp dir");
    let (data, store) = runtime.block_on(seeded_data(dir.path()));
    let replies = &data.replies();
    let study = &data.study;
    let me = &learner(4242);
    let fresh = &AtomicU64::new(FRESH);
    // Seeded learners in turn, each marking their next step: the first topic they have not
    // learned yet (their state is in memory, as a returning member's is).
    let next_topic =
        &std::sync::Mutex::new((0..LEARNERS).map(|id| id % 13 + 1).collect::<Vec<_>>());
    let turn = &AtomicU64::new(0);
    let returning = || async {
        let mut next_topic = next_topic.lock().expect("next topics");
        for _ in 0..LEARNERS {
            let id = turn.fetch_add(1, Ordering::Relaxed) % LEARNERS;
            let topic = &mut next_topic[id as usize];
            if *topic <= 12 {
                *topic += 1;
                return (learner(id), (*topic - 1).to_string());
            }
        }
        panic!("every seeded learner has learned every topic: seed more learners");
    };

    let baseline = |b: &mut criterion::Bencher| {
        b.iter_custom(|n| {
            timed(
                &runtime,
                &store,
                n,
                || async { fresh.fetch_add(1, Ordering::Relaxed) as i64 },
                |id| baseline_mark(&store, id),
            )
        })
    };
    c.bench_function("baseline: INSERT OR IGNORE + SELECT COUNT(*)", baseline);
    c.bench_function("/learned", |b| {
        b.iter_custom(|n| {
            timed(&runtime, &store, n, returning, |(who, topic)| async move {
                finish(replies.learn(&who, None, &topic).await.expect("learned"))
            })
        })
    });
    // Each answer goes to the next question of a running quiz; a new quiz starts (untimed) when
    // one runs out.
    let quiz = &std::sync::Mutex::new((0_i64, usize::MAX, 0_usize));
    let quizzer = &learner(fresh.fetch_add(1, Ordering::Relaxed));
    c.bench_function("a quiz answer", |b| {
        b.iter_custom(|n| {
            timed(
                &runtime,
                &store,
                n,
                || async {
                    let (mut session, mut position, mut total) = *quiz.lock().expect("quiz");
                    if position >= total {
                        let question = study.start_quiz(quizzer, None, "cap", Some(10)).await;
                        let question = question.expect("a quiz");
                        (session, position, total) = (question.session, 0, question.total);
                    }
                    *quiz.lock().expect("quiz") = (session, position + 1, total);
                    (session, position)
                },
                |(session, position)| async move {
                    let step = study.answer_quiz(quizzer, session, position, 0).await;
                    matches!(step.expect("answered"), QuizStep::Feedback(_))
                },
            )
        })
    });
    // A review with all but one answer given, so the timed answer ends it and reschedules.
    c.bench_function("a review's last answer", |b| {
        b.iter_custom(|n| {
            timed(
                &runtime,
                &store,
                n,
                || async {
                    let who = learner(fresh.fetch_add(1, Ordering::Relaxed));
                    study.learn(&who, None, "1").await.expect("learned");
                    let question = due_review(&store, study, &who).await;
                    for position in 0..question.total - 1 {
                        let step = study.answer_quiz(&who, question.session, position, 0);
                        step.await.expect("answered");
                    }
                    (who, question.session, question.total - 1)
                },
                |(who, session, last)| async move {
                    let step = study.answer_quiz(&who, session, last, 0).await;
                    matches!(step.expect("answered"), QuizStep::Feedback(f) if f.is_last)
                },
            )
        })
    });
    c.bench_function("/topic", |b| {
        b.to_async(&runtime)
            .iter(|| async { finish(replies.topic(me, None, "cap").await.expect("topic")) })
    });
    c.bench_function("/map, picture cached", |b| {
        b.to_async(&runtime)
            .iter(|| async { finish(replies.map(me, None).await.expect("map")) })
    });
    c.bench_function("/next", |b| {
        b.to_async(&runtime)
            .iter(|| async { finish(replies.next(me).await.expect("next")) })
    });
    // The baseline again, after the writes above, to show how far the machine drifted.
    c.bench_function("baseline, again", baseline);
    // A fresh cache for every run, so each one draws the picture.
    c.bench_function("/map, picture drawn", |b| {
        b.to_async(&runtime).iter_batched(
            || Data::new(data.study.clone(), PictureCache::new(MapPicture::new())),
            |uncached| async move { finish(uncached.replies().map(me, None).await.expect("map")) },
            BatchSize::SmallInput,
        )
    });
}

/// Makes the learner's review due now (their cards were made due tomorrow) and starts it.
async fn due_review(store: &Store, study: &Study, who: &Learner) -> QuizQuestion {
    sqlx::query("UPDATE review_cards SET due = 0 WHERE user_id = ?")
        .bind(who.user.0 as i64)
        .execute(&mut *store.write().await.expect("the writing connection"))
        .await
        .expect("due");
    study.start_review(who).await.expect("a review")
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(50);
    targets = interactions
}
criterion_main!(benches);
