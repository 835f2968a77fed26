-- Boards as pages: every board of a server (points, learned, remembered, streak) is one index
-- walked in order, kept in step with the action that changes it; the group views read counters;
-- and a member can stay off all of them. Memory and time per press follow the page, not the
-- server.

-- A member who asked to stay off boards and group views and to keep their stats to themselves.
ALTER TABLE learners ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0;

-- Whether a member shows on the server's boards and group views: present (never left, or acted
-- there after leaving) and not hidden. Board rows and counters follow it (see the triggers).
ALTER TABLE memberships ADD COLUMN listed INTEGER NOT NULL DEFAULT 1;
UPDATE memberships SET listed = 0 WHERE left_at IS NOT NULL AND left_at >= last_seen_at;

-- The last instant (Unix ms) at which the card's topic is still recalled at the desired
-- retention, as the core's FSRS computes it. NULL on older cards until the core fills it in.
ALTER TABLE review_cards ADD COLUMN kept_until BIGINT;
CREATE INDEX review_cards_kept ON review_cards (user_id, kept_until);

-- The week a mark counts for on the weekly learned board, and a copy of its card's
-- `kept_until`, so that /who-knows walks one index of the server's marks of a topic.
ALTER TABLE learned_topics ADD COLUMN week_start BIGINT;
ALTER TABLE learned_topics ADD COLUMN kept_until BIGINT;
-- Monday 00:00 UTC of the mark's week (1970-01-01 was a Thursday: day 3 counted from Monday).
UPDATE learned_topics SET week_start =
    learned_at - learned_at % 86400000 - ((learned_at / 86400000 + 3) % 7) * 86400000;
CREATE INDEX learned_topics_knowers
    ON learned_topics (guild_id, track_id, topic_id, kept_until, user_id);

-- When the streak breaks unless the member studies: the start of the day after their next one,
-- in their own day (`StreakRun::breaks_at` in the core decides it for new runs).
ALTER TABLE streaks ADD COLUMN breaks_at BIGINT;
UPDATE streaks SET breaks_at = (last_day + 2) * 86400000 - 60000 * COALESCE(
    (SELECT p.utc_offset_minutes FROM reminder_prefs p WHERE p.user_id = streaks.user_id), 0);

-- A member's score on one board of a server. `period` is 0 for all time, else the Monday
-- 00:00 UTC (Unix ms) of the week (points and learned have both). `reached_at` breaks ties: the
-- earlier, then the lower user id. `valid_until` is when a score that time alone changes must be
-- looked at again (a remembered topic fading, a streak breaking); 0 asks for it at the next read.
CREATE TABLE standings (
    guild_id    BIGINT  NOT NULL,
    board       TEXT    NOT NULL,   -- 'points', 'learned', 'remembered' or 'streak'
    period      BIGINT  NOT NULL,
    user_id     BIGINT  NOT NULL REFERENCES learners (user_id) ON DELETE CASCADE,
    score       INTEGER NOT NULL,
    reached_at  BIGINT  NOT NULL,
    valid_until BIGINT,
    listed      INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (guild_id, board, period, user_id)
);
-- A page and a member's rank walk this index in order: no sort, no scan of the server.
CREATE INDEX standings_board
    ON standings (guild_id, board, period, listed, score DESC, reached_at, user_id);
CREATE INDEX standings_expiring
    ON standings (guild_id, board, valid_until) WHERE valid_until IS NOT NULL;
CREATE INDEX standings_by_user ON standings (user_id, guild_id);

-- How many listed members have each score: a rank is the sum of the counts above a score plus
-- the ties reached earlier, without counting everyone ahead row by row.
CREATE TABLE standing_counts (
    guild_id BIGINT  NOT NULL,
    board    TEXT    NOT NULL,
    period   BIGINT  NOT NULL,
    score    INTEGER NOT NULL,
    members  INTEGER NOT NULL,
    PRIMARY KEY (guild_id, board, period, score)
);

CREATE TRIGGER standings_count_insert AFTER INSERT ON standings WHEN NEW.listed = 1
BEGIN
    INSERT INTO standing_counts (guild_id, board, period, score, members)
    VALUES (NEW.guild_id, NEW.board, NEW.period, NEW.score, 1)
    ON CONFLICT (guild_id, board, period, score) DO UPDATE SET members = members + 1;
END;

CREATE TRIGGER standings_count_delete AFTER DELETE ON standings WHEN OLD.listed = 1
BEGIN
    UPDATE standing_counts SET members = members - 1
    WHERE guild_id = OLD.guild_id AND board = OLD.board AND period = OLD.period
      AND score = OLD.score;
END;

CREATE TRIGGER standings_count_update AFTER UPDATE OF score, listed ON standings
WHEN OLD.score != NEW.score OR OLD.listed != NEW.listed
BEGIN
    UPDATE standing_counts SET members = members - 1
    WHERE OLD.listed = 1 AND guild_id = OLD.guild_id AND board = OLD.board
      AND period = OLD.period AND score = OLD.score;
    INSERT INTO standing_counts (guild_id, board, period, score, members)
    SELECT NEW.guild_id, NEW.board, NEW.period, NEW.score, 1 WHERE NEW.listed = 1
    ON CONFLICT (guild_id, board, period, score) DO UPDATE SET members = members + 1;
END;

-- How many listed members of a server learned each topic there, and how many are listed.
CREATE TABLE topic_counts (
    guild_id BIGINT  NOT NULL,
    track_id TEXT    NOT NULL,
    topic_id TEXT    NOT NULL,
    members  INTEGER NOT NULL,
    PRIMARY KEY (guild_id, track_id, topic_id)
);
CREATE TABLE guild_counts (
    guild_id BIGINT  PRIMARY KEY,
    members  INTEGER NOT NULL
);

-- What was kept before, moved over. The points boards come from `scores`.
INSERT INTO standings (guild_id, board, period, user_id, score, reached_at, listed)
SELECT guild_id, 'points', week_start, user_id, points, reached_at, 1 - departed FROM scores;
DROP TRIGGER activity_scores;
DROP TABLE score_counts;
DROP TABLE scores;

INSERT INTO standings (guild_id, board, period, user_id, score, reached_at, listed)
SELECT l.guild_id, 'learned', 0, l.user_id, COUNT(*), MAX(l.learned_at), m.listed
FROM learned_topics l
JOIN memberships m ON m.guild_id = l.guild_id AND m.user_id = l.user_id
LEFT JOIN guild_settings g ON g.guild_id = l.guild_id
WHERE l.learned_at >= COALESCE(g.board_reset_at, 0)
GROUP BY l.guild_id, l.user_id;

INSERT INTO standings (guild_id, board, period, user_id, score, reached_at, listed)
SELECT l.guild_id, 'learned', l.week_start, l.user_id, COUNT(*), MAX(l.learned_at), m.listed
FROM learned_topics l
JOIN memberships m ON m.guild_id = l.guild_id AND m.user_id = l.user_id
LEFT JOIN guild_settings g ON g.guild_id = l.guild_id
WHERE l.learned_at >= COALESCE(g.week_reset_at, 0)
GROUP BY l.guild_id, l.week_start, l.user_id;

-- Remembered counts are taken at the first read of each board (valid_until 0), once the core
-- has given every card its `kept_until`.
INSERT INTO standings (guild_id, board, period, user_id, score, reached_at, valid_until, listed)
SELECT guild_id, 'remembered', 0, user_id, 0, first_seen_at, 0, listed FROM memberships;

INSERT INTO standings (guild_id, board, period, user_id, score, reached_at, valid_until, listed)
SELECT m.guild_id, 'streak', 0, s.user_id, s.current_days, s.current_since, s.breaks_at, m.listed
FROM memberships m JOIN streaks s ON s.user_id = m.user_id;

INSERT INTO topic_counts (guild_id, track_id, topic_id, members)
SELECT l.guild_id, l.track_id, l.topic_id, COUNT(*)
FROM learned_topics l
JOIN memberships m ON m.guild_id = l.guild_id AND m.user_id = l.user_id AND m.listed = 1
GROUP BY l.guild_id, l.track_id, l.topic_id;

INSERT INTO guild_counts (guild_id, members)
SELECT guild_id, COUNT(*) FROM memberships WHERE listed = 1 GROUP BY guild_id;

-- From here on, the boards follow every change in the statement that makes it.

-- Points, as the activity row carries them (the core decided them and their week).
CREATE TRIGGER activity_points AFTER INSERT ON activity
WHEN NEW.points > 0 AND NEW.guild_id IS NOT NULL AND NEW.week_start IS NOT NULL
BEGIN
    INSERT INTO standings (guild_id, board, period, user_id, score, reached_at, listed)
    SELECT NEW.guild_id, 'points', p.period, NEW.user_id, NEW.points, NEW.at, COALESCE(m.listed, 1)
    FROM (SELECT 0 AS period UNION ALL SELECT NEW.week_start) AS p
    LEFT JOIN memberships m ON m.guild_id = NEW.guild_id AND m.user_id = NEW.user_id
    WHERE true
    ON CONFLICT (guild_id, board, period, user_id) DO UPDATE
    SET score = score + excluded.score, reached_at = excluded.reached_at;
END;

-- A mark made in a server counts on its learned boards and in its group view.
CREATE TRIGGER learned_topics_count AFTER INSERT ON learned_topics
WHEN NEW.guild_id IS NOT NULL
BEGIN
    INSERT INTO standings (guild_id, board, period, user_id, score, reached_at, listed)
    SELECT NEW.guild_id, 'learned', p.period, NEW.user_id, 1, NEW.learned_at, m.listed
    FROM (SELECT 0 AS period UNION ALL
          SELECT NEW.week_start WHERE NEW.week_start IS NOT NULL) AS p
    JOIN memberships m ON m.guild_id = NEW.guild_id AND m.user_id = NEW.user_id
    WHERE true
    ON CONFLICT (guild_id, board, period, user_id) DO UPDATE
    SET score = score + 1, reached_at = excluded.reached_at;

    INSERT INTO topic_counts (guild_id, track_id, topic_id, members)
    SELECT NEW.guild_id, NEW.track_id, NEW.topic_id, 1 FROM memberships m
    WHERE m.guild_id = NEW.guild_id AND m.user_id = NEW.user_id AND m.listed = 1
    ON CONFLICT (guild_id, track_id, topic_id) DO UPDATE SET members = members + 1;
END;

-- An unmarked topic leaves the boards it counted on: not those reset since it was marked.
CREATE TRIGGER learned_topics_uncount AFTER DELETE ON learned_topics
WHEN OLD.guild_id IS NOT NULL
BEGIN
    UPDATE standings SET score = score - 1
    WHERE guild_id = OLD.guild_id AND board = 'learned' AND user_id = OLD.user_id
      AND ((period = 0 AND OLD.learned_at >= COALESCE(
                (SELECT board_reset_at FROM guild_settings WHERE guild_id = OLD.guild_id), 0))
        OR (period = OLD.week_start AND OLD.learned_at >= COALESCE(
                (SELECT week_reset_at FROM guild_settings WHERE guild_id = OLD.guild_id), 0)));

    UPDATE topic_counts SET members = members - 1
    WHERE guild_id = OLD.guild_id AND track_id = OLD.track_id AND topic_id = OLD.topic_id
      AND EXISTS (SELECT 1 FROM memberships m
                  WHERE m.guild_id = OLD.guild_id AND m.user_id = OLD.user_id AND m.listed = 1);
END;

-- A card written or removed: its mark carries the new `kept_until`, and the member's remembered
-- counts are taken again at the next read.
CREATE TRIGGER review_cards_kept_insert AFTER INSERT ON review_cards
BEGIN
    UPDATE learned_topics SET kept_until = NEW.kept_until
    WHERE user_id = NEW.user_id AND track_id = NEW.track_id AND topic_id = NEW.topic_id;
    UPDATE standings SET valid_until = 0 WHERE user_id = NEW.user_id AND board = 'remembered';
END;

CREATE TRIGGER review_cards_kept_update AFTER UPDATE OF kept_until ON review_cards
BEGIN
    UPDATE learned_topics SET kept_until = NEW.kept_until
    WHERE user_id = NEW.user_id AND track_id = NEW.track_id AND topic_id = NEW.topic_id;
    UPDATE standings SET valid_until = 0 WHERE user_id = NEW.user_id AND board = 'remembered';
END;

CREATE TRIGGER review_cards_kept_delete AFTER DELETE ON review_cards
BEGIN
    UPDATE standings SET valid_until = 0 WHERE user_id = OLD.user_id AND board = 'remembered';
END;

-- A streak is the member's own: every server they study in shows it.
CREATE TRIGGER streaks_board_insert AFTER INSERT ON streaks
BEGIN
    INSERT INTO standings (guild_id, board, period, user_id, score, reached_at, valid_until,
        listed)
    SELECT m.guild_id, 'streak', 0, NEW.user_id, NEW.current_days, NEW.current_since,
        NEW.breaks_at, m.listed
    FROM memberships m WHERE m.user_id = NEW.user_id AND true
    ON CONFLICT (guild_id, board, period, user_id) DO UPDATE
    SET score = excluded.score, reached_at = excluded.reached_at,
        valid_until = excluded.valid_until;
END;

CREATE TRIGGER streaks_board_update AFTER UPDATE ON streaks
BEGIN
    INSERT INTO standings (guild_id, board, period, user_id, score, reached_at, valid_until,
        listed)
    SELECT m.guild_id, 'streak', 0, NEW.user_id, NEW.current_days, NEW.current_since,
        NEW.breaks_at, m.listed
    FROM memberships m WHERE m.user_id = NEW.user_id AND true
    ON CONFLICT (guild_id, board, period, user_id) DO UPDATE
    SET score = excluded.score, reached_at = excluded.reached_at,
        valid_until = excluded.valid_until;
END;

-- A member new to a server: counted, and given their streak and (at the next read) their
-- remembered count there.
CREATE TRIGGER memberships_join AFTER INSERT ON memberships
BEGIN
    INSERT INTO guild_counts (guild_id, members)
    SELECT NEW.guild_id, 1 WHERE NEW.listed = 1
    ON CONFLICT (guild_id) DO UPDATE SET members = members + 1;

    INSERT INTO standings (guild_id, board, period, user_id, score, reached_at, valid_until,
        listed)
    VALUES (NEW.guild_id, 'remembered', 0, NEW.user_id, 0, NEW.first_seen_at, 0, NEW.listed)
    ON CONFLICT (guild_id, board, period, user_id) DO NOTHING;

    INSERT INTO standings (guild_id, board, period, user_id, score, reached_at, valid_until,
        listed)
    SELECT NEW.guild_id, 'streak', 0, s.user_id, s.current_days, s.current_since, s.breaks_at,
        NEW.listed
    FROM streaks s WHERE s.user_id = NEW.user_id AND true
    ON CONFLICT (guild_id, board, period, user_id) DO NOTHING;
END;

CREATE TRIGGER memberships_leave AFTER DELETE ON memberships WHEN OLD.listed = 1
BEGIN
    UPDATE guild_counts SET members = members - 1 WHERE guild_id = OLD.guild_id;
END;

-- A member leaves, comes back, hides or shows: their board rows and the counters follow.
CREATE TRIGGER memberships_listing AFTER UPDATE OF listed ON memberships
WHEN OLD.listed != NEW.listed
BEGIN
    UPDATE standings SET listed = NEW.listed
    WHERE user_id = NEW.user_id AND guild_id = NEW.guild_id;

    INSERT INTO topic_counts (guild_id, track_id, topic_id, members)
    SELECT guild_id, track_id, topic_id, 2 * NEW.listed - 1 FROM learned_topics
    WHERE user_id = NEW.user_id AND guild_id = NEW.guild_id AND true
    ON CONFLICT (guild_id, track_id, topic_id) DO UPDATE
    SET members = members + excluded.members;

    INSERT INTO guild_counts (guild_id, members) VALUES (NEW.guild_id, 2 * NEW.listed - 1)
    ON CONFLICT (guild_id) DO UPDATE SET members = members + excluded.members;
END;

-- The writable views of 0006, again, with the values the boards need from the core: when the
-- streak breaks, and until when a card's topic is kept. A member coming back is listed again
-- unless they hid.
DROP VIEW quiz_answer_writes;
DROP VIEW learned_marks;
DROP VIEW study_actions;

CREATE VIEW study_actions AS SELECT
    NULL AS user_id, NULL AS display_name, NULL AS guild_id, NULL AS at,
    NULL AS kind, NULL AS ref, NULL AS points, NULL AS week_start,
    NULL AS streak_days, NULL AS streak_since, NULL AS streak_last_day, NULL AS streak_longest,
    NULL AS streak_breaks_at
WHERE 0;

CREATE TRIGGER study_actions_write INSTEAD OF INSERT ON study_actions
BEGIN
    INSERT INTO learners (user_id, display_name, created_at)
    SELECT NEW.user_id, NEW.display_name, NEW.at
    WHERE NEW.display_name IS NOT NULL
    ON CONFLICT (user_id) DO UPDATE SET display_name = excluded.display_name;

    INSERT INTO memberships (guild_id, user_id, display_name, first_seen_at, last_seen_at,
        listed)
    SELECT NEW.guild_id, NEW.user_id, NEW.display_name, NEW.at, NEW.at, 1 - l.hidden
    FROM learners l
    WHERE l.user_id = NEW.user_id AND NEW.guild_id IS NOT NULL
      AND NEW.display_name IS NOT NULL
    ON CONFLICT (guild_id, user_id) DO UPDATE
    SET display_name = excluded.display_name, last_seen_at = excluded.last_seen_at,
        listed = excluded.listed;

    -- Once per (user, kind, ref): a repeated action earns nothing (activity_points counts it).
    INSERT INTO activity (user_id, guild_id, kind, ref, points, at, week_start)
    SELECT NEW.user_id, NEW.guild_id, NEW.kind, NEW.ref, NEW.points, NEW.at, NEW.week_start
    WHERE NEW.kind IS NOT NULL
    ON CONFLICT (user_id, kind, ref) DO NOTHING;

    INSERT INTO streaks (user_id, current_days, current_since, last_day, longest_days,
        breaks_at)
    SELECT NEW.user_id, NEW.streak_days, NEW.streak_since, NEW.streak_last_day,
        NEW.streak_longest, NEW.streak_breaks_at
    WHERE NEW.kind IS NOT NULL AND NEW.streak_days IS NOT NULL
    ON CONFLICT (user_id) DO UPDATE SET current_days = excluded.current_days,
        current_since = excluded.current_since, last_day = excluded.last_day,
        longest_days = excluded.longest_days, breaks_at = excluded.breaks_at;
END;

CREATE VIEW learned_marks AS SELECT
    NULL AS user_id, NULL AS display_name, NULL AS guild_id, NULL AS at,
    NULL AS ref, NULL AS points, NULL AS week_start,
    NULL AS streak_days, NULL AS streak_since, NULL AS streak_last_day, NULL AS streak_longest,
    NULL AS streak_breaks_at,
    NULL AS track_id, NULL AS topic_id,
    NULL AS due, NULL AS stability, NULL AS difficulty, NULL AS elapsed_days,
    NULL AS scheduled_days, NULL AS reps, NULL AS lapses, NULL AS state, NULL AS last_review,
    NULL AS kept_until
WHERE 0;

CREATE TRIGGER learned_marks_write INSTEAD OF INSERT ON learned_marks
BEGIN
    INSERT INTO study_actions (user_id, display_name, guild_id, at, kind, ref, points,
        week_start, streak_days, streak_since, streak_last_day, streak_longest,
        streak_breaks_at)
    VALUES (NEW.user_id, NEW.display_name, NEW.guild_id, NEW.at, 'learned', NEW.ref, NEW.points,
        NEW.week_start, NEW.streak_days, NEW.streak_since, NEW.streak_last_day,
        NEW.streak_longest, NEW.streak_breaks_at);

    INSERT INTO learned_topics (user_id, track_id, topic_id, learned_at, guild_id, week_start)
    VALUES (NEW.user_id, NEW.track_id, NEW.topic_id, NEW.at, NEW.guild_id, NEW.week_start)
    ON CONFLICT (user_id, track_id, topic_id) DO NOTHING;

    INSERT INTO review_cards (user_id, track_id, topic_id, due, stability, difficulty,
        elapsed_days, scheduled_days, reps, lapses, state, last_review, kept_until)
    VALUES (NEW.user_id, NEW.track_id, NEW.topic_id, NEW.due, NEW.stability, NEW.difficulty,
        NEW.elapsed_days, NEW.scheduled_days, NEW.reps, NEW.lapses, NEW.state, NEW.last_review,
        NEW.kept_until)
    ON CONFLICT (user_id, track_id, topic_id) DO NOTHING;
END;

CREATE VIEW quiz_answer_writes AS SELECT
    NULL AS user_id, NULL AS display_name, NULL AS guild_id, NULL AS at,
    NULL AS ref, NULL AS points, NULL AS week_start,
    NULL AS streak_days, NULL AS streak_since, NULL AS streak_last_day, NULL AS streak_longest,
    NULL AS streak_breaks_at,
    NULL AS session_id, NULL AS position, NULL AS track_id, NULL AS topic_id,
    NULL AS question, NULL AS chosen, NULL AS correct,
    NULL AS review_ref, NULL AS review_points,
    NULL AS due, NULL AS stability, NULL AS difficulty, NULL AS elapsed_days,
    NULL AS scheduled_days, NULL AS reps, NULL AS lapses, NULL AS state, NULL AS last_review,
    NULL AS kept_until
WHERE 0;

CREATE TRIGGER quiz_answer_writes_write INSTEAD OF INSERT ON quiz_answer_writes
BEGIN
    INSERT INTO study_actions (user_id, display_name, guild_id, at, kind, ref, points,
        week_start, streak_days, streak_since, streak_last_day, streak_longest,
        streak_breaks_at)
    VALUES (NEW.user_id, NEW.display_name, NEW.guild_id, NEW.at, 'answer', NEW.ref, NEW.points,
        NEW.week_start, NEW.streak_days, NEW.streak_since, NEW.streak_last_day,
        NEW.streak_longest, NEW.streak_breaks_at);

    INSERT INTO quiz_answers (session_id, position, user_id, guild_id, track_id, topic_id,
        question, chosen, correct, answered_at)
    VALUES (NEW.session_id, NEW.position, NEW.user_id, NEW.guild_id, NEW.track_id,
        NEW.topic_id, NEW.question, NEW.chosen, NEW.correct, NEW.at)
    ON CONFLICT (session_id, position) DO NOTHING;

    UPDATE quiz_sessions
    SET position = position + 1, correct = correct + NEW.correct, updated_at = NEW.at
    WHERE id = NEW.session_id AND position = NEW.position;

    INSERT INTO activity (user_id, guild_id, kind, ref, points, at, week_start)
    SELECT NEW.user_id, NEW.guild_id, 'review', NEW.review_ref, NEW.review_points, NEW.at,
        NEW.week_start
    WHERE NEW.review_ref IS NOT NULL
    ON CONFLICT (user_id, kind, ref) DO NOTHING;

    UPDATE review_cards SET due = NEW.due, stability = NEW.stability,
        difficulty = NEW.difficulty, elapsed_days = NEW.elapsed_days,
        scheduled_days = NEW.scheduled_days, reps = NEW.reps, lapses = NEW.lapses,
        state = NEW.state, last_review = NEW.last_review, kept_until = NEW.kept_until
    WHERE user_id = NEW.user_id AND track_id = NEW.track_id AND topic_id = NEW.topic_id
      AND NEW.review_ref IS NOT NULL AND changes() = 1;
END;
