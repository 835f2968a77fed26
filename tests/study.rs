//! The Discord-free core against real SQLite files: the store keeps what it is told, the map
//! computes the right states, and the console answers typed commands.

mod support;

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use quorum::clock::ManualClock;
use quorum::course::{load_catalog, Catalog};
use quorum::ids::{GuildId, Learner, UserId};
use quorum::store::Store;
use quorum::study::domain::{Period, SettingChange};
use quorum::study::{Board, MarkChange, SkillMap, Study, StudyError, TopicState};

fn sample_catalog() -> Arc<Catalog> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sample");
    Arc::new(load_catalog(&dir).expect("sample is valid"))
}

use support::core::sample_study as fixture;

fn ann() -> Learner {
    Learner {
        user: UserId(1001),
        name: "Ann".into(),
        guild: Some(GuildId(77)),
    }
}

fn states(map: &SkillMap) -> Vec<(&str, TopicState)> {
    map.entries()
        .map(|e| (e.topic.id.as_str(), e.state))
        .collect()
}

#[test]
fn the_map_lights_learned_topics_and_glows_on_the_lowest_open_one() {
    use TopicState::*;
    let catalog = sample_catalog();
    let track = catalog.default_track().unwrap();
    let map_of = |learned: &[&str]| {
        let set: HashSet<String> = learned.iter().map(|s| s.to_string()).collect();
        SkillMap::compute(track, &set)
    };
    // The sample's edges: beta and gamma need alpha, delta needs both, epsilon needs delta.
    let cases: &[(&[&str], [TopicState; 5], Option<&str>)] = &[
        (&[], [Next, Locked, Locked, Locked, Locked], Some("alpha")),
        (
            &["alpha"],
            [Learned, Next, Available, Locked, Locked],
            Some("beta"),
        ),
        (
            &["alpha", "gamma"],
            [Learned, Next, Learned, Locked, Locked],
            Some("beta"),
        ),
        (
            &["alpha", "beta", "gamma"],
            [Learned, Learned, Learned, Next, Locked],
            Some("delta"),
        ),
        // Learned out of order: the mark counts, the next step is still the first open topic.
        (
            &["beta"],
            [Next, Learned, Locked, Locked, Locked],
            Some("alpha"),
        ),
        (
            &["alpha", "beta", "gamma", "delta", "epsilon"],
            [Learned; 5],
            None,
        ),
    ];
    for (learned, expected, next) in cases {
        let map = map_of(learned);
        let got: Vec<TopicState> = states(&map).into_iter().map(|(_, s)| s).collect();
        assert_eq!(got, expected, "learned {learned:?}");
        assert_eq!(
            map.next.as_ref().map(|t| t.id.as_str()),
            *next,
            "learned {learned:?}"
        );
    }
    let half = map_of(&["alpha", "beta"]);
    assert_eq!(half.sections[0].progress.learned, 2);
    assert_eq!(half.sections[1].progress.learned, 0);
    assert_eq!(half.total.learned, 2);
    assert!(map_of(&["alpha", "beta", "gamma", "delta", "epsilon"])
        .total
        .is_complete());
}

#[tokio::test]
async fn the_reminder_sweeps_due_query_uses_the_index_on_due() {
    let f = fixture().await;

    let plan = f.store.due_reviews_plan().await.unwrap();

    assert!(
        plan.iter().any(|step| step.contains("review_cards_by_due")),
        "{plan:?}"
    );
    assert!(
        !plan.iter().any(|step| step.starts_with("SCAN c")),
        "{plan:?}"
    );
}

/// Another writer holds SQLite's write lock for a second while members mark topics, finish
/// reviews and ask to be forgotten: every one of them waits its turn (the store's busy timeout)
/// and none answers "database busy".
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn writers_running_together_never_answer_busy() {
    let f = fixture().await;
    let member = |n: u64| Learner {
        user: UserId(n),
        name: format!("member {n}"),
        guild: Some(GuildId(77)),
    };
    let mut reviews = Vec::new();
    for n in 1..=4 {
        f.study.learn(&member(n), None, "alpha").await.unwrap();
    }
    for n in 40..=43 {
        f.study.learn(&member(n), None, "alpha").await.unwrap();
    }
    f.clock.advance(Duration::days(2));
    for n in 1..=4 {
        let question = f.study.start_review(&member(n)).await.unwrap();
        for position in 0..question.total - 1 {
            f.study
                .answer_quiz(&member(n), question.session, position, 0)
                .await
                .unwrap();
        }
        reviews.push((n, question.session, question.total - 1));
    }
    let pool = f
        .store
        .sqlite_pool()
        .expect("this test holds SQLite's lock")
        .clone();
    let (locked, lock_taken) = tokio::sync::oneshot::channel();
    let other_writer = tokio::spawn(async move {
        let tx = pool.begin_with("BEGIN IMMEDIATE").await.unwrap();
        locked.send(()).unwrap();
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        tx.commit().await.unwrap();
    });
    lock_taken.await.unwrap();

    let mut tasks = tokio::task::JoinSet::new();
    for (n, session, last) in reviews {
        let study = f.study.clone();
        tasks.spawn(async move {
            study
                .answer_quiz(&member(n), session, last, 0)
                .await
                .map(|_| ())
        });
    }
    for n in 10..=30 {
        let study = f.study.clone();
        tasks.spawn(async move { study.learn(&member(n), None, "beta").await.map(|_| ()) });
    }
    for n in 40..=43 {
        let study = f.study.clone();
        tasks.spawn(async move { study.forget(UserId(n)).await.map(|_| ()) });
    }
    while let Some(done) = tasks.join_next().await {
        if let Err(error) = done.unwrap() {
            panic!("a writer failed instead of waiting: {error}");
        }
    }
    other_writer.await.unwrap();

    for n in 1..=4 {
        let schedule = f.study.review_schedule(UserId(n)).await.unwrap();
        assert!(
            schedule.due.is_empty(),
            "member {n}'s review was rescheduled"
        );
    }
    for n in 40..=43 {
        let who = Learner {
            user: UserId(n),
            ..ann()
        };
        let map = f.study.map(&who, None).await.unwrap();
        assert_eq!(map.total.learned, 0, "member {n} was forgotten");
    }
}

/// The boards' and group views' own statements (not copies) walk their indexes: no table
/// scan, no sort.
#[tokio::test]
async fn the_boards_and_group_views_read_their_indexes_and_scan_no_table() {
    let f = fixture().await;

    let mut plans = f.store.board_plans().await.unwrap();
    plans.extend(f.store.group_plans().await.unwrap());

    let step_of = |name: &str, index: &str| {
        let steps = &plans.iter().find(|(n, _)| *n == name).unwrap().1;
        assert!(steps.iter().any(|s| s.contains(index)), "{name}: {steps:?}");
    };
    step_of("page", "standings_board");
    step_of("ahead", "standings_board");
    step_of("stale", "standings_expiring");
    step_of("recount remembered", "standings_expiring");
    step_of("recount remembered", "review_cards_kept");
    step_of("knowers", "learned_topics_knowers");
    for (name, steps) in &plans {
        // A scan of a subquery's few rows is fine; a scan of a table or a sort is not.
        let scans = |step: &&String| {
            (step.starts_with("SCAN")
                && !step.starts_with("SCAN k")
                && *step != "SCAN CONSTANT ROW")
                || step.contains("TEMP B-TREE")
        };
        assert!(!steps.iter().any(|step| scans(&step)), "{name}: {steps:?}");
    }
}

on_postgres_only! {
    /// Two processes on one PostgreSQL database: a mark made by one reaches the map the other
    /// keeps in memory. PostgreSQL only: an SQLite file belongs to one process.
    #[tokio::test]
    async fn another_processs_mark_reaches_this_processs_map() {
        let here = fixture().await;
        let there_store = Store::open(&here.database.url).await.unwrap();
        let there = Study::new(sample_catalog(), there_store, Arc::new(here.clock.clone()));
        tokio::spawn(here.study.clone().follow_other_processes());
        // Kept in this process's memory from now on.
        let before = here.study.map(&ann(), None).await.unwrap();
        assert_eq!(before.total.learned, 0);

        there.learn(&ann(), None, "alpha").await.unwrap();

        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
        loop {
            let map = here.study.map(&ann(), None).await.unwrap();
            if map.total.learned == 1 {
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the other process's mark never reached this process's map"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
}

on_postgres_only! {
    /// PostgreSQL going away while the bot runs: a mark answers "busy" within Discord's 3 s, and
    /// once the server is back the next one goes through by itself, with every mark acknowledged
    /// before kept. PostgreSQL only: an SQLite file does not go away.
    #[tokio::test]
    async fn a_database_that_goes_away_answers_busy_then_comes_back_by_itself() {
        let database = support::db::fresh_database().await;
        let server = support::db::host_port(&database.url).to_string();
        let proxy = support::cut_proxy::CutProxy::start(server.clone()).await;
        let through_proxy = database
            .url
            .replace(&server, &format!("127.0.0.1:{}", proxy.port));
        let store = Store::open(&through_proxy).await.unwrap();
        let clock = quorum::clock::ManualClock::starting_at(
            chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 2, 9, 0, 0).unwrap(),
        );
        let study = Study::new(sample_catalog(), store, Arc::new(clock));
        study.learn(&ann(), None, "alpha").await.unwrap();

        proxy.cut();
        let asked = std::time::Instant::now();
        let refused = study.learn(&ann(), None, "beta").await;
        assert!(matches!(refused, Err(StudyError::Busy)), "{refused:?}");
        assert!(
            asked.elapsed() < std::time::Duration::from_secs(3),
            "busy came after {:?}",
            asked.elapsed()
        );

        proxy.mend();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            match study.learn(&ann(), None, "beta").await {
                Ok(_) => break,
                Err(StudyError::Busy) if std::time::Instant::now() < deadline => {
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await
                }
                Err(error) => panic!("the store did not come back: {error:?}"),
            }
        }
        let direct = Store::open(&database.url).await.unwrap();
        let marks: Vec<String> = direct
            .learned_topics(ann().user, "sample")
            .await
            .unwrap()
            .into_iter()
            .map(|m| m.topic_id)
            .collect();
        assert_eq!(marks, ["alpha", "beta"]);
    }
}

on_both_backends! {
    #[tokio::test]
    async fn marks_survive_closing_and_reopening_the_same_file() {
        let database = support::db::fresh_database().await;
        let store = Store::open(&database.url).await.unwrap();
        let now = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
        let study = Study::new(
            sample_catalog(),
            store,
            Arc::new(ManualClock::starting_at(now)),
        );
        study.learn(&ann(), None, "alpha").await.unwrap();
        study.close().await;

        let reopened = Store::open(&database.url).await.unwrap();
        let marks = reopened
            .learned_topics(UserId(1001), "sample")
            .await
            .unwrap();

        assert_eq!(marks.len(), 1);
        assert_eq!(marks[0].topic_id, "alpha");
        assert_eq!(
            marks[0].learned_at.timestamp_millis(),
            now.timestamp_millis()
        );
        assert_eq!(reopened.servers_of(UserId(1001)).await.unwrap(), [77]);
    }

    #[tokio::test]
    async fn marking_twice_keeps_the_first_time() {
        let f = fixture().await;
        let first = f.study.learn(&ann(), None, "alpha").await.unwrap();
        f.clock.advance(Duration::hours(3));

        let second = f.study.learn(&ann(), None, "alpha").await.unwrap();

        assert_eq!(first.change, MarkChange::Learned);
        assert_eq!(second.change, MarkChange::AlreadyLearned);
        let marks = f
            .store
            .learned_topics(UserId(1001), "sample")
            .await
            .unwrap();
        assert_eq!(marks.len(), 1);
        assert_eq!(
            marks[0].learned_at,
            Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap()
        );
    }

    #[tokio::test]
    async fn unmarking_removes_the_mark_and_says_when_there_was_none() {
        let f = fixture().await;
        f.study.learn(&ann(), None, "1").await.unwrap();

        let removed = f.study.unlearn(&ann(), None, "alpha").await.unwrap();
        let again = f.study.unlearn(&ann(), None, "alpha").await.unwrap();

        assert_eq!(removed.change, MarkChange::Unlearned);
        assert_eq!(again.change, MarkChange::WasNotLearned);
        assert_eq!(removed.map.total.learned, 0);
    }

    #[tokio::test]
    async fn fifty_concurrent_marks_lose_none() {
        let f = fixture().await;
        let topics = ["alpha", "beta", "gamma", "delta", "epsilon"];
        let tasks: Vec<_> = (0..50_u64)
            .map(|i| {
                let study = f.study.clone();
                tokio::spawn(async move {
                    let learner = Learner {
                        user: UserId(500 + i % 10),
                        name: format!("user{i}"),
                        guild: Some(GuildId(1 + i % 3)),
                    };
                    study.learn(&learner, None, topics[(i / 10) as usize]).await
                })
            })
            .collect();
        for task in tasks {
            assert_eq!(task.await.unwrap().unwrap().change, MarkChange::Learned);
        }

        let mut total = 0;
        for user in 500..510 {
            total += f
                .store
                .learned_topics(UserId(user), "sample")
                .await
                .unwrap()
                .len();
            let who = Learner {
                user: UserId(user),
                ..ann()
            };
            let map = f.study.map(&who, None).await.unwrap();
            assert_eq!(map.total.learned, 5);
        }
        assert_eq!(total, 50);
    }

    #[tokio::test]
    async fn filling_a_section_and_the_track_is_announced() {
        let f = fixture().await;
        for topic in ["alpha", "beta"] {
            let reply = f.study.learn(&ann(), None, topic).await.unwrap();
            assert!(!reply.completed_section());
        }
        let third = f.study.learn(&ann(), None, "gamma").await.unwrap();
        assert!(third.completed_section());
        assert!(!third.completed_track());
        f.study.learn(&ann(), None, "delta").await.unwrap();

        let last = f.study.learn(&ann(), None, "epsilon").await.unwrap();

        assert!(last.completed_track());
        let text = quorum::render::learn_card(&last).to_text();
        assert!(text.contains("Small things compose"), "{text}");
    }

    #[tokio::test]
    async fn topics_are_found_by_number_id_alias_and_title_and_misses_suggest() {
        let f = fixture().await;
        let user = &ann();
        for query in [
            "2",
            "beta",
            "BETA",
            "beta-alias",
            "Topic Beta",
            "  topic beta ",
        ] {
            let card = f.study.topic(user, None, query).await.unwrap();
            assert_eq!(card.topic.id, "beta", "query {query}");
        }

        let miss = f.study.topic(user, None, "betta").await.unwrap_err();

        let StudyError::UnknownTopic(miss) = miss else {
            panic!("expected an unknown topic, got {miss:?}");
        };
        assert_eq!(
            miss.suggestions.first().map(String::as_str),
            Some("2 Topic Beta")
        );
    }

    #[tokio::test]
    async fn the_console_shows_a_filled_bar_after_learned() {
        let f = fixture().await;
        let input = "/progress\n/learned alpha\n/learned 2\n/learned gamma\n/progress\n/learned\n/nonsense\nhello\n";
        let mut output = Vec::new();

        quorum::console::run(&f.study, &ann(), input.as_bytes(), &mut output)
            .await
            .unwrap();

        let text = String::from_utf8(output).unwrap();
        assert!(text.contains("First Steps**\n`▱▱▱▱▱▱▱▱▱▱ 0/3`"), "{text}");
        assert!(text.contains("First Steps**\n`▰▰▰▰▰▰▰▰▰▰ 3/3`"), "{text}");
        assert!(text.contains("Section complete: First Steps"), "{text}");
        assert!(text.contains("`/learned` needs a topic"), "{text}");
        assert!(
            text.contains("I don't know the command `/nonsense`"),
            "{text}"
        );
        assert!(text.contains("Commands start with `/`"), "{text}");
    }

    /// The core skips storing a name and server it knows are stored: a new nickname must still
    /// reach the board, and a member Discord says left must come back once they study again.
    #[tokio::test]
    async fn the_board_follows_a_new_name_and_a_member_who_comes_back() {
        let f = fixture().await;
        let names = |board: &quorum::study::Leaderboard| -> Vec<String> {
            board.rows.iter().map(|row| row.name.clone()).collect()
        };
        let me = ann();
        let boards = || async {
            let mut shown = Vec::new();
            for board in [Board::Points, Board::Learned] {
                let board = f
                    .study
                    .leaderboard(GuildId(77), board, Period::AllTime, 0, &me);
                shown.push(names(&board.await.unwrap()));
            }
            shown
        };
        f.study.learn(&ann(), None, "alpha").await.unwrap();
        let renamed = Learner {
            name: "Ann the Bold".into(),
            ..ann()
        };
        f.study.learn(&renamed, None, "beta").await.unwrap();
        assert_eq!(boards().await, [["Ann the Bold"], ["Ann the Bold"]]);

        f.study
            .member_left(GuildId(77), UserId(1001))
            .await
            .unwrap();
        assert_eq!(boards().await, [[""; 0], [""; 0]], "off the boards");
        f.clock.advance(Duration::minutes(5));
        f.study.learn(&renamed, None, "gamma").await.unwrap();

        let back = [["Ann the Bold"], ["Ann the Bold"]];
        assert_eq!(boards().await, back, "back after studying");
    }

    /// A topic learned and never reviewed stays on the remembered board only while FSRS says it
    /// would still be recalled (its first-"Good" stability, about three days).
    #[tokio::test]
    async fn an_unreviewed_topic_leaves_the_remembered_board_when_fsrs_says_it_is_forgotten() {
        let f = fixture().await;
        f.study.learn(&ann(), None, "alpha").await.unwrap();
        let remembered = || async {
            let board = f
                .study
                .leaderboard(GuildId(77), Board::Remembered, Period::AllTime, 0, &ann())
                .await
                .unwrap();
            board.me.map_or(0, |me| me.score)
        };

        assert_eq!(remembered().await, 1, "just learned");
        f.clock.advance(Duration::days(3));
        assert_eq!(remembered().await, 1, "recall still at least 0.9");
        f.clock.advance(Duration::days(1));
        assert_eq!(
            remembered().await,
            0,
            "recall below 0.9 after four days unreviewed"
        );
    }

    /// With two tracks, a server's default track is what `/map`, `/topic`, `/learned`, `/quiz`
    /// and `/next` mean without a track; outside a server, the track of the latest mark is.
    #[tokio::test]
    async fn every_command_uses_the_servers_default_track_and_dms_the_latest_marks() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let course = tempfile::tempdir().unwrap();
        support::copy_dir(
            &root.join("course/distributed-systems"),
            &course.path().join("distributed-systems"),
        );
        support::copy_dir(
            &root.join("tests/fixtures/sample/sample"),
            &course.path().join("sample"),
        );
        let catalog = Arc::new(load_catalog(course.path()).unwrap());
        let first = catalog.tracks[0].id.clone();
        let other = if first == "sample" {
            "distributed-systems"
        } else {
            "sample"
        };
        let database = support::db::fresh_database().await;
        let store = Store::open(&database.url).await.unwrap();
        let clock = ManualClock::starting_at(Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap());
        let study = Study::new(catalog, store, Arc::new(clock));
        let ann = ann();
        assert_eq!(study.map(&ann, None).await.unwrap().track.id, first);

        study
            .change_setting(GuildId(77), SettingChange::DefaultTrack(Some(other.into())))
            .await
            .unwrap();

        assert_eq!(study.map(&ann, None).await.unwrap().track.id, other);
        let topic = &study.track(Some(other)).unwrap().topics[0];
        let card = study.topic(&ann, None, &topic.id).await.unwrap();
        assert_eq!(card.topic.id, topic.id);
        let quiz = study
            .start_quiz(&ann, None, &topic.id, Some(1))
            .await
            .unwrap();
        assert_eq!(quiz.track_id, other);
        study.learn(&ann, None, &topic.id).await.unwrap();
        let learned = study.map(&ann, Some(other)).await.unwrap();
        assert_eq!(learned.total.learned, 1, "marked on the default track");
        // In a DM, the track of the latest mark; for someone without marks, the first track.
        let in_dm = Learner {
            guild: None,
            ..ann.clone()
        };
        assert_eq!(study.map(&in_dm, None).await.unwrap().track.id, other);
        let newcomer = Learner {
            user: UserId(5),
            guild: None,
            ..ann
        };
        assert_eq!(study.map(&newcomer, None).await.unwrap().track.id, first);
    }

    /// Berlin moves its clocks forward on 2027-03-28. Studying on the 27th, the 28th and at 00:30
    /// on the 29th (Berlin time, already summer time) is three days in a row; a fixed winter offset
    /// would put the last one on the 28th still.
    #[tokio::test]
    async fn a_streak_in_a_named_zone_survives_a_dst_change() {
        let f = fixture().await;
        let ann = ann();
        f.study
            .set_reminder_prefs(&ann, |p| {
                p.zone = quorum::study::parse_zone("Europe/Berlin").unwrap()
            })
            .await
            .unwrap();
        let berlin = |d: u32, h: u32, m: u32, offset: i64| {
            Utc.with_ymd_and_hms(2027, 3, d, h, m, 0).unwrap() - Duration::hours(offset)
        };
        for (at, topic) in [
            (berlin(27, 12, 0, 1), "alpha"),
            (berlin(28, 12, 0, 2), "beta"),
            (berlin(29, 0, 30, 2), "gamma"),
        ] {
            f.clock.set(at);
            f.study.learn(&ann, None, topic).await.unwrap();
        }

        assert_eq!(f.study.streak(ann.user).await.unwrap().current, 3);
        let board = f
            .study
            .leaderboard(GuildId(77), Board::Streak, Period::AllTime, 0, &ann)
            .await
            .unwrap();
        assert_eq!(board.me.map(|m| m.score), Some(3));
        // Alive through the 30th in Berlin, broken from midnight of the 31st (22:00 UTC on the 30th).
        f.clock.set(berlin(30, 23, 59, 2));
        assert_eq!(f.study.streak(ann.user).await.unwrap().current, 3);
        f.clock.set(berlin(31, 0, 1, 2));
        assert_eq!(f.study.streak(ann.user).await.unwrap().current, 0);
        let board = f
            .study
            .leaderboard(GuildId(77), Board::Streak, Period::AllTime, 0, &ann)
            .await
            .unwrap();
        assert_eq!(board.me, None, "off the board once broken");
    }
}
