//! What one interaction costs Quorum, from a parsed interaction to the finished response body,
//! against a SQLite file holding 10,000 learners, side by side with a baseline: the same pool
//! doing exactly a minimal bot's work for a mark (`INSERT OR IGNORE` one row, `SELECT COUNT(*)`).
//! Read every figure as a ratio to the baseline measured in the same run.
//!
//! The database is seeded through `Study`, the path production runs, so every derived table is
//! kept by the code that keeps it in production.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use poise::serenity_prelude::CreateInteractionResponseMessage;
use poise::CreateReply;
use quorum::clock::SystemClock;
use quorum::course::load_catalog;
use quorum::discord::Data;
use quorum::ids::{GuildId, Learner, UserId};
use quorum::render::map_picture::{MapPicture, PictureCache};
use quorum::store::Store;
use quorum::study::{QuizKind, QuizStep, Study};

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
        .execute(store.pool())
        .await
        .expect("baseline table");
    let data = Data::new(study, PictureCache::new(MapPicture::new()));
    (data, store)
}

/// The minimal bot's whole job for a mark: one insert, one count.
async fn baseline_mark(store: &Store, user: i64) -> i64 {
    sqlx::query("INSERT OR IGNORE INTO baseline_marks (user_id, topic) VALUES (?, 'cap')")
        .bind(user)
        .execute(store.pool())
        .await
        .expect("insert");
    sqlx::query_scalar("SELECT COUNT(*) FROM baseline_marks WHERE user_id = ?")
        .bind(user)
        .fetch_one(store.pool())
        .await
        .expect("count")
}

/// Starts a quiz or review of `questions` questions and returns its session and first slot
/// guess, ready for answers.
async fn started(study: &Study, who: &Learner, kind: QuizKind) -> i64 {
    let question = match kind {
        QuizKind::Quiz => study.start_quiz(who, None, "cap", Some(10)).await,
        QuizKind::Review => study.start_review(who).await,
    };
    question.expect("a question").session
}

fn interactions(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let dir = tempfile::tempdir().expect("a temp dir");
    let (data, store) = runtime.block_on(seeded_data(dir.path()));
    let replies = &data.replies();
    let study = &data.study;
    let me = &learner(4242);
    let fresh = AtomicU64::new(FRESH);

    c.bench_function("baseline: INSERT OR IGNORE + SELECT COUNT(*)", |b| {
        b.to_async(&runtime).iter(|| async {
            let id = fresh.fetch_add(1, Ordering::Relaxed) as i64;
            baseline_mark(&store, id).await
        })
    });
    c.bench_function("/learned", |b| {
        b.to_async(&runtime).iter_batched(
            || learner(fresh.fetch_add(1, Ordering::Relaxed)),
            |who| async move { finish(replies.learn(&who, None, "2").await.expect("learned")) },
            BatchSize::SmallInput,
        )
    });
    // Each answer goes to the next question of a running 10-question quiz; a new quiz starts
    // (outside the measurement) when one runs out.
    let quiz = std::sync::Mutex::new((0_i64, 10_usize));
    let quizzer = &learner(fresh.fetch_add(1, Ordering::Relaxed));
    c.bench_function("a quiz answer", |b| {
        b.to_async(&runtime).iter_batched(
            || {
                let mut quiz = quiz.lock().expect("quiz");
                if quiz.1 >= 10 {
                    *quiz = (runtime.block_on(started(study, quizzer, QuizKind::Quiz)), 0);
                }
                let next = *quiz;
                quiz.1 += 1;
                next
            },
            |(session, position)| async move {
                let step = study.answer_quiz(quizzer, session, position, 0).await;
                matches!(step.expect("answered"), QuizStep::Feedback(_))
            },
            BatchSize::SmallInput,
        )
    });
    // A review with two answers given, so the measured answer ends it and reschedules the card.
    c.bench_function("a review's last answer", |b| {
        b.to_async(&runtime).iter_batched(
            || {
                runtime.block_on(async {
                    let who = learner(fresh.fetch_add(1, Ordering::Relaxed));
                    study.learn(&who, None, "1").await.expect("learned");
                    study.learn(&who, None, "2").await.expect("learned");
                    let session = due_review(&store, study, &who).await;
                    for position in 0..2 {
                        study
                            .answer_quiz(&who, session, position, 0)
                            .await
                            .expect("answered");
                    }
                    (who, session)
                })
            },
            |(who, session)| async move {
                let step = study.answer_quiz(&who, session, 2, 0).await;
                matches!(step.expect("answered"), QuizStep::Feedback(f) if f.is_last)
            },
            BatchSize::SmallInput,
        )
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
async fn due_review(store: &Store, study: &Study, who: &Learner) -> i64 {
    sqlx::query("UPDATE review_cards SET due = 0 WHERE user_id = ?")
        .bind(who.user.0 as i64)
        .execute(store.pool())
        .await
        .expect("due");
    started(study, who, QuizKind::Review).await
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(50);
    targets = interactions
}
criterion_main!(benches);
