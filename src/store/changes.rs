//! What other processes changed, on a database several processes share: PostgreSQL's notices
//! on `quorum_changes` (migration 0010), sent as each writing transaction commits. A process
//! ignores its own, which its memory already holds.

use sqlx::postgres::PgListener;

use super::backend::Db;
use super::{Store, StoreError};
use crate::ids::{GuildId, UserId};

const CHANNEL: &str = "quorum_changes";

/// One change another process made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Learner(UserId),
    Guild(GuildId),
    /// The listening connection was lost and is being made again: notices sent meanwhile are
    /// gone, so anything kept may be stale.
    Missed,
}

/// A listening connection of its own (not one of the pool's).
pub struct ChangeFeed {
    listener: PgListener,
    process: String,
}

impl Store {
    /// The changes other processes make, or `None` on SQLite, which one process owns.
    pub async fn change_feed(&self) -> Result<Option<ChangeFeed>, StoreError> {
        let Db::Postgres { pool, process } = &self.db else {
            return Ok(None);
        };
        let mut listener = PgListener::connect_with(pool).await?;
        listener.listen(CHANNEL).await?;
        Ok(Some(ChangeFeed {
            listener,
            process: process.to_string(),
        }))
    }
}

impl ChangeFeed {
    /// The next change by another process. Reconnects by itself after a lost connection,
    /// which it reports as [`Change::Missed`].
    pub async fn next(&mut self) -> Result<Change, StoreError> {
        loop {
            let Some(notice) = self.listener.try_recv().await? else {
                return Ok(Change::Missed);
            };
            if let Some(change) = parse(notice.payload(), &self.process) {
                return Ok(change);
            }
        }
    }
}

/// `learner <id> <process>` or `guild <id> <process>`; `None` for this process's own notices
/// and for anything else.
fn parse(payload: &str, own_process: &str) -> Option<Change> {
    let mut words = payload.splitn(3, ' ');
    let (kind, id, process) = (words.next()?, words.next()?, words.next()?);
    if process == own_process {
        return None;
    }
    let id: u64 = id.parse().ok()?;
    match kind {
        "learner" => Some(Change::Learner(UserId(id))),
        "guild" => Some(Change::Guild(GuildId(id))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn another_process_notice_is_a_change_and_our_own_is_not() {
        assert_eq!(
            parse("learner 42 quorum-7-ab", "quorum-9-cd"),
            Some(Change::Learner(UserId(42)))
        );
        assert_eq!(
            parse("guild 77 quorum-7-ab", "quorum-9-cd"),
            Some(Change::Guild(GuildId(77)))
        );
        assert_eq!(parse("learner 42 quorum-9-cd", "quorum-9-cd"), None);
        assert_eq!(parse("learner x quorum-7-ab", "quorum-9-cd"), None);
    }
}
