-- Community: points, study activity and streaks, server settings, and removed servers.
-- Points are earned in the server where the action happened; the rest belongs to the member.

-- Every study action (a learned mark, a quiz answer, a review finished), once each: what the
-- activity chart, streaks and /export read. `ref` names the action so it is counted once.
CREATE TABLE activity (
    id       INTEGER PRIMARY KEY,
    user_id  BIGINT  NOT NULL REFERENCES learners (user_id) ON DELETE CASCADE,
    guild_id BIGINT,
    kind     TEXT    NOT NULL,        -- 'learned', 'answer' or 'review'
    ref      TEXT    NOT NULL,        -- 'track/topic', 'session:position' or 'session'
    points   INTEGER NOT NULL,
    at       BIGINT  NOT NULL,
    UNIQUE (user_id, kind, ref)
);
CREATE INDEX activity_by_user ON activity (user_id, at);

-- Points per member and server, kept up to date in the transaction that earns them: one row for
-- all time (week_start 0) and one per week (Monday 00:00 UTC, Unix ms). `reached_at` is when the
-- total was reached, so that of two equal totals the earlier achiever ranks first.
CREATE TABLE scores (
    guild_id   BIGINT  NOT NULL,
    week_start BIGINT  NOT NULL,
    user_id    BIGINT  NOT NULL REFERENCES learners (user_id) ON DELETE CASCADE,
    points     INTEGER NOT NULL,
    reached_at BIGINT  NOT NULL,
    departed   INTEGER NOT NULL DEFAULT 0,   -- 1 once Discord says the member left the server
    PRIMARY KEY (guild_id, week_start, user_id)
);
-- The board and a member's rank walk this index in order: no sort, no scan of the answers.
CREATE INDEX scores_board ON scores (guild_id, week_start, departed, points DESC, reached_at, user_id);
CREATE INDEX scores_by_user ON scores (user_id);

-- How many present members have each total: a member's rank is the sum of the counts above
-- their total plus the ties reached earlier, without counting the rows of everyone ahead.
-- Triggers keep it in step with every change to `scores` (points, departures, resets, purges,
-- forget-me), in the same transaction.
CREATE TABLE score_counts (
    guild_id   BIGINT  NOT NULL,
    week_start BIGINT  NOT NULL,
    points     INTEGER NOT NULL,
    members    INTEGER NOT NULL,
    PRIMARY KEY (guild_id, week_start, points)
);

CREATE TRIGGER scores_count_insert AFTER INSERT ON scores WHEN NEW.departed = 0
BEGIN
    INSERT INTO score_counts (guild_id, week_start, points, members)
    VALUES (NEW.guild_id, NEW.week_start, NEW.points, 1)
    ON CONFLICT (guild_id, week_start, points) DO UPDATE SET members = members + 1;
END;

CREATE TRIGGER scores_count_delete AFTER DELETE ON scores WHEN OLD.departed = 0
BEGIN
    UPDATE score_counts SET members = members - 1
    WHERE guild_id = OLD.guild_id AND week_start = OLD.week_start AND points = OLD.points;
END;

CREATE TRIGGER scores_count_update AFTER UPDATE OF points, departed ON scores
BEGIN
    UPDATE score_counts SET members = members - 1
    WHERE OLD.departed = 0
      AND guild_id = OLD.guild_id AND week_start = OLD.week_start AND points = OLD.points;
    INSERT INTO score_counts (guild_id, week_start, points, members)
    SELECT NEW.guild_id, NEW.week_start, NEW.points, 1 WHERE NEW.departed = 0
    ON CONFLICT (guild_id, week_start, points) DO UPDATE SET members = members + 1;
END;

-- Consecutive days with activity, in the member's own day (reminder_prefs.utc_offset_minutes).
-- Days are counted from 1970-01-01 in local time.
CREATE TABLE streaks (
    user_id       BIGINT  PRIMARY KEY REFERENCES learners (user_id) ON DELETE CASCADE,
    current_days  INTEGER NOT NULL,
    current_since BIGINT  NOT NULL,   -- first local day of the current run
    last_day      BIGINT  NOT NULL,   -- last local day with activity
    longest_days  INTEGER NOT NULL
);

-- The learned board of a server reads the marks made there.
CREATE INDEX learned_topics_by_guild ON learned_topics (guild_id, learned_at);

-- Set when Discord says a member left a server (get-member answered Unknown Member); acting in
-- the server again (last_seen_at later) brings them back.
ALTER TABLE memberships ADD COLUMN left_at BIGINT;

ALTER TABLE guild_settings ADD COLUMN announcements_enabled INTEGER NOT NULL DEFAULT 0;
ALTER TABLE guild_settings ADD COLUMN default_track TEXT;
-- Marks made before these times do not count on the learned board (a reset by an admin).
ALTER TABLE guild_settings ADD COLUMN board_reset_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE guild_settings ADD COLUMN week_reset_at BIGINT NOT NULL DEFAULT 0;

-- Servers Quorum was removed from; their data is purged after a grace period unless re-added.
CREATE TABLE guild_removals (
    guild_id   BIGINT PRIMARY KEY,
    removed_at BIGINT NOT NULL
);
