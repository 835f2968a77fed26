//! The two databases the store speaks, and the one way its statements reach either.
//!
//! SQLite is the embedded default: one file, every write through one connection (see
//! [`Store::write`]). PostgreSQL serves several bot processes at once: a pool whose connections
//! are all equal, since the server arbitrates the writers.
//!
//! A statement is a [`Sql`]: its SQLite and PostgreSQL spellings side by side, most often one
//! text both accept (parameters are `$1`, `$2`, ... on both). Its values travel as
//! [`Value`]s (`values.rs`), so a store method builds them once and either backend binds them.

use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};

pub(super) use super::values::{args, Value};
use super::values::{pg_args, sqlite_args, Decode};
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

/// Runs `sql` with `values` on whichever backend: `$build` is sqlx's `query_with` or
/// `query_as_with`, `$run` the method that runs it (then `$then` on its result), and each
/// executor the backend's own.
macro_rules! on_backend {
    ($sqlite:expr, $postgres:expr, $sql:expr, $values:expr, $build:ident, $run:ident $(, $then:ident)?) => {
        match ($sqlite, $postgres) {
            (Some(executor), _) => {
                sqlx::$build($sql.sqlite, sqlite_args($values)?)
                    .$run(executor)
                    .await?
                    $(.$then())?
            }
            (None, Some(executor)) => {
                sqlx::$build($sql.postgres, pg_args($values)?)
                    .$run(executor)
                    .await?
                    $(.$then())?
            }
            (None, None) => unreachable!("a store is on one backend"),
        }
    };
}

impl Tx<'_> {
    /// The transaction's connection, as (SQLite, PostgreSQL): one of them.
    fn connections(
        &mut self,
    ) -> (
        Option<&mut sqlx::SqliteConnection>,
        Option<&mut sqlx::PgConnection>,
    ) {
        match self {
            Tx::Sqlite(tx) => (Some(&mut **tx), None),
            Tx::Postgres(tx) => (None, Some(&mut **tx)),
        }
    }

    /// Runs a statement; returns how many rows it changed.
    pub async fn execute(
        &mut self,
        sql: &Sql<'_>,
        values: Vec<Value<'_>>,
    ) -> Result<u64, StoreError> {
        let (sqlite, postgres) = self.connections();
        Ok(on_backend!(
            sqlite,
            postgres,
            sql,
            values,
            query_with,
            execute,
            rows_affected
        ))
    }

    pub async fn fetch_all<T: Decode>(
        &mut self,
        sql: &Sql<'_>,
        values: Vec<Value<'_>>,
    ) -> Result<Vec<T>, StoreError> {
        let (sqlite, postgres) = self.connections();
        Ok(on_backend!(
            sqlite,
            postgres,
            sql,
            values,
            query_as_with,
            fetch_all
        ))
    }

    pub async fn fetch_one<T: Decode>(
        &mut self,
        sql: &Sql<'_>,
        values: Vec<Value<'_>>,
    ) -> Result<T, StoreError> {
        let (sqlite, postgres) = self.connections();
        Ok(on_backend!(
            sqlite,
            postgres,
            sql,
            values,
            query_as_with,
            fetch_one
        ))
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

    /// A transaction that only reads: one consistent view, without taking SQLite's writer.
    pub(super) async fn begin_read(&self) -> Result<Tx<'static>, StoreError> {
        Ok(match &self.db {
            Db::Sqlite { pool, .. } => Tx::Sqlite(pool.begin().await?),
            Db::Postgres { pool, .. } => Tx::Postgres(pool.begin().await?),
        })
    }

    /// Runs one writing statement on its own (atomic by itself); returns the rows it changed.
    pub(super) async fn execute(
        &self,
        sql: &Sql<'_>,
        values: Vec<Value<'_>>,
    ) -> Result<u64, StoreError> {
        let mut writer = match &self.db {
            Db::Sqlite { .. } => Some(self.write().await?),
            Db::Postgres { .. } => None,
        };
        let (_, postgres) = self.pools();
        let sqlite = writer.as_deref_mut();
        Ok(on_backend!(
            sqlite,
            postgres,
            sql,
            values,
            query_with,
            execute,
            rows_affected
        ))
    }

    /// The pool that reads, as (SQLite, PostgreSQL): one of them. PostgreSQL's also writes.
    fn pools(&self) -> (Option<&SqlitePool>, Option<&PgPool>) {
        match &self.db {
            Db::Sqlite { pool, .. } => (Some(pool), None),
            Db::Postgres { pool, .. } => (None, Some(pool)),
        }
    }

    /// Every row of a read.
    pub(super) async fn fetch_all<T: Decode>(
        &self,
        sql: &Sql<'_>,
        values: Vec<Value<'_>>,
    ) -> Result<Vec<T>, StoreError> {
        let (sqlite, postgres) = self.pools();
        Ok(on_backend!(
            sqlite,
            postgres,
            sql,
            values,
            query_as_with,
            fetch_all
        ))
    }

    /// The row of a read, if there is one.
    pub(super) async fn fetch_optional<T: Decode>(
        &self,
        sql: &Sql<'_>,
        values: Vec<Value<'_>>,
    ) -> Result<Option<T>, StoreError> {
        let (sqlite, postgres) = self.pools();
        Ok(on_backend!(
            sqlite,
            postgres,
            sql,
            values,
            query_as_with,
            fetch_optional
        ))
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
        let (sqlite, postgres) = self.pools();
        Ok(on_backend!(
            sqlite,
            postgres,
            sql,
            values,
            query_as_with,
            fetch_one
        ))
    }
}
