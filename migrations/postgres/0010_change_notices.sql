-- Several bot processes may share this database, and each keeps copies of what it read: every
-- learner's marks, zone, streak, latest quizzes and servers, and every server's default track.
-- A change to any of them is announced on the channel `quorum_changes`, when its transaction
-- commits, as `learner <user id> <process>` or `guild <guild id> <process>`, where <process> is
-- the writer's application_name (each process sets its own). Every other process drops its
-- copy (src/study/changes.rs). These triggers change no row, so their place in the firing order
-- beside the triggers of 0009 does not matter. SQLite's 0010 is empty: one process owns a file.

CREATE FUNCTION notice_learner_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed BIGINT;
BEGIN
    IF TG_OP = 'DELETE' THEN
        changed := OLD.user_id;
    ELSE
        changed := NEW.user_id;
    END IF;
    -- PostgreSQL sends one notice per distinct text per transaction.
    PERFORM pg_notify('quorum_changes',
        'learner ' || changed || ' ' || current_setting('application_name'));
    RETURN NULL;
END $$;

CREATE FUNCTION notice_guild_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed BIGINT;
BEGIN
    IF TG_OP = 'DELETE' THEN
        changed := OLD.guild_id;
    ELSE
        changed := NEW.guild_id;
    END IF;
    PERFORM pg_notify('quorum_changes',
        'guild ' || changed || ' ' || current_setting('application_name'));
    RETURN NULL;
END $$;

CREATE TRIGGER zz_notice_learners AFTER INSERT OR UPDATE OR DELETE ON learners
    FOR EACH ROW EXECUTE FUNCTION notice_learner_change();
CREATE TRIGGER zz_notice_memberships AFTER INSERT OR UPDATE OR DELETE ON memberships
    FOR EACH ROW EXECUTE FUNCTION notice_learner_change();
CREATE TRIGGER zz_notice_learned_topics AFTER INSERT OR UPDATE OR DELETE ON learned_topics
    FOR EACH ROW EXECUTE FUNCTION notice_learner_change();
CREATE TRIGGER zz_notice_quiz_sessions AFTER INSERT OR UPDATE OR DELETE ON quiz_sessions
    FOR EACH ROW EXECUTE FUNCTION notice_learner_change();
CREATE TRIGGER zz_notice_quiz_answers AFTER INSERT OR UPDATE OR DELETE ON quiz_answers
    FOR EACH ROW EXECUTE FUNCTION notice_learner_change();
CREATE TRIGGER zz_notice_review_cards AFTER INSERT OR UPDATE OR DELETE ON review_cards
    FOR EACH ROW EXECUTE FUNCTION notice_learner_change();
CREATE TRIGGER zz_notice_reminder_prefs AFTER INSERT OR UPDATE OR DELETE ON reminder_prefs
    FOR EACH ROW EXECUTE FUNCTION notice_learner_change();
CREATE TRIGGER zz_notice_streaks AFTER INSERT OR UPDATE OR DELETE ON streaks
    FOR EACH ROW EXECUTE FUNCTION notice_learner_change();
CREATE TRIGGER zz_notice_guild_settings AFTER INSERT OR UPDATE OR DELETE ON guild_settings
    FOR EACH ROW EXECUTE FUNCTION notice_guild_change();
