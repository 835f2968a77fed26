//! The fake REST API: one axum fallback handler that records every request, applies scripted
//! failures, and otherwise answers the routes the bot uses the way Discord does.
//!
//! Routing is by hand on the path segments after `/api/v10` rather than with axum routes, so
//! that every request (including ones nobody anticipated) goes through the same recording path
//! and unknown routes get Discord's own 404 body.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request, State as AxumState};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde_json::{json, Value};

use super::payloads::{bot_user_json, dm_channel_json, member_json, user_json};
use super::{
    messages, FakeResponse, Recorded, RecordedFile, Shared, State, APPLICATION_ID, BOT_NAME,
    OWNER_USER_ID,
};

pub(super) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .fallback(handle)
        .layer(DefaultBodyLimit::max(64 * 1024 * 1024))
        .with_state(shared)
}

async fn handle(AxumState(shared): AxumState<Arc<Shared>>, request: Request) -> Response {
    let method = request.method().as_str().to_owned();
    let path = request.uri().path().to_owned();
    let query = request.uri().query().map(str::to_owned);
    let (body, files) = read_body(request).await;

    let (reply, delay, key) = {
        let mut state = shared.lock();
        let delay = state
            .delays
            .iter()
            .find(|(m, prefix, _)| *m == method && path.starts_with(prefix.as_str()))
            .map(|(.., by)| *by);
        let reply = take_scripted(&mut state, &method, &path)
            .unwrap_or_else(|| route(&shared, &mut state, &method, &path, &body, &files));
        if let Some((m, prefix, now, most)) = state.in_flight.as_mut() {
            if *m == method && path.starts_with(prefix.as_str()) {
                *now += 1;
                *most = (*most).max(*now);
            }
        }
        let index = state.requests.len();
        state.requests.push(Recorded {
            index,
            method,
            path,
            query,
            body,
            files,
            status: reply.status,
            response: reply.body.clone().unwrap_or(Value::Null),
        });
        (reply, delay, (method_of_last(&state), path_of_last(&state)))
    };
    shared.notify();
    // Dropped when the client gives up, so a stalled request stops counting then too.
    let _in_flight = InFlight {
        shared: Arc::clone(&shared),
        method: key.0,
        path: key.1,
    };
    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
    }
    into_response(reply)
}

fn method_of_last(state: &State) -> String {
    state
        .requests
        .last()
        .map(|r| r.method.clone())
        .unwrap_or_default()
}

fn path_of_last(state: &State) -> String {
    state
        .requests
        .last()
        .map(|r| r.path.clone())
        .unwrap_or_default()
}

/// One counted request in flight (see `FakeDiscord::count_in_flight`).
struct InFlight {
    shared: Arc<Shared>,
    method: String,
    path: String,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if let Some((m, prefix, now, _)) = self.shared.lock().in_flight.as_mut() {
            if *m == self.method && self.path.starts_with(prefix.as_str()) {
                *now = now.saturating_sub(1);
            }
        }
    }
}

fn into_response(reply: FakeResponse) -> Response {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = match reply.body {
        Some(body) => (status, axum::Json(body)).into_response(),
        None => (status, Body::empty()).into_response(),
    };
    for (name, value) in reply.headers {
        if let (Ok(name), Ok(value)) = (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            response.headers_mut().insert(name, value);
        }
    }
    response
}

/// The JSON body, or for multipart the parsed `payload_json` plus the other parts as files.
async fn read_body(request: Request) -> (Value, Vec<RecordedFile>) {
    let content_type = request
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    if content_type.starts_with("multipart/form-data") {
        let mut body = Value::Null;
        let mut files = Vec::new();
        let Ok(mut multipart) = Multipart::from_request(request, &()).await else {
            return (Value::String("<unparseable multipart body>".into()), files);
        };
        while let Ok(Some(field)) = multipart.next_field().await {
            let name = field.name().unwrap_or_default().to_owned();
            let filename = field.file_name().map(str::to_owned);
            let part_type = field.content_type().map(str::to_owned);
            let bytes = field.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
            if name == "payload_json" {
                body = parse_json(&bytes);
            } else {
                files.push(RecordedFile {
                    field: name,
                    filename,
                    content_type: part_type,
                    bytes,
                });
            }
        }
        return (body, files);
    }
    let bytes = axum::body::to_bytes(request.into_body(), usize::MAX)
        .await
        .unwrap_or_default();
    (parse_json(&bytes), Vec::new())
}

fn parse_json(bytes: &[u8]) -> Value {
    if bytes.is_empty() {
        return Value::Null;
    }
    serde_json::from_slice(bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(bytes).into_owned()))
}

fn take_scripted(state: &mut State, method: &str, path: &str) -> Option<FakeResponse> {
    let position = state
        .scripted
        .iter()
        .position(|s| s.method.eq_ignore_ascii_case(method) && path.starts_with(&s.path_prefix))?;
    let reply = state.scripted[position].responses.pop_front();
    if state.scripted[position].responses.is_empty() {
        state.scripted.remove(position);
    }
    reply
}

/// A snowflake from a JSON string or number.
pub(super) fn id_of(value: &Value) -> Option<u64> {
    match value {
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n.as_u64(),
        _ => None,
    }
}

pub(super) fn ok(body: Value) -> FakeResponse {
    FakeResponse::json(200, body)
}

fn route(
    shared: &Shared,
    state: &mut State,
    method: &str,
    path: &str,
    body: &Value,
    files: &[RecordedFile],
) -> FakeResponse {
    let Some(rest) = path.strip_prefix("/api/v10/") else {
        return FakeResponse::not_found();
    };
    let segments: Vec<&str> = rest.trim_end_matches('/').split('/').collect();
    let app = APPLICATION_ID.to_string();
    let app = app.as_str();

    match (method, segments.as_slice()) {
        ("GET", ["gateway"]) => ok(json!({ "url": shared.ws_url })),
        ("GET", ["gateway", "bot"]) => ok(json!({
            "url": shared.ws_url,
            "shards": state.gateway.recommended_shards,
            "session_start_limit": {
                "total": 1000, "remaining": 999, "reset_after": 14_400_000, "max_concurrency": 1
            },
        })),
        ("GET", ["oauth2", "applications", "@me"] | ["applications", "@me"]) => {
            ok(application_json())
        }
        ("GET", ["users", "@me"]) => ok(bot_user_json()),
        ("GET", ["users", user]) => match user.parse::<u64>() {
            Ok(id) => ok(user_json(id, &user_name(state, id), false)),
            Err(_) => FakeResponse::discord_error(404, 10013, "Unknown User"),
        },
        ("POST", ["users", "@me", "channels"]) => match id_of(&body["recipient_id"]) {
            Some(id) => ok(dm_channel_json(user_json(id, &user_name(state, id), false))),
            None => invalid_form_body(),
        },

        (_, ["applications", a, "commands"]) if *a == app => {
            commands(shared, state, method, None, body)
        }
        (_, ["applications", a, "guilds", guild, "commands"]) if *a == app => match guild.parse() {
            Ok(guild) => commands(shared, state, method, Some(guild), body),
            Err(_) => FakeResponse::discord_error(404, 10004, "Unknown Guild"),
        },

        ("POST", ["interactions", id, token, "callback"]) => {
            messages::interaction_callback(shared, state, id, token, body, files)
        }
        (_, ["webhooks", a, token]) if *a == app => match method {
            "POST" => messages::follow_up(shared, state, token, body, files),
            _ => FakeResponse::not_found(),
        },
        (_, ["webhooks", a, token, "messages", message]) if *a == app => {
            messages::webhook_message(shared, state, method, token, message, body, files)
        }

        ("POST", ["channels", channel, "messages"]) => match channel.parse() {
            Ok(channel) => messages::channel_message(shared, state, channel, body, files),
            Err(_) => FakeResponse::discord_error(404, 10003, "Unknown Channel"),
        },
        (_, ["channels", channel, "messages", message]) => {
            match (channel.parse::<u64>(), message.parse::<u64>()) {
                (Ok(_), Ok(id)) => messages::stored_message(shared, state, method, id, body, files),
                _ => FakeResponse::unknown_message(),
            }
        }
        ("POST", ["channels", _, "typing"]) => FakeResponse::no_content(),

        ("GET", ["guilds", guild, "members", user]) => {
            let key = (guild.parse().unwrap_or(0), user.parse().unwrap_or(0));
            match state.members.get(&key) {
                Some(name) => ok(member_json(user_json(key.1, name, false), &[], None)),
                None => FakeResponse::unknown_member(),
            }
        }

        _ => FakeResponse::not_found(),
    }
}

pub(super) fn invalid_form_body() -> FakeResponse {
    FakeResponse::discord_error(400, 50035, "Invalid Form Body")
}

fn user_name(state: &State, id: u64) -> String {
    state
        .user_names
        .get(&id)
        .cloned()
        .unwrap_or_else(|| format!("user{id}"))
}

/// `GET /oauth2/applications/@me`: a full application object (poise reads `owner` at start).
fn application_json() -> Value {
    json!({
        "id": APPLICATION_ID.to_string(),
        "name": BOT_NAME,
        "icon": null,
        "description": "A Discord study companion",
        "summary": "",
        "type": null,
        "bot": bot_user_json(),
        "bot_public": true,
        "bot_require_code_grant": false,
        "verify_key": "1e0a356058d627ca38a5c8c9648818061d49e49bd9da9e3ab17d98ad4d6bg2u8",
        "flags": 1 << 19,
        "owner": user_json(OWNER_USER_ID, "quorum-owner", false),
        "team": null,
        "rpc_origins": [],
        "tags": ["study"],
        "install_params": { "scopes": ["bot", "applications.commands"], "permissions": "2147601472" },
        "integration_types_config": { "0": {} },
        "approximate_guild_count": 1,
        "redirect_uris": [],
        "interactions_endpoint_url": null,
        "role_connections_verification_url": null,
    })
}

/// Bulk overwrite (`PUT`), list (`GET`) and create (`POST`) of global or guild commands. The
/// answer echoes the commands with the fields Discord adds (`id`, `application_id`, `version`,
/// ...); a command keeps its id across overwrites, like on Discord.
fn commands(
    shared: &Shared,
    state: &mut State,
    method: &str,
    guild: Option<u64>,
    body: &Value,
) -> FakeResponse {
    match method {
        "GET" => ok(json!(state
            .commands
            .get(&guild)
            .cloned()
            .unwrap_or_default())),
        "PUT" => {
            let Some(list) = body.as_array() else {
                return invalid_form_body();
            };
            let echoed: Vec<Value> = list
                .iter()
                .map(|c| command_object(shared, state, guild, c))
                .collect();
            state.commands.insert(guild, echoed.clone());
            ok(json!(echoed))
        }
        "POST" => {
            if !body.is_object() {
                return invalid_form_body();
            }
            let command = command_object(shared, state, guild, body);
            let list = state.commands.entry(guild).or_default();
            list.retain(|c| c["name"] != command["name"]);
            list.push(command.clone());
            FakeResponse::json(201, command)
        }
        _ => FakeResponse::discord_error(405, 0, "405: Method Not Allowed"),
    }
}

fn command_object(shared: &Shared, state: &mut State, guild: Option<u64>, sent: &Value) -> Value {
    let mut command = sent.clone();
    let name = sent["name"].as_str().unwrap_or_default().to_owned();
    let id = *state
        .command_ids
        .entry((guild, name))
        .or_insert_with(|| shared.next_id());
    let object = command
        .as_object_mut()
        .expect("command must be a JSON object");
    object.insert("id".into(), json!(id.to_string()));
    object.insert("application_id".into(), json!(APPLICATION_ID.to_string()));
    object.insert("version".into(), json!(shared.next_id().to_string()));
    if let Some(guild) = guild {
        object.insert("guild_id".into(), json!(guild.to_string()));
    }
    for (key, default) in [
        ("type", json!(1)),
        ("description", json!("")),
        ("nsfw", json!(false)),
        ("options", json!([])),
    ] {
        if object.get(key).map_or(true, Value::is_null) {
            object.insert(key.into(), default);
        }
    }
    object
        .entry("default_member_permissions")
        .or_insert(Value::Null);
    if guild.is_none() {
        object.entry("integration_types").or_insert(json!([0]));
        object.entry("contexts").or_insert(Value::Null);
    }
    command
}
