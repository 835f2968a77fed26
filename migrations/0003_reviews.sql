-- Spaced review: one FSRS card per learned topic, and the reminders that bring people back.

CREATE TABLE review_cards (
    user_id        BIGINT  NOT NULL REFERENCES learners (user_id) ON DELETE CASCADE,
    track_id       TEXT    NOT NULL,
    topic_id       TEXT    NOT NULL,
    due            BIGINT  NOT NULL,
    stability      REAL    NOT NULL,
    difficulty     REAL    NOT NULL,
    elapsed_days   BIGINT  NOT NULL,
    scheduled_days BIGINT  NOT NULL,
    reps           INTEGER NOT NULL,
    lapses         INTEGER NOT NULL,
    state          INTEGER NOT NULL,   -- FSRS: 0 new, 1 learning, 2 review, 3 relearning
    last_review    BIGINT,
    PRIMARY KEY (user_id, track_id, topic_id)
);
-- The reminder sweep asks "which cards are due now?" of every card of every learner.
CREATE INDEX review_cards_by_due ON review_cards (due, user_id, track_id, topic_id);

CREATE TABLE reminder_prefs (
    user_id            BIGINT  PRIMARY KEY REFERENCES learners (user_id) ON DELETE CASCADE,
    enabled            INTEGER NOT NULL DEFAULT 1,
    hour               INTEGER,                      -- local hour from which reminders go out; NULL: as soon as due
    utc_offset_minutes INTEGER NOT NULL DEFAULT 0,
    dm_blocked         INTEGER NOT NULL DEFAULT 0,   -- Discord refused a DM (error 50007)
    -- End of the local day of the last reminder: the sweep skips the member until then.
    quiet_until        BIGINT
);

CREATE TABLE guild_settings (
    guild_id          BIGINT  PRIMARY KEY,
    study_channel_id  BIGINT,
    reminders_enabled INTEGER NOT NULL DEFAULT 1
);

-- The reminder outbox: written before a reminder is sent, marked after Discord accepts it.
-- One reminder per member per local day, whatever crashes or retries happen in between.
CREATE TABLE reminder_outbox (
    id              INTEGER PRIMARY KEY,
    user_id         BIGINT  NOT NULL REFERENCES learners (user_id) ON DELETE CASCADE,
    local_day       TEXT    NOT NULL,
    topics          TEXT    NOT NULL,   -- "track/topic" entries, most overdue first, comma-separated
    catch_up        INTEGER NOT NULL DEFAULT 0,
    created_at      BIGINT  NOT NULL,
    next_attempt_at BIGINT  NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    sent_at         BIGINT,
    channel_id      BIGINT,
    UNIQUE (user_id, local_day)
);
CREATE INDEX reminder_outbox_pending ON reminder_outbox (next_attempt_at) WHERE sent_at IS NULL;
