//! The command line: `quorum [run|register|console|check|map]`, each a thin call into the
//! library.

use std::collections::HashSet;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;
use clap::{Parser, Subcommand};

use crate::clock::SystemClock;
use crate::config::Config;
use crate::course::{self, Catalog};
use crate::render::map_picture::MapPicture;
use crate::shards::ShardRange;
use crate::store::Store;
use crate::study::{SkillMap, Study};

#[derive(Debug, Parser)]
#[command(
    name = "quorum",
    version,
    about = "A Discord study companion for study groups"
)]
pub struct Cli {
    /// Configuration file (default: ./config.toml when present, else built-in defaults).
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Connect to Discord and serve the study group (needs DISCORD_TOKEN).
    Run {
        /// Run only these shards of the bot, e.g. 0-3 (needs --total-shards); the process
        /// running shard 0 registers the commands. Default: all shards, in this process.
        #[arg(long, value_name = "FIRST-LAST", allow_hyphen_values = true)]
        shards: Option<String>,
        /// How many shards the bot has across all its processes.
        #[arg(long, value_name = "N", allow_hyphen_values = true)]
        total_shards: Option<String>,
    },
    /// Register the slash commands with Discord (one bulk overwrite) and exit.
    Register,
    /// Try Quorum locally: type slash commands, read the replies.
    Console {
        /// Your name in the console; progress is kept per name.
        #[arg(long, default_value = DEFAULT_CONSOLE_USER)]
        user: String,
    },
    /// Draw a skill-map picture without Discord, e.g. for a README.
    Map {
        /// Learned topic numbers, e.g. 1,2,3.
        #[arg(long, value_delimiter = ',', value_name = "N,N,...")]
        learned: Vec<u32>,
        /// Where to write the PNG.
        #[arg(long, default_value = "map.png", value_name = "PATH")]
        out: PathBuf,
        /// The track id (default: the first track).
        #[arg(long)]
        track: Option<String>,
    },
    /// Validate the course files, print a summary and lint the quiz banks.
    Check {
        /// The course folder, or one track folder (default: the configured course).
        #[arg(long, value_name = "DIR")]
        course: Option<PathBuf>,
        /// Fail when a quiz-bank lint signal is outside its bounds (see README).
        #[arg(long)]
        strict: bool,
    },
}

impl Cli {
    pub async fn execute(self) -> anyhow::Result<()> {
        let config = Config::load(self.config.as_deref())?;
        match self.command {
            Some(Command::Check { course, strict }) => {
                check(course.as_deref().unwrap_or(&config.course_dir), strict)
            }
            Some(Command::Console { user }) => console(&config, &user).await,
            Some(Command::Map {
                learned,
                out,
                track,
            }) => draw_map(&config, &learned, &out, track.as_deref()),
            Some(Command::Run {
                shards,
                total_shards,
            }) => {
                let config = with_shards(config, shards.as_deref(), total_shards.as_deref())?;
                run(&config).await
            }
            Some(Command::Register) => register(&config).await,
            None if config.token().is_some() => run(&config).await,
            // A newcomer at a terminal: straight into the console, one line on going online.
            None if std::io::stdin().is_terminal() => {
                println!("{NO_TOKEN_LINE}");
                console(&config, DEFAULT_CONSOLE_USER).await
            }
            None => no_token(),
        }
    }
}

/// Said before the console starts when there is no token.
const NO_TOKEN_LINE: &str =
    "No Discord token, so this is the local console. To go online: DISCORD_TOKEN=... quorum run";

/// The console user when none is named.
const DEFAULT_CONSOLE_USER: &str = "learner";

/// Without a token and without a terminal (a service, a script): the help, and a failure, so
/// that a misconfigured deployment does not look like it started.
fn no_token() -> anyhow::Result<()> {
    println!("{NO_TOKEN_HELP}");
    anyhow::bail!("no Discord token: set DISCORD_TOKEN or [discord] token in config.toml")
}

const NO_TOKEN_HELP: &str = "\
Quorum needs a Discord bot token to go online.
  Set it in the environment:  DISCORD_TOKEN=... quorum run
  or in config.toml:          [discord] token = \"...\"  (see config.example.toml)

No token yet? Try Quorum locally, no Discord needed:
  quorum console";

/// Validates the course and prints a one-screen summary with each track's quiz-bank lint; an
/// error lists every problem. With `strict`, a lint signal out of bounds is an error too.
pub fn check(dir: &Path, strict: bool) -> anyhow::Result<()> {
    let catalog = course::load_catalog(dir)?;
    print!("{}", summarize(&catalog, dir));
    let findings: usize = catalog
        .tracks
        .iter()
        .map(|t| course::lint::lint_track(t).findings().len())
        .sum();
    if strict && findings > 0 {
        anyhow::bail!("--strict: {findings} quiz-bank lint signal(s) out of bounds, listed above");
    }
    Ok(())
}

fn summarize(catalog: &Catalog, dir: &Path) -> String {
    let mut out = format!(
        "{}: {} track(s), {} topics, {} quiz questions, all valid.\n",
        dir.display(),
        catalog.tracks.len(),
        catalog.tracks.iter().map(|t| t.topics.len()).sum::<usize>(),
        catalog.question_count()
    );
    for track in &catalog.tracks {
        out.push_str(&format!(
            "\n{} ({}): {}\n",
            track.title, track.id, track.subject
        ));
        for section in &track.sections {
            out.push_str(&format!(
                "  {} ({} topics)\n",
                section.title,
                section.topics.len()
            ));
            for id in &section.topics {
                if let Some(topic) = track.topic(id) {
                    out.push_str(&format!(
                        "    {:>2}. {:<58} {:<12} {} min, {} questions\n",
                        topic.number,
                        topic.title,
                        topic.level.to_string(),
                        topic.minutes,
                        topic.quiz.len()
                    ));
                }
            }
        }
        out.push_str(&course::lint::lint_track(track).to_string());
    }
    out
}

async fn open_study(config: &Config) -> anyhow::Result<Study> {
    let catalog = course::load_catalog(&config.course_dir)?;
    let store = Store::open(&config.database_url).await?;
    let study = Study::new(Arc::new(catalog), store, Arc::new(SystemClock))
        .with_desired_retention(config.reviews.desired_retention);
    let filled = study.fill_in_kept_until().await?;
    if filled > 0 {
        tracing::info!(
            filled,
            "review cards given the time until which they are kept"
        );
    }
    Ok(study)
}

async fn console(config: &Config, user: &str) -> anyhow::Result<()> {
    let study = open_study(config).await?;
    // A console on a PostgreSQL database that bot processes share follows their changes too.
    tokio::spawn(study.clone().follow_other_processes());
    let learner = crate::console::console_learner(user);
    let stdin = tokio::io::BufReader::new(tokio::io::stdin());
    crate::console::run(&study, &learner, stdin, tokio::io::stdout())
        .await
        .context("console input/output failed")?;
    study.close().await;
    Ok(())
}

/// The command line's shard flags over the config file's (checked together in [`run`]).
fn with_shards(
    mut config: Config,
    shards: Option<&str>,
    total_shards: Option<&str>,
) -> anyhow::Result<Config> {
    if let Some(shards) = shards {
        config.discord.shards = Some(shards.parse()?);
    }
    if let Some(total) = total_shards {
        config.discord.total_shards = Some(ShardRange::parse_total(total)?);
    }
    Ok(config)
}

async fn register(config: &Config) -> anyhow::Result<()> {
    if config.token().is_none() {
        return no_token();
    }
    let (count, scope) = crate::discord::register(config).await?;
    println!("registered {count} commands ({scope})");
    Ok(())
}

async fn run(config: &Config) -> anyhow::Result<()> {
    // Before the token, the database and the network: shards that cannot run are one clear
    // line and a failure, not a gateway error minutes into a deployment.
    config.shard_range()?;
    if config.token().is_none() {
        return no_token();
    }
    let study = open_study(config).await?;
    let pictures = crate::discord::PictureCache::new(MapPicture::new());
    let data = crate::discord::Data::new(study, pictures);
    crate::discord::run(config, data, crate::discord::shutdown_signal()).await
}

fn draw_map(
    config: &Config,
    learned: &[u32],
    out: &Path,
    track: Option<&str>,
) -> anyhow::Result<()> {
    let catalog = course::load_catalog(&config.course_dir)?;
    let track = match track {
        Some(id) => catalog.track(id).with_context(|| {
            format!(
                "there is no track `{id}` in {}",
                config.course_dir.display()
            )
        })?,
        None => catalog.default_track().context("the course has no track")?,
    };
    let mut ids = HashSet::new();
    for &number in learned {
        let topic = track
            .topic_by_number(number)
            .with_context(|| format!("{} has no topic {number}", track.id))?;
        ids.insert(topic.id.clone());
    }
    let map = SkillMap::compute(track, &ids);
    let png = MapPicture::new().png(&map)?;
    std::fs::write(out, png).with_context(|| format!("cannot write {}", out.display()))?;
    println!("wrote {}", out.display());
    Ok(())
}
