//! End to end through the fake Discord: leaderboards, stats, server admin and members' own data.
//! Every reply the bot sends goes through `assert_within_discord_limits`.

mod support;

use std::path::Path;
use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use serde_json::{json, Value};
use support::bot::{spawn_bot, TestBot};
use support::fake_discord::payloads::{opt_bool, opt_integer, opt_string, opt_user};
use support::fake_discord::{channel_id, guild_id, user_id, Caller, Recorded, GUILD_ID};
use support::replies::{command, custom_ids, embed, is_ephemeral, press, settled, UPDATE_MESSAGE};

use quorum::course::load_catalog;
use quorum::ids::{GuildId, Learner, UserId};
use quorum::store::Store;
use quorum::study::domain::Period;
use quorum::study::{Board, QuizStep, Study};

// poise sends choice parameters as integer options: the index of the choice.
const BOARD_LEARNED: i64 = 1;
const BOARD_STREAK: i64 = 3;
const PERIOD_ALL: i64 = 1;
const RESET_ALL: i64 = 1;

fn member(n: u64, name: &str) -> Caller {
    Caller::member(user_id(n), name)
}

fn description(callback: &Recorded) -> String {
    embed(callback)["description"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// The names on a board, top to bottom (each line is `medal **name**: score`).
fn board_names(callback: &Recorded) -> Vec<String> {
    description(callback)
        .lines()
        .filter_map(|line| line.split("**").nth(1).map(str::to_string))
        .collect()
}

async fn learn(bot: &TestBot, who: &Caller, topic: &str) {
    let (_, callback) = command(bot, "learned", json!([opt_string("topic", topic)]), who).await;
    assert!(
        description(&callback).contains("Learned") || embed(&callback)["title"].as_str().is_some(),
        "{:#}",
        callback.body
    );
}

/// A second handle on the bot's core, on the same database and clock, to answer quizzes.
async fn core(bot: &TestBot) -> Study {
    let catalog = load_catalog(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/sample"
    )))
    .expect("sample course");
    Study::new(
        Arc::new(catalog),
        bot.store().await,
        Arc::new(bot.clock.clone()),
    )
}

/// Takes a quiz on `topic` in the main server, answering `right` questions right, the rest
/// wrong.
async fn quiz(study: &Study, who: &Caller, topic: &str, questions: usize, right: usize) {
    let learner = Learner {
        user: UserId(who.user_id),
        name: who.user_name.clone(),
        guild: who.guild_id.map(GuildId),
    };
    let first = study
        .start_quiz(&learner, None, topic, Some(questions))
        .await
        .expect("quiz starts");
    let track = study.track(None).expect("track");
    let bank = &track.topic(topic).expect("topic").quiz;
    let mut question = first;
    for position in 0..question.total {
        let right_choice = bank
            .iter()
            .find(|q| q.question == question.question)
            .map(|q| &q.choices[q.answer])
            .expect("question in bank");
        let right_slot = question
            .choices
            .iter()
            .position(|c| c == right_choice)
            .expect("right choice shown");
        let slot = if position < right {
            right_slot
        } else {
            (right_slot + 1) % question.choices.len()
        };
        study
            .answer_quiz(&learner, question.session, position, slot)
            .await
            .expect("answer");
        match study
            .continue_quiz(&learner, question.session)
            .await
            .expect("next")
        {
            QuizStep::Question(next) => question = next,
            _ => break,
        }
    }
}

/// Every table and column of the database, from sqlite_master: so tables added later are
/// checked too.
async fn rows_mentioning(bot: &TestBot, user: u64) -> Vec<String> {
    let store = bot.store().await;
    let mut found = Vec::new();
    for (table, column) in support::db::tables_and_columns(&store).await {
        let (count,): (i64,) = store
            .query_rows(&format!(
                "SELECT COUNT(*) FROM \"{table}\" WHERE CAST(\"{column}\" AS TEXT) LIKE '%{user}%'"
            ))
            .await
            .unwrap()[0];
        if count > 0 {
            found.push(format!("{table}.{column}: {count}"));
        }
    }
    store.close().await;
    found
}

/// Ann and Bob study in two servers: marks, quizzes, a review card, reminder settings.
async fn two_members_study(bot: &TestBot) {
    let study = core(bot).await;
    for (n, name) in [(1, "ann"), (2, "bob")] {
        bot.fake.add_member(GUILD_ID, user_id(n), name);
        learn(bot, &member(n, name), "alpha").await;
        quiz(&study, &member(n, name), "alpha", 2, 1).await;
        let elsewhere = member(n, name).in_guild(guild_id(2), channel_id(2));
        learn(bot, &elsewhere, "beta").await;
        let learner = Learner {
            user: UserId(user_id(n)),
            name: name.to_string(),
            guild: None,
        };
        study
            .set_reminder_prefs(&learner, |prefs| {
                prefs.zone = quorum::study::domain::LocalZone::Fixed(60)
            })
            .await
            .unwrap();
    }
}

/// Waits (up to 10 s) until the removal of the main server is recorded (or not).
async fn wait_for_removal(store: &Store, wanted: bool) -> bool {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let pending: Option<(i64,)> = store
            .query_rows(&format!(
                "SELECT removed_at FROM guild_removals WHERE guild_id = {GUILD_ID}"
            ))
            .await
            .unwrap()
            .pop();
        if pending.is_some() == wanted || tokio::time::Instant::now() > deadline {
            return pending.is_some();
        }
        tokio::task::yield_now().await;
    }
}

/// The study channel's posts: what members of this server posted to channel 900.
fn announcements(bot: &TestBot) -> Vec<String> {
    bot.fake
        .requests_matching(
            "POST",
            &format!("/api/v10/channels/{}/messages", channel_id(900)),
        )
        .into_iter()
        .filter_map(|r| r.body["content"].as_str().map(str::to_owned))
        .collect()
}

on_both_backends! {
    #[tokio::test]
    async fn the_leaderboard_ranks_by_points_breaks_ties_by_the_earlier_achiever_and_pages() {
        let bot = spawn_bot().await;
        let study = core(&bot).await;
        // Twelve members: m1..m12 learn (12 - n) / 3 + 1 topics each, one minute apart, so that
        // several share a score and the earlier achiever must come first.
        let topics = ["alpha", "beta", "gamma", "delta", "epsilon"];
        let names: Vec<String> = (1..=12).map(|n| format!("m{n:02}")).collect();
        for (n, name) in (1..=12).zip(&names) {
            bot.fake.add_member(GUILD_ID, user_id(n), name);
        }
        for (round, topic) in topics.iter().enumerate() {
            for n in (1..=12_u64).rev() {
                let name = &names[n as usize - 1];
                let count = ((12 - n) / 3 + 1) as usize;
                if round < count {
                    learn(&bot, &member(n, name), topic).await;
                    bot.clock.advance(Duration::minutes(1));
                }
            }
        }
        // m12 answers two questions right: 10 + 4 points, ahead of m10 and m11 (10 each).
        quiz(&study, &member(12, "m12"), "alpha", 3, 2).await;
        // A stranger in another server scores far more, and must never show up here.
        let stranger = Caller::member(user_id(50), "stranger").in_guild(guild_id(2), channel_id(2));
        bot.fake.add_member(guild_id(2), user_id(50), "stranger");
        for topic in topics {
            learn(&bot, &stranger, topic).await;
        }

        let (handle, board) = command(&bot, "leaderboard", json!([]), &member(10, "m10")).await;

        assert!(!is_ephemeral(&board), "the leaderboard is public");
        // Scores: m1..m3 40, m4..m6 30, m7..m9 20, m12 14, m11 m10 10. Within a score, the one who
        // reached it first ranks first: m3 before m2 before m1 (they learned in reverse order).
        assert_eq!(
            board_names(&board),
            ["m03", "m02", "m01", "m06", "m05", "m04", "m09", "m08", "m07", "m12"]
        );
        let text = description(&board);
        assert!(
            text.starts_with("🥇 **m03**: 40 points\n🥈 **m02**"),
            "{text}"
        );
        assert!(text.contains("🥉 **m01**: 40 points"), "{text}");
        assert!(text.contains("`#10` **m12**: 14 points"), "{text}");
        assert!(!text.contains("stranger"), "{text}");
        let mine = &embed(&board)["fields"][0];
        assert_eq!(mine["value"], json!("#12 · 10 points"), "{mine}");
        assert_eq!(
            custom_ids(&board),
            ["q:lb:points:week:0", "q:lb:points:week:1"]
        );

        let page_two = press(&bot, &handle, "q:lb:points:week:1", &member(10, "m10")).await;

        assert_eq!(page_two.body["type"], json!(UPDATE_MESSAGE));
        assert_eq!(board_names(&page_two), ["m11", "m10"]);
        assert!(description(&page_two).starts_with("`#11` **m11**"));
        assert!(embed(&page_two)["footer"]["text"]
            .as_str()
            .unwrap()
            .starts_with("Page 2 of 2"));
    }

    #[tokio::test]
    async fn members_who_left_are_dropped_from_the_board() {
        let bot = spawn_bot().await;
        for (n, name) in [(1, "ann"), (2, "bob"), (3, "cy")] {
            bot.fake.add_member(GUILD_ID, user_id(n), name);
            learn(&bot, &member(n, name), "alpha").await;
            bot.clock.advance(Duration::minutes(1));
        }
        learn(&bot, &member(2, "bob"), "beta").await;
        bot.fake.remove_member(GUILD_ID, user_id(2));

        let (_, board) = command(&bot, "leaderboard", json!([]), &member(1, "ann")).await;

        assert_eq!(board_names(&board), ["ann", "cy"]);
        let asked = bot
            .fake
            .requests_matching("GET", &format!("/api/v10/guilds/{GUILD_ID}/members/"));
        assert!(!asked.is_empty(), "the bot asks Discord who is still there");
        let (_, again) = command(&bot, "leaderboard", json!([]), &member(1, "ann")).await;
        assert_eq!(board_names(&again), ["ann", "cy"]);
        let asked_again = bot
            .fake
            .requests_matching("GET", &format!("/api/v10/guilds/{GUILD_ID}/members/"));
        assert_eq!(asked.len(), asked_again.len(), "answers are cached");
    }

    #[tokio::test]
    async fn the_weekly_board_starts_empty_on_monday_while_all_time_keeps_the_points() {
        let bot = spawn_bot().await;
        bot.fake.add_member(GUILD_ID, user_id(1), "ann");
        bot.clock.advance(Duration::days(2)); // Wednesday
        learn(&bot, &member(1, "ann"), "alpha").await;
        let (_, before) = command(&bot, "leaderboard", json!([]), &member(1, "ann")).await;
        assert_eq!(board_names(&before), ["ann"]);

        bot.clock
            .set(Utc.with_ymd_and_hms(2026, 11, 9, 0, 0, 0).unwrap()); // next Monday 00:00 UTC
        let (_, weekly) = command(&bot, "leaderboard", json!([]), &member(1, "ann")).await;
        let (_, all_time) = command(
            &bot,
            "leaderboard",
            json!([opt_integer("period", PERIOD_ALL)]),
            &member(1, "ann"),
        )
        .await;

        assert!(board_names(&weekly).is_empty(), "{}", description(&weekly));
        assert!(description(&weekly).contains("starts fresh every Monday"));
        assert_eq!(board_names(&all_time), ["ann"]);
        assert!(description(&all_time).contains("10 points"));
    }

    #[tokio::test]
    async fn the_learned_and_streak_boards_count_this_servers_members() {
        let bot = spawn_bot().await;
        bot.fake.add_member(GUILD_ID, user_id(1), "ann");
        bot.fake.add_member(GUILD_ID, user_id(2), "bob");
        learn(&bot, &member(1, "ann"), "alpha").await;
        learn(&bot, &member(2, "bob"), "alpha").await;
        bot.clock.advance(Duration::days(1));
        learn(&bot, &member(2, "bob"), "beta").await;

        let (_, learned) = command(
            &bot,
            "leaderboard",
            json!([opt_integer("board", BOARD_LEARNED)]),
            &member(1, "ann"),
        )
        .await;
        let (_, streak) = command(
            &bot,
            "leaderboard",
            json!([opt_integer("board", BOARD_STREAK)]),
            &member(1, "ann"),
        )
        .await;

        assert_eq!(board_names(&learned), ["bob", "ann"]);
        assert!(
            description(&streak).starts_with("🥇 **bob**: 2 days"),
            "{}",
            description(&streak)
        );
        assert!(description(&streak).contains("**ann**: 1 day"));
    }

    #[tokio::test]
    async fn a_member_without_manage_server_cannot_change_settings() {
        let bot = spawn_bot().await;
        let registered = bot.fake.registered_commands(None);
        let admin = registered
            .iter()
            .find(|c| c["name"] == json!("quorum-admin"))
            .expect("registered");
        assert_eq!(
            admin["default_member_permissions"],
            json!("32"),
            "hidden from members"
        );

        let (_, refused) = command(
            &bot,
            "quorum-admin reminders",
            json!([opt_bool("on", false)]),
            &member(1, "ann"),
        )
        .await;
        let (_, refused_announcements) = command(
            &bot,
            "quorum-admin announcements",
            json!([opt_bool("on", true)]),
            &member(1, "ann"),
        )
        .await;

        assert!(is_ephemeral(&refused));
        assert!(refused.body["data"]["content"]
            .as_str()
            .unwrap_or_default()
            .contains("Manage Server"));
        assert!(is_ephemeral(&refused_announcements));
        let store = bot.store().await;
        let settings = store.guild_settings(GuildId(GUILD_ID)).await.unwrap();
        assert!(settings.reminders_enabled);
        assert!(!settings.announcements_enabled);

        let (_, changed) = command(
            &bot,
            "quorum-admin reminders",
            json!([opt_bool("on", false)]),
            &Caller::manager(user_id(2), "boss"),
        )
        .await;
        assert!(description(&changed).contains("Reminders: off"));
        assert!(
            !store
                .guild_settings(GuildId(GUILD_ID))
                .await
                .unwrap()
                .reminders_enabled
        );
    }

    #[tokio::test]
    async fn a_reset_needs_a_confirm_from_a_manager_and_empties_the_board() {
        let bot = spawn_bot().await;
        bot.fake.add_member(GUILD_ID, user_id(1), "ann");
        learn(&bot, &member(1, "ann"), "alpha").await;
        let boss = Caller::manager(user_id(2), "boss");
        let (handle, prompt) = command(
            &bot,
            "quorum-admin reset",
            json!([opt_integer("board", RESET_ALL)]),
            &boss,
        )
        .await;
        assert_eq!(custom_ids(&prompt), ["q:reset:all", "q:cancel"]);

        let refused = press(&bot, &handle, "q:reset:all", &member(1, "ann")).await;
        let (_, still) = command(&bot, "leaderboard", json!([]), &member(1, "ann")).await;
        assert!(description(&refused).contains("Manage Server"));
        assert_eq!(board_names(&still), ["ann"]);

        let done = press(&bot, &handle, "q:reset:all", &boss).await;
        let (_, after) = command(
            &bot,
            "leaderboard",
            json!([opt_integer("period", PERIOD_ALL)]),
            &member(1, "ann"),
        )
        .await;
        assert!(embed(&done)["title"].as_str().unwrap().contains("reset"));
        assert!(board_names(&after).is_empty());
    }

    #[tokio::test]
    async fn forget_me_leaves_no_row_of_theirs_in_any_table() {
        let bot = spawn_bot().await;
        two_members_study(&bot).await;
        assert!(!rows_mentioning(&bot, user_id(1)).await.is_empty());
        let bob_before = rows_mentioning(&bot, user_id(2)).await;

        let (handle, prompt) = command(&bot, "forget-me", json!([]), &member(1, "ann")).await;
        assert!(is_ephemeral(&prompt));
        let confirm = format!("q:forget:{}", user_id(1));
        assert_eq!(custom_ids(&prompt), [confirm.as_str(), "q:cancel"]);
        // Bob cannot confirm Ann's request.
        let refused = press(&bot, &handle, &confirm, &member(2, "bob")).await;
        assert!(embed(&refused)["title"] == json!("Not yours"));
        assert!(!rows_mentioning(&bot, user_id(1)).await.is_empty());

        let done = press(&bot, &handle, &confirm, &member(1, "ann")).await;

        assert_eq!(done.body["type"], json!(UPDATE_MESSAGE));
        assert!(is_ephemeral(&done));
        assert_eq!(
            rows_mentioning(&bot, user_id(1)).await,
            Vec::<String>::new()
        );
        assert_eq!(rows_mentioning(&bot, user_id(2)).await, bob_before);
    }

    #[tokio::test]
    async fn export_holds_exactly_their_data() {
        let bot = spawn_bot().await;
        two_members_study(&bot).await;

        let (_, reply) = command(&bot, "export", json!([]), &member(1, "ann")).await;

        assert!(is_ephemeral(&reply));
        let file = &reply.files[0];
        assert_eq!(file.filename.as_deref(), Some("quorum-export.json"));
        let export: Value = serde_json::from_slice(&file.bytes).expect("JSON");
        assert_eq!(export["user_id"], json!(user_id(1).to_string()));
        let text = String::from_utf8_lossy(&file.bytes);
        assert!(!text.contains(&user_id(2).to_string()), "nothing of Bob's");
        // Every row of Ann's in every table with a user_id column, and nothing else.
        let store = bot.store().await;
        let tables: Vec<String> = support::db::tables_and_columns(&store)
            .await
            .into_iter()
            .filter(|(_, column)| column == "user_id")
            .map(|(table, _)| table)
            .collect();
        let exported = export["tables"].as_object().expect("tables");
        for table in &tables {
            let (count,): (i64,) = store
                .query_rows(&format!(
                    "SELECT COUNT(*) FROM \"{table}\" WHERE user_id = {}",
                    user_id(1)
                ))
                .await
                .unwrap()[0];
            let rows = exported.get(table).and_then(Value::as_array);
            assert_eq!(rows.map_or(0, Vec::len) as i64, count, "{table}");
            for row in rows.into_iter().flatten() {
                assert_eq!(row["user_id"], json!(user_id(1).to_string()), "{table}");
            }
        }
        assert!(exported.len() >= 6, "{:?}", exported.keys());
        assert_eq!(exported["learned_topics"].as_array().unwrap().len(), 2);
    }

    #[tokio::test]
    async fn stats_show_points_streak_and_a_real_activity_chart() {
        let bot = spawn_bot().await;
        bot.fake.add_member(GUILD_ID, user_id(1), "ann");
        learn(&bot, &member(1, "ann"), "alpha").await;
        bot.clock.advance(Duration::days(1));
        learn(&bot, &member(1, "ann"), "beta").await;

        let (_, own) = command(&bot, "stats", json!([]), &member(1, "ann")).await;
        let (_, shown) = command(
            &bot,
            "stats",
            json!([opt_user("member", user_id(1))]),
            &member(2, "bob"),
        )
        .await;

        assert!(is_ephemeral(&own));
        assert!(!is_ephemeral(&shown), "another member's stats are public");
        let fields = embed(&own)["fields"].as_array().unwrap().clone();
        let field = |name: &str| {
            fields
                .iter()
                .find(|f| f["name"] == json!(name))
                .map(|f| f["value"].as_str().unwrap_or_default().to_string())
                .unwrap_or_default()
        };
        assert_eq!(field("Points here"), "20 this week · 20 all time");
        assert_eq!(field("Streak"), "🔥 2 days · best 2 days");
        assert_eq!(
            embed(&own)["image"]["url"],
            json!("attachment://activity.png")
        );
        let picture = resvg::tiny_skia::Pixmap::decode_png(&own.files[0].bytes).expect("a PNG");
        assert_eq!(picture.width(), 720);
    }

    #[tokio::test]
    async fn who_knows_lists_members_who_still_remember_and_group_shades_by_share() {
        let bot = spawn_bot().await;
        bot.fake.add_member(GUILD_ID, user_id(1), "ann");
        bot.fake.add_member(GUILD_ID, user_id(2), "bob");
        learn(&bot, &member(1, "ann"), "alpha").await;
        learn(&bot, &member(2, "bob"), "beta").await;

        let (_, who) = command(
            &bot,
            "who-knows",
            json!([opt_string("topic", "alpha")]),
            &member(2, "bob"),
        )
        .await;
        let (_, group) = command(&bot, "group", json!([]), &member(2, "bob")).await;

        assert!(
            description(&who).contains("**ann**"),
            "{}",
            description(&who)
        );
        assert!(!description(&who).contains("bob"));
        let text = description(&group);
        assert!(text.contains("` 50%` 1 · Topic Alpha"), "{text}");
        assert!(text.contains("`  0%` 3 ·"), "{text}");
        assert_eq!(group.files[0].filename.as_deref(), Some("group.png"));
    }

    #[tokio::test]
    async fn removing_the_bot_schedules_a_purge_and_adding_it_back_cancels_it() {
        let bot = spawn_bot().await;
        bot.fake.add_member(GUILD_ID, user_id(1), "ann");
        learn(&bot, &member(1, "ann"), "alpha").await;
        let study = core(&bot).await;

        bot.fake
            .dispatch(
                "GUILD_DELETE",
                json!({ "id": GUILD_ID.to_string(), "unavailable": false }),
            )
            .await;
        // The event is handled concurrently; a command afterwards goes through the same gateway.
        let store = bot.store().await;
        let pending = wait_for_removal(&store, true).await;
        assert!(pending);
        bot.fake.send_guild_create(GUILD_ID, "Study Hall").await;
        assert!(!wait_for_removal(&store, false).await);
        bot.clock.advance(Duration::days(4));
        assert!(study.purge_removed_guilds().await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_nickname_with_markdown_and_a_masked_link_shows_as_plain_text() {
        let bot = spawn_bot().await;
        let nickname = "[Free Nitro](https://nitro.example) **now**";
        bot.fake.add_member(GUILD_ID, user_id(1), nickname);
        learn(&bot, &member(1, nickname), "alpha").await;

        let (_, board) = command(&bot, "leaderboard", json!([]), &member(1, nickname)).await;

        let text = description(&board);
        assert!(
            text.contains(r"\[Free Nitro\]\(https\://nitro.example\) \*\*now\*\*"),
            "{text}"
        );
        assert!(
            !text.contains("[Free Nitro]("),
            "no masked link survives: {text}"
        );
        let place = embed(&board)["fields"][0]["name"]
            .as_str()
            .unwrap_or_default();
        assert!(place.starts_with(r"\[Free Nitro\]"), "{place}");
    }

    #[tokio::test]
    async fn retaking_a_quiz_earns_nothing_for_questions_already_answered_right() {
        let bot = spawn_bot().await;
        let study = core(&bot).await;
        let ann = member(1, "ann");
        let learner = Learner {
            user: UserId(user_id(1)),
            name: "ann".into(),
            guild: Some(GuildId(GUILD_ID)),
        };
        let bank = study
            .track(None)
            .unwrap()
            .topic("alpha")
            .unwrap()
            .quiz
            .len();
        let points = || async {
            let board = study.leaderboard(
                GuildId(GUILD_ID),
                Board::Points,
                Period::AllTime,
                0,
                &learner,
            );
            board.await.unwrap().me.map_or(0, |me| me.score)
        };

        quiz(&study, &ann, "alpha", bank, bank).await;
        let first = points().await;
        quiz(&study, &ann, "alpha", bank, bank).await;
        let again = points().await;

        assert_eq!(first, 2 * bank as i64, "every question right once");
        assert_eq!(again, first, "the same questions right again earn nothing");
    }

    #[tokio::test]
    async fn a_non_members_stats_and_progress_are_refused_privately() {
        let bot = spawn_bot().await;
        // Cy studies in another server and is not a member of this one.
        let cy = Caller::member(user_id(3), "cy").in_guild(guild_id(2), channel_id(2));
        bot.fake.add_member(guild_id(2), user_id(3), "cy");
        learn(&bot, &cy, "alpha").await;
        bot.fake.add_member(GUILD_ID, user_id(1), "ann");

        for name in ["stats", "progress"] {
            let (_, refused) = command(
                &bot,
                name,
                json!([opt_user("member", user_id(3))]),
                &member(1, "ann"),
            )
            .await;

            assert!(is_ephemeral(&refused), "/{name} refuses privately");
            let text = refused.body["data"]["content"].as_str().unwrap_or_default();
            assert!(
                text.contains("only show the stats and progress of a member"),
                "{text}"
            );
            assert!(embed(&refused).is_null(), "/{name} shows nothing of cy's");
        }
    }

    /// Discord answers get-member after 2 s: the board and its Next button still answer within the
    /// 3 s deadline (a deferral), and the page follows, showing whom it could not check.
    #[tokio::test]
    async fn a_slow_discord_gets_a_first_answer_within_three_seconds_and_then_the_page() {
        let bot = spawn_bot().await;
        for n in 1..=12 {
            let name = format!("m{n:02}");
            bot.fake.add_member(GUILD_ID, user_id(n), &name);
            learn(&bot, &member(n, &name), "alpha").await;
        }
        bot.fake
            .delay("GET", "/api/v10/guilds/", std::time::Duration::from_secs(2));
        let me = member(1, "m01");

        let asked = std::time::Instant::now();
        let (handle, first) = bot
            .fake
            .interact(bot.fake.slash_command("leaderboard", json!([]), &me))
            .await;
        let first_answer = asked.elapsed();
        let page = settled(&bot, &handle, first.clone()).await;

        assert!(
            first_answer < std::time::Duration::from_secs(3),
            "{first_answer:?}"
        );
        assert_eq!(first.body["type"], json!(5), "deferred");
        assert_eq!(board_names(&page).len(), 10, "{}", description(&page));

        let message = bot.fake.original_message(&handle);
        let asked = std::time::Instant::now();
        let (pressed, ack) = bot
            .fake
            .interact(bot.fake.button("q:lb:points:week:1", &message, &me))
            .await;
        let first_answer = asked.elapsed();
        let page_two = settled(&bot, &pressed, ack.clone()).await;

        assert!(
            first_answer < std::time::Duration::from_secs(3),
            "{first_answer:?}"
        );
        assert_eq!(ack.body["type"], json!(6), "acknowledged");
        assert_eq!(
            board_names(&page_two).len(),
            2,
            "{}",
            description(&page_two)
        );
    }

    /// `/privacy private`: off the board, /who-knows and /group, and `/stats member:` refused
    /// privately; `/privacy visible` brings the member back.
    #[tokio::test]
    async fn a_private_member_is_on_no_board_or_group_view_and_their_stats_are_refused() {
        const PRIVATE: i64 = 0;
        const VISIBLE: i64 = 1;
        let bot = spawn_bot().await;
        bot.fake.add_member(GUILD_ID, user_id(1), "ann");
        bot.fake.add_member(GUILD_ID, user_id(2), "bob");
        learn(&bot, &member(1, "ann"), "alpha").await;
        learn(&bot, &member(2, "bob"), "alpha").await;
        let (_, before) = command(&bot, "leaderboard", json!([]), &member(2, "bob")).await;
        assert_eq!(board_names(&before), ["ann", "bob"]);

        let (_, chosen) = command(
            &bot,
            "privacy",
            json!([opt_integer("setting", PRIVATE)]),
            &member(1, "ann"),
        )
        .await;

        assert!(is_ephemeral(&chosen));
        assert!(embed(&chosen)["title"]
            .as_str()
            .unwrap()
            .contains("private"));
        for (name, options) in [
            ("leaderboard", json!([])),
            ("leaderboard", json!([opt_integer("board", BOARD_LEARNED)])),
            ("leaderboard", json!([opt_integer("board", BOARD_STREAK)])),
            ("who-knows", json!([opt_string("topic", "alpha")])),
            ("group", json!([])),
        ] {
            let (_, reply) = command(&bot, name, options, &member(2, "bob")).await;
            let text = description(&reply);
            assert!(!text.contains("ann"), "/{name}: {text}");
            if name == "group" {
                assert!(
                    text.contains("`100%` 1 · Topic Alpha"),
                    "only bob counts: {text}"
                );
            }
        }
        let (_, refused) = command(
            &bot,
            "stats",
            json!([opt_user("member", user_id(1))]),
            &member(2, "bob"),
        )
        .await;
        assert!(is_ephemeral(&refused));
        let text = refused.body["data"]["content"].as_str().unwrap_or_default();
        assert!(text.contains("keeps their study data private"), "{text}");
        let (_, own) = command(&bot, "stats", json!([]), &member(1, "ann")).await;
        assert!(!embed(&own).is_null(), "ann still sees her own stats");

        command(
            &bot,
            "privacy",
            json!([opt_integer("setting", VISIBLE)]),
            &member(1, "ann"),
        )
        .await;

        let (_, after) = command(&bot, "leaderboard", json!([]), &member(2, "bob")).await;
        assert_eq!(board_names(&after), ["ann", "bob"]);
    }

    /// With announcements on, a filled section is posted once in the study channel, with no
    /// mentions; a finished track within the hour is not (one per member per hour); with
    /// announcements off, nothing is posted.
    #[tokio::test]
    async fn a_filled_section_is_announced_once_in_the_study_channel_and_not_when_off() {
        use quorum::study::domain::SettingChange;
        let bot = spawn_bot().await;
        let study = core(&bot).await;
        let guild = GuildId(GUILD_ID);
        study
            .change_setting(guild, SettingChange::StudyChannel(Some(channel_id(900))))
            .await
            .unwrap();
        study
            .change_setting(guild, SettingChange::Announcements(true))
            .await
            .unwrap();
        bot.fake.add_member(GUILD_ID, user_id(1), "ann");
        for topic in ["alpha", "beta", "gamma"] {
            learn(&bot, &member(1, "ann"), topic).await;
        }

        let posted = bot
            .fake
            .wait_for(
                |r| r.method == "POST" && r.path.contains(&format!("/channels/{}/", channel_id(900))),
                std::time::Duration::from_secs(5),
            )
            .await;
        assert_eq!(
            posted.body["content"],
            json!("🎉 **ann** completed the section First Steps.")
        );
        assert_eq!(posted.body["allowed_mentions"]["parse"], json!([]));
        for topic in ["delta", "epsilon"] {
            learn(&bot, &member(1, "ann"), topic).await;
        }
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert_eq!(
            announcements(&bot).len(),
            1,
            "at most one per member per hour"
        );

        study
            .change_setting(guild, SettingChange::Announcements(false))
            .await
            .unwrap();
        bot.fake.add_member(GUILD_ID, user_id(2), "bob");
        for topic in ["alpha", "beta", "gamma"] {
            learn(&bot, &member(2, "bob"), topic).await;
        }
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert_eq!(announcements(&bot).len(), 1, "nothing when off");
    }
}
