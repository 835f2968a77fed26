//! Spaced reviews and reminders through the fake Discord: one reminder per member per day,
//! never posted twice across restarts, retried through 500 and 429, falling back to the study
//! channel when DMs are refused, and caught up after downtime.

mod support;

use chrono::Duration;
use serde_json::{json, Value};
use support::bot::{spawn_bot, TestBot};
use support::fake_discord::payloads::{opt_integer, opt_string};
use support::fake_discord::{dm_channel_id, user_id, Caller, FakeResponse, Recorded, GUILD_ID};
use support::limits::assert_within_discord_limits;

use quorum::clock::Clock;
use quorum::ids::UserId;

fn ann() -> Caller {
    Caller::member(user_id(1), "ann")
}

fn dm_messages_path() -> String {
    format!("/api/v10/channels/{}/messages", dm_channel_id(user_id(1)))
}

async fn learn(bot: &TestBot, topic: &str) {
    let payload = bot
        .fake
        .slash_command("learned", json!([opt_string("topic", topic)]), &ann());
    bot.fake.interact(payload).await;
}

/// Reminder messages the bot posted (accepted or not), in order.
fn reminder_posts(bot: &TestBot) -> Vec<Recorded> {
    bot.fake
        .requests_matching("POST", "/api/v10/channels/")
        .into_iter()
        .filter(|r| r.path.ends_with("/messages"))
        .collect()
}

fn accepted(posts: &[Recorded]) -> Vec<&Recorded> {
    posts.iter().filter(|r| r.status == 200).collect()
}

fn description(body: &Value) -> String {
    body["embeds"][0]["description"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Moves the bot's clock along with real time (10 ms steps) until dropped, so that retries
/// planned by the study's clock come due as they would in production.
struct Ticking(tokio::task::JoinHandle<()>);

impl Drop for Ticking {
    fn drop(&mut self) {
        self.0.abort();
    }
}

fn tick_with_real_time(bot: &TestBot) -> Ticking {
    let clock = bot.clock.clone();
    Ticking(tokio::spawn(async move {
        loop {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            clock.advance(Duration::milliseconds(10));
        }
    }))
}

fn member(n: u64, name: &str) -> Caller {
    Caller::member(user_id(n), name)
}

async fn learn_as(bot: &TestBot, caller: &Caller, topic: &str) {
    let payload = bot
        .fake
        .slash_command("learned", json!([opt_string("topic", topic)]), caller);
    bot.fake.interact(payload).await;
}

fn dm_path(n: u64) -> String {
    format!("/api/v10/channels/{}/messages", dm_channel_id(user_id(n)))
}

/// Moves a day on and waits for ann's `count`-th reminder post and for the worker to record it.
async fn a_day_later_post(bot: &TestBot, count: usize) {
    bot.clock.advance(Duration::days(1));
    bot.fake
        .wait_for_count("POST", &dm_messages_path(), count)
        .await;
    bot.wait_for_sweeps(3).await;
}

async fn outbox_states(bot: &TestBot) -> Vec<String> {
    let store = bot.store().await;
    store
        .query_rows::<(String,)>("SELECT state FROM reminder_outbox ORDER BY id")
        .await
        .unwrap()
        .into_iter()
        .map(|(state,)| state)
        .collect()
}

#[tokio::test]
async fn the_sweep_reads_new_work_through_indexes_and_scans_no_table() {
    let bot = spawn_bot().await;
    let store = bot.store().await;

    let plan = store.due_reviews_plan().await.unwrap();

    assert!(
        plan.iter().any(|s| s.contains("review_cards_by_due")),
        "{plan:?}"
    );
    assert!(
        plan.iter().any(|s| s.contains("reminder_prefs_wake")),
        "{plan:?}"
    );
    for table in ["review_cards", "reminder_prefs", " d", " w", " c", " p"] {
        assert!(
            !plan
                .iter()
                .any(|s| s.starts_with("SCAN") && s.ends_with(table)),
            "{table} scanned: {plan:?}"
        );
    }
    println!("sweep plan: {plan:#?}");
}

/// The real `quorum run` binary, killed with SIGKILL when dropped.
struct Process(std::process::Child);

impl Process {
    fn start(config: &std::path::Path) -> Process {
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_quorum"))
            .arg("--config")
            .arg(config)
            .arg("run")
            .env_remove("DISCORD_TOKEN")
            .env_remove("DATABASE_URL")
            .env_remove("DISCORD_PROXY")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("the quorum binary starts");
        Process(child)
    }

    /// kill -9: no shutdown, no cleanup.
    fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
    }
}

async fn state_of_only_reminder(url: &str) -> Option<String> {
    let store = quorum::store::Store::open(url).await.expect("database");
    let state = store
        .query_rows::<(String,)>("SELECT state FROM reminder_outbox")
        .await
        .ok()
        .and_then(|mut rows| rows.pop())
        .map(|(state,)| state);
    store.close().await;
    state
}

/// A database with `members` members (users 1..) whose review fell due an hour ago, and a
/// config file for `quorum run` against `fake`: (folder, database URL, config path).
async fn binary_setup(
    fake: &support::FakeDiscord,
    members: u64,
) -> (tempfile::TempDir, String, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("quorum.db").display());
    let store = quorum::store::Store::open(&url).await.expect("database");
    let an_hour_ago = chrono::Utc::now().timestamp_millis() - 3_600_000;
    for n in 1..=members {
        let user = user_id(n) as i64;
        for statement in [
            format!(
                "INSERT INTO learners (user_id, display_name, created_at) VALUES ({user}, 'm{n}', 0)"
            ),
            format!(
                "INSERT INTO review_cards (user_id, track_id, topic_id, due, stability, difficulty,
                     elapsed_days, scheduled_days, reps, lapses, state, last_review)
                 VALUES ({user}, 'sample', 'alpha', {an_hour_ago}, 3.0, 5.0, 0, 1, 1, 0, 2,
                         {an_hour_ago})"
            ),
        ] {
            store.execute_sql(&statement).await.expect("seeded");
        }
    }
    store.close().await;
    let config = dir.path().join("quorum.toml");
    std::fs::write(
        &config,
        format!(
            "database_url = \"{url}\"\ncourse_dir = \"{}/tests/fixtures/sample\"\n\n[discord]\n\
             token = \"{}\"\nproxy = \"{}\"\n\n[reminders]\ninterval_seconds = 0.05\n",
            env!("CARGO_MANIFEST_DIR"),
            support::FakeDiscord::TOKEN,
            fake.base_url()
        ),
    )
    .expect("config written");
    (dir, url, config)
}

#[tokio::test]
async fn sigterm_ends_the_binary_within_seconds_while_a_call_never_answers() {
    let fake = support::FakeDiscord::start().await;
    let (_dir, url, config) = binary_setup(&fake, 3).await;
    fake.delay("POST", &dm_path(1), std::time::Duration::from_secs(3_600));

    let mut bot = Process::start(&config);
    fake.wait_for_request("POST", &dm_path(1)).await;
    fake.wait_for_request("POST", &dm_path(2)).await;
    fake.wait_for_request("POST", &dm_path(3)).await;
    let stopping = std::time::Instant::now();
    let _ = std::process::Command::new("kill")
        .arg("-TERM")
        .arg(bot.0.id().to_string())
        .status();
    let mut exited = None;
    while stopping.elapsed() < std::time::Duration::from_secs(10) {
        if let Ok(Some(status)) = bot.0.try_wait() {
            exited = Some(status);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let store = quorum::store::Store::open(&url).await.expect("database");
    let mut states: Vec<String> = store
        .query_rows::<(String,)>("SELECT state FROM reminder_outbox")
        .await
        .expect("outbox")
        .into_iter()
        .map(|(state,)| state)
        .collect();
    states.sort();

    let exited = exited.expect("the binary exits within 10 s of SIGTERM");
    assert!(exited.success(), "{exited:?}");
    assert_eq!(
        states,
        ["sending", "sent", "sent"],
        "the stalled one stays in the outbox"
    );
}

#[tokio::test]
async fn a_kill_between_discord_accepting_and_marking_resends_within_the_nonce_window_and_shows_once(
) {
    let fake = support::FakeDiscord::start().await;
    let (_dir, url, config) = binary_setup(&fake, 1).await;
    // Discord takes the message at once but its answer never comes back before the kill.
    fake.delay(
        "POST",
        "/api/v10/channels/",
        std::time::Duration::from_secs(60),
    );

    let mut bot = Process::start(&config);
    fake.wait_for_request("POST", &dm_path(1)).await;
    let before_kill = state_of_only_reminder(&url).await;
    bot.kill();
    fake.clear_delays();
    let _restarted = Process::start(&config);
    let posts = fake
        .wait_for_matching(
            |r| r.is("POST", &dm_path(1)),
            2,
            std::time::Duration::from_secs(20),
        )
        .await;
    let mut after = None;
    for _ in 0..100 {
        after = state_of_only_reminder(&url).await;
        if after.as_deref() == Some("sent") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    assert_eq!(before_kill.as_deref(), Some("sending"));
    assert_eq!(after.as_deref(), Some("sent"));
    assert_eq!(posts[0].body["nonce"], posts[1].body["nonce"]);
    assert_eq!(
        fake.messages_in(dm_channel_id(user_id(1))),
        1,
        "Discord shows the resent reminder once"
    );
}

on_both_backends! {
    #[tokio::test]
    async fn a_day_after_learning_exactly_one_reminder_is_posted_even_across_a_restart() {
        let mut bot = spawn_bot().await;
        learn(&bot, "alpha").await;
        bot.wait_for_sweeps(2).await;
        assert!(
            reminder_posts(&bot).is_empty(),
            "nothing is due on the day of learning"
        );

        bot.clock.advance(Duration::days(1));
        let posted = bot.fake.wait_for_request("POST", &dm_messages_path()).await;
        bot.wait_for_sweeps(3).await;
        bot.restart().await;
        bot.wait_for_sweeps(3).await;

        assert_eq!(
            reminder_posts(&bot).len(),
            1,
            "one reminder, never repeated"
        );
        assert_within_discord_limits(&posted.body);
        assert!(description(&posted.body).contains("1 · Topic Alpha"));
        assert_eq!(
            posted.body["components"][0]["components"][0]["custom_id"],
            json!("q:review")
        );
        assert_eq!(posted.body["enforce_nonce"], json!(true));
        let store = bot.store().await;
        let due = store.pending_reminders(bot.clock.now(), 10).await.unwrap();
        assert!(due.is_empty(), "the outbox holds nothing unsent");
    }

    #[tokio::test]
    async fn several_topics_due_at_once_make_one_reminder_listing_them_all() {
        let bot = spawn_bot().await;
        learn(&bot, "alpha").await;
        learn(&bot, "beta").await;

        bot.clock.advance(Duration::days(1));
        let posted = bot.fake.wait_for_request("POST", &dm_messages_path()).await;
        bot.wait_for_sweeps(3).await;

        assert_eq!(reminder_posts(&bot).len(), 1);
        let text = description(&posted.body);
        assert!(
            text.contains("1 · Topic Alpha") && text.contains("2 · Topic Beta"),
            "{text}"
        );
    }

    #[tokio::test]
    async fn a_reminder_that_meets_500_then_429_arrives_exactly_once() {
        let bot = spawn_bot().await;
        learn(&bot, "alpha").await;
        bot.fake.fail_next(
            "POST",
            &dm_messages_path(),
            vec![
                FakeResponse::server_error(),
                FakeResponse::rate_limited(0.01),
            ],
        );

        bot.clock.advance(Duration::days(1));
        bot.fake
            .wait_for_count("POST", &dm_messages_path(), 1)
            .await;
        bot.wait_for_sweeps(2).await;
        assert_eq!(
            reminder_posts(&bot).len(),
            1,
            "no retry before the backoff has passed"
        );
        bot.clock.advance(Duration::minutes(1));
        bot.fake
            .wait_for_count("POST", &dm_messages_path(), 2)
            .await;
        bot.wait_for_sweeps(1).await; // the 429 is recorded before time moves on
        bot.clock.advance(Duration::minutes(2));
        bot.fake
            .wait_for_count("POST", &dm_messages_path(), 3)
            .await;
        bot.clock.advance(Duration::minutes(10));
        bot.wait_for_sweeps(3).await;

        let posts = reminder_posts(&bot);
        let statuses: Vec<u16> = posts.iter().map(|r| r.status).collect();
        assert_eq!(statuses, [500, 429, 200]);
        let nonces: Vec<&Value> = posts.iter().map(|r| &r.body["nonce"]).collect();
        assert!(
            nonces.iter().all(|n| *n == nonces[0] && n.is_string()),
            "one key for every attempt: {nonces:?}"
        );
    }

    #[tokio::test]
    async fn a_refused_dm_falls_back_to_the_study_channel() {
        let bot = spawn_bot().await;
        learn(&bot, "alpha").await;
        let study_channel: u64 = 1_400_000_000_000_000_077;
        let store = bot.store().await;
        store
            .execute_sql(&format!(
                "INSERT INTO guild_settings (guild_id, study_channel_id)
                 VALUES ({GUILD_ID}, {study_channel})"
            ))
            .await
            .unwrap();
        bot.fake
            .fail_next("POST", &dm_messages_path(), vec![FakeResponse::cannot_dm()]);

        bot.clock.advance(Duration::days(1));
        let path = format!("/api/v10/channels/{study_channel}/messages");
        let posted = bot.fake.wait_for_request("POST", &path).await;
        bot.wait_for_sweeps(3).await;

        assert!(posted.body["content"]
            .as_str()
            .unwrap_or("")
            .contains(&format!("<@{}>", user_id(1))));
        assert_eq!(
            posted.body["allowed_mentions"]["users"],
            json!([user_id(1).to_string()])
        );
        assert_eq!(accepted(&reminder_posts(&bot)).len(), 1);
    }

    #[tokio::test]
    async fn a_refused_dm_without_a_study_channel_pauses_reminders_and_remind_says_why() {
        let bot = spawn_bot().await;
        learn(&bot, "alpha").await;
        bot.fake
            .fail_next("POST", &dm_messages_path(), vec![FakeResponse::cannot_dm()]);

        bot.clock.advance(Duration::days(1));
        bot.fake
            .wait_for_count("POST", &dm_messages_path(), 1)
            .await;
        bot.wait_for_sweeps(2).await;
        bot.clock.advance(Duration::days(1));
        bot.wait_for_sweeps(3).await;
        let (_, status) = bot
            .fake
            .interact(bot.fake.slash_command("remind status", json!([]), &ann()))
            .await;

        assert_eq!(
            reminder_posts(&bot).len(),
            1,
            "no new attempt once DMs are known refused"
        );
        let text = status.body["data"]["embeds"][0]["description"]
            .as_str()
            .unwrap_or_default();
        assert!(text.contains("would not let me DM you"), "{text}");
    }

    #[tokio::test]
    async fn reviews_that_fell_due_while_the_bot_was_down_come_as_one_catch_up() {
        let mut bot = spawn_bot().await;
        learn(&bot, "alpha").await;
        learn(&bot, "beta").await;

        bot.shutdown().await;
        bot.clock.advance(Duration::days(3));
        bot.start().await;
        let posted = bot.fake.wait_for_request("POST", &dm_messages_path()).await;
        bot.wait_for_sweeps(3).await;

        assert_eq!(reminder_posts(&bot).len(), 1);
        assert!(
            description(&posted.body).contains("While I was offline"),
            "{}",
            description(&posted.body)
        );
    }

    #[tokio::test]
    async fn a_review_from_the_reminder_reschedules_further_out_than_the_first_interval() {
        let bot = spawn_bot().await;
        learn(&bot, "alpha").await;
        bot.clock.advance(Duration::days(1));
        let posted = bot.fake.wait_for_request("POST", &dm_messages_path()).await;
        let reminder = bot
            .fake
            .message(posted.response["id"].as_str().unwrap().parse().unwrap())
            .unwrap();
        let dm = Caller::dm(user_id(1), "ann");

        let (_, mut step) = bot
            .fake
            .interact(bot.fake.button("q:review", &reminder, &dm))
            .await;
        for _ in 0..3 {
            assert_within_discord_limits(&step.body);
            let right = step.body["data"]["components"][0]["components"]
                .as_array()
                .unwrap()
                .iter()
                .find(|b| b["label"].as_str().unwrap_or("").ends_with("· Right"))
                .and_then(|b| b["custom_id"].as_str())
                .unwrap()
                .to_string();
            let (_, answered) = bot
                .fake
                .interact(bot.fake.button(&right, &reminder, &dm))
                .await;
            let next = answered.body["data"]["components"][1]["components"][0]["custom_id"]
                .as_str()
                .unwrap()
                .to_string();
            step = bot
                .fake
                .interact(bot.fake.button(&next, &reminder, &dm))
                .await
                .1;
        }

        let result = step.body["data"]["embeds"][0]["description"]
            .as_str()
            .unwrap_or_default();
        assert!(result.contains("3 of 3 right"), "{result}");
        let store = bot.store().await;
        let card = store
            .review_card(UserId(user_id(1)), "sample", "alpha")
            .await
            .unwrap()
            .unwrap();
        let interval = card.card.due - bot.clock.now();
        assert!(interval > Duration::days(1), "next review in {interval:?}");
        assert_eq!(card.card.reps, 1);
    }

    #[tokio::test]
    async fn a_reminder_that_meets_500_then_429_arrives_within_seconds_exactly_once() {
        let mut bot = spawn_bot().await;
        learn(&bot, "alpha").await;
        bot.shutdown().await;
        // Sweeps five minutes apart, as in production: only the worker's own retries can help.
        bot.config.reminders.interval_seconds = 300.0;
        bot.clock.advance(Duration::days(1));
        bot.fake.fail_next(
            "POST",
            &dm_messages_path(),
            vec![
                FakeResponse::server_error(),
                FakeResponse::rate_limited(1.0),
            ],
        );
        let _ticking = tick_with_real_time(&bot);

        let started = std::time::Instant::now();
        bot.start().await;
        bot.fake
            .wait_for_count("POST", &dm_messages_path(), 2)
            .await;
        let limited_at = std::time::Instant::now();
        bot.fake
            .wait_for_count("POST", &dm_messages_path(), 3)
            .await;
        let took = started.elapsed();
        let after_429 = limited_at.elapsed();
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;

        let posts = reminder_posts(&bot);
        let statuses: Vec<u16> = posts.iter().map(|r| r.status).collect();
        assert_eq!(statuses, [500, 429, 200], "exactly once, nothing after");
        assert!(
            took < std::time::Duration::from_secs(8),
            "arrived after {took:?}"
        );
        assert!(
            after_429 >= std::time::Duration::from_millis(900),
            "retry_after honoured: resent {after_429:?} after the 429"
        );
        assert_eq!(outbox_states(&bot).await, ["sent"]);
    }

    #[tokio::test]
    async fn a_call_that_never_answers_holds_back_no_one_else_and_shutdown_is_quick() {
        let mut bot = spawn_bot().await;
        for (n, name) in [(1, "ann"), (2, "bob"), (3, "cid")] {
            learn_as(&bot, &member(n, name), "alpha").await;
        }
        bot.fake
            .delay("POST", &dm_path(1), std::time::Duration::from_secs(3_600));

        bot.clock.advance(Duration::days(1));
        bot.fake.wait_for_request("POST", &dm_path(1)).await;
        bot.fake.wait_for_request("POST", &dm_path(2)).await;
        bot.fake.wait_for_request("POST", &dm_path(3)).await;
        bot.wait_for_sweeps(3).await;
        let stopping = std::time::Instant::now();
        bot.shutdown().await;
        let stopped_in = stopping.elapsed();

        let mut states = outbox_states(&bot).await;
        states.sort();
        assert_eq!(
            states,
            ["sending", "sent", "sent"],
            "ann's stays in the outbox"
        );
        assert!(
            stopped_in < std::time::Duration::from_secs(10),
            "shutdown took {stopped_in:?}"
        );
    }

    #[tokio::test]
    async fn a_send_interrupted_too_long_ago_is_marked_unknown_and_never_resent() {
        let mut bot = spawn_bot().await;
        learn(&bot, "alpha").await;
        bot.shutdown().await;
        bot.clock.advance(Duration::days(1));
        let now = bot.clock.now();
        // What a process killed while sending ten minutes ago leaves behind.
        let store = bot.store().await;
        let ten_minutes_ago = (now - Duration::minutes(10)).timestamp_millis();
        store
            .execute_sql(&format!(
                "INSERT INTO reminder_outbox (user_id, local_day, topics, created_at, next_attempt_at,
                     state, attempt_at)
                 VALUES ({}, '{}', 'sample/alpha', {ten_minutes_ago}, {ten_minutes_ago}, 'sending',
                         {ten_minutes_ago})",
                user_id(1),
                now.format("%Y-%m-%d")
            ))
            .await
            .unwrap();
        store
            .execute_sql(&format!(
                "INSERT INTO reminder_prefs (user_id, quiet_until, last_reminded_at)
                 VALUES ({}, {}, {ten_minutes_ago})",
                user_id(1),
                (now + Duration::hours(12)).timestamp_millis()
            ))
            .await
            .unwrap();

        bot.start().await;
        bot.wait_for_sweeps(3).await;

        assert!(reminder_posts(&bot).is_empty(), "not resent");
        assert_eq!(outbox_states(&bot).await, ["unknown"]);
    }

    #[tokio::test]
    async fn changing_the_utc_offset_twice_in_a_day_yields_one_reminder_that_day() {
        let bot = spawn_bot().await;
        let remind_hour = |offset: &str| {
            bot.fake.slash_command(
                "remind hour",
                json!([opt_integer("hour", 0), opt_string("zone", offset)]),
                &ann(),
            )
        };
        bot.fake.interact(remind_hour("+14")).await;
        learn(&bot, "alpha").await;
        // 2026-11-03 09:00 UTC: 23:00 of the 3rd at UTC+14, when the review is due.
        bot.clock.advance(Duration::days(1));
        bot.fake.wait_for_request("POST", &dm_messages_path()).await;
        bot.wait_for_sweeps(2).await;

        // Now 21:00, then 22:00 of the 2nd for the member; their day ends at 11:00 UTC.
        bot.fake.interact(remind_hour("-12")).await;
        bot.fake.interact(remind_hour("-11")).await;
        for _ in 0..8 {
            bot.clock.advance(Duration::minutes(15));
            bot.wait_for_sweeps(2).await;
        }
        let that_day = reminder_posts(&bot).len();
        // The next local day (from 11:00 UTC) brings the next reminder: the review is still due.
        bot.clock.advance(Duration::minutes(90));
        bot.fake
            .wait_for_count("POST", &dm_messages_path(), 2)
            .await;

        assert_eq!(that_day, 1, "one reminder in the member's day");
    }

    #[tokio::test]
    async fn the_dm_channel_is_opened_once_then_a_reminder_costs_one_call() {
        let bot = spawn_bot().await;
        learn(&bot, "alpha").await;

        a_day_later_post(&bot, 1).await;
        a_day_later_post(&bot, 2).await;

        let opened = bot
            .fake
            .requests_matching("POST", "/api/v10/users/@me/channels");
        assert_eq!(opened.len(), 1, "the DM channel is remembered");
        assert_eq!(accepted(&reminder_posts(&bot)).len(), 2);
    }

    #[tokio::test]
    async fn a_reminder_for_a_day_that_has_passed_is_folded_into_the_next_not_sent_late() {
        let bot = spawn_bot().await;
        learn(&bot, "alpha").await;
        bot.fake.fail_next(
            "POST",
            &dm_messages_path(),
            vec![FakeResponse::server_error()],
        );
        a_day_later_post(&bot, 1).await;
        a_day_later_post(&bot, 2).await;

        let posts = reminder_posts(&bot);
        let statuses: Vec<u16> = posts.iter().map(|r| r.status).collect();
        assert_eq!(statuses, [500, 200], "yesterday's is not sent late");
        assert_ne!(
            posts[0].body["nonce"], posts[1].body["nonce"],
            "today's own reminder"
        );
        assert!(description(&posts[1].body).contains("Topic Alpha"));
        assert_eq!(outbox_states(&bot).await, ["folded", "sent"]);
    }

    #[tokio::test]
    async fn no_more_posts_are_in_flight_than_the_configured_concurrency() {
        let mut bot = spawn_bot().await;
        for n in 1..=12 {
            learn_as(&bot, &member(n, &format!("m{n}")), "alpha").await;
        }
        bot.shutdown().await;
        bot.config.reminders.concurrency = 3;
        bot.config.reminders.rate_share = 1.0;
        bot.fake.delay(
            "POST",
            "/api/v10/channels/",
            std::time::Duration::from_millis(300),
        );
        bot.fake.count_in_flight("POST", "/api/v10/channels/");

        bot.clock.advance(Duration::days(1));
        bot.start().await;
        bot.fake
            .wait_for_matching(
                |r| r.is("POST", "/api/v10/channels/") && r.status == 200,
                12,
                std::time::Duration::from_secs(10),
            )
            .await;

        assert_eq!(
            bot.fake.most_in_flight(),
            3,
            "the slots are used, never exceeded"
        );
    }

    /// `/remind zone Europe/Berlin hour 18`, in January (UTC+1) and in July (UTC+2): the reminder
    /// waits for 18:00 in Berlin, not 18:00 UTC nor a fixed offset.
    #[tokio::test]
    async fn a_reminder_comes_at_18_00_berlin_time_in_january_and_in_july() {
        use chrono::TimeZone;
        for (month, utc_hour_of_18_berlin) in [(1, 17), (7, 16)] {
            let bot = spawn_bot().await;
            bot.clock.set(
                chrono::Utc
                    .with_ymd_and_hms(2027, month, 14, 9, 0, 0)
                    .unwrap(),
            );
            let zone = bot.fake.slash_command(
                "remind zone",
                json!([opt_string("zone", "Europe/Berlin"), opt_integer("hour", 18)]),
                &ann(),
            );
            let (_, answer) = bot.fake.interact(zone).await;
            let text = description(&answer.body["data"]);
            assert!(text.contains("18:00 your time (Europe/Berlin)"), "{text}");
            learn(&bot, "alpha").await;

            // The next day, the review is due from 09:00 UTC; half an hour before 18:00 in Berlin,
            // still nothing.
            let day = chrono::Utc
                .with_ymd_and_hms(2027, month, 15, 0, 0, 0)
                .unwrap();
            bot.clock
                .set(day + Duration::hours(utc_hour_of_18_berlin) - Duration::minutes(30));
            bot.wait_for_sweeps(3).await;
            assert!(
                reminder_posts(&bot).is_empty(),
                "month {month}: not before 18:00 Berlin"
            );

            bot.clock
                .set(day + Duration::hours(utc_hour_of_18_berlin) + Duration::minutes(1));
            bot.fake.wait_for_request("POST", &dm_messages_path()).await;
            assert_eq!(reminder_posts(&bot).len(), 1, "month {month}");
        }
    }

    /// An unknown zone gets a private "did you mean" and changes nothing.
    #[tokio::test]
    async fn an_unknown_zone_is_refused_privately_with_the_closest_names() {
        let bot = spawn_bot().await;
        let zone = bot.fake.slash_command(
            "remind zone",
            json!([opt_string("zone", "Europe/Berlinn")]),
            &ann(),
        );
        let (_, answer) = bot.fake.interact(zone).await;
        let text = answer.body["data"]["content"].as_str().unwrap_or_default();
        assert!(text.contains("Did you mean `Europe/Berlin`"), "{text}");
        assert_eq!(answer.body["data"]["flags"], json!(64), "ephemeral");
        let status = bot.fake.slash_command("remind status", json!([]), &ann());
        let (_, status) = bot.fake.interact(status).await;
        let text = description(&status.body["data"]);
        assert!(text.contains("your zone: UTC)"), "unchanged: {text}");
    }
}
