//! A bot split into shards, end to end: the real serenity client of `quorum run --shards`
//! against the fake Discord, which sends each server's events to the shard Discord would and
//! DMs to shard 0. One process may run several shards; several processes (here each on its own
//! SQLite file: one SQLite file is not safe to share between processes) share one fake, and
//! only the process running shard 0 registers the commands.

mod support;

use std::time::Duration;

use serde_json::json;
use support::bot::{spawn_bot_with, spawn_shards, TestBot};
use support::fake_discord::payloads::opt_string;
use support::fake_discord::{channel_id, guild_on_shard, user_id, Caller, FakeDiscord};
use support::replies::{command, embed, MESSAGE};

use quorum::ids::UserId;

/// `who` (user `n`) in a server whose events go to `shard` of `total`.
fn member_on_shard(n: u64, name: &str, shard: u32, total: u32) -> Caller {
    Caller::member(user_id(n), name).in_guild(guild_on_shard(shard, total), channel_id(10 + n))
}

async fn learned_ids(bot: &TestBot, user: u64) -> Vec<String> {
    let store = bot.store().await;
    let marks = store.learned_topics(UserId(user), "sample").await.unwrap();
    store.close().await;
    marks.into_iter().map(|m| m.topic_id).collect()
}

fn alpha() -> serde_json::Value {
    json!([opt_string("topic", "alpha")])
}

#[tokio::test]
async fn one_process_running_shards_0_1_of_2_answers_both_shards_servers_and_dms() {
    let fake = FakeDiscord::start().await;
    let bot = spawn_shards(&fake, 0, 1, 2).await;
    let (ann, bob) = (
        member_on_shard(1, "ann", 1, 2),
        member_on_shard(2, "bob", 0, 2),
    );
    let cy = Caller::dm(user_id(3), "cy");

    let (on_one, learned) = command(&bot, "learned", alpha(), &ann).await;
    let (on_zero, next) = command(&bot, "next", json!([]), &bob).await;
    let (in_dm, _) = command(&bot, "learned", alpha(), &cy).await;
    // serenity starts a process's shards 5 s apart: a third shard (a range read one too
    // long) would have identified by now.
    tokio::time::sleep(Duration::from_secs(6)).await;

    assert_eq!(fake.identified_shards(), [[0, 2], [1, 2]]);
    assert_eq!(
        [&on_one, &on_zero, &in_dm].map(|h| fake.interaction_shard(h)),
        [Some(1), Some(0), Some(0)]
    );
    assert_eq!(learned.body["type"], json!(MESSAGE));
    assert_eq!(embed(&next)["title"], json!("1 · Topic Alpha"));
    assert_eq!(learned_ids(&bot, user_id(1)).await, ["alpha"]);
    assert_eq!(learned_ids(&bot, user_id(3)).await, ["alpha"]);
    assert_eq!(fake.registrations().len(), 1, "shard 0 runs here");
}

#[tokio::test]
async fn two_processes_each_serve_their_own_shard_and_only_shard_0_registers() {
    let fake = FakeDiscord::start().await;
    let (ann, bob) = (
        member_on_shard(1, "ann", 1, 2),
        member_on_shard(2, "bob", 0, 2),
    );
    let cy = Caller::dm(user_id(3), "cy");

    // The process without shard 0 first: up and answering, so past the point where it would
    // have registered, before the other one starts.
    let one = spawn_shards(&fake, 1, 1, 2).await;
    let (on_one, _) = command(&one, "learned", alpha(), &ann).await;
    let registered_without_shard_0 = fake.registrations().len();
    let zero = spawn_shards(&fake, 0, 0, 2).await;
    let (on_zero, _) = command(&zero, "learned", alpha(), &bob).await;
    let (in_dm, _) = command(&zero, "learned", alpha(), &cy).await;

    assert_eq!(fake.identified_shards(), [[1, 2], [0, 2]]);
    assert_eq!(registered_without_shard_0, 0);
    assert_eq!(
        fake.registrations().len(),
        1,
        "one bulk overwrite, by shard 0's process"
    );
    assert_eq!(
        [&on_one, &on_zero, &in_dm].map(|h| fake.interaction_shard(h)),
        [Some(1), Some(0), Some(0)]
    );
    // Each process answered its own servers: the marks are in its own database only.
    assert_eq!(learned_ids(&one, user_id(1)).await, ["alpha"]);
    assert!(learned_ids(&one, user_id(2)).await.is_empty());
    assert!(learned_ids(&one, user_id(3)).await.is_empty());
    assert!(learned_ids(&zero, user_id(1)).await.is_empty());
    assert_eq!(learned_ids(&zero, user_id(2)).await, ["alpha"]);
    assert_eq!(learned_ids(&zero, user_id(3)).await, ["alpha"]);
}

/// Without `--shards`, one process runs as many shards as Discord recommends.
#[tokio::test]
async fn without_a_range_one_process_runs_every_shard_discord_recommends() {
    let fake = FakeDiscord::start().await;
    fake.recommend_shards(2);

    let bot = spawn_bot_with(&fake).await;
    fake.wait_for_identified(1, 2, 1).await;
    let (on_one, learned) =
        command(&bot, "learned", alpha(), &member_on_shard(1, "ann", 1, 2)).await;

    assert_eq!(fake.identified_shards(), [[0, 2], [1, 2]]);
    assert_eq!(fake.interaction_shard(&on_one), Some(1));
    assert_eq!(learned.body["type"], json!(MESSAGE));
    assert_eq!(fake.registrations().len(), 1);
}
