//! The databases a bench measures: a fresh SQLite file always, and a fresh PostgreSQL database
//! as well when `QUORUM_TEST_POSTGRES_URL` names a server (an administrator's URL, as for the
//! tests: the bench creates its own database there and drops it at the end). Each bench seeds
//! both through the same code and names its criterion ids `<bench>/<backend>/<case>`, so the
//! two backends' figures sit side by side.
//!
//! Every bench pulls this module in with `mod common;`, and not every one uses all of it.
#![allow(dead_code)]

use sqlx::{Connection as _, Executor as _};

/// The environment variable that turns the PostgreSQL runs on (the tests read it too).
pub const POSTGRES_URL_VAR: &str = "QUORUM_TEST_POSTGRES_URL";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend's part of a criterion id.
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// A fresh, empty database for one bench run.
pub struct BenchDatabase {
    pub backend: Backend,
    /// What `Store::open` takes.
    pub url: String,
    /// The SQLite file's folder, removed when this is dropped.
    _dir: Option<tempfile::TempDir>,
    /// The administrator's URL and the database's name, to drop it at the end.
    postgres: Option<(String, String)>,
}

/// The PostgreSQL administrator's URL, if the variable names one.
pub fn postgres_admin_url() -> Option<String> {
    std::env::var(POSTGRES_URL_VAR)
        .ok()
        .filter(|url| !url.is_empty())
}

/// [`postgres_admin_url`], or `None` after one line saying that `bench` runs on SQLite only.
pub fn postgres_admin(bench: &str) -> Option<String> {
    let admin = postgres_admin_url();
    if admin.is_none() {
        eprintln!(
            "{bench}: PostgreSQL runs skipped (set {POSTGRES_URL_VAR} to run them); SQLite only"
        );
    }
    admin
}

/// A fresh SQLite file in a temporary folder.
pub fn sqlite_database() -> BenchDatabase {
    let dir = tempfile::tempdir().expect("a temp dir");
    BenchDatabase {
        backend: Backend::Sqlite,
        url: format!("sqlite://{}", dir.path().join("bench.db").display()),
        _dir: Some(dir),
        postgres: None,
    }
}

/// A fresh database `bench_<name>_<pid>` on the server `admin` names (an older one of that
/// name, left by a run that died, is dropped first).
pub async fn postgres_database(admin: &str, name: &str) -> BenchDatabase {
    let database = format!("bench_{name}_{}", std::process::id());
    let mut conn = sqlx::PgConnection::connect(admin)
        .await
        .unwrap_or_else(|e| panic!("{POSTGRES_URL_VAR} must name a reachable server: {e}"));
    for statement in [
        format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"),
        format!("CREATE DATABASE {database}"),
    ] {
        conn.execute(statement.as_str())
            .await
            .unwrap_or_else(|e| panic!("{statement}: {e}"));
    }
    let _ = conn.close().await;
    BenchDatabase {
        backend: Backend::Postgres,
        url: with_database(admin, &database),
        _dir: None,
        postgres: Some((admin.to_owned(), database)),
    }
}

/// The databases of a bench run: SQLite, then PostgreSQL when the variable is set.
pub async fn databases(name: &str) -> Vec<BenchDatabase> {
    let mut databases = vec![sqlite_database()];
    if let Some(admin) = postgres_admin(name) {
        databases.push(postgres_database(&admin, name).await);
    }
    databases
}

impl BenchDatabase {
    /// Drops a PostgreSQL database (its gigabytes stay on a shared server otherwise); the
    /// SQLite folder goes with `self`. Close the stores on it first.
    pub async fn remove(self) {
        let Some((admin, database)) = &self.postgres else {
            return;
        };
        let dropped = async {
            let mut conn = sqlx::PgConnection::connect(admin).await?;
            conn.execute(format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)").as_str())
                .await?;
            conn.close().await
        };
        if let Err(error) = dropped.await {
            eprintln!("could not drop the bench database {database}: {error}");
        }
    }
}

/// `admin` with its database name replaced by `name` (its query, if any, kept).
fn with_database(admin: &str, name: &str) -> String {
    let (base, query) = match admin.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (admin, String::new()),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let host_part = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    format!("{host_part}/{name}{query}")
}

/// A bulk seeding statement in both dialects (the store's one-row-per-transaction writes would
/// take minutes): SQLite counts with recursive CTEs, PostgreSQL with `generate_series`.
pub struct Bulk {
    pub sqlite: String,
    /// With `slices`, it binds `$1` and `$2`: the slice `$1 <= key < $2` it writes.
    pub postgres: String,
    pub slices: Option<Slices>,
}

/// The keys `start..end` in slices of `step`, each committed on its own (PostgreSQL only).
#[derive(Debug, Clone, Copy)]
pub struct Slices {
    pub start: i64,
    pub end: i64,
    pub step: i64,
}

impl Bulk {
    /// One text both databases read the same way.
    pub fn both(text: impl Into<String>) -> Bulk {
        let text = text.into();
        Bulk {
            sqlite: text.clone(),
            postgres: text,
            slices: None,
        }
    }

    pub fn new(sqlite: impl Into<String>, postgres: impl Into<String>) -> Bulk {
        Bulk {
            sqlite: sqlite.into(),
            postgres: postgres.into(),
            slices: None,
        }
    }

    /// PostgreSQL writes the rows in slices (see [`seed`] for why).
    pub fn sliced(mut self, start: i64, end: i64, step: i64) -> Bulk {
        self.slices = Some(Slices { start, end, step });
        self
    }
}

/// Runs the statements in order. On SQLite: in one transaction on the store's writing
/// connection. On PostgreSQL: on one connection (so that a temporary table lives on), each
/// statement, or each slice of a sliced one, committed on its own. The slices are for the
/// counters the triggers keep (`standing_counts`, `topic_counts`, `guild_counts`): PostgreSQL
/// writes a new version of a row at each update, and a version made by a transaction still open
/// cannot be pruned, so a counter updated by each of 500,000 trigger calls in one transaction
/// grows a chain of versions that every later update walks. In slices the chains stay short.
pub async fn seed(store: &quorum::store::Store, statements: &[Bulk]) {
    if let Some(pool) = store.postgres_pool() {
        let mut conn = pool.acquire().await.expect("a connection");
        for bulk in statements {
            let Some(Slices { start, end, step }) = bulk.slices else {
                sqlx::query(&bulk.postgres)
                    .execute(&mut *conn)
                    .await
                    .unwrap_or_else(|e| panic!("seeding: {e}\n{}", bulk.postgres));
                continue;
            };
            for lo in (start..end).step_by(step as usize) {
                sqlx::query(&bulk.postgres)
                    .bind(lo)
                    .bind((lo + step).min(end))
                    .execute(&mut *conn)
                    .await
                    .unwrap_or_else(|e| panic!("seeding: {e}\n{}", bulk.postgres));
            }
        }
        return;
    }
    let mut writer = store.write().await.expect("the writing connection");
    let mut tx = writer.begin().await.expect("a transaction");
    for bulk in statements {
        sqlx::query(&bulk.sqlite)
            .execute(&mut *tx)
            .await
            .unwrap_or_else(|e| panic!("seeding: {e}\n{}", bulk.sqlite));
    }
    tx.commit().await.expect("seeded");
}
