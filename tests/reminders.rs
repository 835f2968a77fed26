//! Spaced reviews and reminders through the fake Discord: one reminder per member per day,
//! never posted twice across restarts, retried through 500 and 429, falling back to the study
//! channel when DMs are refused, and caught up after downtime.

mod support;

use chrono::Duration;
use serde_json::{json, Value};
use support::bot::{spawn_bot, TestBot};
use support::fake_discord::payloads::opt_string;
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
    sqlx::query("INSERT INTO guild_settings (guild_id, study_channel_id) VALUES (?, ?)")
        .bind(GUILD_ID as i64)
        .bind(study_channel as i64)
        .execute(store.pool())
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
