//! Settings from `config.toml` (optional) overridden by the environment. Checked once at start.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::shards::{ShardError, ShardRange, ShardSpan};

pub const DEFAULT_CONFIG_FILE: &str = "config.toml";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Where progress is kept; the embedded SQLite file by default.
    pub database_url: String,
    /// The folder of tracks.
    pub course_dir: PathBuf,
    pub discord: DiscordConfig,
    pub reviews: ReviewConfig,
    pub reminders: ReminderConfig,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DiscordConfig {
    pub token: Option<Secret>,
    /// Register commands to this server only (instant, for testing a change).
    pub dev_guild_id: Option<u64>,
    /// Base URL that replaces discord.com for REST and the gateway lookup.
    pub proxy: Option<String>,
    /// The shards this process runs, `"FIRST-LAST"`, when the bot is split across processes.
    pub shards: Option<ShardSpan>,
    /// How many shards the bot has in all processes together; alone, this process runs them all.
    pub total_shards: Option<u32>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReviewConfig {
    /// The recall probability FSRS schedules reviews for.
    pub desired_retention: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReminderConfig {
    /// How often the reminder worker plans reminders (retries are woken on their own time).
    pub interval_seconds: f64,
    /// Reminder REST calls in flight at once.
    pub concurrency: i64,
    /// The share of Discord's 50 requests per second that reminders may use.
    pub rate_share: f64,
    /// Every reminder REST call is given up after this long.
    pub rest_timeout_seconds: f64,
    /// The first retry of a failed send waits this long; each further one twice as long.
    pub first_retry_seconds: f64,
    /// At shutdown, sends in flight get this long to finish; the rest stay in the outbox.
    pub shutdown_grace_seconds: f64,
}

impl Default for ReminderConfig {
    fn default() -> Self {
        Self {
            interval_seconds: 300.0,
            concurrency: 8,
            rate_share: 0.9,
            rest_timeout_seconds: 10.0,
            first_retry_seconds: 2.0,
            shutdown_grace_seconds: 3.0,
        }
    }
}

impl ReminderConfig {
    /// (key, value, smallest, largest) of every number, for the check at load.
    fn bounds(&self) -> [(&'static str, f64, f64, f64); 6] {
        [
            ("interval_seconds", self.interval_seconds, 0.01, 86_400.0),
            ("concurrency", self.concurrency as f64, 1.0, 64.0),
            ("rate_share", self.rate_share, 0.01, 1.0),
            (
                "rest_timeout_seconds",
                self.rest_timeout_seconds,
                0.1,
                120.0,
            ),
            (
                "first_retry_seconds",
                self.first_retry_seconds,
                0.1,
                3_600.0,
            ),
            (
                "shutdown_grace_seconds",
                self.shutdown_grace_seconds,
                0.1,
                60.0,
            ),
        ]
    }

    /// Requests per second the reminders may make: their share of Discord's 50.
    pub fn requests_per_second(&self) -> f64 {
        50.0 * self.rate_share
    }
}

impl Default for ReviewConfig {
    fn default() -> Self {
        Self {
            desired_retention: 0.9,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: "sqlite://quorum.db".into(),
            course_dir: PathBuf::from("course"),
            discord: DiscordConfig::default(),
            reviews: ReviewConfig::default(),
            reminders: ReminderConfig::default(),
        }
    }
}

/// A value that must never reach a log or a terminal.
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

impl Config {
    /// Reads `explicit` (which must exist), else `config.toml` if present, else the defaults;
    /// then applies `DISCORD_TOKEN`, `DATABASE_URL`, `QUORUM_COURSE_DIR`, `DISCORD_PROXY`.
    pub fn load(explicit: Option<&Path>) -> Result<Self, ConfigError> {
        let mut config = match explicit {
            Some(path) => Self::from_file(path)?,
            None if Path::new(DEFAULT_CONFIG_FILE).is_file() => {
                Self::from_file(Path::new(DEFAULT_CONFIG_FILE))?
            }
            None => Self::default(),
        };
        config.apply_env(|name| std::env::var(name).ok());
        Ok(config)
    }

    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text, path)
    }

    pub fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| ConfigError::Invalid {
            path: path.to_path_buf(),
            message: describe_toml_error(text, &e),
        })?;
        if !(0.5..=0.99).contains(&config.reviews.desired_retention) {
            return Err(ConfigError::Invalid {
                path: path.to_path_buf(),
                message: "reviews.desired_retention must be between 0.5 and 0.99".into(),
            });
        }
        for (key, value, low, high) in config.reminders.bounds() {
            if !(low..=high).contains(&value) {
                let at = line_of(text, "reminders", key)
                    .map(|line| format!("line {line}: "))
                    .unwrap_or_default();
                return Err(ConfigError::Invalid {
                    path: path.to_path_buf(),
                    message: format!(
                        "{at}reminders.{key} must be between {low} and {high} (got {value})"
                    ),
                });
            }
        }
        if let Err(error) = config.shard_range() {
            // A range without its total may still get one from the command line.
            if !matches!(error, ShardError::NoTotal { .. }) {
                let key = match error {
                    ShardError::NoShards => "total_shards",
                    _ => "shards",
                };
                let at = line_of(text, "discord", key)
                    .map(|line| format!("line {line}: "))
                    .unwrap_or_default();
                return Err(ConfigError::Invalid {
                    path: path.to_path_buf(),
                    message: format!("{at}discord.{key}: {error}"),
                });
            }
        }
        Ok(config)
    }

    /// The shards this process runs: `None` runs every shard Discord asks for (see
    /// [`ShardRange::resolve`]). Checked at load; `quorum run --shards` may change it after.
    pub fn shard_range(&self) -> Result<Option<ShardRange>, ShardError> {
        ShardRange::resolve(self.discord.shards, self.discord.total_shards)
    }

    /// Environment variables win over the file; empty ones are ignored.
    pub fn apply_env(&mut self, var: impl Fn(&str) -> Option<String>) {
        let var = |name| var(name).filter(|v: &String| !v.trim().is_empty());
        if let Some(token) = var("DISCORD_TOKEN") {
            self.discord.token = Some(Secret::new(token.trim()));
        }
        if let Some(url) = var("DATABASE_URL") {
            self.database_url = url;
        }
        if let Some(dir) = var("QUORUM_COURSE_DIR") {
            self.course_dir = PathBuf::from(dir);
        }
        if let Some(proxy) = var("DISCORD_PROXY") {
            self.discord.proxy = Some(proxy);
        }
    }

    pub fn token(&self) -> Option<&Secret> {
        self.discord
            .token
            .as_ref()
            .filter(|t| !t.expose().trim().is_empty())
    }
}

/// The line (from 1) where `key` is set in `[table]`, if the file sets it.
fn line_of(text: &str, table: &str, key: &str) -> Option<usize> {
    let mut current = String::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            current = name.trim().to_string();
            continue;
        }
        let Some((name, _)) = line.split_once('=') else {
            continue;
        };
        let name = name.trim();
        let dotted = format!("{table}.{key}");
        if (current == table && name == key) || (current.is_empty() && name == dotted) {
            return Some(index + 1);
        }
    }
    None
}

fn describe_toml_error(text: &str, error: &toml::de::Error) -> String {
    let message = error.message().trim();
    match error.span() {
        Some(span) => {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            format!("line {line}: {message}")
        }
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_misspelled_key_names_the_key_and_the_file() {
        let error = Config::parse(
            "database_url = \"sqlite://x.db\"\ncourse_dri = \"c\"\n",
            Path::new("my.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(error.contains("my.toml"), "{error}");
        assert!(error.contains("course_dri"), "{error}");
        assert!(error.contains("line 2"), "{error}");
    }

    #[test]
    fn the_environment_overrides_the_file() {
        let mut config =
            Config::parse("database_url = \"sqlite://file.db\"\n", Path::new("c.toml")).unwrap();
        config.apply_env(|name| match name {
            "DATABASE_URL" => Some("sqlite://env.db".into()),
            "DISCORD_TOKEN" => Some("abc.def".into()),
            _ => None,
        });
        assert_eq!(config.database_url, "sqlite://env.db");
        assert_eq!(config.token().map(Secret::expose), Some("abc.def"));
    }

    #[test]
    fn the_token_never_shows_in_debug_output() {
        let mut config = Config::default();
        config.discord.token = Some(Secret::new("super-secret-token"));
        let printed = format!("{config:?}");
        assert!(!printed.contains("super-secret-token"), "{printed}");
        assert!(printed.contains("redacted"));
    }

    #[test]
    fn reminder_defaults_are_accepted() {
        let config =
            Config::parse("[reminders]\ninterval_seconds = 60\n", Path::new("c.toml")).unwrap();
        assert_eq!(config.reminders.concurrency, 8);
        assert!((config.reminders.requests_per_second() - 45.0).abs() < 1e-9);
    }

    #[test]
    fn a_zero_negative_or_absurd_worker_setting_names_key_file_and_line() {
        for (setting, key) in [
            ("concurrency = 0", "reminders.concurrency"),
            ("concurrency = 100000", "reminders.concurrency"),
            ("rate_share = -0.5", "reminders.rate_share"),
            ("rate_share = 3", "reminders.rate_share"),
            ("rest_timeout_seconds = 0", "reminders.rest_timeout_seconds"),
            ("first_retry_seconds = 1e9", "reminders.first_retry_seconds"),
            (
                "shutdown_grace_seconds = -1",
                "reminders.shutdown_grace_seconds",
            ),
            ("interval_seconds = nan", "reminders.interval_seconds"),
        ] {
            let text = format!("database_url = \"sqlite://x.db\"\n\n[reminders]\n{setting}\n");
            let error = Config::parse(&text, Path::new("bot.toml"))
                .unwrap_err()
                .to_string();
            assert!(error.starts_with("bot.toml: line 4: "), "{error}");
            assert!(error.contains(key), "{error}");
        }
    }

    #[test]
    fn a_shard_range_and_its_total_come_from_the_discord_table() {
        let text = "[discord]\nshards = \"4-7\"\ntotal_shards = 8\n";

        let shards = Config::parse(text, Path::new("c.toml"))
            .unwrap()
            .shard_range()
            .unwrap()
            .expect("a range");

        assert_eq!(shards.to_string(), "4-7 of 8");
        assert_eq!(
            Config::default().shard_range(),
            Ok(None),
            "all shards by default"
        );
    }

    #[test]
    fn a_shard_setting_that_cannot_run_names_key_file_and_line() {
        for (settings, key, detail) in [
            ("shards = \"3-\"\ntotal_shards = 8", "line 4", "`3-`"),
            ("shards = \"a-b\"", "line 4", "`a-b`"),
            (
                "total_shards = 2\nshards = \"3-1\"",
                "line 5: discord.shards",
                "after the last",
            ),
            (
                "shards = \"0-8\"\ntotal_shards = 8",
                "line 4: discord.shards",
                "shard 8",
            ),
            (
                "total_shards = 0",
                "line 4: discord.total_shards",
                "at least 1",
            ),
        ] {
            let text = format!("database_url = \"sqlite://x.db\"\n\n[discord]\n{settings}\n");
            let error = Config::parse(&text, Path::new("bot.toml"))
                .unwrap_err()
                .to_string();
            assert!(error.starts_with(&format!("bot.toml: {key}")), "{error}");
            assert!(error.contains(detail), "{error}");
        }
    }

    /// The command line may still give the total, so the file alone is not wrong.
    #[test]
    fn a_range_without_a_total_loads_but_does_not_run() {
        let config = Config::parse("[discord]\nshards = \"0-1\"\n", Path::new("c.toml")).unwrap();

        assert!(matches!(
            config.shard_range(),
            Err(ShardError::NoTotal { .. })
        ));
    }

    #[test]
    fn garbage_is_a_clear_error() {
        let error = Config::parse("this is = = not toml", Path::new("c.toml")).unwrap_err();
        assert!(error.to_string().starts_with("c.toml: line 1"), "{error}");
    }
}
