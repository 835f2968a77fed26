//! `spawn_bot()`: the real `quorum run` adapter, on a fresh database (see `db.rs`), connected
//! through `discord.proxy` to a fake Discord on 127.0.0.1; `spawn_shards()`: one process of a
//! sharded bot, several of which can share one fake; `spawn_shards_on()`: one such process on a
//! database and a clock that the bot's other processes share, which a test can kill like a crash.

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
    /// Whether the bot runs on a runtime of its own, as a separate process would (see
    /// [`spawn_shards_on`]); `runtime` is that runtime while the bot runs.
    own_runtime: bool,
    runtime: Option<tokio::runtime::Runtime>,
}

/// The time every test bot starts at: a Monday morning.
pub fn test_clock() -> ManualClock {
    ManualClock::starting_at(Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap())
}

/// Starts a fake Discord and the bot on a new database, and waits until the bot is ready and
/// has registered its commands.
pub async fn spawn_bot() -> TestBot {
    spawn_bot_on(sample_course()).await
}

/// [`spawn_bot`] with the course (one or more tracks) in `course_dir`.
pub async fn spawn_bot_on(course_dir: PathBuf) -> TestBot {
    spawn(
        course_dir,
        FakeDiscord::start().await,
        None,
        Process::default(),
    )
    .await
}

/// [`spawn_bot`] connected to `fake`, running every shard its `GET /gateway/bot` recommends
/// (see [`FakeDiscord::recommend_shards`]).
pub async fn spawn_bot_with(fake: &FakeDiscord) -> TestBot {
    spawn(sample_course(), fake.clone(), None, Process::default()).await
}

/// One process of a sharded bot: [`spawn_bot`] running shards `first..=last` of `total` (as
/// `quorum run --shards FIRST-LAST --total-shards TOTAL`) on its own database, connected to
/// `fake`, which the bot's other processes (other `TestBot`s) may share. Waits until each of
/// its shards is ready, and until it registered the commands if it runs shard 0.
pub async fn spawn_shards(fake: &FakeDiscord, first: u32, last: u32, total: u32) -> TestBot {
    let shards = ShardSpan { first, last };
    spawn(
        sample_course(),
        fake.clone(),
        Some((shards, total)),
        Process::default(),
    )
    .await
}

/// [`spawn_shards`] on `database` and `clock`, which the bot's other processes (other
/// `spawn_shards_on` bots) share: what `quorum run --shards` does on several machines with one
/// PostgreSQL (one SQLite file is not to be shared between processes). Clones of a
/// [`ManualClock`] share its time, so moving `clock` moves every process's.
///
/// The bot runs on a tokio runtime of its own, as in a process of its own: everything it
/// spawns (serenity's shard runners, the reminder worker and its sends, the database pool)
/// lives there, so that [`TestBot::kill`] can end all of it at once.
pub async fn spawn_shards_on(
    fake: &FakeDiscord,
    first: u32,
    last: u32,
    total: u32,
    database: &Arc<super::db::TestDatabase>,
    clock: &ManualClock,
) -> TestBot {
    let shards = ShardSpan { first, last };
    let process = Process {
        database: Some(Arc::clone(database)),
        clock: Some(clock.clone()),
        own_runtime: true,
    };
    spawn(
        sample_course(),
        fake.clone(),
        Some((shards, total)),
        process,
    )
    .await
}

/// What a bot process may share with others, and whether it runs on its own runtime.
#[derive(Default)]
struct Process {
    database: Option<Arc<super::db::TestDatabase>>,
    clock: Option<ManualClock>,
    own_runtime: bool,
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
    process: Process,
) -> TestBot {
    super::init_tracing();
    let database = match process.database {
        Some(shared) => shared,
        None => Arc::new(super::db::fresh_database().await),
    };
    let clock = process.clock.unwrap_or_else(test_clock);
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
        own_runtime: process.own_runtime,
        runtime: None,
    };
    bot.start().await;
    bot
}

/// The bot's core and shared state on `config`'s database, as `quorum run` builds them.
async fn open_data(config: Config, clock: ManualClock) -> Data {
    let catalog = Arc::new(load_catalog(&config.course_dir).expect("sample course"));
    let store = Store::open(&config.database_url).await.expect("database");
    let study = Study::new(catalog, store, Arc::new(clock));
    Data::new(study, PictureCache::new(MapPicture::new()))
}

impl TestBot {
    /// Starts the bot on this bot's database (after [`TestBot::shutdown`] or [`TestBot::kill`]).
    pub async fn start(&mut self) {
        let registrations = self
            .fake
            .requests_matching("PUT", "/api/v10/applications/")
            .len();
        let shards = self.config.shard_range().expect("a shard range that fits");
        let identified = self.fake.identified_shards();
        if self.own_runtime {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .expect("a runtime for the bot");
            self.runtime = Some(runtime);
        }
        let (config, clock) = (self.config.clone(), self.clock.clone());
        let data = match &self.runtime {
            // On the bot's runtime, so that the database pool (and whatever the store and the
            // core start) lives and dies there too. Through `block_on` on one of its threads:
            // the future opening the store is not `Send` as `spawn` wants it (sqlx's
            // migrations trip the compiler's higher-ranked lifetime check).
            Some(runtime) => {
                let handle = runtime.handle().clone();
                runtime
                    .spawn_blocking(move || handle.block_on(open_data(config, clock)))
                    .await
                    .expect("the bot opens its database")
            }
            None => open_data(config, clock).await,
        };
        self.sweeps = Some(Arc::clone(&data.sweeps));
        let (stop, stopped) = oneshot::channel::<()>();
        let config = self.config.clone();
        self.task = Some(self.spawn(async move {
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

    /// Spawns `task` on the bot's own runtime, if it has one, else on the test's.
    fn spawn<T: Send + 'static>(
        &self,
        task: impl std::future::Future<Output = T> + Send + 'static,
    ) -> JoinHandle<T> {
        match &self.runtime {
            Some(runtime) => runtime.spawn(task),
            None => tokio::spawn(task),
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
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }

    /// Kills the bot like `kill -9` would kill its process: no shutdown, no grace for the
    /// reminder sends in flight, no close frame on the gateway sockets, no closing of the
    /// database. Shutting its runtime down drops every task the bot spawned at once. Aborting
    /// the bot's own task would not do: serenity's shard runners are tasks of their own, kept
    /// alive by the shard manager, so the gateway stays up and interactions are still answered;
    /// and the reminder worker, whose stop signal goes with the aborted task, ends the way a
    /// shutdown ends it, giving the sends in flight their grace.
    /// Only for bots of [`spawn_shards_on`]. [`TestBot::start`] starts the bot again.
    pub fn kill(&mut self) {
        let runtime = self
            .runtime
            .take()
            .expect("kill() needs a bot on its own runtime: spawn_shards_on");
        runtime.shutdown_background();
        self.task = None;
        self.stop = None;
    }

    /// How many sweeps the reminder task has finished (the last count, once the bot is killed).
    pub fn sweeps_done(&self) -> u64 {
        *self.sweeps.as_ref().expect("the bot ran").borrow()
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

impl Drop for TestBot {
    fn drop(&mut self) {
        // A runtime cannot be dropped inside another one; this leaves its tasks to end alone.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}
