//! WAL checkpoints off the interaction path. SQLite's automatic checkpoint runs inside the
//! commit that crosses 1,000 WAL pages, so every fortieth or so mark would pay for copying the
//! WAL back into the database (and an fsync). The writing connection has it turned off; this
//! task checkpoints instead, from a reading connection, a few times a second while there are
//! writes, and not at all while the bot is idle.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use sqlx::SqlitePool;

/// How often the WAL is folded back while writes come in: it stays a few MB at most.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(250);

/// Counts writes so that the checkpointer knows whether there is anything to fold back.
#[derive(Debug, Default)]
pub(super) struct Writes(AtomicU64);

impl Writes {
    pub(super) fn count(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

/// Checkpoints (PASSIVE: never waits for readers or the writer) after writes, until the pool
/// closes.
pub(super) fn spawn(pool: SqlitePool, writes: Arc<Writes>) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(CHECKPOINT_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut folded = 0;
        while !pool.is_closed() {
            every.tick().await;
            let written = writes.0.load(Ordering::Relaxed);
            if written == folded {
                continue;
            }
            match sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(&pool)
                .await
            {
                Ok(_) => folded = written,
                Err(_) if pool.is_closed() => return,
                Err(error) => tracing::warn!(%error, "WAL checkpoint failed; retrying"),
            }
        }
    });
}
