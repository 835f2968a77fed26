//! The bot as two processes on one PostgreSQL database, end to end: process A runs shard 0 of 2
//! (the server on shard 0 and every DM), process B shard 1 of 2 (the server on shard 1), both
//! against one fake Discord, on one database and one clock. Members of both servers learn and
//! answer, and each server's boards list all of its members whoever wrote them; a mark made
//! through one process shows in the other's answers; a day on, each due member gets exactly one
//! reminder, also when a process is killed in the middle of sending them.
//!
//! PostgreSQL only: two processes cannot share one SQLite file, so there is no SQLite twin.
//! Without `QUORUM_TEST_POSTGRES_URL`, each test says by name that it was skipped.

mod support;

use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use support::bot::{spawn_shards_on, test_clock, TestBot};
use support::fake_discord::payloads::{opt_integer, opt_string};
use support::fake_discord::{
    channel_id, dm_channel_id, guild_on_shard, shard_of, user_id, Caller, FakeDiscord, Recorded,
};
use support::replies::{command, embed, press};

const TOTAL: u32 = 2;
/// The server whose events go to shard 0: process A's.
const ON_ZERO: u64 = guild_on_shard(0, TOTAL);
/// The server whose events go to shard 1: process B's.
const ON_ONE: u64 = guild_on_shard(1, TOTAL);

// poise sends choice parameters as integer options: the index of the choice.
const BOARD_LEARNED: i64 = 1;

/// The members: ann and bob in the server on shard 0, cy and dan in the one on shard 1, eve in
/// both (so both processes write her).
const ANN: (u64, &str) = (1, "ann");
const BOB: (u64, &str) = (2, "bob");
const CY: (u64, &str) = (3, "cy");
const DAN: (u64, &str) = (4, "dan");
const EVE: (u64, &str) = (5, "eve");
const EVERYONE: [(u64, &str); 5] = [ANN, BOB, CY, DAN, EVE];

/// How old a claim must be before another process takes its reminder over; a takeover within
/// [`quorum::study::NONCE_WINDOW`] of the send resends under the same nonce.
use quorum::study::CLAIM_LEASE;

/// The sample track's questions all have the choices Left, Right, Neither; Right is correct.
const RIGHT: &str = "Right";

/// Processes A (shards 0-0 of 2) and B (shards 1-1 of 2) on one fresh PostgreSQL database and
/// one clock, with every member known to the fake in their servers.
async fn two_processes() -> (FakeDiscord, TestBot, TestBot) {
    let fake = FakeDiscord::start().await;
    for guild in [ON_ZERO, ON_ONE] {
        fake.add_guild(guild);
    }
    for (member, guild) in [
        (ANN, ON_ZERO),
        (BOB, ON_ZERO),
        (EVE, ON_ZERO),
        (CY, ON_ONE),
        (DAN, ON_ONE),
        (EVE, ON_ONE),
    ] {
        fake.add_member(guild, user_id(member.0), member.1);
    }
    let database = Arc::new(support::db::fresh_database().await);
    let clock = test_clock();
    let a = spawn_shards_on(&fake, 0, 0, TOTAL, &database, &clock).await;
    let b = spawn_shards_on(&fake, 1, 1, TOTAL, &database, &clock).await;
    (fake, a, b)
}

/// `member` writing in `guild`.
fn in_guild((n, name): (u64, &str), guild: u64) -> Caller {
    Caller::member(user_id(n), name).in_guild(guild, channel_id(guild % 1000))
}

fn description(callback: &Recorded) -> String {
    embed(callback)["description"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

async fn learn(bot: &TestBot, who: &Caller, topic: &str) {
    let (handle, callback) =
        command(bot, "learned", json!([opt_string("topic", topic)]), who).await;
    assert!(
        description(&callback).contains("Learned") || embed(&callback)["title"].is_string(),
        "{:#}",
        callback.body
    );
    assert_eq!(
        bot.fake.interaction_shard(&handle),
        Some(shard_for(who)),
        "the process running the server's shard answered"
    );
}

/// The shard Discord sends `who`'s interactions to: their server's, or 0 for a DM.
fn shard_for(who: &Caller) -> u32 {
    who.guild_id.map_or(0, |guild| shard_of(guild, TOTAL))
}

fn buttons(callback: &Recorded) -> Vec<Value> {
    callback.body["data"]["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .collect()
}

/// The custom_id of the first button whose custom_id or label passes `wanted`.
fn button(callback: &Recorded, wanted: impl Fn(&Value) -> bool) -> String {
    buttons(callback)
        .iter()
        .find(|b| wanted(b))
        .and_then(|b| b["custom_id"].as_str().map(str::to_string))
        .unwrap_or_else(|| panic!("no such button in {:#}", callback.body))
}

/// Takes a quiz of `questions` questions on `topic` through Discord, answering all right.
async fn quiz_all_right(bot: &TestBot, who: &Caller, topic: &str, questions: i64) {
    let options = json!([
        opt_string("topic", topic),
        opt_integer("questions", questions)
    ]);
    let (handle, mut step) = command(bot, "quiz", options, who).await;
    for _ in 0..questions {
        let right = button(&step, |b| {
            b["label"]
                .as_str()
                .is_some_and(|l| l.ends_with(&format!("· {RIGHT}")))
        });
        let answered = press(bot, &handle, &right, who).await;
        let next = button(&answered, |b| {
            b["custom_id"]
                .as_str()
                .is_some_and(|id| id.starts_with("q:qnext:"))
        });
        step = press(bot, &handle, &next, who).await;
    }
    let result = description(&step);
    assert!(
        result.contains(&format!("{questions} of {questions} right")),
        "{result}"
    );
}

/// The names on a board, top to bottom, and their scores (each line is
/// `medal **name**: score ...`).
fn board_rows(callback: &Recorded) -> Vec<(String, i64)> {
    description(callback)
        .lines()
        .filter_map(|line| {
            let mut parts = line.split("**");
            let name = parts.nth(1)?.to_string();
            let score = parts
                .next()?
                .trim_start_matches(':')
                .split_whitespace()
                .next()?
                .parse()
                .ok()?;
            Some((name, score))
        })
        .collect()
}

async fn board(bot: &TestBot, who: &Caller, options: Value) -> Vec<(String, i64)> {
    let (_, callback) = command(bot, "leaderboard", options, who).await;
    board_rows(&callback)
}

/// `who`'s `/progress` through `bot` as the member sees it.
async fn progress(bot: &TestBot, who: &Caller) -> String {
    let (handle, callback) = command(bot, "progress", json!([]), who).await;
    assert_eq!(bot.fake.interaction_shard(&handle), Some(shard_for(who)));
    description(&callback)
}

/// Asks `who`'s `/progress` through `bot` again and again, for up to 5 s, until it shows
/// `wanted`; returns the last answer. Another process's write reaches this one's cache only
/// after a while (a notification from the database), not at once.
async fn progress_until(bot: &TestBot, who: &Caller, wanted: &str) -> String {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let seen = progress(bot, who).await;
        if seen.contains(wanted) || tokio::time::Instant::now() > deadline {
            return seen;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn dm_path(n: u64) -> String {
    format!("/api/v10/channels/{}/messages", dm_channel_id(user_id(n)))
}

/// Every reminder post to member `n`'s DMs (accepted or not), in order.
fn dm_posts(fake: &FakeDiscord, n: u64) -> Vec<Recorded> {
    fake.requests_matching("POST", &dm_path(n))
}

/// (member, posts to their DMs) for everyone.
fn dm_post_counts(fake: &FakeDiscord) -> Vec<(&'static str, usize)> {
    EVERYONE
        .iter()
        .map(|&(n, name)| (name, dm_posts(fake, n).len()))
        .collect()
}

/// (member, `count`) for everyone: what [`dm_post_counts`] should be.
fn each(count: usize) -> Vec<(&'static str, usize)> {
    EVERYONE.iter().map(|&(_, name)| (name, count)).collect()
}

/// Waits until every member's DMs got `count` posts in all.
async fn wait_for_dm_posts(fake: &FakeDiscord, count: usize) {
    for (n, _) in EVERYONE {
        fake.wait_for_count("POST", &dm_path(n), count).await;
    }
}

/// The states of the outbox's rows, sorted.
async fn outbox_states(bot: &TestBot) -> Vec<String> {
    let store = bot.store().await;
    let mut states: Vec<String> = store
        .query_rows::<(String,)>("SELECT state FROM reminder_outbox")
        .await
        .expect("the outbox")
        .into_iter()
        .map(|(state,)| state)
        .collect();
    store.close().await;
    states.sort();
    states
}

/// Everyone learns alpha on the first day: ann, bob and eve in the server on shard 0 (A), cy
/// and dan in the one on shard 1 (B).
async fn everyone_learns_alpha(a: &TestBot, b: &TestBot) {
    for member in [ANN, BOB, EVE] {
        learn(a, &in_guild(member, ON_ZERO), "alpha").await;
    }
    for member in [CY, DAN] {
        learn(b, &in_guild(member, ON_ONE), "alpha").await;
    }
}

on_postgres_only! {
    #[tokio::test]
    async fn members_on_both_shards_learn_and_answer_and_each_board_lists_all_its_members() {
        let (_fake, a, b) = two_processes().await;

        learn(&a, &in_guild(ANN, ON_ZERO), "alpha").await;
        learn(&a, &in_guild(ANN, ON_ZERO), "beta").await;
        quiz_all_right(&a, &in_guild(ANN, ON_ZERO), "alpha", 2).await;
        learn(&a, &in_guild(BOB, ON_ZERO), "alpha").await;
        for topic in ["alpha", "beta", "gamma"] {
            learn(&b, &in_guild(CY, ON_ONE), topic).await;
        }
        learn(&b, &in_guild(DAN, ON_ONE), "alpha").await;
        quiz_all_right(&b, &in_guild(DAN, ON_ONE), "beta", 2).await;
        // Eve, in both servers, writes through both processes at once.
        let (eve_zero, eve_one) = (in_guild(EVE, ON_ZERO), in_guild(EVE, ON_ONE));
        tokio::join!(
            learn(&a, &eve_zero, "alpha"),
            learn(&b, &eve_one, "beta")
        );
        tokio::join!(
            quiz_all_right(&a, &eve_zero, "gamma", 1),
            quiz_all_right(&b, &eve_one, "delta", 1),
        );

        let learned = json!([opt_integer("board", BOARD_LEARNED)]);
        let zero_points = board(&a, &in_guild(BOB, ON_ZERO), json!([])).await;
        let zero_learned = board(&a, &in_guild(EVE, ON_ZERO), learned.clone()).await;
        let one_points = board(&b, &in_guild(CY, ON_ONE), json!([])).await;
        let one_learned = board(&b, &in_guild(EVE, ON_ONE), learned).await;

        // A mark is worth 10 points and a right answer 2, in the server where it was made; a tie
        // goes to whoever reached the score first, then to the lower id (the clock stands still).
        let rows = |rows: &[(&str, i64)]| -> Vec<(String, i64)> {
            rows.iter().map(|&(name, score)| (name.to_string(), score)).collect()
        };
        assert_eq!(zero_points, rows(&[("ann", 24), ("eve", 12), ("bob", 10)]));
        assert_eq!(zero_learned, rows(&[("ann", 2), ("bob", 1), ("eve", 1)]));
        assert_eq!(one_points, rows(&[("cy", 30), ("dan", 14), ("eve", 12)]));
        assert_eq!(one_learned, rows(&[("cy", 3), ("dan", 1), ("eve", 1)]));
        // Eve is one learner, whom both processes wrote: both marks are hers.
        let store = a.store().await;
        let eves = store
            .learned_topics(quorum::ids::UserId(user_id(EVE.0)), "sample")
            .await
            .unwrap();
        store.close().await;
        let mut topics: Vec<String> = eves.into_iter().map(|m| m.topic_id).collect();
        topics.sort();
        assert_eq!(topics, ["alpha", "beta"]);
    }

    /// Each process keeps what it knows of a learner in memory; a write through the other
    /// process must reach it.
    #[tokio::test]
    async fn a_mark_made_through_one_process_shows_in_the_others_progress() {
        let (_fake, a, b) = two_processes().await;
        let (eve_zero, eve_one) = (in_guild(EVE, ON_ZERO), in_guild(EVE, ON_ONE));
        let eve_dm = Caller::dm(user_id(EVE.0), EVE.1);
        learn(&a, &eve_zero, "alpha").await;
        // Both processes now know eve, each from its own answer.
        let a_before = progress(&a, &eve_zero).await;
        let b_before = progress(&b, &eve_one).await;

        learn(&b, &eve_one, "beta").await;
        let a_after_b = progress_until(&a, &eve_zero, "2/3`").await;
        let a_in_dm = progress_until(&a, &eve_dm, "2/3`").await;
        learn(&a, &eve_zero, "gamma").await;
        let b_after_a = progress_until(&b, &eve_one, "3/3`").await;

        assert!(a_before.contains("1/3`"), "{a_before}");
        assert!(b_before.contains("1/3`"), "{b_before}");
        // The other process's write reaches this one's learner cache (LISTEN/NOTIFY); without
        // it these show the stale count.
        assert!(a_after_b.contains("2/3`"), "A still shows: {a_after_b}");
        assert!(a_in_dm.contains("2/3`"), "A (in DMs) still shows: {a_in_dm}");
        assert!(b_after_a.contains("3/3`"), "B still shows: {b_after_a}");
    }

    #[tokio::test]
    async fn a_day_on_each_due_member_gets_one_reminder_even_when_a_process_is_killed_sending() {
        let (fake, mut a, mut b) = two_processes().await;
        everyone_learns_alpha(&a, &b).await;
        a.wait_for_sweeps(3).await;
        b.wait_for_sweeps(3).await;
        assert!(
            dm_post_counts(&fake).iter().all(|(_, posts)| *posts == 0),
            "nothing is due on the day of learning"
        );

        // A day on, both processes sweep the one outbox: one reminder each, from either.
        a.clock.advance(chrono::Duration::days(1));
        wait_for_dm_posts(&fake, 1).await;
        a.wait_for_sweeps(5).await;
        b.wait_for_sweeps(5).await;
        let first_day = dm_post_counts(&fake);
        let first_day_states = outbox_states(&a).await;

        // Another day on, B is down while A claims every reminder, and Discord is slow: A's
        // sends are in flight when it is killed. B, up again, leaves A's claims alone while
        // their lease runs...
        b.shutdown().await;
        fake.delay("POST", "/api/v10/channels/", Duration::from_secs(60));
        a.clock.advance(chrono::Duration::days(1));
        wait_for_dm_posts(&fake, 2).await;
        let claimed_by_a = outbox_states(&a).await;
        b.start().await;
        b.wait_for_sweeps(5).await;
        let while_a_lives = dm_post_counts(&fake);
        a.kill();
        fake.wait_until_shard_down(0).await;
        let (connections, identified) = (fake.connection_count(), fake.identified_shards());
        let a_swept = a.sweeps_done();
        fake.clear_delays();
        // ...and takes them over once it has run out.
        b.wait_for_sweeps(5).await;
        let before_the_lease_ran_out = dm_post_counts(&fake);
        a.clock.advance(CLAIM_LEASE + chrono::Duration::seconds(1));
        wait_for_dm_posts(&fake, 3).await;
        b.wait_for_sweeps(5).await;

        assert_eq!(first_day, each(1), "one reminder each, eve's too");
        assert_eq!(first_day_states, ["sent"; 5]);
        assert_eq!(claimed_by_a[..5], ["sending"; 5], "{claimed_by_a:?}");
        assert_eq!(claimed_by_a[5..], ["sent"; 5], "{claimed_by_a:?}");
        assert_eq!(while_a_lives, each(2), "B takes no live claim");
        assert_eq!(before_the_lease_ran_out, each(2), "B waits out the lease");
        // The killed process is gone for good: no socket, no sweep, no send of its own.
        assert_eq!(fake.connection_count(), connections, "A never reconnects");
        assert_eq!(fake.identified_shards(), identified);
        assert_eq!(a.sweeps_done(), a_swept, "A's reminder worker is dead");
        assert_eq!(dm_post_counts(&fake), each(3), "B resends each once");
        for (n, name) in EVERYONE {
            let posts = dm_posts(&fake, n);
            assert_eq!(
                posts[2].body["nonce"], posts[1].body["nonce"],
                "{name}: B resends A's reminder under its nonce"
            );
            assert_ne!(posts[1].body["nonce"], posts[0].body["nonce"], "{name}");
            assert_eq!(
                fake.messages_in(dm_channel_id(user_id(n))),
                2,
                "{name} sees one reminder a day: Discord dropped the resend by its nonce"
            );
        }
        assert_eq!(outbox_states(&b).await, ["sent"; 10]);
    }
}
