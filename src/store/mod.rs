//! The only module that speaks SQL. SQLite is the embedded default; queries stay portable
//! (plain `ON CONFLICT`, BIGINT times) so a shared PostgreSQL can follow.

mod actions;
mod boards;
mod guilds;
mod member_data;
mod points;
mod progress;
mod quizzes;
mod reminders;
mod reviews;

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};

pub use actions::Action;
pub use boards::{MemberRow, StreakRow};
pub use points::{BoardRow, Standing};
pub use progress::{LearnedMark, LearnerRecord};
pub use quizzes::{NewAnswer, NewQuiz, PlannedQuestion, QuizRecord, ReviewEnd, StoredAnswer};
pub use reminders::{DueReview, NewReminder, OutboxReminder};

use crate::ids::{GuildId, UserId};

/// How long a write waits for another writer before giving up with `StoreError::Busy`.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the database is busy; try again in a moment")]
    Busy,
    #[error("cannot open the database at {url}: {source}")]
    Open { url: String, source: sqlx::Error },
    #[error("cannot apply the database migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Sql(sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        // SQLITE_BUSY (5) and SQLITE_LOCKED (6), with their extended codes in the high bits.
        let busy = matches!(&error, sqlx::Error::Database(db)
            if db.code().and_then(|c| c.parse::<i32>().ok()).is_some_and(|c| matches!(c & 0xff, 5 | 6)));
        if busy || matches!(error, sqlx::Error::PoolTimedOut) {
            StoreError::Busy
        } else {
            StoreError::Sql(error)
        }
    }
}

/// A handle on the database; cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
}

impl Store {
    /// Opens (creating if missing) the database at `url` and applies pending migrations.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let open_error = |source| StoreError::Open {
            url: url.to_string(),
            source,
        };
        let options = SqliteConnectOptions::from_str(url)
            .map_err(open_error)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(BUSY_TIMEOUT)
            .connect_with(options)
            .await
            .map_err(open_error)?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Self { pool })
    }

    /// Waits for in-flight queries, then closes every connection (and checkpoints the WAL).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// A write transaction that takes the write lock as it begins (`BEGIN IMMEDIATE`), so a
    /// transaction that reads before it writes waits for other writers under the busy timeout
    /// instead of failing with SQLITE_BUSY when it tries to upgrade.
    async fn write_tx(&self) -> Result<Transaction<'static, Sqlite>, StoreError> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// For tests and tools that inspect the database directly.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

fn to_millis(time: DateTime<Utc>) -> i64 {
    time.timestamp_millis()
}

fn from_millis(millis: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(millis)
        .single()
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// Snowflakes fit in 63 bits, so they are stored as signed BIGINTs unchanged.
fn user_key(user: UserId) -> i64 {
    user.0 as i64
}

fn guild_key(guild: GuildId) -> i64 {
    guild.0 as i64
}
