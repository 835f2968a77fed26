-- Quizzes in progress, and every answer ever given.
-- A session holds its whole plan, so a restart of the bot mid-quiz loses nothing.

CREATE TABLE quiz_sessions (
    id         INTEGER PRIMARY KEY,   -- rowid alias; BIGSERIAL on PostgreSQL
    user_id    BIGINT  NOT NULL REFERENCES learners (user_id) ON DELETE CASCADE,
    guild_id   BIGINT,
    track_id   TEXT    NOT NULL,
    topic_id   TEXT    NOT NULL,
    kind       TEXT    NOT NULL,      -- 'quiz' or 'review'
    -- The questions drawn and each one's shuffled choices: "q:c,c,c;q:c,c,c" (indexes into the bank).
    plan       TEXT    NOT NULL,
    position   INTEGER NOT NULL DEFAULT 0,
    correct    INTEGER NOT NULL DEFAULT 0,
    started_at BIGINT  NOT NULL,
    updated_at BIGINT  NOT NULL
);
CREATE INDEX quiz_sessions_by_user ON quiz_sessions (user_id);

-- One row per answered question of a session: the primary key makes a double press count once.
CREATE TABLE quiz_answers (
    session_id  BIGINT  NOT NULL,
    position    INTEGER NOT NULL,
    user_id     BIGINT  NOT NULL REFERENCES learners (user_id) ON DELETE CASCADE,
    guild_id    BIGINT,
    track_id    TEXT    NOT NULL,
    topic_id    TEXT    NOT NULL,
    question    INTEGER NOT NULL,
    chosen      INTEGER NOT NULL,
    correct     INTEGER NOT NULL,     -- 0 or 1
    answered_at BIGINT  NOT NULL,
    PRIMARY KEY (session_id, position)
);
CREATE INDEX quiz_answers_by_user ON quiz_answers (user_id, answered_at);
CREATE INDEX quiz_answers_by_guild ON quiz_answers (guild_id, answered_at);
