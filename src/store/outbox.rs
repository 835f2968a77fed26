//! The reminder outbox: every reminder is written here before it is sent, and each row moves
//! `pending` -> `sending` (with the attempt time) -> `sent`, or -> `failed` with its next
//! attempt time; `unknown`, `folded` and `abandoned` end a row without a send.

use super::backend::{args, Sql};
use super::{from_millis, to_millis, user_key, Store, StoreError};
use crate::ids::UserId;
use chrono::{DateTime, Utc};

/// A reminder taken from the outbox to be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxReminder {
    pub id: i64,
    pub user: UserId,
    pub local_day: String,
    pub topics: Vec<(String, String)>,
    pub catch_up: bool,
    pub attempts: u32,
    /// The first attempt whose outcome is unknown (Discord may have shown it).
    pub unconfirmed_since: Option<DateTime<Utc>>,
    /// The UTC offset `local_day` was read under.
    pub utc_offset_minutes: i32,
    /// The DM channel Discord opened with the member, if known.
    pub dm_channel: Option<u64>,
}

type OutboxRow = (
    i64,
    i64,
    String,
    String,
    i64,
    i64,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

/// Reminders whose attempt is due, oldest first, with the member's DM channel.
/// On PostgreSQL the rows are locked as they are read, skipping those another process is
/// claiming at that moment, so two processes never take the same reminder.
const DUE_OUTBOX: Sql = Sql {
    sqlite: "SELECT o.id, o.user_id, o.local_day, o.topics, o.catch_up, o.attempts,
            o.unconfirmed_since, o.utc_offset_minutes, p.dm_channel_id
     FROM reminder_outbox o LEFT JOIN reminder_prefs p ON p.user_id = o.user_id
     WHERE o.state IN ('pending', 'failed') AND o.next_attempt_at <= $1
     ORDER BY o.next_attempt_at, o.id LIMIT $2",
    postgres: "SELECT o.id, o.user_id, o.local_day, o.topics, o.catch_up, o.attempts,
            o.unconfirmed_since, o.utc_offset_minutes, p.dm_channel_id
     FROM reminder_outbox o LEFT JOIN reminder_prefs p ON p.user_id = o.user_id
     WHERE o.state IN ('pending', 'failed') AND o.next_attempt_at <= $1
     ORDER BY o.next_attempt_at, o.id LIMIT $2
     FOR UPDATE OF o SKIP LOCKED",
};

const PENDING: Sql = Sql::both(
    "SELECT o.id, o.user_id, o.local_day, o.topics, o.catch_up, o.attempts,
            o.unconfirmed_since, o.utc_offset_minutes, p.dm_channel_id
     FROM reminder_outbox o LEFT JOIN reminder_prefs p ON p.user_id = o.user_id
     WHERE o.state = 'sending' OR o.state IN ('pending', 'failed') AND o.next_attempt_at <= $1
     ORDER BY o.next_attempt_at, o.id LIMIT $2",
);

const NEXT_ATTEMPT: Sql = Sql::both(
    "SELECT MIN(next_attempt_at) FROM reminder_outbox WHERE state IN ('pending', 'failed')",
);

const GIVE_UP_INTERRUPTED: Sql = Sql::both(
    "UPDATE reminder_outbox SET state = 'unknown',
         unconfirmed_since = COALESCE(unconfirmed_since, attempt_at),
         last_error = 'interrupted while sending, too long ago to resend safely'
     WHERE state = 'sending' AND COALESCE(unconfirmed_since, attempt_at, 0) < $1
       AND COALESCE(attempt_at, 0) < $2",
);

const RESEND_INTERRUPTED: Sql = Sql::both(
    "UPDATE reminder_outbox SET state = 'pending', next_attempt_at = $1,
         unconfirmed_since = COALESCE(unconfirmed_since, attempt_at)
     WHERE state = 'sending' AND COALESCE(attempt_at, 0) < $2",
);

const SENT: Sql = Sql::both(
    "UPDATE reminder_outbox SET state = 'sent', sent_at = $1, channel_id = $2 WHERE id = $3",
);

const FAILED: Sql = Sql::both(
    "UPDATE reminder_outbox
     SET state = 'failed', attempts = attempts + 1, last_error = $1, next_attempt_at = $2,
         unconfirmed_since = CASE WHEN $3 = 1 THEN COALESCE(unconfirmed_since, attempt_at)
                                  ELSE unconfirmed_since END
     WHERE id = $4 AND state = 'sending'",
);

const CLOSED: Sql =
    Sql::both("UPDATE reminder_outbox SET state = $1, sent_at = $2, last_error = $3 WHERE id = $4");

const FOLDED: Sql = Sql::both("UPDATE reminder_outbox SET state = 'folded' WHERE id = $1");

const WAKE_NOW: Sql = Sql::both(
    "INSERT INTO reminder_prefs (user_id, wake_at) VALUES ($1, $2)
     ON CONFLICT (user_id) DO UPDATE SET wake_at = excluded.wake_at",
);

const STATE_OF: Sql = Sql::both("SELECT state FROM reminder_outbox WHERE id = $1");

fn outbox_reminder(row: OutboxRow) -> OutboxReminder {
    let (id, user, local_day, topics, catch_up, attempts, unconfirmed, offset, channel) = row;
    OutboxReminder {
        id,
        user: UserId(user as u64),
        local_day,
        topics: topics
            .split(',')
            .filter_map(|t| t.split_once('/'))
            .map(|(track, topic)| (track.to_string(), topic.to_string()))
            .collect(),
        catch_up: catch_up != 0,
        attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
        unconfirmed_since: unconfirmed.map(from_millis),
        utc_offset_minutes: offset.map_or(0, |o| o as i32),
        dm_channel: channel.map(|c| c as u64),
    }
}

impl Store {
    /// Takes up to `limit` reminders whose attempt is due and marks them `sending` at `now`.
    #[tracing::instrument(skip_all)]
    pub async fn claim_reminders(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<OutboxReminder>, StoreError> {
        let mut writer = self.writer().await?;
        let mut tx = writer.begin().await?;
        let rows: Vec<OutboxRow> = tx
            .fetch_all(&DUE_OUTBOX, args![to_millis(now), i64::from(limit)])
            .await?;
        if !rows.is_empty() {
            // `$1` is the time, then one parameter per id (at most `limit`): `IN ($2, $3)`.
            let ids: Vec<String> = (0..rows.len()).map(|i| format!("${}", i + 2)).collect();
            let claim = format!(
                "UPDATE reminder_outbox SET state = 'sending', attempt_at = $1 WHERE id IN ({})",
                ids.join(", ")
            );
            let mut values = args![to_millis(now)];
            values.extend(rows.iter().map(|row| row.0.into()));
            tx.execute(&Sql::both(&claim), values).await?;
        }
        tx.commit().await?;
        Ok(rows.into_iter().map(outbox_reminder).collect())
    }

    /// Unsent reminders whose attempt is due or under way (for tests and tools).
    pub async fn pending_reminders(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<OutboxReminder>, StoreError> {
        let rows: Vec<OutboxRow> = self
            .fetch_all(&PENDING, args![to_millis(now), i64::from(limit)])
            .await?;
        Ok(rows.into_iter().map(outbox_reminder).collect())
    }

    /// When the earliest waiting reminder is due, if any waits.
    pub async fn next_reminder_attempt(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let (next,): (Option<i64>,) = self.fetch_one(&NEXT_ATTEMPT, Vec::new()).await?;
        Ok(next.map(from_millis))
    }

    /// Rows left `sending` by a process that stopped mid-send, claimed before
    /// `claimed_before`: those whose first unconfirmed attempt started at or after
    /// `resend_after` go back to `pending`; older ones become `unknown`. Returns (resent,
    /// unknown).
    pub async fn recover_sending(
        &self,
        resend_after: DateTime<Utc>,
        claimed_before: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(u64, u64), StoreError> {
        let mut writer = self.writer().await?;
        let mut tx = writer.begin().await?;
        let unknown = tx
            .execute(
                &GIVE_UP_INTERRUPTED,
                args![to_millis(resend_after), to_millis(claimed_before)],
            )
            .await?;
        let resent = tx
            .execute(
                &RESEND_INTERRUPTED,
                args![to_millis(now), to_millis(claimed_before)],
            )
            .await?;
        tx.commit().await?;
        Ok((resent, unknown))
    }

    /// Discord accepted the reminder (in `channel_id`); it is never sent again.
    pub async fn reminder_sent(
        &self,
        id: i64,
        channel_id: u64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.execute(&SENT, args![to_millis(now), channel_id as i64, id])
            .await?;
        Ok(())
    }

    /// A send failed; try again at `retry_at`. `unconfirmed`: Discord may have accepted it
    /// (a timeout), so the attempt's time is kept for the nonce window.
    pub async fn reminder_failed(
        &self,
        id: i64,
        error: &str,
        retry_at: DateTime<Utc>,
        unconfirmed: bool,
    ) -> Result<(), StoreError> {
        let values = args![error, to_millis(retry_at), unconfirmed, id];
        self.execute(&FAILED, values).await?;
        Ok(())
    }

    /// The reminder leaves the queue unsent, in `state` (`unknown` or `abandoned`), with why.
    pub async fn reminder_closed(
        &self,
        id: i64,
        state: ClosedAs,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let values = args![state.as_str(), to_millis(now), reason, id];
        self.execute(&CLOSED, values).await?;
        Ok(())
    }

    /// The reminder's local day has passed: it is not sent, and the member is looked at again
    /// at once so that its topics go into their next reminder.
    pub async fn reminder_folded(
        &self,
        id: i64,
        user: UserId,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut writer = self.writer().await?;
        let mut tx = writer.begin().await?;
        tx.execute(&FOLDED, args![id]).await?;
        tx.execute(&WAKE_NOW, args![user_key(user), to_millis(now)])
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The state of one outbox row (for tests and tools).
    pub async fn reminder_state_of(&self, id: i64) -> Result<Option<String>, StoreError> {
        let row: Option<(String,)> = self.fetch_optional(&STATE_OF, args![id]).await?;
        Ok(row.map(|(state,)| state))
    }
}

/// How a reminder left the queue without being sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClosedAs {
    /// Interrupted mid-send too long ago: Discord may or may not show it; never resent.
    Unknown,
    /// Cannot be delivered (DMs refused, no study channel) or failed too often.
    Abandoned,
}

impl ClosedAs {
    fn as_str(self) -> &'static str {
        match self {
            ClosedAs::Unknown => "unknown",
            ClosedAs::Abandoned => "abandoned",
        }
    }
}
