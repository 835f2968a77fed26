//! Quizzes through the fake Discord: played by button presses, stored answer by answer,
//! surviving a restart, counting a double press once, and refusing other people's quizzes.

mod support;

use chrono::Duration;
use serde_json::{json, Value};
use support::bot::{spawn_bot, TestBot};
use support::fake_discord::payloads::{opt_integer, opt_string};
use support::fake_discord::{user_id, Caller, InteractionHandle, Recorded};
use support::limits::assert_within_discord_limits;

const UPDATE_MESSAGE: u64 = 7;

fn ann() -> Caller {
    Caller::member(user_id(1), "ann")
}

/// The sample track's questions all have the choices Left, Right, Neither; Right is correct.
const RIGHT: &str = "Right";

struct Quiz {
    handle: InteractionHandle,
}

async fn start_quiz(bot: &TestBot, topic: &str, questions: i64) -> (Quiz, Recorded) {
    let options = json!([
        opt_string("topic", topic),
        opt_integer("questions", questions)
    ]);
    let payload = bot.fake.slash_command("quiz", options, &ann());
    let (handle, reply) = bot.fake.interact(payload).await;
    assert_within_discord_limits(&reply.body);
    (Quiz { handle }, reply)
}

fn buttons(reply: &Recorded) -> Vec<Value> {
    reply.body["data"]["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .collect()
}

/// The custom_id of the answer button whose label ends with `choice`.
fn answer_button(reply: &Recorded, choice: &str) -> String {
    buttons(reply)
        .iter()
        .find(|b| {
            b["label"]
                .as_str()
                .is_some_and(|l| l.ends_with(&format!("· {choice}")))
        })
        .and_then(|b| b["custom_id"].as_str().map(str::to_string))
        .unwrap_or_else(|| panic!("no button for {choice} in {:#}", reply.body))
}

fn next_button(reply: &Recorded) -> String {
    buttons(reply)
        .iter()
        .find_map(|b| {
            b["custom_id"]
                .as_str()
                .filter(|id| id.starts_with("q:qnext:"))
                .map(str::to_string)
        })
        .unwrap_or_else(|| panic!("no next button in {:#}", reply.body))
}

async fn press(bot: &TestBot, quiz: &Quiz, custom_id: &str, who: &Caller) -> Recorded {
    let message = bot.fake.original_message(&quiz.handle);
    let (_, reply) = bot
        .fake
        .interact(bot.fake.button(custom_id, &message, who))
        .await;
    assert_within_discord_limits(&reply.body);
    reply
}

fn description(reply: &Recorded) -> String {
    reply.body["data"]["embeds"][0]["description"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn content(reply: &Recorded) -> String {
    reply.body["data"]["content"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// (question, chosen, correct) of every stored answer of a user, in order.
async fn stored_answers(bot: &TestBot, user: u64) -> Vec<(i64, i64, bool)> {
    let store = bot.store().await;
    let rows: Vec<(i64, i64, i64)> = store
        .query_rows(&format!(
            "SELECT question, chosen, correct FROM quiz_answers WHERE user_id = {user}
             ORDER BY position"
        ))
        .await
        .unwrap();
    store.close().await;
    rows.into_iter().map(|(q, c, ok)| (q, c, ok == 1)).collect()
}

on_both_backends! {
    #[tokio::test]
    async fn a_whole_quiz_played_by_buttons_scores_and_stores_every_answer() {
        let bot = spawn_bot().await;
        let (quiz, first) = start_quiz(&bot, "beta", 3).await;
        assert!(description(&first).contains("Question 1 of 3"));
        assert_eq!(buttons(&first).len(), 3, "one button per choice");

        let right = press(&bot, &quiz, &answer_button(&first, RIGHT), &ann()).await;
        let second = press(&bot, &quiz, &next_button(&right), &ann()).await;
        let wrong = press(&bot, &quiz, &answer_button(&second, "Neither"), &ann()).await;
        let third = press(&bot, &quiz, &next_button(&wrong), &ann()).await;
        let last = press(&bot, &quiz, &answer_button(&third, RIGHT), &ann()).await;
        let result = press(&bot, &quiz, &next_button(&last), &ann()).await;

        assert_eq!(right.body["type"], json!(UPDATE_MESSAGE));
        assert!(
            description(&right).contains("✅ **Right!**"),
            "{}",
            description(&right)
        );
        assert!(description(&wrong).contains("❌ **Not quite.**"));
        assert!(
            description(&wrong).contains("Because the right one is right."),
            "the explanation"
        );
        assert!(description(&second).contains("Question 2 of 3"));
        assert!(
            description(&result).contains("**2 of 3 right (66%)**"),
            "{}",
            description(&result)
        );
        let answers = stored_answers(&bot, user_id(1)).await;
        let correct: Vec<bool> = answers.iter().map(|a| a.2).collect();
        assert_eq!(correct, [true, false, true]);
        let questions: std::collections::HashSet<i64> = answers.iter().map(|a| a.0).collect();
        assert_eq!(questions.len(), 3, "drawn without repeats");
        assert!(
            answers.iter().all(|(_, chosen, ok)| (*chosen == 1) == *ok),
            "right choice tracked through the shuffle"
        );
    }

    #[tokio::test]
    async fn a_passing_quiz_offers_to_mark_the_topic_learned() {
        let bot = spawn_bot().await;
        let (quiz, first) = start_quiz(&bot, "alpha", 1).await;

        let answered = press(&bot, &quiz, &answer_button(&first, RIGHT), &ann()).await;
        let result = press(&bot, &quiz, &next_button(&answered), &ann()).await;

        let ids: Vec<String> = buttons(&result)
            .iter()
            .filter_map(|b| b["custom_id"].as_str().map(str::to_string))
            .collect();
        assert!(ids.contains(&"q:learn:sample:alpha".to_string()), "{ids:?}");
    }

    #[tokio::test]
    async fn a_restart_mid_quiz_goes_on_where_it_was() {
        let mut bot = spawn_bot().await;
        let (quiz, first) = start_quiz(&bot, "gamma", 2).await;
        let answered = press(&bot, &quiz, &answer_button(&first, RIGHT), &ann()).await;

        bot.restart().await;
        let second = press(&bot, &quiz, &next_button(&answered), &ann()).await;
        let answered_again = press(&bot, &quiz, &answer_button(&second, RIGHT), &ann()).await;

        assert!(
            description(&second).contains("Question 2 of 2"),
            "{}",
            description(&second)
        );
        assert!(description(&answered_again).contains("✅ **Right!**"));
        assert_eq!(stored_answers(&bot, user_id(1)).await.len(), 2);
    }

    #[tokio::test]
    async fn a_double_press_counts_once() {
        let bot = spawn_bot().await;
        let (quiz, first) = start_quiz(&bot, "delta", 2).await;
        let button = answer_button(&first, "Left");

        let once = press(&bot, &quiz, &button, &ann()).await;
        let twice = press(&bot, &quiz, &button, &ann()).await;

        assert_eq!(description(&once), description(&twice));
        assert_eq!(stored_answers(&bot, user_id(1)).await.len(), 1);
    }

    #[tokio::test]
    async fn someone_elses_or_an_expired_quiz_gets_a_polite_answer() {
        let bot = spawn_bot().await;
        let (quiz, first) = start_quiz(&bot, "beta", 2).await;
        let button = answer_button(&first, RIGHT);

        let stranger = press(&bot, &quiz, &button, &Caller::member(user_id(9), "zed")).await;
        bot.clock.advance(Duration::hours(2));
        let late = press(&bot, &quiz, &button, &ann()).await;

        assert!(
            content(&stranger).contains("belongs to someone else"),
            "{:#}",
            stranger.body
        );
        assert!(
            content(&late).contains("ended or expired"),
            "{:#}",
            late.body
        );
        assert_eq!(stranger.body["data"]["flags"], json!(64));
        assert!(stored_answers(&bot, user_id(1)).await.is_empty());
        assert!(stored_answers(&bot, user_id(9)).await.is_empty());
    }

    #[tokio::test]
    async fn the_quiz_me_button_of_a_topic_card_starts_the_same_quiz() {
        let bot = spawn_bot().await;
        let payload = bot
            .fake
            .slash_command("topic", json!([opt_string("topic", "alpha")]), &ann());
        let (handle, _) = bot.fake.interact(payload).await;
        let message = bot.fake.original_message(&handle);

        let (_, quiz) = bot
            .fake
            .interact(bot.fake.button("q:quiz:sample:alpha", &message, &ann()))
            .await;

        assert_within_discord_limits(&quiz.body);
        assert!(
            description(&quiz).contains("Question 1 of 3"),
            "{:#}",
            quiz.body
        );
    }
}
