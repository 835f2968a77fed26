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
    assert_within_discord_limits(&callback.body);
    (handle, callback)
}

/// Presses a button of the bot's original answer to `handle`; returns the callback.
pub async fn press(
    bot: &TestBot,
    handle: &InteractionHandle,
    custom_id: &str,
    who: &Caller,
) -> Recorded {
    let message = bot.fake.original_message(handle);
    let (_, callback) = bot
        .fake
        .interact(bot.fake.button(custom_id, &message, who))
        .await;
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
