//! The Discord adapter: the only code that names serenity or poise. Commands and components
//! parse what Discord sends, call one use case, and send the rendered reply.

mod admin;
mod announce;
mod commands;
mod community;
mod components;
mod delivery;
mod error;
mod pictures;
mod plan;
mod privacy;
mod quiz;
mod reminders;
mod replies;
mod rest_client;
mod rest_limits;

use std::sync::Arc;

use poise::serenity_prelude as serenity;
use tokio::sync::{watch, Mutex};
use tokio::task::JoinHandle;

pub use commands::all as all_commands;
pub use community::MemberCheck;
pub use components::ComponentAction;
pub use error::BotError;
pub use pictures::PictureCache;
pub use replies::{learner_from, Replies};

use crate::config::Config;
use crate::render::activity_picture::CommunityPictures;
use crate::study::Study;

/// What every command and component handler can reach.
pub struct Data {
    pub study: Study,
    pub pictures: PictureCache,
    /// Counts finished reminder sweeps, so tests can wait for one instead of sleeping.
    pub sweeps: Arc<watch::Sender<u64>>,
    /// The activity chart and the group picture.
    pub community_pictures: Arc<CommunityPictures>,
    /// Who is still in which server (Discord's get-member, cached).
    pub members: MemberCheck,
    /// Discord's REST client, once connected: for posts that no interaction carries.
    pub http: std::sync::OnceLock<Arc<serenity::Http>>,
}

impl Data {
    pub fn new(study: Study, pictures: PictureCache) -> Self {
        Self {
            study,
            pictures,
            sweeps: Arc::new(watch::channel(0).0),
            community_pictures: Arc::new(CommunityPictures::new()),
            members: MemberCheck::default(),
            http: std::sync::OnceLock::new(),
        }
    }

    pub fn replies(&self) -> Replies<'_> {
        Replies::new(self)
    }
}

pub type Context<'a> = poise::Context<'a, Data, BotError>;

/// Connects to Discord (or the configured proxy), registers the commands in one bulk
/// overwrite, and serves until `shutdown` completes (Ctrl-C or SIGTERM in production, see
/// [`shutdown_signal`]); then the shards close and the database is closed.
pub async fn run(
    config: &Config,
    data: Data,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let token = config
        .token()
        .ok_or_else(|| anyhow::anyhow!("no Discord token: set DISCORD_TOKEN"))?;
    let mut http = serenity::HttpBuilder::new(token.expose());
    if let Some(proxy) = &config.discord.proxy {
        // Both calls are needed: serenity's rate limiter ignores the proxy, and the proxy owns
        // rate limits anyway.
        http = http
            .proxy(proxy.trim_end_matches('/'))
            .ratelimiter_disabled(true);
        tracing::info!(proxy, "sending Discord traffic through the proxy");
    }
    // Every REST call, the commands' and the reminders', gives up after the configured timeout.
    let timeout = std::time::Duration::from_secs_f64(config.reminders.rest_timeout_seconds);
    let client = rest_client::client_with_timeout(timeout);
    let http = http.client(client.clone()).build();
    let rest = Arc::new(rest_client::RestClient::new(
        client,
        http.token(),
        config.discord.proxy.clone(),
        config.reminders.requests_per_second(),
    ));
    let worker = delivery::WorkerSettings::from_config(&config.reminders);
    let dev_guild = config.discord.dev_guild_id.map(serenity::GuildId::new);
    let study = data.study.clone();
    let (stop_reminders, reminders_stopped) = watch::channel(false);
    let reminder_task: Arc<Mutex<Option<JoinHandle<()>>>> = Arc::default();
    let reminder_slot = Arc::clone(&reminder_task);

    let framework = poise::Framework::builder()
        .options(poise::FrameworkOptions {
            commands: commands::all(),
            on_error: |error| Box::pin(error::on_error(error)),
            event_handler: |framework, event| Box::pin(components::on_event(framework, event)),
            ..Default::default()
        })
        .setup(move |ctx, ready, framework| {
            Box::pin(async move {
                let commands = &framework.options().commands;
                match dev_guild {
                    Some(guild) => poise::builtins::register_in_guild(ctx, commands, guild).await?,
                    None => poise::builtins::register_globally(ctx, commands).await?,
                }
                tracing::info!(
                    bot = %ready.user.name,
                    servers = ready.guilds.len(),
                    commands = commands.len(),
                    scope = if dev_guild.is_some() { "dev guild" } else { "global" },
                    "connected and commands registered"
                );
                let _ = data.http.set(Arc::clone(&ctx.http));
                let task = delivery::run(
                    rest,
                    data.study.clone(),
                    worker,
                    Arc::clone(&data.sweeps),
                    reminders_stopped,
                );
                *reminder_slot.lock().await = Some(tokio::spawn(task));
                Ok(data)
            })
        })
        .build();

    let mut client = serenity::ClientBuilder::new_with_http(http, serenity::GatewayIntents::GUILDS)
        .framework(framework)
        .await?;

    let shards = Arc::clone(&client.shard_manager);
    tokio::spawn(async move {
        shutdown.await;
        tracing::info!("shutting down");
        shards.shutdown_all().await;
    });
    let served = client.start().await;
    let _ = stop_reminders.send(true);
    if let Some(task) = reminder_task.lock().await.take() {
        if let Err(error) = task.await {
            tracing::error!(%error, "the reminder task ended badly");
        }
    }
    study.close().await;
    served?;
    Ok(())
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(error) => {
                    tracing::warn!(%error, "cannot listen for SIGTERM");
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
