//! End to end: the real serenity client of `quorum run` against a fake Discord on 127.0.0.1.
//! Every reply the bot sends goes through `assert_within_discord_limits`.

mod support;

use serde_json::json;
use support::bot::{spawn_bot, TestBot};
use support::fake_discord::payloads::{opt_string, opt_user};
use support::fake_discord::{user_id, Caller, GUILD_ID};
use support::limits::assert_within_discord_limits;
use support::replies::{
    command, custom_ids, embed, is_ephemeral, AUTOCOMPLETE_RESULT, MESSAGE, UPDATE_MESSAGE,
};

use quorum::ids::UserId;

fn ann() -> Caller {
    Caller::member(user_id(1), "ann")
}

async fn learned_ids(bot: &TestBot, user: u64) -> Vec<String> {
    let store = bot.store().await;
    let marks = store.learned_topics(UserId(user), "sample").await.unwrap();
    store.close().await;
    marks.into_iter().map(|m| m.topic_id).collect()
}

on_both_backends! {
    #[tokio::test]
    async fn the_bot_registers_every_command_in_one_bulk_overwrite() {
        let bot = spawn_bot().await;

        let puts = bot.fake.requests_matching("PUT", "/api/v10/applications/");
        let commands = bot.fake.registered_commands(None);

        assert_eq!(puts.len(), 1, "one bulk call");
        let names: Vec<&str> = commands.iter().filter_map(|c| c["name"].as_str()).collect();
        let listed: Vec<String> = quorum::discord::all_commands()
            .into_iter()
            .map(|c| c.name.to_string())
            .collect();
        assert_eq!(names, listed, "every command of the one list, in one call");
        for name in [
            "map", "topic", "learned", "unlearn", "progress", "next", "help",
        ] {
            assert!(names.contains(&name), "{name} is registered");
        }
        assert!(names.len() <= 100, "Discord allows 100 global commands");
        for command in &commands {
            assert!(
                !command["description"].as_str().unwrap_or("").is_empty(),
                "{command}"
            );
            for option in command["options"].as_array().into_iter().flatten() {
                assert!(
                    !option["description"].as_str().unwrap_or("").is_empty(),
                    "{option}"
                );
            }
        }
        let topic_option = &commands[1]["options"][0];
        assert_eq!(topic_option["autocomplete"], json!(true));
    }

    /// Personal commands can be installed to a member's own account and used in DMs; commands
    /// about a server's members are for servers only. Discord's numbers: integration type 0 is a
    /// server install, 1 a user install; context 0 a server, 1 a DM with the bot, 2 a private
    /// channel.
    #[tokio::test]
    async fn the_registration_says_where_each_command_can_be_installed_and_used() {
        let bot = spawn_bot().await;
        let commands = bot.fake.registered_commands(None);
        let of = |name: &str| {
            let command = commands
                .iter()
                .find(|c| c["name"] == json!(name))
                .unwrap_or_else(|| panic!("{name} is registered"));
            (
                command["integration_types"].clone(),
                command["contexts"].clone(),
            )
        };

        for name in [
            "map",
            "topic",
            "learned",
            "unlearn",
            "progress",
            "next",
            "quiz",
            "review",
            "reviews",
            "remind",
            "stats",
            "privacy",
            "export",
            "forget-me",
            "help",
        ] {
            assert_eq!(of(name), (json!([0, 1]), json!([0, 1, 2])), "{name}");
        }
        for name in ["leaderboard", "who-knows", "group", "quorum-admin"] {
            assert_eq!(of(name), (json!([0]), json!([0])), "{name}");
        }
    }

    #[tokio::test]
    async fn map_attaches_a_real_png_with_bars_and_a_jump_menu() {
        let bot = spawn_bot().await;
        command(
            &bot,
            "learned",
            json!([opt_string("topic", "alpha")]),
            &ann(),
        )
        .await;

        let (_, callback) = command(&bot, "map", json!([]), &ann()).await;

        assert_eq!(callback.body["type"], json!(MESSAGE));
        assert!(is_ephemeral(&callback));
        let embed = embed(&callback);
        assert_eq!(embed["image"]["url"], json!("attachment://skill-map.png"));
        let text = embed["description"].as_str().unwrap();
        assert!(text.contains("First Steps**  `▰▰▰▱▱▱▱▱▱▱ 1/3`"), "{text}");
        assert!(text.contains("✨ ` 2` Topic Beta"), "{text}");
        let file = &callback.files[0];
        assert_eq!(file.filename.as_deref(), Some("skill-map.png"));
        let picture = resvg::tiny_skia::Pixmap::decode_png(&file.bytes).expect("a real PNG");
        assert_eq!(
            picture.width(),
            quorum::render::map_picture::MapPicture::WIDTH
        );
        assert!(picture.height() > 300, "height {}", picture.height());
        let menu = &callback.body["data"]["components"][0]["components"][0];
        assert_eq!(menu["custom_id"], json!("q:jump:sample"));
        assert_eq!(menu["options"].as_array().unwrap().len(), 5);
    }

    #[tokio::test]
    async fn the_topic_card_offers_its_buttons_and_mark_learned_updates_it_in_place() {
        let bot = spawn_bot().await;
        let (handle, card) = command(&bot, "topic", json!([opt_string("topic", "beta")]), &ann()).await;
        assert!(is_ephemeral(&card));
        assert_eq!(embed(&card)["title"], json!("2 · Topic Beta"));
        assert_eq!(
            custom_ids(&card),
            [
                "q:learn:sample:beta",
                "q:quiz:sample:beta",
                "q:open:sample:gamma"
            ]
        );

        let message = bot.fake.original_message(&handle);
        let press = bot.fake.button("q:learn:sample:beta", &message, &ann());
        let (_, updated) = bot.fake.interact(press).await;

        assert_within_discord_limits(&updated.body);
        assert_eq!(updated.body["type"], json!(UPDATE_MESSAGE));
        assert_eq!(
            custom_ids(&updated),
            [
                "q:unlearn:sample:beta",
                "q:quiz:sample:beta",
                "q:open:sample:gamma"
            ]
        );
        assert!(embed(&updated)["description"]
            .as_str()
            .unwrap()
            .contains("✅ Learned"));
        assert_eq!(learned_ids(&bot, user_id(1)).await, ["beta"]);
    }

    #[tokio::test]
    async fn learned_and_unlearn_answer_with_the_new_bar_and_next_step_in_a_dm_too() {
        let bot = spawn_bot().await;
        let dm = Caller::dm(user_id(2), "bo");

        let (_, learned) = command(&bot, "learned", json!([opt_string("topic", "1")]), &dm).await;
        let (_, unlearned) = command(&bot, "unlearn", json!([opt_string("topic", "alpha")]), &dm).await;

        assert_eq!(
            embed(&learned)["title"],
            json!("✅ Learned: 1 · Topic Alpha")
        );
        let text = embed(&learned)["description"].as_str().unwrap();
        assert!(text.contains("**First Steps**  `▰▰▰▱▱▱▱▱▱▱ 1/3`"), "{text}");
        assert_eq!(embed(&learned)["fields"][0]["name"], json!("Next step"));
        assert!(embed(&learned)["fields"][0]["value"]
            .as_str()
            .unwrap()
            .contains("2 · Topic Beta"));
        assert_eq!(
            embed(&unlearned)["title"],
            json!("↩️ Unmarked: 1 · Topic Alpha")
        );
        assert!(learned_ids(&bot, user_id(2)).await.is_empty());
    }

    #[tokio::test]
    async fn an_unknown_topic_gets_an_ephemeral_did_you_mean() {
        let bot = spawn_bot().await;

        let (_, reply) = command(
            &bot,
            "topic",
            json!([opt_string("topic", "gamma ray")]),
            &ann(),
        )
        .await;

        assert!(is_ephemeral(&reply));
        let text = reply.body["data"]["content"].as_str().unwrap_or_default();
        assert!(
            text.contains("I don't know a topic called “gamma ray”"),
            "{text}"
        );
        assert!(text.contains("Did you mean: 3 Topic Gamma"), "{text}");
    }

    #[tokio::test]
    async fn autocomplete_offers_matching_topics_by_number_name_and_alias() {
        let bot = spawn_bot().await;
        let typed = |partial: &str| bot.fake.autocomplete("topic", "topic", partial, &ann());

        let (_, everything) = bot.fake.interact(typed("")).await;
        let (_, by_alias) = bot.fake.interact(typed("delta-al")).await;

        for reply in [&everything, &by_alias] {
            assert_eq!(reply.body["type"], json!(AUTOCOMPLETE_RESULT));
            assert_within_discord_limits(&reply.body);
        }
        assert_eq!(
            everything.body["data"]["choices"].as_array().unwrap().len(),
            5
        );
        assert_eq!(
            by_alias.body["data"]["choices"],
            json!([{ "name": "4 · Topic Delta", "value": "delta" }])
        );
    }

    #[tokio::test]
    async fn my_progress_is_private_and_a_members_progress_is_shared() {
        let bot = spawn_bot().await;
        let bea = Caller::member(user_id(3), "bea");
        bot.fake.add_member(GUILD_ID, user_id(3), "bea");
        command(&bot, "learned", json!([opt_string("topic", "alpha")]), &bea).await;

        let (_, mine) = command(&bot, "progress", json!([]), &ann()).await;
        let (_, hers) = command(
            &bot,
            "progress",
            json!([opt_user("member", user_id(3))]),
            &ann(),
        )
        .await;

        assert!(is_ephemeral(&mine));
        assert!(embed(&mine)["description"]
            .as_str()
            .unwrap()
            .contains("`▱▱▱▱▱▱▱▱▱▱ 0/3`"));
        assert!(!is_ephemeral(&hers));
        assert!(embed(&hers)["title"]
            .as_str()
            .unwrap()
            .starts_with("bea's progress"));
        assert!(embed(&hers)["description"]
            .as_str()
            .unwrap()
            .contains("`▰▰▰▱▱▱▱▱▱▱ 1/3`"));
    }

    #[tokio::test]
    async fn next_help_and_the_jump_menu_answer() {
        let bot = spawn_bot().await;

        let (_, next) = command(&bot, "next", json!([]), &ann()).await;
        let (_, help) = command(&bot, "help", json!([]), &ann()).await;
        let (handle, _) = command(&bot, "map", json!([]), &ann()).await;
        let message = bot.fake.original_message(&handle);
        let pick = bot
            .fake
            .select_menu("q:jump:sample", &["epsilon"], &message, &ann());
        let (_, jumped) = bot.fake.interact(pick).await;

        assert_eq!(embed(&next)["title"], json!("1 · Topic Alpha"));
        assert!(embed(&help)["description"]
            .as_str()
            .unwrap()
            .contains("/learned <topic>"));
        assert_within_discord_limits(&jumped.body);
        assert_eq!(jumped.body["type"], json!(MESSAGE));
        assert_eq!(embed(&jumped)["title"], json!("5 · Topic Epsilon"));
    }

    #[tokio::test]
    async fn buttons_keep_working_after_a_restart() {
        let mut bot = spawn_bot().await;
        let (handle, _) = command(&bot, "topic", json!([opt_string("topic", "alpha")]), &ann()).await;
        let message = bot.fake.original_message(&handle);

        bot.restart().await;
        let press = bot.fake.button("q:learn:sample:alpha", &message, &ann());
        let (_, updated) = bot.fake.interact(press).await;

        assert_eq!(updated.body["type"], json!(UPDATE_MESSAGE));
        assert_eq!(learned_ids(&bot, user_id(1)).await, ["alpha"]);
    }

    #[tokio::test]
    async fn a_dropped_gateway_socket_is_resumed_and_answers_continue() {
        let bot = spawn_bot().await;
        command(&bot, "help", json!([]), &ann()).await;

        bot.fake.drop_connection().await;
        let (_, after) = command(&bot, "next", json!([]), &ann()).await;

        let resumes = bot
            .fake
            .gateway_ops()
            .iter()
            .filter(|op| op.op == 6)
            .count();
        assert_eq!(resumes, 1, "one RESUME after the drop");
        assert_eq!(embed(&after)["title"], json!("1 · Topic Alpha"));
    }

    /// `/plan 12` with two reviews due: both reviews first (2 minutes each), then the next topic
    /// that fits (gamma, 5 minutes; delta needs gamma and would not fit anyway), with a button to
    /// start the reviews and one to read the topic.
    #[tokio::test]
    async fn plan_lists_due_reviews_before_new_topics_and_fits_the_minutes() {
        use support::fake_discord::payloads::opt_integer;
        let bot = spawn_bot().await;
        for topic in ["alpha", "beta"] {
            command(&bot, "learned", json!([opt_string("topic", topic)]), &ann()).await;
        }
        bot.clock.advance(chrono::Duration::days(2));

        let (_, callback) = command(&bot, "plan", json!([opt_integer("minutes", 12)]), &ann()).await;

        assert!(is_ephemeral(&callback));
        let text = embed(&callback)["description"].as_str().unwrap().to_owned();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert!(lines[0].starts_with("1. 🔁 Review: "), "{text}");
        assert!(lines[1].starts_with("2. 🔁 Review: "), "{text}");
        assert_eq!(lines[2], "3. 📖 Read: 3 · Topic Gamma · 5 min", "{text}");
        let footer = embed(&callback)["footer"]["text"].as_str().unwrap();
        assert!(footer.starts_with("9 of 12 minutes planned"), "{footer}");
        assert_eq!(custom_ids(&callback), ["q:review", "q:open:sample:gamma"]);
    }

    /// With two tracks and the server's default set to the second, `/map` and the topic
    /// autocomplete use the default without being told.
    #[tokio::test]
    async fn with_two_tracks_map_and_autocomplete_use_the_servers_default_track() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let course = tempfile::tempdir().unwrap();
        support::copy_dir(
            &root.join("tests/fixtures/sample/sample"),
            &course.path().join("sample"),
        );
        support::copy_dir(
            &root.join("course/distributed-systems"),
            &course.path().join("zz-distributed-systems"),
        );
        let bot = support::bot::spawn_bot_on(course.path().to_path_buf()).await;
        let boss = Caller::manager(user_id(2), "boss");
        let typed = |who: &Caller| bot.fake.autocomplete("topic", "topic", "", who);
        let (_, before) = bot.fake.interact(typed(&ann())).await;
        assert_eq!(before.body["data"]["choices"][0]["value"], json!("alpha"));

        let (_, set) = command(
            &bot,
            "quorum-admin track",
            json!([opt_string("track", "distributed-systems")]),
            &boss,
        )
        .await;
        assert!(
            set.body.to_string().contains("Default track changed"),
            "{:#}",
            set.body
        );

        let (_, after) = bot.fake.interact(typed(&ann())).await;
        assert_eq!(
            after.body["data"]["choices"][0]["value"],
            json!("fallacies")
        );
        let (_, map) = command(&bot, "map", json!([]), &ann()).await;
        let title = embed(&map)["title"].as_str().unwrap_or_default().to_owned();
        assert!(title.contains("Many machines, one system"), "{title}");
    }
}
