-- Reminder delivery by a worker: an explicit state for every outbox row, the attempt times that
-- decide whether a resend is safe, a per-member wake-up time so a sweep reads only new work, and
-- the member's DM channel so a reminder costs one REST call.

-- The outbox is rebuilt: one row per member, local day and UTC offset (a member who moves
-- their offset is kept to one reminder a day by `reminder_prefs.quiet_until`, which the new
-- offset can only extend), and a state for each row:
-- pending -> sending (attempt_at) -> sent | failed (next_attempt_at) | unknown | folded | abandoned
CREATE TABLE reminder_outbox_v2 (
    id                 INTEGER PRIMARY KEY,
    user_id            BIGINT  NOT NULL REFERENCES learners (user_id) ON DELETE CASCADE,
    local_day          TEXT    NOT NULL,
    utc_offset_minutes INTEGER NOT NULL DEFAULT 0,   -- the offset local_day was read under
    topics             TEXT    NOT NULL,   -- "track/topic" entries, most overdue first, comma-separated
    catch_up           INTEGER NOT NULL DEFAULT 0,
    created_at         BIGINT  NOT NULL,
    state              TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN
                           ('pending', 'sending', 'sent', 'failed', 'unknown', 'folded', 'abandoned')),
    next_attempt_at    BIGINT  NOT NULL,
    attempt_at         BIGINT,   -- when the latest attempt started
    -- The first attempt whose outcome is not known (a stop mid-send, a timeout): Discord may
    -- have accepted it, so a resend is safe only while its nonce still deduplicates.
    unconfirmed_since  BIGINT,
    attempts           INTEGER NOT NULL DEFAULT 0,
    last_error         TEXT,
    sent_at            BIGINT,
    channel_id         BIGINT,
    UNIQUE (user_id, local_day, utc_offset_minutes)
);

-- Rows written before: sent ones carry the channel, given-up ones only a time.
INSERT INTO reminder_outbox_v2 (id, user_id, local_day, topics, catch_up, created_at, state,
    next_attempt_at, attempts, last_error, sent_at, channel_id)
SELECT id, user_id, local_day, topics, catch_up, created_at,
       CASE WHEN sent_at IS NULL THEN 'pending' WHEN channel_id IS NOT NULL THEN 'sent'
            ELSE 'abandoned' END,
       next_attempt_at, attempts, last_error, sent_at, channel_id
FROM reminder_outbox;

DROP TABLE reminder_outbox;
ALTER TABLE reminder_outbox_v2 RENAME TO reminder_outbox;
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

-- The sweep lists every due card of a member it looks at: read from this index alone, without
-- visiting the member's other cards.
CREATE INDEX review_cards_by_user_due ON review_cards (user_id, due, track_id, topic_id);

-- Cards that fell due up to `swept_until` have been planned; the next sweep starts there.
CREATE TABLE reminder_planner (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    swept_until  BIGINT  NOT NULL
);
