//! Discord-shaped JSON objects: users, members, channels, messages, guilds and command options.
//!
//! Shapes follow the examples in Discord's API docs and carry every field serenity 0.12.5's
//! models require (`User`, `Member`, `PrivateChannel`, `Message`, `Guild`, ...).
//! `tests/fake_discord_smoke.rs` has serenity deserialize each of them (through its real HTTP
//! client or gateway), so a field that serenity starts requiring shows up as a clear failure.

use serde_json::{json, Value};

use super::interactions::PERMS_MEMBER;
use super::{dm_channel_id, APPLICATION_ID, BOT_NAME, BOT_USER_ID, OWNER_USER_ID};

const JOINED_AT: &str = "2024-01-15T10:00:00.000000+00:00";

/// A user object as Discord sends it.
pub fn user_json(id: u64, name: &str, bot: bool) -> Value {
    json!({
        "id": id.to_string(),
        "username": name,
        "discriminator": "0",
        "global_name": if bot { Value::Null } else { json!(name) },
        "avatar": null,
        "bot": bot,
        "system": false,
        "public_flags": 0,
    })
}

/// The bot's own user object (READY, `GET /users/@me`, message authors).
pub fn bot_user_json() -> Value {
    let mut user = user_json(BOT_USER_ID, BOT_NAME, true);
    user["verified"] = json!(true);
    user["mfa_enabled"] = json!(false);
    user["flags"] = json!(0);
    user
}

/// A guild member object. `permissions` is only present in interactions.
pub fn member_json(user: Value, roles: &[u64], permissions: Option<&str>) -> Value {
    let mut member = json!({
        "user": user,
        "nick": null,
        "avatar": null,
        "roles": roles.iter().map(u64::to_string).collect::<Vec<_>>(),
        "joined_at": JOINED_AT,
        "premium_since": null,
        "deaf": false,
        "mute": false,
        "flags": 0,
        "pending": false,
        "communication_disabled_until": null,
    });
    if let Some(permissions) = permissions {
        member["permissions"] = json!(permissions);
    }
    member
}

/// A DM channel object between the bot and `recipient`.
pub fn dm_channel_json(recipient: Value) -> Value {
    let user_id: u64 = recipient["id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    json!({
        "id": dm_channel_id(user_id).to_string(),
        "type": 1,
        "last_message_id": null,
        "flags": 0,
        "recipients": [recipient],
    })
}

/// A guild text channel object (also the `channel` of a guild interaction, which carries the
/// caller's `permissions`).
pub fn guild_channel_json(guild_id: u64, channel_id: u64, permissions: &str) -> Value {
    json!({
        "id": channel_id.to_string(),
        "type": 0,
        "guild_id": guild_id.to_string(),
        "name": "study-hall",
        "position": 0,
        "permission_overwrites": [],
        "nsfw": false,
        "topic": null,
        "last_message_id": null,
        "rate_limit_per_user": 0,
        "parent_id": null,
        "flags": 0,
        "permissions": permissions,
    })
}

/// A message object authored by the bot with the content/embeds/components/flags of `body`
/// (a create-message or interaction-response `data` payload). `attachments` are full
/// attachment objects (see `rest.rs`). `interaction` marks a message sent through an
/// interaction webhook (`webhook_id`/`application_id` set like Discord does).
pub fn bot_message_json(
    id: u64,
    channel_id: u64,
    body: &Value,
    attachments: Vec<Value>,
    kind: u64,
    interaction: bool,
) -> Value {
    let field = |name: &str, default: Value| match body.get(name) {
        Some(v) if !v.is_null() => v.clone(),
        _ => default,
    };
    let mut message = json!({
        "id": id.to_string(),
        "channel_id": channel_id.to_string(),
        "author": bot_user_json(),
        "content": field("content", json!("")),
        "timestamp": now(),
        "edited_timestamp": null,
        "tts": field("tts", json!(false)),
        "mention_everyone": false,
        "mentions": [],
        "mention_roles": [],
        "attachments": attachments,
        "embeds": field("embeds", json!([])),
        "pinned": false,
        "type": kind,
        "flags": field("flags", json!(0)),
        "components": field("components", json!([])),
    });
    if interaction {
        message["webhook_id"] = json!(APPLICATION_ID.to_string());
        message["application_id"] = json!(APPLICATION_ID.to_string());
    }
    message
}

/// A full guild object as sent in `GUILD_CREATE`: an @everyone role with [`PERMS_MEMBER`], one
/// text channel (`channel`), the bot and `members` as members.
pub fn guild_json(guild_id: u64, name: &str, channel: u64, members: &[(u64, String)]) -> Value {
    let mut member_list = vec![member_json(bot_user_json(), &[], None)];
    member_list.extend(
        members
            .iter()
            .map(|(id, name)| member_json(user_json(*id, name, false), &[], None)),
    );
    let mut text_channel = guild_channel_json(guild_id, channel, "0");
    text_channel.as_object_mut().unwrap().remove("permissions");
    let mut guild = json!({
        "id": guild_id.to_string(),
        "name": name,
        "icon": null,
        "icon_hash": null,
        "splash": null,
        "discovery_splash": null,
        "owner_id": OWNER_USER_ID.to_string(),
        "afk_channel_id": null,
        "afk_timeout": 300,
        "widget_enabled": false,
        "widget_channel_id": null,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "roles": [{
            "id": guild_id.to_string(),
            "name": "@everyone",
            "color": 0,
            "colors": { "primary_color": 0, "secondary_color": null, "tertiary_color": null },
            "hoist": false,
            "icon": null,
            "unicode_emoji": null,
            "position": 0,
            "permissions": PERMS_MEMBER.to_string(),
            "managed": false,
            "mentionable": false,
            "flags": 0,
        }],
        "emojis": [],
        "features": [],
        "mfa_level": 0,
        "application_id": null,
        "system_channel_id": channel.to_string(),
        "system_channel_flags": 0,
        "rules_channel_id": null,
        "max_presences": null,
        "max_members": 500_000,
        "vanity_url_code": null,
        "description": null,
        "banner": null,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "preferred_locale": "en-US",
        "public_updates_channel_id": null,
        "max_video_channel_users": 25,
        "max_stage_video_channel_users": 50,
        "nsfw_level": 0,
        "stickers": [],
        "premium_progress_bar_enabled": false,
        "safety_alerts_channel_id": null,
        "incidents_data": null,
    });
    // The gateway-only half (split because one `json!` this big exceeds the macro recursion
    // limit).
    let gateway_fields = json!({
        "joined_at": JOINED_AT,
        "large": false,
        "unavailable": false,
        "member_count": member_list.len(),
        "voice_states": [],
        "members": member_list,
        "channels": [text_channel],
        "threads": [],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
        "lazy": true,
    });
    if let (Value::Object(map), Value::Object(more)) = (&mut guild, gateway_fields) {
        map.extend(more);
    }
    guild
}

/// Now as an RFC 3339 timestamp, like Discord's.
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, false)
}

/// A string option: `{"name": ..., "type": 3, "value": ...}`.
pub fn opt_string(name: &str, value: &str) -> Value {
    json!({ "name": name, "type": 3, "value": value })
}

/// An integer option (type 4).
pub fn opt_integer(name: &str, value: i64) -> Value {
    json!({ "name": name, "type": 4, "value": value })
}

/// A boolean option (type 5).
pub fn opt_bool(name: &str, value: bool) -> Value {
    json!({ "name": name, "type": 5, "value": value })
}

/// A user option (type 6). Discord also sends the user in `data.resolved`; the slash-command
/// builder fills that in from [`FakeDiscord::add_member`] names.
pub fn opt_user(name: &str, user: u64) -> Value {
    json!({ "name": name, "type": 6, "value": user.to_string() })
}

/// A channel option (type 7).
pub fn opt_channel(name: &str, channel: u64) -> Value {
    json!({ "name": name, "type": 7, "value": channel.to_string() })
}

/// A role option (type 8).
pub fn opt_role(name: &str, role: u64) -> Value {
    json!({ "name": name, "type": 8, "value": role.to_string() })
}

/// A number option (type 10).
pub fn opt_number(name: &str, value: f64) -> Value {
    json!({ "name": name, "type": 10, "value": value })
}
