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

/// Connects to Discord (or the configured proxy) with the configured shards, registers the
/// commands in one bulk overwrite if this process runs shard 0, and serves until `shutdown`
/// completes (Ctrl-C or SIGTERM in production, see [`shutdown_signal`]); then the shards close
/// and the database is closed.
pub async fn run(
    config: &Config,
    data: Data,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    // Checked again here (the CLI checked it before opening anything) for callers that build
    // the config themselves, such as the tests.
    let shards = config.shard_range()?;
    // Shard 0 receives the DMs; with several processes, exactly one of them runs it, so it is
    // the one that overwrites the commands and the others leave them alone.
    let registers = shards.map_or(true, |range| range.has_shard_zero());
    let (http, client) = discord_http(config)?;
    let rest = Arc::new(rest_client::RestClient::new(
        client,
        http.token(),
        config.discord.proxy.clone(),
        // Split between processes by their share of the shards (see `ShardRange::share`).
        config.reminders.requests_per_second() * shards.map_or(1.0, |range| range.share()),
    ));
    let worker = delivery::WorkerSettings::from_config(&config.reminders);
    let dev_guild = config.discord.dev_guild_id.map(serenity::GuildId::new);
    let study = data.study.clone();
    let (stop_reminders, reminders_stopped) = watch::channel(false);
    let reminder_task: Arc<Mutex<Option<JoinHandle<()>>>> = Arc::default();
    let reminder_slot = Arc::clone(&reminder_task);
    // On a database other processes share, what they change is dropped from this one's memory.
    let follower = tokio::spawn(data.study.clone().follow_other_processes());

    let framework = poise::Framework::builder()
        .options(poise::FrameworkOptions {
            commands: commands::all(),
            on_error: |error| Box::pin(error::on_error(error)),
            event_handler: |framework, event| Box::pin(components::on_event(framework, event)),
            ..Default::default()
        })
        // poise runs this once per process, on the first READY of any of its shards.
        .setup(move |ctx, ready, framework| {
            Box::pin(async move {
                let commands = &framework.options().commands;
                if registers {
                    register_commands(&ctx.http, commands, dev_guild).await?;
                    tracing::info!(
                        bot = %ready.user.name,
                        servers = ready.guilds.len(),
                        commands = commands.len(),
                        scope = scope_name(dev_guild),
                        "connected and commands registered"
                    );
                } else {
                    tracing::info!(
                        bot = %ready.user.name,
                        servers = ready.guilds.len(),
                        "connected; not registering the commands: the process running shard 0 \
                         does (or `quorum register`)"
                    );
                }
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

    let manager = Arc::clone(&client.shard_manager);
    tokio::spawn(async move {
        shutdown.await;
        tracing::info!("shutting down");
        manager.shutdown_all().await;
    });
    let served = match shards {
        // One process for the whole bot: as many shards as Discord recommends (one for a small
        // bot; Discord requires several from 2,500 servers on, which `start()` would not do).
        None => client.start_autosharded().await,
        Some(range) => {
            tracing::info!(shards = %range, "running a range of the bot's shards");
            // serenity 0.12 reads the end of this range as the last shard to run, not as one
            // past it (its `start_connection(start, end, ..)` boots `end - start + 1` shards),
            // so `first..last` runs `first..=last`.
            client
                .start_shard_range(range.first()..range.last(), range.total())
                .await
        }
    };
    let _ = stop_reminders.send(true);
    if let Some(task) = reminder_task.lock().await.take() {
        if let Err(error) = task.await {
            tracing::error!(%error, "the reminder task ended badly");
        }
    }
    study.close().await;
    // Closing the store ends the follower; it is waited for only briefly.
    let _ = tokio::time::timeout(std::time::Duration::from_secs(2), follower).await;
    served?;
    Ok(())
}

/// Registers the commands in one bulk overwrite, without connecting to the gateway, and returns
/// how many and where: `quorum register`, for when no running process has shard 0 or the
/// commands changed without a restart of the one that has.
pub async fn register(config: &Config) -> anyhow::Result<(usize, &'static str)> {
    let (http, _) = discord_http(config)?;
    // The gateway's READY tells a running bot its application id; without a gateway, ask.
    let application = http.get_current_application_info().await?;
    http.set_application_id(application.id);
    let commands = commands::all();
    let dev_guild = config.discord.dev_guild_id.map(serenity::GuildId::new);
    register_commands(&http, &commands, dev_guild).await?;
    Ok((commands.len(), scope_name(dev_guild)))
}

/// The one bulk overwrite of the commands, shared by `quorum run` and `quorum register`: in the
/// dev guild when one is set (instant), else globally.
async fn register_commands(
    http: &serenity::Http,
    commands: &[poise::Command<Data, BotError>],
    dev_guild: Option<serenity::GuildId>,
) -> Result<(), serenity::Error> {
    match dev_guild {
        Some(guild) => poise::builtins::register_in_guild(http, commands, guild).await,
        None => poise::builtins::register_globally(http, commands).await,
    }
}

fn scope_name(dev_guild: Option<serenity::GuildId>) -> &'static str {
    if dev_guild.is_some() {
        "dev guild"
    } else {
        "global"
    }
}

/// serenity's REST client for the configured token and proxy, and the HTTP client under it
/// (which the reminder worker shares): every REST call, the commands' and the reminders', gives
/// up after `reminders.rest_timeout_seconds`.
fn discord_http(config: &Config) -> anyhow::Result<(serenity::Http, reqwest::Client)> {
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
    let timeout = std::time::Duration::from_secs_f64(config.reminders.rest_timeout_seconds);
    let client = rest_client::client_with_timeout(timeout);
    Ok((http.client(client.clone()).build(), client))
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
