//! The two databases the store speaks, and the one way its statements reach either.
//!
//! SQLite is the embedded default: one file, every write through one connection (see
//! [`Store::write`]). PostgreSQL serves several bot processes at once: a pool whose connections
//! are all equal, since the server arbitrates the writers.
//!
//! A statement is a [`Sql`]: its SQLite and PostgreSQL spellings side by side, most often one
//! text both accept (parameters are `$1`, `$2`, ... on both). Its values travel as
//! [`Value`]s, so a store method builds them once and either backend binds them.

use std::borrow::Cow;

use sqlx::postgres::{PgArguments, PgRow};
use sqlx::sqlite::{SqliteArguments, SqliteRow};
use sqlx::{Arguments as _, FromRow, PgPool, Postgres, Sqlite, SqlitePool, Transaction};

use super::{Store, StoreError, WriteConnection};

/// One statement in both dialects.
#[derive(Debug, Clone, Copy)]
pub(super) struct Sql<'a> {
    pub sqlite: &'a str,
    pub postgres: &'a str,
}

impl<'a> Sql<'a> {
    /// A statement both databases read the same way.
    pub const fn both(text: &'a str) -> Sql<'a> {
        Sql {
            sqlite: text,
            postgres: text,
        }
    }
}

/// A value bound to a statement, typed so that PostgreSQL sees a NULL of the right type.
#[derive(Debug, Clone)]
pub(super) enum Value<'a> {
    Int(Option<i64>),
    Real(Option<f64>),
    Text(Option<Cow<'a, str>>),
}

impl From<i64> for Value<'_> {
    fn from(value: i64) -> Self {
        Value::Int(Some(value))
    }
}

impl From<Option<i64>> for Value<'_> {
    fn from(value: Option<i64>) -> Self {
        Value::Int(value)
    }
}

/// Flags are stored as 0 and 1 on both backends.
impl From<bool> for Value<'_> {
    fn from(value: bool) -> Self {
        Value::Int(Some(i64::from(value)))
    }
}

impl From<f64> for Value<'_> {
    fn from(value: f64) -> Self {
        Value::Real(Some(value))
    }
}

impl From<Option<f64>> for Value<'_> {
    fn from(value: Option<f64>) -> Self {
        Value::Real(value)
    }
}

impl<'a> From<&'a str> for Value<'a> {
    fn from(value: &'a str) -> Self {
        Value::Text(Some(Cow::Borrowed(value)))
    }
}

impl<'a> From<Option<&'a str>> for Value<'a> {
    fn from(value: Option<&'a str>) -> Self {
        Value::Text(value.map(Cow::Borrowed))
    }
}

impl From<String> for Value<'_> {
    fn from(value: String) -> Self {
        Value::Text(Some(Cow::Owned(value)))
    }
}

impl From<Option<String>> for Value<'_> {
    fn from(value: Option<String>) -> Self {
        Value::Text(value.map(Cow::Owned))
    }
}

/// The values of a statement, in parameter order: `args![user_key(user), track]`.
macro_rules! args {
    ($($value:expr),* $(,)?) => {
        vec![$($crate::store::backend::Value::from($value)),*]
    };
}
pub(super) use args;

/// A row type both backends can decode (tuples of `i64`, `f64`, `String`, `Option`s of them,
/// or a `#[derive(sqlx::FromRow)]` struct).
pub trait Decode:
    for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}

impl<T> Decode for T where
    T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}

fn encode_error(error: sqlx::error::BoxDynError) -> StoreError {
    StoreError::Sql(sqlx::Error::Encode(error))
}

fn sqlite_args(values: Vec<Value<'_>>) -> Result<SqliteArguments<'_>, StoreError> {
    let mut args = SqliteArguments::default();
    for value in values {
        match value {
            Value::Int(v) => args.add(v),
            Value::Real(v) => args.add(v),
            Value::Text(v) => args.add(v),
        }
        .map_err(encode_error)?;
    }
    Ok(args)
}

fn pg_args(values: Vec<Value<'_>>) -> Result<PgArguments, StoreError> {
    let mut args = PgArguments::default();
    for value in values {
        match value {
            Value::Int(v) => args.add(v),
            Value::Real(v) => args.add(v),
            Value::Text(v) => args.add(v),
        }
        .map_err(encode_error)?;
    }
    Ok(args)
}

/// Where the store's connections live.
#[derive(Debug, Clone)]
pub(super) enum Db {
    Sqlite {
        /// Reads.
        pool: SqlitePool,
        /// Every write: see [`Store::write`].
        writer: std::sync::Arc<tokio::sync::Mutex<Option<sqlx::SqliteConnection>>>,
    },
    Postgres {
        pool: PgPool,
        /// This process's `application_name`, which the change notices carry (see
        /// `changes.rs`).
        process: std::sync::Arc<str>,
    },
}

/// A connection held for writing: on SQLite the one writer, on PostgreSQL any of the pool's.
pub(super) enum Writer {
    Sqlite(WriteConnection),
    Postgres(PgPool),
}

impl Writer {
    /// Starts a transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`), so
    /// a read-then-write never fails half-way on a lock.
    pub async fn begin(&mut self) -> Result<Tx<'_>, StoreError> {
        use sqlx::Connection as _;
        Ok(match self {
            Writer::Sqlite(conn) => Tx::Sqlite(conn.begin_with("BEGIN IMMEDIATE").await?),
            Writer::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }
}

/// A transaction on either backend; dropped without [`Tx::commit`], it rolls back.
pub(super) enum Tx<'c> {
    Sqlite(Transaction<'c, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

impl Tx<'_> {
    /// Runs a statement; returns how many rows it changed.
    pub async fn execute(
        &mut self,
        sql: &Sql<'_>,
        values: Vec<Value<'_>>,
    ) -> Result<u64, StoreError> {
        Ok(match self {
            Tx::Sqlite(tx) => sqlx::query_with(sql.sqlite, sqlite_args(values)?)
                .execute(&mut **tx)
                .await?
                .rows_affected(),
            Tx::Postgres(tx) => sqlx::query_with(sql.postgres, pg_args(values)?)
                .execute(&mut **tx)
                .await?
                .rows_affected(),
        })
    }

    pub async fn fetch_all<T: Decode>(
        &mut self,
        sql: &Sql<'_>,
        values: Vec<Value<'_>>,
    ) -> Result<Vec<T>, StoreError> {
        Ok(match self {
            Tx::Sqlite(tx) => {
                sqlx::query_as_with(sql.sqlite, sqlite_args(values)?)
                    .fetch_all(&mut **tx)
                    .await?
            }
            Tx::Postgres(tx) => {
                sqlx::query_as_with(sql.postgres, pg_args(values)?)
                    .fetch_all(&mut **tx)
                    .await?
            }
        })
    }

    pub async fn fetch_one<T: Decode>(
        &mut self,
        sql: &Sql<'_>,
        values: Vec<Value<'_>>,
    ) -> Result<T, StoreError> {
        Ok(match self {
            Tx::Sqlite(tx) => {
                sqlx::query_as_with(sql.sqlite, sqlite_args(values)?)
                    .fetch_one(&mut **tx)
                    .await?
            }
            Tx::Postgres(tx) => {
                sqlx::query_as_with(sql.postgres, pg_args(values)?)
                    .fetch_one(&mut **tx)
                    .await?
            }
        })
    }

    pub async fn commit(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await?,
            Tx::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }
}

impl Store {
    /// Whether this store runs on PostgreSQL (several processes may share it).
    pub fn is_postgres(&self) -> bool {
        matches!(self.db, Db::Postgres { .. })
    }

    /// A connection for writing: see [`Store::write`] for SQLite's one writer.
    pub(super) async fn writer(&self) -> Result<Writer, StoreError> {
        Ok(match &self.db {
            Db::Sqlite { .. } => Writer::Sqlite(self.write().await?),
            Db::Postgres { pool, .. } => Writer::Postgres(pool.clone()),
        })
    }

    /// Runs one writing statement on its own (atomic by itself); returns the rows it changed.
    pub(super) async fn execute(
        &self,
        sql: &Sql<'_>,
        values: Vec<Value<'_>>,
    ) -> Result<u64, StoreError> {
        Ok(match &self.db {
            Db::Sqlite { .. } => sqlx::query_with(sql.sqlite, sqlite_args(values)?)
                .execute(&mut *self.write().await?)
                .await?
                .rows_affected(),
            Db::Postgres { pool, .. } => sqlx::query_with(sql.postgres, pg_args(values)?)
                .execute(pool)
                .await?
                .rows_affected(),
        })
    }

    /// Every row of a read.
    pub(super) async fn fetch_all<T: Decode>(
        &self,
        sql: &Sql<'_>,
        values: Vec<Value<'_>>,
    ) -> Result<Vec<T>, StoreError> {
        Ok(match &self.db {
            Db::Sqlite { pool, .. } => {
                sqlx::query_as_with(sql.sqlite, sqlite_args(values)?)
                    .fetch_all(pool)
                    .await?
            }
            Db::Postgres { pool, .. } => {
                sqlx::query_as_with(sql.postgres, pg_args(values)?)
                    .fetch_all(pool)
                    .await?
            }
        })
    }

    /// The row of a read, if there is one.
    pub(super) async fn fetch_optional<T: Decode>(
        &self,
        sql: &Sql<'_>,
        values: Vec<Value<'_>>,
    ) -> Result<Option<T>, StoreError> {
        Ok(match &self.db {
            Db::Sqlite { pool, .. } => {
                sqlx::query_as_with(sql.sqlite, sqlite_args(values)?)
                    .fetch_optional(pool)
                    .await?
            }
            Db::Postgres { pool, .. } => {
                sqlx::query_as_with(sql.postgres, pg_args(values)?)
                    .fetch_optional(pool)
                    .await?
            }
        })
    }

    /// Rows of an ad hoc read without parameters, on either backend: for tests and tools
    /// that look into the database directly.
    pub async fn query_rows<T: Decode>(&self, sql: &str) -> Result<Vec<T>, StoreError> {
        self.fetch_all(&Sql::both(sql), Vec::new()).await
    }

    /// Runs an ad hoc statement without parameters (on SQLite through the one writer): for
    /// tests and tools. Returns the rows it changed.
    pub async fn execute_sql(&self, sql: &str) -> Result<u64, StoreError> {
        self.execute(&Sql::both(sql), Vec::new()).await
    }

    /// The one row of a read that always returns one (an aggregate, say).
    pub(super) async fn fetch_one<T: Decode>(
        &self,
        sql: &Sql<'_>,
        values: Vec<Value<'_>>,
    ) -> Result<T, StoreError> {
        Ok(match &self.db {
            Db::Sqlite { pool, .. } => {
                sqlx::query_as_with(sql.sqlite, sqlite_args(values)?)
                    .fetch_one(pool)
                    .await?
            }
            Db::Postgres { pool, .. } => {
                sqlx::query_as_with(sql.postgres, pg_args(values)?)
                    .fetch_one(pool)
                    .await?
            }
        })
    }
}
