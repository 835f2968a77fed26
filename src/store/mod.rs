//! The only module that speaks SQL, and it decides nothing: it maps rows to and from the core's
//! types. SQLite is the embedded default. Statements stay plain (`ON CONFLICT`, BIGINT times);
//! each study action is one `INSERT` into a writable view whose SQLite trigger (migrations 0006
//! and 0007) fans it out, and triggers keep the boards, so a PostgreSQL store would need those
//! views and triggers in its own dialect.

mod actions;
mod boards;
mod group;
mod guilds;
mod member_data;
mod outbox;
mod progress;
mod quizzes;
mod reminder_prefs;
mod reminders;
mod reviews;
mod stats;

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::sync::Arc;

use sqlx::{ConnectOptions as _, Connection as _, SqliteConnection, SqlitePool};
use tokio::sync::{Mutex, OwnedMappedMutexGuard, OwnedMutexGuard};

pub use actions::Action;
pub use boards::{BoardRow, Standing};
pub use group::KnowerRow;
pub use outbox::{ClosedAs, OutboxReminder};
pub use progress::{LearnedMark, LearnerRecord};
pub use quizzes::{NewAnswer, NewQuiz, PlannedQuestion, QuizRecord, ReviewEnd, StoredAnswer};
pub use reminders::{NewReminder, ReminderTimes, SweepPlan, SweepRow};

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
///
/// Every write goes through one connection, `writer`: writes queue for it in the process
/// instead of contending for SQLite's lock, and its page cache stays warm, since in WAL mode a
/// connection drops its whole cache whenever another connection has written. Reads use `pool`.
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
    writer: Arc<Mutex<Option<SqliteConnection>>>,
}

/// The writing connection, held: other writes wait until it is dropped.
pub type WriteConnection = OwnedMappedMutexGuard<Option<SqliteConnection>, SqliteConnection>;

/// A statement to explain: its name, its text, and how many parameters it binds.
type Explained = (&'static str, &'static str, usize);

impl Store {
    /// SQLite's plan for each statement, as (name, one line per step), with every parameter
    /// bound to 1: how the tests and benchmarks check the very statements the store runs.
    async fn plans(
        &self,
        statements: &[Explained],
    ) -> Result<Vec<(&'static str, Vec<String>)>, StoreError> {
        let mut plans = Vec::new();
        for &(name, sql, params) in statements {
            let explain = format!("EXPLAIN QUERY PLAN {sql}");
            let query = (0..params).fold(sqlx::query_as(&explain), |q, _| q.bind(1_i64));
            let rows: Vec<(i64, i64, i64, String)> = query.fetch_all(&self.pool).await?;
            plans.push((name, rows.into_iter().map(|(.., detail)| detail).collect()));
        }
        Ok(plans)
    }

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
        let mut writer = options.connect().await.map_err(open_error)?;
        sqlx::migrate!("./migrations").run(&mut writer).await?;
        // An embedded file cannot hang up: no ping before each use, which would cost a round
        // trip to the connection's thread on every query.
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .acquire_timeout(BUSY_TIMEOUT)
            .test_before_acquire(false)
            .connect_lazy_with(options);
        Ok(Self {
            pool,
            writer: Arc::new(Mutex::new(Some(writer))),
        })
    }

    /// Waits for in-flight queries, then closes every connection (and checkpoints the WAL).
    pub async fn close(&self) {
        self.pool.close().await;
        if let Some(writer) = self.writer.lock().await.take() {
            if let Err(error) = writer.close().await {
                tracing::warn!(%error, "closing the database's writing connection failed");
            }
        }
    }

    /// Whether [`Store::close`] was called: background tasks end then.
    pub fn is_closed(&self) -> bool {
        self.pool.is_closed()
    }

    /// The writing connection, once the writes queued before this one are done (at most
    /// [`BUSY_TIMEOUT`], then `Busy`). Every write of the store goes through it; it is public so
    /// that benchmarks can give a bare bot's writes the very same connection.
    pub async fn write(&self) -> Result<WriteConnection, StoreError> {
        let writer = Arc::clone(&self.writer);
        let held = tokio::time::timeout(BUSY_TIMEOUT, writer.lock_owned())
            .await
            .map_err(|_| StoreError::Busy)?;
        // 'static: the guard owns its Arc, so it lives as long as it is held.
        let held: OwnedMutexGuard<Option<SqliteConnection>> = held;
        OwnedMutexGuard::try_map(held, Option::as_mut)
            .map_err(|_| StoreError::Sql(sqlx::Error::PoolClosed))
    }

    /// For tests and tools that inspect the database directly (a reading connection).
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
