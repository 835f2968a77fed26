//! Proves the fake Discord in `tests/support/` against the real serenity 0.12.5 client: its REST
//! answers and interaction payloads deserialize into serenity's models; a real `Client`
//! connected through the proxy gets READY, registers commands, answers slash commands (guild
//! and DM) and a button, and survives a dropped socket, a close frame and op 7 by resuming; a
//! poise framework runs its start-up, replies, autocomplete, defer and checks against it; and
//! the gateway protocol, shards included, holds up when driven by hand.

mod support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use serenity::all::{
    ChannelId, Client, ClientBuilder, Command, Context, CreateActionRow, CreateAttachment,
    CreateButton, CreateCommand, CreateEmbed, CreateInteractionResponse,
    CreateInteractionResponseMessage, CreateMessage, EditMessage, EventHandler, GatewayIntents,
    GuildId, HttpBuilder, Interaction, Permissions, Ready, UserId,
};
use serenity::http::HttpError;
use support::fake_discord::{
    self as fd, opt_integer, opt_string, opt_user, Caller, FakeDiscord, FakeResponse,
    APPLICATION_ID, BOT_USER_ID, CHANNEL_ID, GUILD_ID, OWNER_USER_ID,
};

const T: Duration = fd::DEFAULT_TIMEOUT;

/// The Discord error code inside a serenity error, if it is an unsuccessful request.
fn discord_error(err: &serenity::Error) -> Option<(u16, isize)> {
    match err {
        serenity::Error::Http(HttpError::UnsuccessfulRequest(response)) => {
            Some((response.status_code.as_u16(), response.error.code))
        }
        _ => None,
    }
}

#[tokio::test]
async fn rest_answers_deserialize_in_serenity() {
    support::init_tracing();
    let fake = FakeDiscord::start().await;
    let http = fake.http();

    let gateway = http.get_gateway().await.expect("GET /gateway");
    assert_eq!(gateway.url, fake.gateway_url());
    let bot_gateway = http.get_bot_gateway().await.expect("GET /gateway/bot");
    assert_eq!(bot_gateway.shards, 1);

    let app = http
        .get_current_application_info()
        .await
        .expect("application info");
    assert_eq!(app.id.get(), APPLICATION_ID);
    assert_eq!(app.owner.expect("owner").id.get(), OWNER_USER_ID);
    let me = http.get_current_user().await.expect("GET /users/@me");
    assert_eq!(me.id.get(), BOT_USER_ID);
    assert!(me.bot);

    // Members: 404 Unknown Member until registered.
    let (guild, ada) = (GuildId::new(GUILD_ID), UserId::new(fd::user_id(1)));
    let missing = http
        .get_member(guild, ada)
        .await
        .expect_err("member not registered yet");
    assert_eq!(discord_error(&missing), Some((404, 10007)));
    fake.add_member(GUILD_ID, fd::user_id(1), "ada");
    let member = http
        .get_member(guild, ada)
        .await
        .expect("registered member");
    assert_eq!(member.user.name, "ada");

    // DM channel, then a message with an embed, a button and a file (multipart).
    let dm = ada.create_dm_channel(&http).await.expect("create DM");
    assert_eq!(dm.id.get(), fd::dm_channel_id(fd::user_id(1)));
    assert_eq!(dm.recipient.id, ada);
    let sent = dm
        .id
        .send_message(
            &http,
            CreateMessage::new()
                .content("your review is due")
                .embed(CreateEmbed::new().title("Review").field("cards", "3", true))
                .components(vec![CreateActionRow::Buttons(vec![CreateButton::new(
                    "review:start",
                )
                .label("Start")])])
                .add_file(CreateAttachment::bytes(b"png bytes".to_vec(), "chart.png")),
        )
        .await
        .expect("send DM with file");
    assert_eq!(sent.content, "your review is due");
    assert_eq!(sent.embeds[0].title.as_deref(), Some("Review"));
    assert_eq!(sent.components.len(), 1);
    assert_eq!(sent.attachments[0].filename, "chart.png");
    assert_eq!(sent.attachments[0].size, 9);
    let post = fake
        .wait_for_request("POST", &format!("/api/v10/channels/{}/messages", dm.id))
        .await;
    assert_eq!(post.body["content"], "your review is due");
    assert_eq!(post.files.len(), 1);
    assert_eq!(post.files[0].field, "files[0]");
    assert_eq!(post.files[0].filename.as_deref(), Some("chart.png"));
    assert_eq!(post.files[0].bytes, b"png bytes");

    let edited = dm
        .id
        .edit_message(&http, sent.id, EditMessage::new().content("done"))
        .await
        .expect("edit message");
    assert_eq!(edited.content, "done");
    assert!(edited.edited_timestamp.is_some());
    assert_eq!(
        edited.embeds.len(),
        1,
        "fields absent from an edit are kept"
    );

    // Scripted DM refusal, decoded by serenity as Discord's error code.
    let dms = format!("/api/v10/channels/{}/messages", dm.id);
    fake.fail_next("POST", &dms, vec![FakeResponse::cannot_dm()]);
    let refused = dm.id.say(&http, "hello?").await.expect_err("DMs closed");
    assert_eq!(discord_error(&refused), Some((403, 50007)));

    // 500 then success: serenity (rate limiter off) does not retry, so the caller does.
    let channel = ChannelId::new(CHANNEL_ID);
    let path = format!("/api/v10/channels/{CHANNEL_ID}/messages");
    fake.fail_next(
        "POST",
        "/api/v10/channels/",
        vec![FakeResponse::server_error()],
    );
    let failed = channel
        .say(&http, "first try")
        .await
        .expect_err("scripted 500");
    assert_eq!(discord_error(&failed), Some((500, 0)));
    channel
        .say(&http, "second try")
        .await
        .expect("second try succeeds");
    let attempts = fake.wait_for_count("POST", &path, 2).await;
    let statuses: Vec<u16> = attempts.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [500, 200]);

    // A 429 reaches the caller too (serenity's rate limiter must be off behind a proxy: it
    // ignores the proxy setting). Like Discord's, the 429 body has no `code`, which serenity
    // reports as -1.
    fake.fail_next("POST", &path, vec![FakeResponse::rate_limited(0.05)]);
    let limited = channel
        .say(&http, "too fast")
        .await
        .expect_err("scripted 429");
    assert_eq!(discord_error(&limited), Some((429, -1)));
    channel
        .say(&http, "after a 429")
        .await
        .expect("then it succeeds");
    let tail: Vec<u16> = fake
        .requests_matching("POST", &path)
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(tail, [500, 200, 429, 200]);
    let limited = &fake.requests_matching("POST", &path)[2];
    assert_eq!(limited.response["retry_after"], 0.05);

    // Anything else: Discord's 404 body, recorded like the rest.
    let unknown = http
        .get_guild(guild)
        .await
        .expect_err("no guild route in the fake");
    assert_eq!(discord_error(&unknown), Some((404, 0)));
    let last = fake.requests().pop().unwrap();
    assert_eq!((last.method.as_str(), last.status), ("GET", 404));
    assert_eq!(last.path, format!("/api/v10/guilds/{GUILD_ID}"));
}

#[tokio::test]
async fn interaction_payloads_deserialize_in_serenity() {
    let fake = FakeDiscord::start().await;
    let parse = |payload: Value| -> Interaction {
        serde_json::from_value(payload.clone())
            .unwrap_or_else(|e| panic!("serenity rejects {payload:#}: {e}"))
    };

    let manager = Caller::manager(fd::user_id(1), "ada");
    fake.add_member(GUILD_ID, fd::user_id(2), "grace");
    let options = json!([
        opt_string("topic", "rust"),
        opt_integer("count", 3),
        opt_user("who", fd::user_id(2))
    ]);
    let Interaction::Command(cmd) = parse(fake.slash_command("quiz start", options, &manager))
    else {
        panic!("not a command")
    };
    assert_eq!(cmd.data.name, "quiz");
    assert_eq!(cmd.guild_id, Some(GuildId::new(GUILD_ID)));
    assert_eq!(
        cmd.user.name, "ada",
        "serenity copies member.user into user"
    );
    let perms = cmd.member.as_ref().unwrap().permissions.unwrap();
    assert!(perms.contains(Permissions::MANAGE_GUILD));
    let sub = &cmd.data.options()[0];
    assert_eq!(sub.name, "start");
    assert_eq!(
        cmd.data.resolved.users[&UserId::new(fd::user_id(2))].name,
        "grace"
    );

    let member = Caller::member(fd::user_id(3), "lin");
    let Interaction::Command(cmd) = parse(fake.slash_command("stats", json!([]), &member)) else {
        panic!("not a command")
    };
    assert!(!cmd
        .member
        .unwrap()
        .permissions
        .unwrap()
        .contains(Permissions::MANAGE_GUILD));

    let Interaction::Command(dm) =
        parse(fake.slash_command("stats", json!([]), &Caller::dm(fd::user_id(3), "lin")))
    else {
        panic!("not a command")
    };
    assert!(dm.guild_id.is_none() && dm.member.is_none());
    assert_eq!(dm.user.id.get(), fd::user_id(3));
    assert_eq!(dm.channel_id.get(), fd::dm_channel_id(fd::user_id(3)));

    let Interaction::Autocomplete(ac) =
        parse(fake.autocomplete("quiz start", "topic", "ru", &member))
    else {
        panic!("not autocomplete")
    };
    let focused = ac.data.autocomplete().expect("focused option");
    assert_eq!((focused.name, focused.value), ("topic", "ru"));

    let message = json!({
        "id": "1600000000000000999", "channel_id": CHANNEL_ID.to_string(),
        "author": { "id": BOT_USER_ID.to_string(), "username": "Quorum", "discriminator": "0", "bot": true, "avatar": null, "global_name": null },
        "content": "pick one", "timestamp": "2024-01-15T10:00:00.000000+00:00", "edited_timestamp": null,
        "tts": false, "mention_everyone": false, "mentions": [], "mention_roles": [], "attachments": [],
        "embeds": [], "pinned": false, "type": 0, "components": [],
    });
    let Interaction::Component(button) = parse(fake.button("next", &message, &member)) else {
        panic!("not a component")
    };
    assert_eq!(button.data.custom_id, "next");
    assert_eq!(button.message.content, "pick one");
    let Interaction::Component(select) =
        parse(fake.select_menu("deck", &["a", "b"], &message, &member))
    else {
        panic!("not a component")
    };
    assert!(matches!(
        select.data.kind,
        serenity::all::ComponentInteractionDataKind::StringSelect { ref values } if values == &["a", "b"]
    ));
}

/// A minimal bot: registers `/ping` on READY and answers it with an embed and a button; the
/// button updates the message. Errors are collected for the test to assert on.
struct PingBot {
    errors: Arc<Mutex<Vec<String>>>,
}

#[serenity::async_trait]
impl EventHandler for PingBot {
    async fn ready(&self, ctx: Context, _ready: Ready) {
        let ping = CreateCommand::new("ping").description("Is the bot alive?");
        if let Err(e) = Command::set_global_commands(&ctx.http, vec![ping]).await {
            self.errors
                .lock()
                .unwrap()
                .push(format!("set_global_commands: {e:?}"));
        }
    }

    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        let result = match interaction {
            Interaction::Command(command) => {
                let embed = CreateEmbed::new()
                    .title("Pong")
                    .description(format!("hello {}", command.user.name));
                let again = CreateButton::new("ping:again").label("Again");
                let message = CreateInteractionResponseMessage::new()
                    .embed(embed)
                    .components(vec![CreateActionRow::Buttons(vec![again])]);
                command
                    .create_response(&ctx.http, CreateInteractionResponse::Message(message))
                    .await
            }
            Interaction::Component(component) => {
                let update = CreateInteractionResponseMessage::new()
                    .content(format!("pressed {}", component.data.custom_id));
                component
                    .create_response(&ctx.http, CreateInteractionResponse::UpdateMessage(update))
                    .await
            }
            _ => Ok(()),
        };
        if let Err(e) = result {
            self.errors
                .lock()
                .unwrap()
                .push(format!("interaction response: {e:?}"));
        }
    }
}

fn assert_pong(callback: &support::Recorded, name: &str) {
    assert_eq!(callback.status, 204, "{callback:?}");
    assert_eq!(callback.body["type"], 4, "CHANNEL_MESSAGE_WITH_SOURCE");
    let embed = &callback.body["data"]["embeds"][0];
    assert_eq!(embed["title"], "Pong");
    assert_eq!(embed["description"], format!("hello {name}"));
    let button = &callback.body["data"]["components"][0]["components"][0];
    assert_eq!(button["custom_id"], "ping:again");
}

#[tokio::test]
async fn real_serenity_client_end_to_end() {
    support::init_tracing();
    let started = Instant::now();
    let fake = FakeDiscord::start().await;
    let errors = Arc::new(Mutex::new(Vec::new()));

    let http = HttpBuilder::new(FakeDiscord::TOKEN)
        .proxy(fake.base_url())
        .ratelimiter_disabled(true)
        .build();
    let mut client: Client = ClientBuilder::new_with_http(http, GatewayIntents::non_privileged())
        .event_handler(PingBot {
            errors: Arc::clone(&errors),
        })
        .await
        .expect("build serenity client");
    let cache = Arc::clone(&client.cache);
    let running = tokio::spawn(async move { client.start().await });

    // READY, then the handler's bulk overwrite.
    fake.wait_until_ready().await;
    let identify = fake.wait_for_gateway_op(|op| op.op == 2, T).await;
    // serenity prefixes the token with "Bot " (in REST headers too).
    assert_eq!(identify.d["token"], format!("Bot {}", FakeDiscord::TOKEN));
    let put = fake
        .wait_for_request(
            "PUT",
            &format!("/api/v10/applications/{APPLICATION_ID}/commands"),
        )
        .await;
    assert_eq!(put.status, 200);
    assert_eq!(put.body[0]["name"], "ping");
    assert!(fake.command_id("ping").is_some());
    assert_eq!(fake.registered_commands(None)[0]["name"], "ping");

    // A slash command in the guild and one in a DM.
    let ada = Caller::member(fd::user_id(1), "ada");
    let (in_guild, callback) = fake
        .interact(fake.slash_command("ping", json!([]), &ada))
        .await;
    assert_pong(&callback, "ada");
    let grace = Caller::dm(fd::user_id(2), "grace");
    let (_, callback) = fake
        .interact(fake.slash_command("ping", json!([]), &grace))
        .await;
    assert_pong(&callback, "grace");

    // A button on the guild reply.
    let original = fake.original_message(&in_guild);
    assert_eq!(original["embeds"][0]["title"], "Pong");
    let (pressed, callback) = fake
        .interact(fake.button("ping:again", &original, &ada))
        .await;
    assert_eq!(callback.status, 204);
    assert_eq!(callback.body["type"], 7, "UPDATE_MESSAGE");
    assert_eq!(callback.body["data"]["content"], "pressed ping:again");
    assert_eq!(
        fake.original_message(&pressed)["content"],
        "pressed ping:again"
    );

    // The interaction webhook routes: @original and follow-ups, through serenity's Http.
    let http = fake.http();
    let token = in_guild.token.as_str();
    let original = http
        .get_original_interaction_response(token)
        .await
        .expect("@original");
    assert_eq!(original.embeds[0].title.as_deref(), Some("Pong"));
    let edited = http
        .edit_original_interaction_response(token, &json!({ "content": "edited" }), vec![])
        .await
        .expect("edit @original");
    assert_eq!(
        (edited.id, edited.content.as_str()),
        (original.id, "edited")
    );
    let more = http
        .create_followup_message(token, &json!({ "content": "more" }), vec![])
        .await
        .expect("follow-up");
    assert_eq!(more.webhook_id.map(|w| w.get()), Some(APPLICATION_ID));
    let changed = http
        .edit_followup_message(token, more.id, &json!({ "content": "less" }), vec![])
        .await
        .expect("edit follow-up");
    assert_eq!(changed.content, "less");
    http.delete_followup_message(token, more.id)
        .await
        .expect("delete follow-up");
    let gone = http
        .get_followup_message(token, more.id)
        .await
        .expect_err("deleted");
    assert_eq!(discord_error(&gone), Some((404, 10008)));
    assert_eq!(
        fake.requests_for(&in_guild).len(),
        7,
        "callback + 6 webhook calls"
    );

    // Drop the socket: serenity 0.12.5 reconnects and RESUMEs the session (no new IDENTIFY).
    let last_seq = 4; // READY (1) + three interactions
    fake.drop_connection().await;
    let resume = fake.wait_for_gateway_op(|op| op.op == 6, T).await;
    assert_eq!(resume.connection, 2, "RESUME on a new socket");
    assert_eq!(resume.d["session_id"], "fakesession0001");
    assert_eq!(resume.d["seq"], last_seq);
    fake.wait_until_ready().await;
    assert_eq!(fake.identify_count(), 1, "resumed, not re-identified");
    assert_eq!(fake.resume_count(), 1);

    let (_, callback) = fake
        .interact(fake.slash_command("ping", json!([]), &ada))
        .await;
    assert_pong(&callback, "ada");

    // A close frame with a resumable code (4000, "unknown error") also leads to a RESUME.
    fake.close_connection(4000).await;
    let resume = fake
        .wait_for_gateway_op(|op| op.op == 6 && op.connection == 3, T)
        .await;
    assert_eq!(
        resume.d["seq"],
        last_seq + 2,
        "RESUMED (5) and the interaction (6)"
    );
    fake.wait_until_ready().await;
    assert_eq!((fake.identify_count(), fake.resume_count()), (1, 2));

    // op 7 RECONNECT: serenity opens a new socket and resumes as well.
    fake.send_reconnect().await;
    fake.wait_for_gateway_op(|op| op.op == 6 && op.connection == 4, T)
        .await;
    fake.wait_until_ready().await;
    assert_eq!(
        (
            fake.identify_count(),
            fake.resume_count(),
            fake.connection_count()
        ),
        (1, 3, 4)
    );

    // GUILD_CREATE (opt-in) fills serenity's cache with the guild and registered members.
    fake.add_member(GUILD_ID, fd::user_id(1), "ada");
    fake.send_guild_create(GUILD_ID, "Study Group").await;
    let deadline = Instant::now() + T;
    let guild_name = loop {
        if let Some(guild) = cache.guild(GuildId::new(GUILD_ID)) {
            assert!(guild.members.contains_key(&UserId::new(fd::user_id(1))));
            assert!(guild.channels.contains_key(&ChannelId::new(CHANNEL_ID)));
            break guild.name.clone();
        }
        assert!(
            Instant::now() < deadline,
            "guild never reached serenity's cache"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    assert_eq!(guild_name, "Study Group");

    // Scripted 500 then success on a REST call made through the bot's own Http.
    let path = format!("/api/v10/channels/{CHANNEL_ID}/messages");
    fake.fail_next("POST", &path, vec![FakeResponse::server_error()]);
    let bot_http = fake.http();
    let channel = ChannelId::new(CHANNEL_ID);
    assert!(channel.say(&bot_http, "hi").await.is_err());
    channel.say(&bot_http, "hi").await.expect("second attempt");
    let posts = fake.wait_for_count("POST", &path, 2).await;
    assert_eq!(
        posts.iter().map(|r| r.status).collect::<Vec<_>>(),
        [500, 200]
    );

    assert!(
        errors.lock().unwrap().is_empty(),
        "handler errors: {:?}",
        errors.lock().unwrap()
    );
    assert!(
        !running.is_finished(),
        "client stopped: {:?}",
        running.await
    );
    // No graceful shutdown_all(): serenity's runner only reads its control channel between
    // 500 ms gateway polls, and the test runtime's teardown ends the client anyway.
    running.abort();
    eprintln!("end-to-end smoke test took {:?}", started.elapsed());
}

/// The gateway protocol without serenity: HELLO, heartbeat ACK, READY's sequence number,
/// INVALID_SESSION for a stranger's RESUME, dispatches and close codes.
#[tokio::test]
async fn gateway_protocol_by_hand() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;

    async fn next_json(
        ws: &mut tokio_tungstenite::WebSocketStream<
            tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
        >,
    ) -> Message {
        tokio::time::timeout(T, ws.next())
            .await
            .expect("gateway went quiet")
            .unwrap()
            .unwrap()
    }
    fn parse(message: Message) -> Value {
        serde_json::from_str(message.to_text().unwrap()).unwrap()
    }

    let fake = FakeDiscord::start().await;
    let url = format!("{}/?v=10", fake.gateway_url());
    let (mut ws, _) = tokio_tungstenite::connect_async(url.as_str())
        .await
        .expect("connect");
    let hello = parse(next_json(&mut ws).await);
    assert_eq!(hello["op"], 10);
    assert_eq!(hello["d"]["heartbeat_interval"], 41250);

    ws.send(Message::Text(json!({"op": 1, "d": null}).to_string()))
        .await
        .unwrap();
    assert_eq!(parse(next_json(&mut ws).await)["op"], 11);

    let identify = json!({"op": 2, "d": {"token": "Bot x", "intents": 0, "properties": {}}});
    ws.send(Message::Text(identify.to_string())).await.unwrap();
    let ready = parse(next_json(&mut ws).await);
    assert_eq!(
        (ready["op"].clone(), ready["t"].clone(), ready["s"].clone()),
        (json!(0), json!("READY"), json!(1))
    );
    let event: serenity::model::event::GatewayEvent =
        serde_json::from_value(ready.clone()).unwrap();
    assert!(matches!(
        event,
        serenity::model::event::GatewayEvent::Dispatch(1, serenity::model::event::Event::Ready(_))
    ));
    assert_eq!(ready["d"]["resume_gateway_url"], fake.gateway_url());
    assert_eq!(ready["d"]["guilds"][0]["id"], GUILD_ID.to_string());

    let seq = fake
        .dispatch_unchecked("TYPING_START", json!({"channel_id": "1"}))
        .await;
    assert_eq!(seq, 2);
    let typing = parse(next_json(&mut ws).await);
    assert_eq!(
        (typing["t"].clone(), typing["s"].clone()),
        (json!("TYPING_START"), json!(2))
    );

    let resume = json!({"op": 6, "d": {"token": "Bot x", "session_id": "someone-else", "seq": 2}});
    ws.send(Message::Text(resume.to_string())).await.unwrap();
    let invalid = parse(next_json(&mut ws).await);
    assert_eq!(
        (invalid["op"].clone(), invalid["d"].clone()),
        (json!(9), json!(false))
    );

    fake.close_connection(4000).await;
    match next_json(&mut ws).await {
        Message::Close(Some(frame)) => assert_eq!(u16::from(frame.code), 4000),
        other => panic!("expected a close frame, got {other:?}"),
    }
    let ops: Vec<u64> = fake.gateway_ops().iter().map(|op| op.op).collect();
    assert_eq!(ops, [1, 2, 6]);
}

/// Two sockets identify as shards 0 and 1 of 2: each server's events reach only the socket of
/// its shard, DMs reach shard 0, each shard counts its own sequence, and a shard outside its
/// total is closed with 4010 as Discord does.
#[tokio::test]
async fn the_gateway_sends_each_servers_events_to_its_shard_and_dms_to_shard_0() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    type Socket = tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >;

    async fn next(ws: &mut Socket) -> Message {
        tokio::time::timeout(T, ws.next())
            .await
            .expect("gateway went quiet")
            .unwrap()
            .unwrap()
    }
    async fn next_json(ws: &mut Socket) -> Value {
        serde_json::from_str(next(ws).await.to_text().unwrap()).unwrap()
    }
    async fn identify(fake: &FakeDiscord, shard: [u32; 2]) -> (Socket, Value) {
        let url = format!("{}/?v=10", fake.gateway_url());
        let (mut ws, _) = tokio_tungstenite::connect_async(url.as_str())
            .await
            .expect("connect");
        assert_eq!(next_json(&mut ws).await["op"], 10, "HELLO");
        let identify = json!({"op": 2, "d": {"token": "Bot x", "intents": 0, "properties": {}, "shard": shard}});
        ws.send(Message::Text(identify.to_string())).await.unwrap();
        let ready = next_json(&mut ws).await;
        (ws, ready)
    }

    let fake = FakeDiscord::start().await;
    fake.recommend_shards(2);
    let (zero, one) = (fd::guild_on_shard(0, 2), fd::guild_on_shard(1, 2));
    fake.add_guild(zero);
    fake.add_guild(one);
    let in_one = Caller::member(fd::user_id(1), "ada").in_guild(one, fd::channel_id(7));
    let in_zero = Caller::member(fd::user_id(1), "ada").in_guild(zero, fd::channel_id(8));

    let bot_gateway = fake
        .http()
        .get_bot_gateway()
        .await
        .expect("GET /gateway/bot");
    let (mut ws0, ready0) = identify(&fake, [0, 2]).await;
    let (mut ws1, ready1) = identify(&fake, [1, 2]).await;
    fake.send_guild_create(one, "Shard One").await;
    let dm = fake
        .send_interaction(fake.slash_command("ping", json!([]), &Caller::dm(fd::user_id(2), "bo")))
        .await;
    let guild_one = fake
        .send_interaction(fake.slash_command("ping", json!([]), &in_one))
        .await;
    let guild_zero = fake
        .send_interaction(fake.slash_command("ping", json!([]), &in_zero))
        .await;

    assert_eq!(bot_gateway.shards, 2);
    let listed = |ready: &Value| -> Vec<String> {
        let guilds = ready["d"]["guilds"].as_array().unwrap();
        guilds
            .iter()
            .map(|g| g["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert!(listed(&ready0).contains(&zero.to_string()), "{ready0}");
    assert!(!listed(&ready0).contains(&one.to_string()), "{ready0}");
    assert_eq!(listed(&ready1), [one.to_string()]);
    assert_eq!(ready1["d"]["shard"], json!([1, 2]));
    assert_ne!(ready0["d"]["session_id"], ready1["d"]["session_id"]);
    let event = |frame: Value| (frame["t"].as_str().unwrap().to_owned(), frame["s"].clone());
    // Shard 0 sees the DM, then its own server's interaction; nothing of server `one`.
    let first = next_json(&mut ws0).await;
    assert_eq!(
        event(first.clone()),
        ("INTERACTION_CREATE".into(), json!(2))
    );
    assert_eq!(first["d"]["id"], dm.id.to_string());
    let second = next_json(&mut ws0).await;
    assert_eq!(second["d"]["id"], guild_zero.id.to_string());
    // Shard 1 sees its server's GUILD_CREATE and interaction, numbered in its own session.
    assert_eq!(
        event(next_json(&mut ws1).await),
        ("GUILD_CREATE".into(), json!(2))
    );
    let third = next_json(&mut ws1).await;
    assert_eq!(
        event(third.clone()),
        ("INTERACTION_CREATE".into(), json!(3))
    );
    assert_eq!(third["d"]["id"], guild_one.id.to_string());
    assert_eq!(
        [&dm, &guild_one, &guild_zero].map(|h| fake.interaction_shard(h)),
        [Some(0), Some(1), Some(0)]
    );

    let (mut invalid, _) = {
        let url = format!("{}/?v=10", fake.gateway_url());
        tokio_tungstenite::connect_async(url.as_str())
            .await
            .expect("connect")
    };
    next(&mut invalid).await; // HELLO
    let identify =
        json!({"op": 2, "d": {"token": "Bot x", "intents": 0, "properties": {}, "shard": [2, 2]}});
    invalid
        .send(Message::Text(identify.to_string()))
        .await
        .unwrap();
    match next(&mut invalid).await {
        Message::Close(Some(frame)) => assert_eq!(u16::from(frame.code), 4010),
        other => panic!("expected close 4010 (Invalid shard), got {other:?}"),
    }
    assert_eq!(fake.identified_shards(), [[0, 2], [1, 2], [2, 2]]);
}

// ----- poise on top of the fake --------------------------------------------------------------

type PoiseError = Box<dyn std::error::Error + Send + Sync>;
type PoiseContext<'a> = poise::Context<'a, (), PoiseError>;

async fn topics(
    _ctx: PoiseContext<'_>,
    partial: &str,
) -> serenity::all::CreateAutocompleteResponse {
    let choices = ["rust", "sql", "ruby"]
        .into_iter()
        .filter(|t| t.starts_with(partial))
        .map(serenity::all::AutocompleteChoice::from)
        .collect();
    serenity::all::CreateAutocompleteResponse::new().set_choices(choices)
}

/// Study a topic.
#[poise::command(slash_command)]
async fn study(
    ctx: PoiseContext<'_>,
    #[description = "Topic"]
    #[autocomplete = "topics"]
    topic: String,
) -> Result<(), PoiseError> {
    ctx.say(format!("studying {topic}")).await?;
    Ok(())
}

/// Takes a while.
#[poise::command(slash_command)]
async fn slow(ctx: PoiseContext<'_>) -> Result<(), PoiseError> {
    ctx.defer().await?;
    ctx.say("done").await?;
    Ok(())
}

/// Needs Manage Server.
#[poise::command(slash_command, required_permissions = "MANAGE_GUILD")]
async fn setup(ctx: PoiseContext<'_>) -> Result<(), PoiseError> {
    ctx.say("configured").await?;
    Ok(())
}

/// Owner only.
#[poise::command(slash_command, owners_only)]
async fn shutdown(ctx: PoiseContext<'_>) -> Result<(), PoiseError> {
    ctx.say("bye").await?;
    Ok(())
}

/// The flows a poise bot relies on: application info at start, registration in `setup`,
/// replies, autocomplete, defer + follow-up, permission and owner checks.
#[tokio::test]
async fn poise_framework_on_the_fake() {
    support::init_tracing();
    let fake = FakeDiscord::start().await;
    let framework = poise::Framework::builder()
        .options(poise::FrameworkOptions {
            commands: vec![study(), slow(), setup(), shutdown()],
            ..Default::default()
        })
        .setup(|ctx, _ready, framework| {
            Box::pin(async move {
                poise::builtins::register_globally(ctx, &framework.options().commands).await?;
                Ok(())
            })
        })
        .build();
    let http = HttpBuilder::new(FakeDiscord::TOKEN)
        .proxy(fake.base_url())
        .ratelimiter_disabled(true)
        .build();
    let mut client = ClientBuilder::new_with_http(http, GatewayIntents::non_privileged())
        .framework(framework)
        .await
        .expect("build poise client");
    let running = tokio::spawn(async move { client.start().await });

    // poise asked for the application (owners) before connecting, then registered commands.
    let info = fake
        .wait_for_request("GET", "/api/v10/oauth2/applications/@me")
        .await;
    assert_eq!(info.status, 200);
    let put = fake
        .wait_for_request(
            "PUT",
            &format!("/api/v10/applications/{APPLICATION_ID}/commands"),
        )
        .await;
    let names: Vec<&str> = put
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(names, ["study", "slow", "setup", "shutdown"]);

    let ada = Caller::member(fd::user_id(1), "ada");
    let (_, reply) = fake
        .interact(fake.slash_command("study", json!([opt_string("topic", "rust")]), &ada))
        .await;
    assert_eq!(reply.body["data"]["content"], "studying rust");

    let (_, choices) = fake
        .interact(fake.autocomplete("study", "topic", "r", &ada))
        .await;
    assert_eq!(
        choices.body["type"], 8,
        "APPLICATION_COMMAND_AUTOCOMPLETE_RESULT"
    );
    let names: Vec<&str> = choices.body["data"]["choices"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(names, ["rust", "ruby"]);

    // Defer, then the follow-up fills in the "thinking..." original, as on Discord.
    let (slow_handle, deferred) = fake
        .interact(fake.slash_command("slow", json!([]), &ada))
        .await;
    assert_eq!(
        deferred.body["type"], 5,
        "DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE"
    );
    let follow_up = fake
        .wait_for_request("POST", &slow_handle.webhook_path())
        .await;
    assert_eq!(follow_up.body["content"], "done");
    assert_eq!(follow_up.status, 200);
    assert_eq!(fake.original_message(&slow_handle)["content"], "done");

    // required_permissions reads the member permissions of the interaction.
    let (_, denied) = fake
        .interact(fake.slash_command("setup", json!([]), &ada))
        .await;
    let refusal = denied.body["data"]["content"].as_str().unwrap_or_default();
    assert!(
        refusal.starts_with("You're lacking permissions for `/setup`"),
        "{refusal}"
    );
    assert_eq!(denied.body["data"]["flags"], 64, "ephemeral");
    let boss = Caller::manager(fd::user_id(2), "grace");
    let (_, allowed) = fake
        .interact(fake.slash_command("setup", json!([]), &boss))
        .await;
    assert_eq!(allowed.body["data"]["content"], "configured");

    // owners_only uses the owner from GET /oauth2/applications/@me.
    let owner = Caller::dm(OWNER_USER_ID, "quorum-owner");
    let (_, bye) = fake
        .interact(fake.slash_command("shutdown", json!([]), &owner))
        .await;
    assert_eq!(bye.body["data"]["content"], "bye");
    let (_, refused) = fake
        .interact(fake.slash_command("shutdown", json!([]), &ada))
        .await;
    assert_eq!(
        refused.body["data"]["content"],
        "Only bot owners can call this command"
    );

    assert!(
        !running.is_finished(),
        "client stopped: {:?}",
        running.await
    );
}

/// The harness's futures are `Send`, so tests may drive them from spawned tasks.
#[tokio::test]
async fn harness_futures_are_send() {
    fn assert_send<T: Send>(_: &T) {}
    let fake = FakeDiscord::start().await;
    let who = Caller::member(fd::user_id(1), "ada");
    assert_send(&fake.wait_until_ready());
    assert_send(&fake.dispatch("TYPING_START", json!({})));
    assert_send(&fake.drop_connection());
    assert_send(&fake.close_connection(4000));
    assert_send(&fake.send_reconnect());
    assert_send(&fake.send_guild_create(GUILD_ID, "g"));
    assert_send(&fake.interact(fake.slash_command("ping", json!([]), &who)));
    assert_send(&fake.wait_for(|_| true, T));
    assert_send(&fake.wait_for_count("GET", "/", 1));
    assert_send(&fake.wait_for_gateway_op(|_| true, T));
}
