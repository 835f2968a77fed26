//! Sending interactions to the bot and reading its answers, for every end-to-end test file.
//! Every answer is checked against Discord's limits on the way.

use serde_json::Value;

use super::bot::TestBot;
use super::fake_discord::{Caller, InteractionHandle, Recorded};
use super::limits::assert_within_discord_limits;

/// The flag Discord sets on replies only the caller sees.
pub const EPHEMERAL: u64 = 1 << 6;
/// Interaction callback types.
pub const MESSAGE: u64 = 4;
pub const UPDATE_MESSAGE: u64 = 7;
pub const AUTOCOMPLETE_RESULT: u64 = 8;

/// Sends a slash command and returns the bot's callback.
pub async fn command(
    bot: &TestBot,
    name: &str,
    options: Value,
    who: &Caller,
) -> (InteractionHandle, Recorded) {
    let payload = bot.fake.slash_command(name, options, who);
    let (handle, callback) = bot.fake.interact(payload).await;
    let callback = settled(bot, &handle, callback).await;
    assert_within_discord_limits(&callback.body);
    (handle, callback)
}

/// The answer as the member finally sees it. A deferred callback (type 5, or 6 for a button) is
/// followed by a follow-up or an edit of the original message; that comes back shaped as the
/// callback it stands for (type 4 or 7), with the deferral's flags (ephemeral or not).
pub async fn settled(bot: &TestBot, handle: &InteractionHandle, callback: Recorded) -> Recorded {
    let kind = match callback.body["type"].as_u64() {
        Some(5) => 4,
        Some(6) => 7,
        _ => return callback,
    };
    let original = "/messages/@original";
    let token = handle.token.clone();
    let after = callback.index;
    let edit = bot
        .fake
        .wait_for(
            |r| {
                // The first follow-up after a deferral edits the "thinking" message.
                let edit = r.method == "PATCH" && r.path.ends_with(original);
                let follow_up = r.method == "POST" && r.path.starts_with("/api/v10/webhooks/");
                r.index > after && r.path.contains(&token) && (edit || follow_up)
            },
            std::time::Duration::from_secs(10),
        )
        .await;
    let mut data = edit.body.clone();
    if let Some(flags) = callback.body["data"]["flags"].as_u64() {
        data["flags"] = flags.into();
    }
    Recorded {
        body: serde_json::json!({ "type": kind, "data": data }),
        ..edit
    }
}

/// Presses a button of the bot's original answer to `handle`; returns the callback.
pub async fn press(
    bot: &TestBot,
    handle: &InteractionHandle,
    custom_id: &str,
    who: &Caller,
) -> Recorded {
    let message = bot.fake.original_message(handle);
    let (pressed, callback) = bot
        .fake
        .interact(bot.fake.button(custom_id, &message, who))
        .await;
    let callback = settled(bot, &pressed, callback).await;
    assert_within_discord_limits(&callback.body);
    callback
}

pub fn embed(callback: &Recorded) -> &Value {
    &callback.body["data"]["embeds"][0]
}

pub fn is_ephemeral(callback: &Recorded) -> bool {
    callback.body["data"]["flags"].as_u64().unwrap_or(0) & EPHEMERAL != 0
}

/// The custom_ids of every component of the answer, row by row.
pub fn custom_ids(callback: &Recorded) -> Vec<String> {
    callback.body["data"]["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .filter_map(|c| c["custom_id"].as_str().map(str::to_string))
        .collect()
}
