//! Which database a test runs on. Every test of the store, the core and the bot runs on a fresh
//! SQLite file; the ones written inside [`on_both_backends!`] run again on a fresh PostgreSQL
//! database when `QUORUM_TEST_POSTGRES_URL` names a server (an administrator's URL: each test
//! creates its own database there). Without it, each PostgreSQL twin says by name that it was
//! skipped.

use std::future::Future;
use std::io::Write as _;
use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::{Connection as _, Executor as _};

/// The environment variable that turns the PostgreSQL runs on.
pub const POSTGRES_URL_VAR: &str = "QUORUM_TEST_POSTGRES_URL";

tokio::task_local! {
    /// Set while a PostgreSQL twin runs: the administrator's URL.
    static POSTGRES_ADMIN: String;
}

/// A database for one test, and what keeps it alive.
pub struct TestDatabase {
    pub url: String,
    /// The SQLite file's folder.
    pub dir: Option<tempfile::TempDir>,
    /// On PostgreSQL, (administrator's URL, database name): dropped with the test.
    pub postgres: Option<(String, String)>,
}

impl Drop for TestDatabase {
    /// Drops a PostgreSQL test database (and its connections left open) on its own thread, so
    /// that the server does not fill up with them; a failure only leaves one behind.
    fn drop(&mut self) {
        let Some((admin, name)) = self.postgres.take() else {
            return;
        };
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async {
                let mut conn = sqlx::PgConnection::connect(&admin).await.ok()?;
                let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                conn.execute(drop.as_str()).await.ok()
            })
        });
        let _ = dropped.join();
    }
}

/// A fresh database on the backend the running test is on.
pub async fn fresh_database() -> TestDatabase {
    match POSTGRES_ADMIN.try_with(Clone::clone) {
        Ok(admin) => {
            let name = create_postgres_database(&admin).await;
            TestDatabase {
                url: with_database(&admin, &name),
                dir: None,
                postgres: Some((admin, name)),
            }
        }
        Err(_) => {
            let dir = tempfile::tempdir().expect("a temp dir");
            TestDatabase {
                url: format!("sqlite://{}", dir.path().join("quorum.db").display()),
                dir: Some(dir),
                postgres: None,
            }
        }
    }
}

/// Runs `test` on PostgreSQL when the variable is set; otherwise says it was skipped.
pub async fn run_on_postgres(name: &str, test: impl Future<Output = ()>) {
    let Some(admin) = std::env::var(POSTGRES_URL_VAR)
        .ok()
        .filter(|u| !u.is_empty())
    else {
        // Straight to the process's stderr: the test harness captures `eprintln!`.
        let _ = writeln!(
            std::io::stderr(),
            "skipped on PostgreSQL: {name} (set {POSTGRES_URL_VAR} to run it)"
        );
        return;
    };
    POSTGRES_ADMIN.scope(admin, test).await;
}

/// Creates a database for one test and returns its name.
async fn create_postgres_database(admin: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let name = format!(
        "quorum_test_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let mut conn = sqlx::PgConnection::connect(admin)
        .await
        .unwrap_or_else(|e| panic!("{POSTGRES_URL_VAR} must name a reachable server: {e}"));
    conn.execute(format!("DROP DATABASE IF EXISTS {name}").as_str())
        .await
        .expect("drop an old test database");
    conn.execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .expect("create a test database");
    name
}

/// Every (table, column) of the test's database, from its own catalogue, so that tables added
/// by later migrations are checked too.
pub async fn tables_and_columns(store: &quorum::store::Store) -> Vec<(String, String)> {
    let catalogue = if store.is_postgres() {
        "SELECT c.table_name::TEXT, c.column_name::TEXT FROM information_schema.columns c
         JOIN information_schema.tables t
           ON t.table_schema = c.table_schema AND t.table_name = c.table_name
         WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
         ORDER BY 1, 2"
    } else {
        "SELECT m.name, c.name FROM sqlite_master m, pragma_table_info(m.name) c
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY 1, 2"
    };
    store.query_rows(catalogue).await.expect("the catalogue")
}

/// The `host:port` a PostgreSQL URL names.
pub fn host_port(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(url, |i| &url[i + 3..]);
    let after_user = after_scheme
        .rsplit_once('@')
        .map_or(after_scheme, |(_, rest)| rest);
    after_user.split(['/', '?']).next().unwrap_or(after_user)
}

/// `admin` with its database name replaced by `name`.
pub fn with_database(admin: &str, name: &str) -> String {
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

/// Writes each test twice: as it is, on SQLite, and in a module `on_postgres` whose twin runs
/// the same body on a fresh PostgreSQL database (see [`run_on_postgres`]).
#[macro_export]
macro_rules! on_both_backends {
    ($($(#[$meta:meta])* async fn $name:ident() $body:block)*) => {
        $($(#[$meta])* async fn $name() $body)*

        mod on_postgres {
            #[allow(unused_imports)]
            use super::*;
            $($(#[$meta])* async fn $name() {
                $crate::support::db::run_on_postgres(
                    concat!(module_path!(), "::", stringify!($name)),
                    async move $body,
                )
                .await
            })*
        }
    };
}

/// Writes tests that make sense on PostgreSQL only (several processes on one database: one
/// SQLite file is not to be shared between processes). Each runs on a fresh PostgreSQL
/// database when `QUORUM_TEST_POSTGRES_URL` is set, and says by name that it was skipped
/// otherwise (see [`run_on_postgres`]).
#[macro_export]
macro_rules! on_postgres_only {
    ($($(#[$meta:meta])* async fn $name:ident() $body:block)*) => {
        $($(#[$meta])* async fn $name() {
            $crate::support::db::run_on_postgres(
                concat!(module_path!(), "::", stringify!($name)),
                async move $body,
            )
            .await
        })*
    };
}
