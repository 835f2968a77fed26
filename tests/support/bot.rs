//! `spawn_bot()`: the real `quorum run` adapter, on a fresh database (see `db.rs`), connected
//! through `discord.proxy` to a fake Discord on 127.0.0.1; `spawn_shards()`: one process of a
//! sharded bot, several of which can share one fake.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use quorum::clock::ManualClock;
use quorum::config::{Config, DiscordConfig, ReminderConfig, Secret};
use quorum::course::load_catalog;
use quorum::discord::Data;
use quorum::discord::PictureCache;
use quorum::render::map_picture::MapPicture;
use quorum::shards::ShardSpan;
use quorum::store::Store;
use quorum::study::Study;
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;

use super::fake_discord::FakeDiscord;

pub struct TestBot {
    pub fake: FakeDiscord,
    pub clock: ManualClock,
    pub config: Config,
    /// Holds the database (an SQLite file's folder) until the test ends.
    database: Arc<super::db::TestDatabase>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<anyhow::Result<()>>>,
    sweeps: Option<Arc<watch::Sender<u64>>>,
}

/// Starts a fake Discord and the bot on a new database, and waits until the bot is ready and
/// has registered its commands.
pub async fn spawn_bot() -> TestBot {
    spawn_bot_on(sample_course()).await
}

/// [`spawn_bot`] with the course (one or more tracks) in `course_dir`.
pub async fn spawn_bot_on(course_dir: PathBuf) -> TestBot {
    spawn(course_dir, FakeDiscord::start().await, None).await
}

/// [`spawn_bot`] connected to `fake`, running every shard its `GET /gateway/bot` recommends
/// (see [`FakeDiscord::recommend_shards`]).
pub async fn spawn_bot_with(fake: &FakeDiscord) -> TestBot {
    spawn(sample_course(), fake.clone(), None).await
}

/// One process of a sharded bot: [`spawn_bot`] running shards `first..=last` of `total` (as
/// `quorum run --shards FIRST-LAST --total-shards TOTAL`) on its own database, connected to
/// `fake`, which the bot's other processes (other `TestBot`s) may share. Waits until each of
/// its shards is ready, and until it registered the commands if it runs shard 0.
pub async fn spawn_shards(fake: &FakeDiscord, first: u32, last: u32, total: u32) -> TestBot {
    let shards = ShardSpan { first, last };
    spawn(sample_course(), fake.clone(), Some((shards, total))).await
}

fn sample_course() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/sample"
    ))
}

async fn spawn(
    course_dir: PathBuf,
    fake: FakeDiscord,
    shards: Option<(ShardSpan, u32)>,
) -> TestBot {
    super::init_tracing();
    let database = Arc::new(super::db::fresh_database().await);
    let clock = ManualClock::starting_at(Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap());
    let config = Config {
        database_url: database.url.clone(),
        course_dir,
        discord: DiscordConfig {
            token: Some(Secret::new(FakeDiscord::TOKEN)),
            proxy: Some(fake.base_url()),
            dev_guild_id: None,
            shards: shards.map(|(span, _)| span),
            total_shards: shards.map(|(_, total)| total),
        },
        // The reminder task wakes every 20 ms; tests wait for sweeps, never for the clock.
        reminders: ReminderConfig {
            interval_seconds: 0.02,
            ..ReminderConfig::default()
        },
        ..Config::default()
    };
    let mut bot = TestBot {
        fake,
        clock,
        config,
        database,
        stop: None,
        task: None,
        sweeps: None,
    };
    bot.start().await;
    bot
}

impl TestBot {
    /// Starts the bot on this bot's database (after [`TestBot::shutdown`]).
    pub async fn start(&mut self) {
        let registrations = self
            .fake
            .requests_matching("PUT", "/api/v10/applications/")
            .len();
        let shards = self.config.shard_range().expect("a shard range that fits");
        let identified = self.fake.identified_shards();
        let catalog = Arc::new(load_catalog(&self.config.course_dir).expect("sample course"));
        let store = Store::open(&self.config.database_url)
            .await
            .expect("database");
        let study = Study::new(catalog, store, Arc::new(self.clock.clone()));
        let data = Data::new(study, PictureCache::new(MapPicture::new()));
        self.sweeps = Some(Arc::clone(&data.sweeps));
        let (stop, stopped) = oneshot::channel::<()>();
        let config = self.config.clone();
        self.task = Some(tokio::spawn(async move {
            quorum::discord::run(&config, data, async {
                let _ = stopped.await;
            })
            .await
        }));
        self.stop = Some(stop);
        if let Some(range) = shards {
            for shard in range.first()..=range.last() {
                let pair = [shard, range.total()];
                let before = identified.iter().filter(|p| **p == pair).count();
                self.fake
                    .wait_for_identified(shard, range.total(), before + 1)
                    .await;
            }
        }
        // Without a range the process runs every shard, shard 0 among them.
        if shards.map_or(true, |range| range.has_shard_zero()) {
            self.fake
                .wait_for_count("PUT", "/api/v10/applications/", registrations + 1)
                .await;
        }
    }

    /// Stops the bot as SIGTERM would and starts it again on the same database.
    pub async fn restart(&mut self) {
        self.shutdown().await;
        self.start().await;
    }

    /// Stops the bot and waits until it has closed the database.
    pub async fn shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let result = tokio::time::timeout(std::time::Duration::from_secs(10), task)
                .await
                .expect("the bot stops within 10 s")
                .expect("the bot task does not panic");
            result.expect("the bot ends without error");
        }
    }

    /// Waits until the reminder task has finished `count` more sweeps.
    pub async fn wait_for_sweeps(&self, count: u64) {
        let mut sweeps = self.sweeps.as_ref().expect("the bot runs").subscribe();
        let target = *sweeps.borrow() + count;
        tokio::time::timeout(
            std::time::Duration::from_secs(10),
            sweeps.wait_for(|done| *done >= target),
        )
        .await
        .expect("reminder sweeps within 10 s")
        .expect("the reminder task runs");
    }

    /// A second handle on the bot's database, to check what it stored.
    pub async fn store(&self) -> Store {
        Store::open(&self.config.database_url)
            .await
            .expect("database")
    }
}
