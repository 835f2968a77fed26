//! How long Quorum takes from a parsed interaction to the finished response body, against a
//! SQLite file holding 10,000 learners: `/map` (picture cached and not), `/topic`, `/learned`.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use chrono::Utc;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use poise::serenity_prelude::CreateInteractionResponseMessage;
use poise::CreateReply;
use quorum::clock::SystemClock;
use quorum::course::load_catalog;
use quorum::discord::Data;
use quorum::ids::{GuildId, Learner, UserId};
use quorum::render::map_picture::{MapPicture, PictureCache};
use quorum::store::Store;
use quorum::study::Study;

const LEARNERS: u64 = 10_000;

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

async fn seeded_data(dir: &Path) -> Data {
    let catalog = Arc::new(load_catalog(Path::new("course")).expect("course is valid"));
    let store = Store::open(&format!("sqlite://{}", dir.join("bench.db").display()))
        .await
        .expect("database opens");
    let track = catalog.default_track().expect("a track").clone();
    // Each learner has learned the first (id % 13) topics: an even spread of progress.
    for id in 0..LEARNERS {
        for topic in track.topics.iter().take((id % 13) as usize) {
            store
                .mark_learned(&learner(id), &track.id, &topic.id, Utc::now())
                .await
                .expect("seeding works");
        }
    }
    let study = Study::new(catalog, store, Arc::new(SystemClock));
    Data::new(study, PictureCache::new(MapPicture::new()))
}

fn interactions(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let dir = tempfile::tempdir().expect("a temp dir");
    let data = runtime.block_on(seeded_data(dir.path()));
    let replies = data.replies();
    let me = &learner(4242);

    c.bench_function("/map, picture cached", |b| {
        b.to_async(&runtime)
            .iter(|| async { finish(replies.map(me, None).await.expect("map")) })
    });
    // A fresh cache for every run, so each one draws the picture.
    c.bench_function("/map, picture drawn", |b| {
        b.to_async(&runtime).iter_batched(
            || Data::new(data.study.clone(), PictureCache::new(MapPicture::new())),
            |uncached| async move { finish(uncached.replies().map(me, None).await.expect("map")) },
            BatchSize::SmallInput,
        )
    });
    c.bench_function("/topic", |b| {
        b.to_async(&runtime)
            .iter(|| async { finish(replies.topic(me, None, "cap").await.expect("topic")) })
    });
    let next_user = AtomicU64::new(0);
    c.bench_function("/learned", |b| {
        b.to_async(&runtime).iter(|| async {
            let id = next_user.fetch_add(1, Ordering::Relaxed) % LEARNERS;
            finish(
                replies
                    .learn(&learner(id), None, "12")
                    .await
                    .expect("learned"),
            )
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(50);
    targets = interactions
}
criterion_main!(benches);
