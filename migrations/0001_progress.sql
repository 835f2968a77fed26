-- Learners, the servers they study in, and the topics they have learned.
-- Times are Unix milliseconds (BIGINT) and ids are Discord snowflakes (BIGINT): both portable
-- between SQLite and PostgreSQL, and cheap to index and compare.

CREATE TABLE learners (
    user_id      BIGINT PRIMARY KEY,
    display_name TEXT   NOT NULL,
    created_at   BIGINT NOT NULL
);

-- A learner studies in a server once they have acted there; leaderboards list only these.
CREATE TABLE memberships (
    guild_id      BIGINT NOT NULL,
    user_id       BIGINT NOT NULL REFERENCES learners (user_id) ON DELETE CASCADE,
    display_name  TEXT   NOT NULL,
    first_seen_at BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);
CREATE INDEX memberships_by_user ON memberships (user_id);

-- Progress belongs to the user, not the server: it follows them everywhere.
-- guild_id records where the mark was made (NULL in a DM or the console).
CREATE TABLE learned_topics (
    user_id    BIGINT NOT NULL REFERENCES learners (user_id) ON DELETE CASCADE,
    track_id   TEXT   NOT NULL,
    topic_id   TEXT   NOT NULL,
    learned_at BIGINT NOT NULL,
    guild_id   BIGINT,
    PRIMARY KEY (user_id, track_id, topic_id)
);
