//! Opening either database, and telling a passing outage from a real error.
//!
//! A bad URL or an unreachable server at start is one line that names the database without its
//! password and says what to check. While running, a lost connection, a full pool or a lock is
//! `Busy`: the member is asked to try again, and the pool reconnects by itself once the server
//! is back.

use std::str::FromStr;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::ConnectOptions as _;

use super::backend::Db;
use super::{StoreError, BUSY_TIMEOUT};

/// Connections each process keeps to PostgreSQL at most: a shard process's interactions and
/// its reminder worker, without crowding out the other processes on the same server.
const POSTGRES_CONNECTIONS: u32 = 10;

/// How long a statement waits for a PostgreSQL connection before `Busy`: while the server is
/// away, the pool keeps trying to connect, and the member must get "try again" within
/// Discord's 3 s.
const POSTGRES_ACQUIRE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

pub(super) fn is_postgres_url(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

pub(super) async fn open_sqlite(url: &str) -> Result<Db, StoreError> {
    let open_error = |source: sqlx::Error| StoreError::Open {
        target: url.to_string(),
        reason: source.to_string(),
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
    Ok(Db::Sqlite {
        pool,
        writer: std::sync::Arc::new(tokio::sync::Mutex::new(Some(writer))),
    })
}

/// Connects, then migrates: several processes starting at once are safe, since sqlx's
/// PostgreSQL migrator holds an advisory lock while it applies migrations.
pub(super) async fn open_postgres(url: &str) -> Result<Db, StoreError> {
    let options = PgConnectOptions::from_str(url).map_err(|error| StoreError::Open {
        target: "at the PostgreSQL URL given".into(),
        reason: format!(
            "{}; check its spelling: postgres://user:password@host:port/database",
            strip_url(&error.to_string())
        ),
    })?;
    // Each process names itself, so that it can tell its own change notices from others'.
    let process = format!(
        "quorum-{}-{:08x}",
        std::process::id(),
        rand::random::<u32>()
    );
    let options = options.application_name(&process);
    let target = format!(
        "{} on {}:{} as {}",
        options.get_database().unwrap_or("(default database)"),
        options.get_host(),
        options.get_port(),
        options.get_username()
    );
    // One connection first, for the migrations and for the server's own answer when it
    // refuses (a pool would only say that it timed out).
    let mut first = options.connect().await.map_err(|error| StoreError::Open {
        target: target.clone(),
        reason: format!(
            "{}; {}",
            strip_url(&error.to_string()),
            what_to_check(&error)
        ),
    })?;
    sqlx::migrate!("./migrations/postgres")
        .run(&mut first)
        .await?;
    let pool = PgPoolOptions::new()
        .max_connections(POSTGRES_CONNECTIONS)
        .acquire_timeout(POSTGRES_ACQUIRE_TIMEOUT)
        .connect_lazy_with(options);
    {
        use sqlx::Connection as _;
        let _ = first.close().await;
    }
    Ok(Db::Postgres {
        pool,
        process: process.into(),
    })
}

/// What an operator should look at when PostgreSQL refuses at start.
fn what_to_check(error: &sqlx::Error) -> &'static str {
    match error {
        sqlx::Error::Database(db) if matches!(db.code().as_deref(), Some("28P01" | "28000")) => {
            "check the user name and password in the URL"
        }
        sqlx::Error::Database(db) if db.code().as_deref() == Some("3D000") => {
            "create the database first (createdb), or fix its name in the URL"
        }
        sqlx::Error::Database(_) => "check the URL and the server's access rules (pg_hba.conf)",
        _ => "check that the server runs and listens on that host and port",
    }
}

/// Error texts never repeat a URL, which may carry a password.
fn strip_url(text: &str) -> String {
    text.split_whitespace()
        .map(|word| if word.contains("://") { "(url)" } else { word })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether an error is a passing condition worth a "try again": a lock or a busy database on
/// SQLite; on PostgreSQL a lost or refused connection, a full pool, a serialization failure, a
/// deadlock or a server shutting down.
pub(super) fn is_busy(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) => true,
        sqlx::Error::Database(db) => match db.code() {
            // SQLITE_BUSY (5) and SQLITE_LOCKED (6), with their extended codes in the high bits.
            Some(code) if code.parse::<i32>().is_ok() => {
                code.parse::<i32>().is_ok_and(|c| matches!(c & 0xff, 5 | 6))
            }
            // PostgreSQL's SQLSTATE: connection exceptions (08), serialization failure and
            // deadlock (40), lock not available (55P03), operator intervention (57P).
            Some(state) => {
                state.starts_with("08")
                    || state.starts_with("40")
                    || state == "55P03"
                    || state.starts_with("57P")
            }
            None => false,
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_text_never_repeats_a_url() {
        let text = "error with configuration: postgres://bot:hunter2@db/quorum is invalid";
        assert!(!strip_url(text).contains("hunter2"));
        assert!(strip_url(text).contains("is invalid"));
    }

    #[tokio::test]
    async fn a_misspelled_postgres_url_is_one_line_without_the_password() {
        let error = open_postgres("postgres://bot:hunter2@[nowhere/quorum")
            .await
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(error.contains("check its spelling"), "{error}");
        assert!(!error.contains("hunter2"), "{error}");
        assert!(!error.contains('\n'), "{error}");
    }

    #[tokio::test]
    async fn an_unreachable_postgres_names_the_host_and_what_to_check() {
        // Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
        let error = open_postgres("postgres://bot:hunter2@127.0.0.1:9/quorum")
            .await
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(error.contains("quorum on 127.0.0.1:9 as bot"), "{error}");
        assert!(error.contains("check that the server runs"), "{error}");
        assert!(!error.contains("hunter2"), "{error}");
    }
}
