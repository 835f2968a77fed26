//! The only module that speaks SQL, and it decides nothing: it maps rows to and from the core's
//! types. SQLite is the embedded default; PostgreSQL (a `postgres://` URL) lets several bot
//! processes share one database. Each statement keeps its two spellings side by side (see
//! `backend.rs`); most are one text both read the same way. Each study action is one `INSERT`
//! into a writable view whose trigger fans it out, and triggers keep the boards: SQLite's are in
//! `migrations/`, PostgreSQL's twins in `migrations/postgres/`.

mod actions;
pub(crate) mod backend;
mod boards;
mod changes;
mod connect;
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
mod values;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use sqlx::SqliteConnection;
use tokio::sync::{OwnedMappedMutexGuard, OwnedMutexGuard};

pub use actions::Action;
pub use boards::{BoardRow, Standing};
pub use changes::{Change, ChangeFeed};
pub use group::KnowerRow;
pub use outbox::{ClosedAs, OutboxReminder};
pub use progress::{LearnedMark, LearnerRecord};
pub use quizzes::{NewAnswer, NewQuiz, PlannedQuestion, QuizRecord, ReviewEnd, StoredAnswer};
pub use reminders::{NewReminder, ReminderTimes, SweepPlan, SweepRow};
pub use values::Decode;

use crate::ids::{GuildId, UserId};
use backend::Db;

/// How long a write waits for another writer (or a connection) before giving up with
/// `StoreError::Busy`.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the database is busy; try again in a moment")]
    Busy,
    /// `target` names the database without its password.
    #[error("cannot open the database {target}: {reason}")]
    Open { target: String, reason: String },
    #[error("cannot apply the database migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Sql(sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        if connect::is_busy(&error) {
            StoreError::Busy
        } else {
            StoreError::Sql(error)
        }
    }
}

/// A handle on the database; cheap to clone.
///
/// On SQLite every write goes through one connection (see [`Store::write`]); reads use a pool.
/// On PostgreSQL every statement takes any connection of one pool.
#[derive(Debug, Clone)]
pub struct Store {
    db: Db,
}

/// The writing connection, held: other writes wait until it is dropped.
pub type WriteConnection = OwnedMappedMutexGuard<Option<SqliteConnection>, SqliteConnection>;

/// A statement to explain: its name, its text, and how many parameters it binds.
type Explained = (&'static str, backend::Sql<'static>, usize);

impl Store {
    /// SQLite's plan for each statement, as (name, one line per step), with every parameter
    /// bound to 1: how the tests and benchmarks check the very statements the store runs.
    /// Empty on PostgreSQL, whose planner these checks do not describe.
    async fn plans(
        &self,
        statements: &[Explained],
    ) -> Result<Vec<(&'static str, Vec<String>)>, StoreError> {
        let Db::Sqlite { pool, .. } = &self.db else {
            return Ok(Vec::new());
        };
        let mut plans = Vec::new();
        for &(name, sql, params) in statements {
            let explain = format!("EXPLAIN QUERY PLAN {}", sql.sqlite);
            let query = (0..params).fold(sqlx::query_as(&explain), |q, _| q.bind(1_i64));
            let rows: Vec<(i64, i64, i64, String)> = query.fetch_all(pool).await?;
            plans.push((name, rows.into_iter().map(|(.., detail)| detail).collect()));
        }
        Ok(plans)
    }

    /// Opens the database at `url` (`sqlite://...`, created if missing, or `postgres://...`)
    /// and applies pending migrations.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let db = if connect::is_postgres_url(url) {
            connect::open_postgres(url).await?
        } else {
            connect::open_sqlite(url).await?
        };
        Ok(Self { db })
    }

    /// Waits for in-flight queries, then closes every connection (and checkpoints SQLite's WAL).
    pub async fn close(&self) {
        match &self.db {
            Db::Sqlite { pool, writer } => {
                pool.close().await;
                if let Some(writer) = writer.lock().await.take() {
                    use sqlx::Connection as _;
                    if let Err(error) = writer.close().await {
                        tracing::warn!(%error, "closing the database's writing connection failed");
                    }
                }
            }
            Db::Postgres { pool, .. } => pool.close().await,
        }
    }

    /// Whether [`Store::close`] was called: background tasks end then.
    pub fn is_closed(&self) -> bool {
        match &self.db {
            Db::Sqlite { pool, .. } => pool.is_closed(),
            Db::Postgres { pool, .. } => pool.is_closed(),
        }
    }

    /// SQLite's writing connection, once the writes queued before this one are done (at most
    /// [`BUSY_TIMEOUT`], then `Busy`). Every SQLite write of the store goes through it: writes
    /// queue in the process instead of contending for SQLite's lock, and its page cache stays
    /// warm, since in WAL mode a connection drops its whole cache whenever another connection
    /// has written. It is public so that benchmarks can give a bare bot's writes the very same
    /// connection. On PostgreSQL there is no such connection: `Busy`.
    pub async fn write(&self) -> Result<WriteConnection, StoreError> {
        let Db::Sqlite { writer, .. } = &self.db else {
            return Err(StoreError::Busy);
        };
        let writer = Arc::clone(writer);
        let held = tokio::time::timeout(BUSY_TIMEOUT, writer.lock_owned())
            .await
            .map_err(|_| StoreError::Busy)?;
        // 'static: the guard owns its Arc, so it lives as long as it is held.
        let held: OwnedMutexGuard<Option<SqliteConnection>> = held;
        OwnedMutexGuard::try_map(held, Option::as_mut)
            .map_err(|_| StoreError::Sql(sqlx::Error::PoolClosed))
    }

    /// For tests and tools that inspect an SQLite database directly (a reading connection);
    /// `None` on PostgreSQL.
    pub fn sqlite_pool(&self) -> Option<&sqlx::SqlitePool> {
        match &self.db {
            Db::Sqlite { pool, .. } => Some(pool),
            Db::Postgres { .. } => None,
        }
    }

    /// For tests and tools that inspect a PostgreSQL database directly; `None` on SQLite.
    pub fn postgres_pool(&self) -> Option<&sqlx::PgPool> {
        match &self.db {
            Db::Sqlite { .. } => None,
            Db::Postgres { pool, .. } => Some(pool),
        }
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
