-- One write per action: the core decides an action's points and the week they count for, the
-- activity row carries both, and this trigger adds them to the server's all-time and weekly
-- scores in the same statement. A repeated action inserts no activity row (UNIQUE (user_id,
-- kind, ref)), so it earns nothing twice.

-- Monday 00:00 UTC (Unix ms) of the week the points count for; NULL on rows older than this.
ALTER TABLE activity ADD COLUMN week_start BIGINT;

CREATE TRIGGER activity_scores AFTER INSERT ON activity
WHEN NEW.points > 0 AND NEW.guild_id IS NOT NULL AND NEW.week_start IS NOT NULL
BEGIN
    INSERT INTO scores (guild_id, week_start, user_id, points, reached_at)
    VALUES (NEW.guild_id, 0, NEW.user_id, NEW.points, NEW.at),
           (NEW.guild_id, NEW.week_start, NEW.user_id, NEW.points, NEW.at)
    ON CONFLICT (guild_id, week_start, user_id) DO UPDATE
    SET points = points + excluded.points, reached_at = excluded.reached_at, departed = 0;
END;

-- Writable views: each action is one INSERT into its view, whose INSTEAD OF trigger fans the
-- row out to the tables it touches. A single statement is atomic on its own and takes the write
-- lock as it starts, so an action is one round trip that cannot half-happen and never fails
-- with SQLITE_BUSY while upgrading a read. The values (points, week, streak, card) are decided
-- by the core; these triggers only put them where they belong.

-- What every action shares: the learner's name and the server they acted in (unless
-- `display_name` is NULL: the core knows both are stored already), the activity row (unless
-- `kind` is NULL: a visit that records no study) and the streak after it (unless `streak_days`
-- is NULL: unchanged).
CREATE VIEW study_actions AS SELECT
    NULL AS user_id, NULL AS display_name, NULL AS guild_id, NULL AS at,
    NULL AS kind, NULL AS ref, NULL AS points, NULL AS week_start,
    NULL AS streak_days, NULL AS streak_since, NULL AS streak_last_day, NULL AS streak_longest
WHERE 0;

CREATE TRIGGER study_actions_write INSTEAD OF INSERT ON study_actions
BEGIN
    INSERT INTO learners (user_id, display_name, created_at)
    SELECT NEW.user_id, NEW.display_name, NEW.at
    WHERE NEW.display_name IS NOT NULL
    ON CONFLICT (user_id) DO UPDATE SET display_name = excluded.display_name;

    INSERT INTO memberships (guild_id, user_id, display_name, first_seen_at, last_seen_at)
    SELECT NEW.guild_id, NEW.user_id, NEW.display_name, NEW.at, NEW.at
    WHERE NEW.guild_id IS NOT NULL AND NEW.display_name IS NOT NULL
    ON CONFLICT (guild_id, user_id) DO UPDATE
    SET display_name = excluded.display_name, last_seen_at = excluded.last_seen_at;

    -- Once per (user, kind, ref): a repeated action earns nothing (activity_scores counts it).
    INSERT INTO activity (user_id, guild_id, kind, ref, points, at, week_start)
    SELECT NEW.user_id, NEW.guild_id, NEW.kind, NEW.ref, NEW.points, NEW.at, NEW.week_start
    WHERE NEW.kind IS NOT NULL
    ON CONFLICT (user_id, kind, ref) DO NOTHING;

    INSERT INTO streaks (user_id, current_days, current_since, last_day, longest_days)
    SELECT NEW.user_id, NEW.streak_days, NEW.streak_since, NEW.streak_last_day, NEW.streak_longest
    WHERE NEW.kind IS NOT NULL AND NEW.streak_days IS NOT NULL
    ON CONFLICT (user_id) DO UPDATE SET current_days = excluded.current_days,
        current_since = excluded.current_since, last_day = excluded.last_day,
        longest_days = excluded.longest_days;
END;

-- A topic marked learned: the action, the mark (marking again keeps the first time) and its
-- first review card (an existing card stays).
CREATE VIEW learned_marks AS SELECT
    NULL AS user_id, NULL AS display_name, NULL AS guild_id, NULL AS at,
    NULL AS ref, NULL AS points, NULL AS week_start,
    NULL AS streak_days, NULL AS streak_since, NULL AS streak_last_day, NULL AS streak_longest,
    NULL AS track_id, NULL AS topic_id,
    NULL AS due, NULL AS stability, NULL AS difficulty, NULL AS elapsed_days,
    NULL AS scheduled_days, NULL AS reps, NULL AS lapses, NULL AS state, NULL AS last_review
WHERE 0;

CREATE TRIGGER learned_marks_write INSTEAD OF INSERT ON learned_marks
BEGIN
    INSERT INTO study_actions (user_id, display_name, guild_id, at, kind, ref, points,
        week_start, streak_days, streak_since, streak_last_day, streak_longest)
    VALUES (NEW.user_id, NEW.display_name, NEW.guild_id, NEW.at, 'learned', NEW.ref, NEW.points,
        NEW.week_start, NEW.streak_days, NEW.streak_since, NEW.streak_last_day,
        NEW.streak_longest);

    INSERT INTO learned_topics (user_id, track_id, topic_id, learned_at, guild_id)
    VALUES (NEW.user_id, NEW.track_id, NEW.topic_id, NEW.at, NEW.guild_id)
    ON CONFLICT (user_id, track_id, topic_id) DO NOTHING;

    INSERT INTO review_cards (user_id, track_id, topic_id, due, stability, difficulty,
        elapsed_days, scheduled_days, reps, lapses, state, last_review)
    VALUES (NEW.user_id, NEW.track_id, NEW.topic_id, NEW.due, NEW.stability, NEW.difficulty,
        NEW.elapsed_days, NEW.scheduled_days, NEW.reps, NEW.lapses, NEW.state, NEW.last_review)
    ON CONFLICT (user_id, track_id, topic_id) DO NOTHING;
END;

-- A quiz or review answer: the action, the answer (once per question: a double press changes
-- nothing), the session moved on by the answer that was stored; and, when `review_ref` is set,
-- the end of the review it finishes: the review's activity (once per session) and only then the
-- card's next state.
CREATE VIEW quiz_answer_writes AS SELECT
    NULL AS user_id, NULL AS display_name, NULL AS guild_id, NULL AS at,
    NULL AS ref, NULL AS points, NULL AS week_start,
    NULL AS streak_days, NULL AS streak_since, NULL AS streak_last_day, NULL AS streak_longest,
    NULL AS session_id, NULL AS position, NULL AS track_id, NULL AS topic_id,
    NULL AS question, NULL AS chosen, NULL AS correct,
    NULL AS review_ref, NULL AS review_points,
    NULL AS due, NULL AS stability, NULL AS difficulty, NULL AS elapsed_days,
    NULL AS scheduled_days, NULL AS reps, NULL AS lapses, NULL AS state, NULL AS last_review
WHERE 0;

CREATE TRIGGER quiz_answer_writes_write INSTEAD OF INSERT ON quiz_answer_writes
BEGIN
    INSERT INTO study_actions (user_id, display_name, guild_id, at, kind, ref, points,
        week_start, streak_days, streak_since, streak_last_day, streak_longest)
    VALUES (NEW.user_id, NEW.display_name, NEW.guild_id, NEW.at, 'answer', NEW.ref, NEW.points,
        NEW.week_start, NEW.streak_days, NEW.streak_since, NEW.streak_last_day,
        NEW.streak_longest);

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
        state = NEW.state, last_review = NEW.last_review
    WHERE user_id = NEW.user_id AND track_id = NEW.track_id AND topic_id = NEW.topic_id
      AND NEW.review_ref IS NOT NULL AND changes() = 1;
END;
