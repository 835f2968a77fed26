//! What one interaction costs Quorum, from a parsed interaction to the finished response body,
//! against a database holding 10,000 learners, side by side with a baseline: the same database
//! doing exactly a minimal bot's work for a mark (insert one row unless it is there, count the
//! member's rows). Read every figure as a ratio to the baseline measured in the same run, on the
//! same backend.
//!
//! The database is seeded through `Study`, the path production runs, so every derived table is
//! kept by the code that keeps it in production. It is an SQLite file, and with
//! `QUORUM_TEST_POSTGRES_URL` set also a fresh PostgreSQL database: each case runs on both in
//! turn, as `interactions/sqlite/learned` beside `interactions/postgres/learned`.

mod common;

use std::future::Future;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{Backend, BenchDatabase};
use criterion::measurement::WallTime;
use criterion::{
    criterion_group, criterion_main, BatchSize, Bencher, BenchmarkGroup, BenchmarkId, Criterion,
};
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

/// One backend's seeded database and where each case's run of learners has got to.
struct Run {
    backend: Backend,
    database: BenchDatabase,
    data: Data,
    store: Store,
    /// The next fresh learner id.
    fresh: AtomicU64,
    /// Each seeded learner's next step: the first topic they have not learned yet (their
    /// state is in memory, as a returning member's is).
    next_topic: Mutex<Vec<u64>>,
    turn: AtomicU64,
    /// The running quiz: (session, next position, questions).
    quiz: Mutex<(i64, usize, usize)>,
    quizzer: Learner,
}

impl Run {
    /// The next seeded learner in turn with a topic still to learn, and that topic.
    fn returning(&self) -> (Learner, String) {
        let mut next_topic = self.next_topic.lock().expect("next topics");
        for _ in 0..LEARNERS {
            let id = self.turn.fetch_add(1, Ordering::Relaxed) % LEARNERS;
            let topic = &mut next_topic[id as usize];
            if *topic <= 12 {
                *topic += 1;
                return (learner(id), (*topic - 1).to_string());
            }
        }
        panic!("every seeded learner has learned every topic: seed more learners");
    }

    fn fresh_learner(&self) -> Learner {
        learner(self.fresh.fetch_add(1, Ordering::Relaxed))
    }
}

async fn seeded(database: BenchDatabase) -> Run {
    let catalog = Arc::new(load_catalog(Path::new("course")).expect("course is valid"));
    let store = Store::open(&database.url).await.expect("database opens");
    let study = Study::new(catalog, store.clone(), Arc::new(SystemClock));
    let started = Instant::now();
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
    store.execute_sql(baseline).await.expect("baseline table");
    // Start every measurement clean: SQLite from an empty WAL, not with the seeding's
    // checkpoint to pay; PostgreSQL vacuumed and analyzed, as autovacuum would leave it after
    // such a load (instead of running in the middle of a measurement).
    let clean = match database.backend {
        Backend::Sqlite => "PRAGMA wal_checkpoint(TRUNCATE)",
        Backend::Postgres => "VACUUM ANALYZE",
    };
    store.execute_sql(clean).await.expect("clean start");
    eprintln!(
        "{}: seeded in {:.1?}",
        database.backend.as_str(),
        started.elapsed()
    );
    let data = Data::new(study, PictureCache::new(MapPicture::new()));
    Run {
        backend: database.backend,
        database,
        data,
        store,
        fresh: AtomicU64::new(FRESH + 1),
        next_topic: Mutex::new((0..LEARNERS).map(|id| id % 13 + 1).collect()),
        turn: AtomicU64::new(0),
        quiz: Mutex::new((0, usize::MAX, 0)),
        quizzer: learner(FRESH),
    }
}

/// The minimal bot's whole job for a mark: one insert, one count. On SQLite both on the
/// store's writing connection (its warmest); on PostgreSQL each on a connection of the store's
/// pool, as the store runs its own statements.
async fn baseline_mark(store: &Store, user: i64) -> i64 {
    if let Some(pool) = store.postgres_pool() {
        sqlx::query(
            "INSERT INTO baseline_marks (user_id, topic) VALUES ($1, 'cap') ON CONFLICT DO NOTHING",
        )
        .bind(user)
        .execute(pool)
        .await
        .expect("insert");
        return sqlx::query_scalar("SELECT COUNT(*) FROM baseline_marks WHERE user_id = $1")
            .bind(user)
            .fetch_one(pool)
            .await
            .expect("count");
    }
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
/// database on SQLite (so that the timed writes pay only for their own checkpoints; PostgreSQL
/// checkpoints in the background), then times `routine` on each input in turn.
fn timed<S, R, SF, RF>(
    runtime: &Runtime,
    run: &Run,
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
    if run.backend == Backend::Sqlite {
        runtime.block_on(async {
            let checkpoint = run.store.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)");
            checkpoint.await.expect("checkpoint");
        });
    }
    let start = Instant::now();
    for input in inputs {
        runtime.block_on(routine(input));
    }
    start.elapsed()
}

fn baseline(b: &mut Bencher<'_, WallTime>, runtime: &Runtime, run: &Run) {
    b.iter_custom(|n| {
        timed(
            runtime,
            run,
            n,
            || async { run.fresh.fetch_add(1, Ordering::Relaxed) as i64 },
            |id| baseline_mark(&run.store, id),
        )
    })
}

fn learned(b: &mut Bencher<'_, WallTime>, runtime: &Runtime, run: &Run) {
    let replies = &run.data.replies();
    b.iter_custom(|n| {
        timed(
            runtime,
            run,
            n,
            || async { run.returning() },
            |(who, topic)| async move {
                finish(replies.learn(&who, None, &topic).await.expect("learned"))
            },
        )
    })
}

/// Each answer goes to the next question of a running quiz; a new quiz starts (untimed) when
/// one runs out.
fn quiz_answer(b: &mut Bencher<'_, WallTime>, runtime: &Runtime, run: &Run) {
    let (study, quizzer) = (&run.data.study, &run.quizzer);
    b.iter_custom(|n| {
        timed(
            runtime,
            run,
            n,
            || async {
                let (mut session, mut position, mut total) = *run.quiz.lock().expect("quiz");
                if position >= total {
                    let question = study.start_quiz(quizzer, None, "cap", Some(10)).await;
                    let question = question.expect("a quiz");
                    (session, position, total) = (question.session, 0, question.total);
                }
                *run.quiz.lock().expect("quiz") = (session, position + 1, total);
                (session, position)
            },
            |(session, position)| async move {
                let step = study.answer_quiz(quizzer, session, position, 0).await;
                matches!(step.expect("answered"), QuizStep::Feedback(_))
            },
        )
    })
}

/// A review with all but one answer given, so the timed answer ends it and reschedules.
fn review_last_answer(b: &mut Bencher<'_, WallTime>, runtime: &Runtime, run: &Run) {
    let study = &run.data.study;
    b.iter_custom(|n| {
        timed(
            runtime,
            run,
            n,
            || async {
                let who = run.fresh_learner();
                study.learn(&who, None, "1").await.expect("learned");
                let question = due_review(&run.store, study, &who).await;
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
}

/// Makes the learner's review due now (their cards were made due tomorrow) and starts it.
async fn due_review(store: &Store, study: &Study, who: &Learner) -> QuizQuestion {
    let user = who.user.0 as i64;
    let due = format!("UPDATE review_cards SET due = 0 WHERE user_id = {user}");
    store.execute_sql(&due).await.expect("due");
    study.start_review(who).await.expect("a review")
}

/// Runs one case on every backend in turn, so that both are measured in the same stretch of
/// the machine's noise.
fn each(
    group: &mut BenchmarkGroup<'_, WallTime>,
    runs: &[Run],
    case: &str,
    mut bench: impl FnMut(&mut Bencher<'_, WallTime>, &Run),
) {
    for run in runs {
        let id = BenchmarkId::new(run.backend.as_str(), case);
        group.bench_function(id, |b| bench(b, run));
    }
}

fn interactions(c: &mut Criterion) {
    let runtime = &Runtime::new().expect("a runtime");
    let runs: Vec<Run> = runtime.block_on(async {
        let mut runs = Vec::new();
        for database in common::databases("interactions").await {
            runs.push(seeded(database).await);
        }
        runs
    });
    let me = &learner(4242);
    let mut group = c.benchmark_group("interactions");
    each(&mut group, &runs, "baseline", |b, run| {
        baseline(b, runtime, run)
    });
    each(&mut group, &runs, "learned", |b, run| {
        learned(b, runtime, run)
    });
    each(&mut group, &runs, "quiz_answer", |b, run| {
        quiz_answer(b, runtime, run)
    });
    each(&mut group, &runs, "review_last_answer", |b, run| {
        review_last_answer(b, runtime, run)
    });
    each(&mut group, &runs, "topic", |b, run| {
        let replies = run.data.replies();
        b.to_async(runtime)
            .iter(|| async { finish(replies.topic(me, None, "cap").await.expect("topic")) })
    });
    each(&mut group, &runs, "map_cached", |b, run| {
        let replies = run.data.replies();
        b.to_async(runtime)
            .iter(|| async { finish(replies.map(me, None).await.expect("map")) })
    });
    each(&mut group, &runs, "next", |b, run| {
        let replies = run.data.replies();
        b.to_async(runtime)
            .iter(|| async { finish(replies.next(me).await.expect("next")) })
    });
    // The baseline again, after the writes above, to show how far the machine drifted.
    each(&mut group, &runs, "baseline_again", |b, run| {
        baseline(b, runtime, run)
    });
    // A fresh cache for every run, so each one draws the picture.
    each(&mut group, &runs, "map_drawn", |b, run| {
        b.to_async(runtime).iter_batched(
            || Data::new(run.data.study.clone(), PictureCache::new(MapPicture::new())),
            |uncached| async move { finish(uncached.replies().map(me, None).await.expect("map")) },
            BatchSize::SmallInput,
        )
    });
    group.finish();
    runtime.block_on(async {
        for run in runs {
            run.store.close().await;
            run.database.remove().await;
        }
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(50);
    targets = interactions
}
criterion_main!(benches);
