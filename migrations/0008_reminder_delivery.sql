-- Reminder delivery by a worker: an explicit state for every outbox row, the attempt times that
-- decide whether a resend is safe, a per-member wake-up time so a sweep reads only new work, and
-- the member's DM channel so a reminder costs one REST call.

-- pending -> sending (attempt_at) -> sent | failed (next_attempt_at) | unknown | folded | abandoned
ALTER TABLE reminder_outbox ADD COLUMN state TEXT NOT NULL DEFAULT 'pending'
    CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'unknown', 'folded', 'abandoned'));
-- When the latest attempt started.
ALTER TABLE reminder_outbox ADD COLUMN attempt_at BIGINT;
-- The first attempt whose outcome is not known (a crash while sending, a timeout): Discord may
-- have accepted it, so a resend is safe only while its nonce still deduplicates.
ALTER TABLE reminder_outbox ADD COLUMN unconfirmed_since BIGINT;

-- Rows written before: sent ones carry the channel, given-up ones only a time.
UPDATE reminder_outbox SET state = CASE WHEN channel_id IS NOT NULL THEN 'sent' ELSE 'abandoned' END
WHERE sent_at IS NOT NULL;

DROP INDEX reminder_outbox_pending;
CREATE INDEX reminder_outbox_open ON reminder_outbox (state, next_attempt_at)
WHERE state IN ('pending', 'failed', 'sending');

-- When the sweep must look at the member again (their hour, the end of their quiet day, a
-- settings change); NULL: only when one of their cards falls due.
ALTER TABLE reminder_prefs ADD COLUMN wake_at BIGINT;
-- When their latest reminder was written: with quiet_until, one reminder per local day.
ALTER TABLE reminder_prefs ADD COLUMN last_reminded_at BIGINT;
-- The DM channel Discord opened with the member.
ALTER TABLE reminder_prefs ADD COLUMN dm_channel_id BIGINT;
CREATE INDEX reminder_prefs_wake ON reminder_prefs (wake_at) WHERE wake_at IS NOT NULL;

-- Cards that fell due up to `swept_until` have been planned; the next sweep starts there.
CREATE TABLE reminder_planner (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    swept_until  BIGINT  NOT NULL
);
