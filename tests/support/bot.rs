//! `spawn_bot()`: the real `quorum run` adapter, on a fresh database (see `db.rs`), connected through
//! `discord.proxy` to a fake Discord on 127.0.0.1.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use quorum::clock::ManualClock;
use quorum::config::{Config, DiscordConfig, ReminderConfig, Secret};
use quorum::course::load_catalog;
use quorum::discord::Data;
use quorum::discord::PictureCache;
use quorum::render::map_picture::MapPicture;
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
    spawn_bot_on(PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/sample"
    )))
    .await
}

/// [`spawn_bot`] with the course (one or more tracks) in `course_dir`.
pub async fn spawn_bot_on(course_dir: PathBuf) -> TestBot {
    super::init_tracing();
    let fake = FakeDiscord::start().await;
    let database = Arc::new(super::db::fresh_database().await);
    let clock = ManualClock::starting_at(Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap());
    let config = Config {
        database_url: database.url.clone(),
        course_dir,
        discord: DiscordConfig {
            token: Some(Secret::new(FakeDiscord::TOKEN)),
            proxy: Some(fake.base_url()),
            dev_guild_id: None,
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
        self.fake
            .wait_for_count("PUT", "/api/v10/applications/", registrations + 1)
            .await;
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
