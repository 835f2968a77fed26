//! Messages the bot creates and edits: channel messages, interaction responses (the callback
//! and `@original`) and follow-ups. The fake keeps them so that `GET`/`PATCH` of `@original`
//! and button presses on the bot's reply see what the bot really sent, and it enforces
//! Discord's one-callback-per-interaction rule.

use serde_json::{json, Value};

use super::payloads::{bot_message_json, now};
use super::rest::{id_of, invalid_form_body, ok};
use super::{FakeResponse, InteractionHandle, RecordedFile, Shared, State};

/// What the fake remembers about an interaction it dispatched.
pub(super) struct InteractionState {
    id: u64,
    /// 2 command, 3 component, 4 autocomplete, 5 modal submit.
    kind: u64,
    channel_id: u64,
    /// The message a component was on.
    message: Option<Value>,
    acknowledged: bool,
    /// Id (in `State::messages`) of the original response, once there is one.
    pub(super) original: Option<u64>,
    /// The shard and the gateway connection it was dispatched on.
    pub(super) delivered_to: (u32, usize),
}

pub(super) fn interaction_handle(payload: &Value) -> Option<InteractionHandle> {
    Some(InteractionHandle {
        id: payload["id"].as_str()?.parse().ok()?,
        token: payload["token"].as_str()?.to_owned(),
    })
}

/// Remembers an interaction dispatched to `shard` on gateway connection `connection`, so its
/// callback and webhooks can be answered.
pub(super) fn register_interaction(
    state: &mut State,
    payload: &Value,
    shard: u32,
    connection: usize,
) {
    let Some(handle) = interaction_handle(payload) else {
        return;
    };
    let channel_id = id_of(&payload["channel_id"]).unwrap_or(0);
    state.interactions.insert(
        handle.token,
        InteractionState {
            id: handle.id,
            kind: payload["type"].as_u64().unwrap_or(0),
            channel_id,
            message: payload.get("message").cloned(),
            acknowledged: false,
            original: None,
            delivered_to: (shard, connection),
        },
    );
}

/// How long the fake deduplicates a message by its nonce when `enforce_nonce` is set (Discord
/// says "the past few minutes").
pub const NONCE_DEDUPE: std::time::Duration = std::time::Duration::from_secs(5 * 60);

/// `POST /channels/{id}/messages`: a message by the bot, echoing what it sent. With
/// `enforce_nonce`, a nonce seen in the channel within [`NONCE_DEDUPE`] answers with the message
/// it created then, and creates none, like Discord.
pub(super) fn channel_message(
    shared: &Shared,
    state: &mut State,
    channel: u64,
    body: &Value,
    files: &[RecordedFile],
) -> FakeResponse {
    let nonce = match (&body["nonce"], body["enforce_nonce"].as_bool()) {
        (Value::String(nonce), Some(true)) => Some((channel, nonce.clone())),
        _ => None,
    };
    if let Some((id, at)) = nonce.as_ref().and_then(|key| state.nonces.get(key)) {
        if at.elapsed() < NONCE_DEDUPE {
            if let Some(message) = state.messages.get(id) {
                return ok(message.clone());
            }
        }
    }
    let id = shared.next_id();
    let attachments = attachments(shared, channel, &Value::Null, body, files);
    let message = bot_message_json(id, channel, body, attachments, 0, false);
    state.messages.insert(id, message.clone());
    if let Some(key) = nonce {
        state.nonces.insert(key, (id, std::time::Instant::now()));
    }
    ok(message)
}

/// `POST /interactions/{id}/{token}/callback`: 204, and remembers the original response so
/// `@original` can be fetched and edited. A second callback for the same interaction gets 400
/// "Interaction has already been acknowledged" (40060), an unknown one 404 (10062), as on
/// Discord.
pub(super) fn interaction_callback(
    shared: &Shared,
    state: &mut State,
    id: &str,
    token: &str,
    body: &Value,
    files: &[RecordedFile],
) -> FakeResponse {
    let Some(interaction) = state.interactions.get(token) else {
        return FakeResponse::unknown_interaction();
    };
    if id.parse() != Ok(interaction.id) {
        return FakeResponse::unknown_interaction();
    }
    if interaction.acknowledged {
        return FakeResponse::discord_error(
            400,
            40060,
            "Interaction has already been acknowledged.",
        );
    }
    let (kind, channel_id) = (interaction.kind, interaction.channel_id);
    let component_message = interaction.message.clone();
    let data = &body["data"];

    let original = match body["type"].as_u64() {
        // CHANNEL_MESSAGE_WITH_SOURCE: a new message (type 20 = reply to a slash command).
        Some(4) => {
            let message_id = shared.next_id();
            let attachments = attachments(shared, channel_id, &Value::Null, data, files);
            let message_kind = if kind == 2 { 20 } else { 0 };
            let message = bot_message_json(
                message_id,
                channel_id,
                data,
                attachments,
                message_kind,
                true,
            );
            Some((message_id, message))
        }
        // DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE: an empty "thinking..." message (flag LOADING).
        Some(5) => {
            let message_id = shared.next_id();
            let flags = data["flags"].as_u64().unwrap_or(0) | LOADING;
            let placeholder = json!({ "content": "", "flags": flags });
            let message_kind = if kind == 2 { 20 } else { 0 };
            let message = bot_message_json(
                message_id,
                channel_id,
                &placeholder,
                Vec::new(),
                message_kind,
                true,
            );
            Some((message_id, message))
        }
        // DEFERRED_UPDATE_MESSAGE / UPDATE_MESSAGE: the component's message (updated).
        Some(6 | 7) => component_message.and_then(|mut message| {
            let message_id = id_of(&message["id"])?;
            if body["type"] == json!(7) {
                apply_edit(shared, &mut message, data, files);
            }
            Some((message_id, message))
        }),
        // PONG, AUTOCOMPLETE_RESULT, MODAL, ...: no message.
        Some(_) => None,
        None => return invalid_form_body(),
    };

    let interaction = state.interactions.get_mut(token).expect("checked above");
    interaction.acknowledged = true;
    if let Some((message_id, message)) = original {
        interaction.original = Some(message_id);
        state.messages.insert(message_id, message);
    }
    FakeResponse::no_content()
}

/// `POST /webhooks/{app}/{token}`: a follow-up message.
pub(super) fn follow_up(
    shared: &Shared,
    state: &mut State,
    token: &str,
    body: &Value,
    files: &[RecordedFile],
) -> FakeResponse {
    let Some(interaction) = state.interactions.get(token) else {
        return FakeResponse::discord_error(404, 10015, "Unknown Webhook");
    };
    if !interaction.acknowledged {
        return FakeResponse::discord_error(404, 10015, "Unknown Webhook");
    }
    // After a deferred response, Discord turns the first follow-up into the content of the
    // "thinking..." original instead of posting a new message.
    if let Some(original) = interaction.original {
        if let Some(message) = state.messages.get_mut(&original) {
            if is_loading(message) {
                apply_edit(shared, message, body, files);
                return ok(message.clone());
            }
        }
    }
    let channel_id = interaction.channel_id;
    let id = shared.next_id();
    let attachments = attachments(shared, channel_id, &Value::Null, body, files);
    let message = bot_message_json(id, channel_id, body, attachments, 0, true);
    state.messages.insert(id, message.clone());
    ok(message)
}

/// `GET/PATCH/DELETE /webhooks/{app}/{token}/messages/{@original | id}`.
pub(super) fn webhook_message(
    shared: &Shared,
    state: &mut State,
    method: &str,
    token: &str,
    message: &str,
    body: &Value,
    files: &[RecordedFile],
) -> FakeResponse {
    let Some(interaction) = state.interactions.get(token) else {
        return FakeResponse::discord_error(404, 10015, "Unknown Webhook");
    };
    let id = if message == "@original" {
        interaction.original
    } else {
        message.parse().ok()
    };
    let Some(id) = id else {
        return FakeResponse::unknown_message();
    };
    let reply = stored_message(shared, state, method, id, body, files);
    if method == "DELETE" && reply.status == 204 && message == "@original" {
        if let Some(interaction) = state.interactions.get_mut(token) {
            interaction.original = None;
        }
    }
    reply
}

/// GET, PATCH (edit) or DELETE a message the bot created.
pub(super) fn stored_message(
    shared: &Shared,
    state: &mut State,
    method: &str,
    id: u64,
    body: &Value,
    files: &[RecordedFile],
) -> FakeResponse {
    match method {
        "GET" => state.messages.get(&id).cloned().map(ok),
        "PATCH" => state.messages.get_mut(&id).map(|message| {
            apply_edit(shared, message, body, files);
            ok(message.clone())
        }),
        "DELETE" => state
            .messages
            .remove(&id)
            .map(|_| FakeResponse::no_content()),
        _ => Some(FakeResponse::discord_error(
            405,
            0,
            "405: Method Not Allowed",
        )),
    }
    .unwrap_or_else(FakeResponse::unknown_message)
}

/// MessageFlags::LOADING: a deferred interaction response still "thinking".
const LOADING: u64 = 1 << 7;

fn is_loading(message: &Value) -> bool {
    message["flags"].as_u64().unwrap_or(0) & LOADING != 0
}

/// Applies an edit payload: fields present in `body` replace the message's. Filling in a
/// deferred ("thinking") response clears its LOADING flag and does not count as an edit.
fn apply_edit(shared: &Shared, message: &mut Value, body: &Value, files: &[RecordedFile]) {
    let channel = id_of(&message["channel_id"]).unwrap_or(0);
    let was_loading = is_loading(message);
    for key in ["content", "embeds", "components", "flags"] {
        if let Some(value) = body.get(key) {
            let value = match (key, value) {
                ("content", Value::Null) => json!(""),
                ("embeds" | "components", Value::Null) => json!([]),
                ("flags", Value::Null) => json!(0),
                _ => value.clone(),
            };
            message[key] = value;
        }
    }
    if body.get("attachments").is_some() || !files.is_empty() {
        let existing = message["attachments"].clone();
        message["attachments"] = json!(attachments(shared, channel, &existing, body, files));
    }
    if was_loading {
        let flags = message["flags"].as_u64().unwrap_or(0);
        message["flags"] = json!(flags & !LOADING);
    } else {
        message["edited_timestamp"] = json!(now());
    }
}

/// Full attachment objects for a message: the `attachments` entries of the payload (Discord's
/// `{"id": n, "filename": ...}` for new uploads in `files[n]`, or the id of an attachment the
/// message already has), plus any uploaded file the payload did not mention.
pub(super) fn attachments(
    shared: &Shared,
    channel: u64,
    existing: &Value,
    body: &Value,
    files: &[RecordedFile],
) -> Vec<Value> {
    let mut out = Vec::new();
    let mut used = Vec::new();
    let mentioned = body["attachments"].as_array().cloned().unwrap_or_default();
    for entry in &mentioned {
        let id = entry["id"].clone();
        let kept = existing
            .as_array()
            .and_then(|list| list.iter().find(|a| a["id"] == id));
        if let Some(kept) = kept {
            out.push(kept.clone());
            continue;
        }
        let field = format!("files[{}]", id_of(&id).unwrap_or(u64::MAX));
        if let Some(file) = files.iter().find(|f| f.field == field) {
            used.push(field);
            out.push(attachment_json(
                shared,
                channel,
                file,
                entry["description"].clone(),
            ));
        }
    }
    for file in files.iter().filter(|f| !used.contains(&f.field)) {
        out.push(attachment_json(shared, channel, file, Value::Null));
    }
    out
}

fn attachment_json(
    shared: &Shared,
    channel: u64,
    file: &RecordedFile,
    description: Value,
) -> Value {
    let id = shared.next_id();
    let filename = file.filename.clone().unwrap_or_else(|| "file".into());
    let url = format!("https://cdn.discordapp.com/attachments/{channel}/{id}/{filename}");
    json!({
        "id": id.to_string(),
        "filename": filename,
        "description": description,
        "content_type": file.content_type,
        "size": file.bytes.len(),
        "url": url,
        "proxy_url": url.replace("cdn.discordapp.com", "media.discordapp.net"),
    })
}
