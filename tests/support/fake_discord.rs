//! A fake Discord (REST API + gateway) on 127.0.0.1 for end-to-end tests of the real bot.
//!
//! Discord itself is not reachable from tests, so the bot's real serenity client is pointed at
//! this fake through serenity's proxy support:
//!
//! ```ignore
//! let fake = FakeDiscord::start().await;
//! let http = HttpBuilder::new(FakeDiscord::TOKEN)
//!     .proxy(fake.base_url())
//!     .ratelimiter_disabled(true)
//!     .build();
//! let client = ClientBuilder::new_with_http(http, intents).event_handler(handler).await?;
//! ```
//!
//! serenity then rewrites every `https://discord.com/api/v10/...` URL onto [`FakeDiscord::base_url`],
//! asks `GET /api/v10/gateway` for the websocket URL and connects a shard to the fake gateway,
//! which speaks the real protocol (HELLO, IDENTIFY -> READY, heartbeats, RESUME -> RESUMED).
//!
//! What the fake gives a test:
//! * every REST request is recorded ([`Recorded`]) and answered like Discord would, with objects
//!   that serenity deserializes (routes in `rest.rs`, the bot's messages and interaction
//!   responses in `messages.rs`, object shapes in `payloads.rs`); [`FakeDiscord::wait_for`]
//!   waits for one;
//! * scripted failures ([`FakeDiscord::fail_next`] with [`FakeResponse`]) for 5xx, 429 and
//!   Discord's JSON errors (e.g. "Cannot send messages to this user");
//! * gateway control (see `gateway.rs`): [`FakeDiscord::wait_until_ready`],
//!   [`FakeDiscord::dispatch`], [`FakeDiscord::drop_connection`] and a log of the ops the client
//!   sent, so a test can assert that a dropped socket was followed by a RESUME;
//! * shards: each shard identifies its own session, a server's events go to the shard Discord
//!   would send them to ([`shard_of`]) and DMs to shard 0, so several bot processes can share
//!   one fake; [`FakeDiscord::identified_shards`], [`FakeDiscord::interaction_shard`] and
//!   [`FakeDiscord::registrations`] tell a test who did what;
//! * interaction payloads shaped like Discord's (see `interactions.rs`), checked against serenity's
//!   own model before they are sent, because serenity silently drops an `INTERACTION_CREATE` it
//!   cannot deserialize.
//!
//! Every wait has a timeout and panics with what did arrive, so a broken bot fails a test
//! quickly and readably instead of hanging it.

mod gateway;
mod interactions;
mod messages;
pub mod payloads;
mod records;
mod rest;

use std::collections::{HashMap, VecDeque};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::Notify;

pub use gateway::GatewayOp;
pub use interactions::{Caller, PERMS_MANAGER, PERMS_MEMBER};
pub use payloads::{
    opt_bool, opt_channel, opt_integer, opt_number, opt_role, opt_string, opt_user,
};
pub use records::{FakeResponse, InteractionHandle, Recorded, RecordedFile};

/// The application (client) id of the fake bot. Interaction webhooks and command routes use it.
pub const APPLICATION_ID: u64 = 1_100_000_000_000_000_001;
/// The bot's user id. Deliberately different from [`APPLICATION_ID`] (on Discord they are often
/// equal) so that code mixing the two up fails in tests.
pub const BOT_USER_ID: u64 = 1_100_000_000_000_000_002;
/// The bot's user name, as READY and `GET /users/@me` report it.
pub const BOT_NAME: &str = "Quorum";
/// The owner of the application, as `GET /oauth2/applications/@me` reports it (poise reads it to
/// fill its owner list).
pub const OWNER_USER_ID: u64 = 1_100_000_000_000_000_003;
/// The guild the bot is in by default (listed in READY).
pub const GUILD_ID: u64 = guild_id(1);
/// The default text channel of [`GUILD_ID`], used by [`Caller::member`] and friends.
pub const CHANNEL_ID: u64 = channel_id(1);
/// How long every `wait_*` helper waits before panicking.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long the gateway waits for a shard: serenity starts the shards of one process 5 s apart.
pub const SHARD_TIMEOUT: Duration = Duration::from_secs(30);

/// The shard Discord sends `guild`'s events to when the bot has `total` shards.
pub const fn shard_of(guild: u64, total: u32) -> u32 {
    ((guild >> 22) % total as u64) as u32
}

/// A test guild whose events go to `shard` of `total` (the first such after [`GUILD_ID`]'s
/// number). The low 22 bits of a snowflake do not count, so the candidates step by 2^22.
pub const fn guild_on_shard(shard: u32, total: u32) -> u64 {
    let mut step = 0;
    loop {
        let guild = guild_id(1 + (step << 22));
        if shard_of(guild, total) == shard {
            return guild;
        }
        step += 1;
    }
}

/// The snowflake of test guild number `n`.
pub const fn guild_id(n: u64) -> u64 {
    1_200_000_000_000_000_000 + n
}

/// The snowflake of test user number `n`.
pub const fn user_id(n: u64) -> u64 {
    1_300_000_000_000_000_000 + n
}

/// The snowflake of test channel number `n`.
pub const fn channel_id(n: u64) -> u64 {
    1_400_000_000_000_000_000 + n
}

/// The DM channel the fake opens between the bot and `user` (`POST /users/@me/channels`, and the
/// channel of a DM interaction from that user). Stable, so tests can predict it.
pub const fn dm_channel_id(user: u64) -> u64 {
    1_500_000_000_000_000_000 + user % 100_000_000_000_000_000
}

/// The running fake. Cheap to clone; the servers stop when the last clone is dropped (or when
/// the test's runtime shuts down).
#[derive(Clone)]
pub struct FakeDiscord {
    shared: Arc<Shared>,
    base_url: String,
    _tasks: Arc<AbortOnDrop>,
}

struct AbortOnDrop(Vec<tokio::task::AbortHandle>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        for task in &self.0 {
            task.abort();
        }
    }
}

/// State shared by the REST handler, the gateway connections and the test.
pub(crate) struct Shared {
    state: Mutex<State>,
    /// Woken on every change of `state` (new request, gateway op, connection change).
    changed: Notify,
    next_id: AtomicU64,
    /// `ws://127.0.0.1:PORT`, what `/gateway` and READY's `resume_gateway_url` report.
    ws_url: String,
}

#[derive(Default)]
struct State {
    requests: Vec<Recorded>,
    scripted: Vec<Scripted>,
    /// (method, path prefix, delay): requests that the fake answers only after a while.
    delays: Vec<(String, String, Duration)>,
    /// (guild, user) -> display name.
    members: HashMap<(u64, u64), String>,
    /// Names of users the fake has heard of (members, callers), for user objects.
    user_names: HashMap<u64, String>,
    /// Guilds listed in READY.
    guilds: Vec<u64>,
    /// (guild or None for global, name) -> command id, kept across overwrites like Discord.
    command_ids: HashMap<(Option<u64>, String), u64>,
    /// Last bulk-overwritten/created commands: global under `None`.
    commands: HashMap<Option<u64>, Vec<Value>>,
    /// Messages the bot created (channel messages, interaction responses, follow-ups).
    messages: HashMap<u64, Value>,
    /// (channel, nonce) -> (message, when): Discord's `enforce_nonce` deduplication.
    nonces: HashMap<(u64, String), (u64, std::time::Instant)>,
    /// (method, path prefix) whose requests in flight are counted: (now, most at once).
    in_flight: Option<(String, String, usize, usize)>,
    /// Interactions the fake dispatched, by token.
    interactions: HashMap<String, messages::InteractionState>,
    gateway: gateway::GatewayState,
}

struct Scripted {
    method: String,
    path_prefix: String,
    responses: VecDeque<FakeResponse>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panicking test thread must not turn every later wait into a poison panic.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn notify(&self) {
        self.changed.notify_waiters();
    }

    /// A fresh snowflake for interactions, messages, commands, attachments...
    fn next_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// Waits until `check` returns `Some`, re-checking on every state change. Panics after
    /// `timeout` with `what` and the output of `describe`.
    async fn wait_until<T>(
        &self,
        timeout: Duration,
        what: &str,
        mut check: impl FnMut(&State) -> Option<T>,
        describe: impl FnOnce(&State) -> String,
    ) -> T {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.changed.notified();
            tokio::pin!(notified);
            // Register before checking so a change between the check and the await is not lost.
            notified.as_mut().enable();
            if let Some(found) = check(&self.lock()) {
                return found;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                if let Some(found) = check(&self.lock()) {
                    return found;
                }
                let state = self.lock();
                panic!(
                    "fake Discord: timed out after {timeout:?} waiting for {what}\n{}",
                    describe(&state)
                );
            }
        }
    }
}

fn describe_requests(state: &State) -> String {
    let mut out = format!("REST requests received ({}):\n", state.requests.len());
    for request in &state.requests {
        let _ = writeln!(out, "  {}", request.summary());
    }
    out
}

impl FakeDiscord {
    /// The token to give serenity's `HttpBuilder` (the fake accepts any token).
    pub const TOKEN: &'static str = "fake-bot-token";

    /// Binds the REST server and the gateway listener on 127.0.0.1 (random free ports).
    pub async fn start() -> FakeDiscord {
        let rest_listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind fake REST port");
        let ws_listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind fake gateway port");
        let base_url = format!("http://{}", rest_listener.local_addr().unwrap());
        let ws_url = format!("ws://{}", ws_listener.local_addr().unwrap());

        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                guilds: vec![GUILD_ID],
                ..State::default()
            }),
            changed: Notify::new(),
            next_id: AtomicU64::new(1_600_000_000_000_000_000),
            ws_url,
        });

        let app = rest::router(Arc::clone(&shared));
        let rest_task = tokio::spawn(async move {
            axum::serve(rest_listener, app)
                .await
                .expect("fake REST server failed");
        });
        let ws_task = tokio::spawn(gateway::accept_loop(ws_listener, Arc::clone(&shared)));

        FakeDiscord {
            shared,
            base_url,
            _tasks: Arc::new(AbortOnDrop(vec![
                rest_task.abort_handle(),
                ws_task.abort_handle(),
            ])),
        }
    }

    /// `http://127.0.0.1:PORT`: the value for `HttpBuilder::proxy`.
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    /// `ws://127.0.0.1:PORT`: the gateway URL the fake hands out.
    pub fn gateway_url(&self) -> String {
        self.shared.ws_url.clone()
    }

    /// A serenity `Http` pointed at the fake, knowing [`APPLICATION_ID`] (needed for the
    /// interaction webhook routes). serenity's rate limiter must be off: it sends requests to
    /// discord.com whatever the proxy setting says.
    pub fn http(&self) -> serenity::http::Http {
        serenity::http::HttpBuilder::new(Self::TOKEN)
            .proxy(self.base_url())
            .ratelimiter_disabled(true)
            .application_id(APPLICATION_ID.into())
            .build()
    }

    // ----- REST log -------------------------------------------------------------------------

    /// A snapshot of every REST request received so far, in order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.lock().requests.clone()
    }

    /// The recorded requests with `method` on a path starting with `path_prefix`.
    pub fn requests_matching(&self, method: &str, path_prefix: &str) -> Vec<Recorded> {
        self.requests()
            .into_iter()
            .filter(|r| r.is(method, path_prefix))
            .collect()
    }

    /// How many requests used `method` on a path starting with `path_prefix` and got
    /// `status` (without copying them: for runs with thousands of requests).
    pub fn count_answered(&self, method: &str, path_prefix: &str, status: u16) -> usize {
        self.shared
            .lock()
            .requests
            .iter()
            .filter(|r| r.status == status && r.is(method, path_prefix))
            .count()
    }

    /// Every request the bot made for one interaction: its callback, `@original` edits and
    /// follow-ups.
    pub fn requests_for(&self, handle: &InteractionHandle) -> Vec<Recorded> {
        let callback = handle.callback_path();
        let webhook = handle.webhook_path();
        self.requests()
            .into_iter()
            .filter(|r| r.path == callback || r.path.starts_with(&webhook))
            .collect()
    }

    /// Waits (up to `timeout`) for a request matching `predicate` (already received ones count)
    /// and returns the first one. Panics with the list of received requests on timeout.
    pub async fn wait_for(
        &self,
        predicate: impl Fn(&Recorded) -> bool,
        timeout: Duration,
    ) -> Recorded {
        self.wait_for_described("a matching REST request", predicate, timeout)
            .await
    }

    async fn wait_for_described(
        &self,
        what: &str,
        predicate: impl Fn(&Recorded) -> bool,
        timeout: Duration,
    ) -> Recorded {
        self.shared
            .wait_until(
                timeout,
                what,
                |state| state.requests.iter().find(|r| predicate(r)).cloned(),
                describe_requests,
            )
            .await
    }

    /// Waits until at least `count` requests match `predicate`; returns all that match.
    pub async fn wait_for_matching(
        &self,
        predicate: impl Fn(&Recorded) -> bool,
        count: usize,
        timeout: Duration,
    ) -> Vec<Recorded> {
        self.shared
            .wait_until(
                timeout,
                &format!("{count} matching REST requests"),
                |state| {
                    let found: Vec<Recorded> = state
                        .requests
                        .iter()
                        .filter(|r| predicate(r))
                        .cloned()
                        .collect();
                    (found.len() >= count).then_some(found)
                },
                describe_requests,
            )
            .await
    }

    /// Waits until at least `count` requests used `method` on a path starting with
    /// `path_prefix` (counting ones already received); returns them all.
    pub async fn wait_for_count(
        &self,
        method: &str,
        path_prefix: &str,
        count: usize,
    ) -> Vec<Recorded> {
        self.shared
            .wait_until(
                DEFAULT_TIMEOUT,
                &format!("{count} x {method} {path_prefix}..."),
                |state| {
                    let found: Vec<Recorded> = state
                        .requests
                        .iter()
                        .filter(|r| r.is(method, path_prefix))
                        .cloned()
                        .collect();
                    (found.len() >= count).then_some(found)
                },
                describe_requests,
            )
            .await
    }

    /// [`Self::wait_for`] a request with `method` on a path starting with `path_prefix`.
    pub async fn wait_for_request(&self, method: &str, path_prefix: &str) -> Recorded {
        let what = format!("{method} {path_prefix}...");
        self.wait_for_described(&what, |r| r.is(method, path_prefix), DEFAULT_TIMEOUT)
            .await
    }

    /// Waits for the bot's `POST /interactions/{id}/{token}/callback` for `handle`; its body is
    /// `{"type": ..., "data": ...}`.
    pub async fn wait_for_callback(&self, handle: &InteractionHandle) -> Recorded {
        let path = handle.callback_path();
        let what = format!("the bot's callback POST {path}");
        self.wait_for_described(
            &what,
            |r| r.method == "POST" && r.path == path,
            DEFAULT_TIMEOUT,
        )
        .await
    }

    // ----- scripting and fixtures -----------------------------------------------------------

    /// The next requests with `method` on a path starting with `path_prefix` get `responses`,
    /// one each, in order; after that the route answers normally again. Scripted answers are
    /// recorded like any other request. Several calls for the same route queue up.
    ///
    /// ```ignore
    /// fake.fail_next("POST", "/api/v10/channels/", vec![
    ///     FakeResponse::server_error(),
    ///     FakeResponse::rate_limited(0.05),
    /// ]); // the third POST succeeds
    /// ```
    pub fn fail_next(&self, method: &str, path_prefix: &str, responses: Vec<FakeResponse>) {
        self.shared.lock().scripted.push(Scripted {
            method: method.to_ascii_uppercase(),
            path_prefix: path_prefix.to_owned(),
            responses: responses.into(),
        });
    }

    /// From now on, answers every `method` request under `path_prefix` only after `by`: a slow
    /// Discord.
    pub fn delay(&self, method: &str, path_prefix: &str, by: Duration) {
        self.shared
            .lock()
            .delays
            .push((method.to_ascii_uppercase(), path_prefix.to_owned(), by));
    }

    /// Forgets every [`Self::delay`]: Discord answers at once again.
    pub fn clear_delays(&self) {
        self.shared.lock().delays.clear();
    }

    /// From now on, counts the `method` requests under `path_prefix` that have arrived and are
    /// not answered yet; [`Self::most_in_flight`] tells the most there were at once.
    pub fn count_in_flight(&self, method: &str, path_prefix: &str) {
        self.shared.lock().in_flight =
            Some((method.to_ascii_uppercase(), path_prefix.to_owned(), 0, 0));
    }

    /// The most requests counted by [`Self::count_in_flight`] at once.
    pub fn most_in_flight(&self) -> usize {
        self.shared.lock().in_flight.as_ref().map_or(0, |c| c.3)
    }

    /// How many distinct messages the bot created in `channel` (a deduplicated resend counts
    /// once).
    pub fn messages_in(&self, channel: u64) -> usize {
        let wanted = channel.to_string();
        self.shared
            .lock()
            .messages
            .values()
            .filter(|m| m["channel_id"].as_str() == Some(wanted.as_str()))
            .count()
    }

    /// Makes `GET /guilds/{guild}/members/{user}` answer with a member called `name` (without
    /// it the fake answers 404 Unknown Member, code 10007).
    pub fn add_member(&self, guild: u64, user: u64, name: &str) {
        let mut state = self.shared.lock();
        state.members.insert((guild, user), name.to_owned());
        state.user_names.insert(user, name.to_owned());
    }

    /// Undoes [`Self::add_member`] (the user "left the guild").
    pub fn remove_member(&self, guild: u64, user: u64) {
        self.shared.lock().members.remove(&(guild, user));
    }

    /// Adds a guild to the (unavailable) guild list sent in the next READY.
    pub fn add_guild(&self, guild: u64) {
        let mut state = self.shared.lock();
        if !state.guilds.contains(&guild) {
            state.guilds.push(guild);
        }
    }

    /// The id the fake gave command `name` when it was registered (global first, then any
    /// guild).
    pub fn command_id(&self, name: &str) -> Option<u64> {
        let state = self.shared.lock();
        state
            .command_ids
            .get(&(None, name.to_owned()))
            .copied()
            .or_else(|| {
                state
                    .command_ids
                    .iter()
                    .find(|((_, n), _)| n == name)
                    .map(|(_, id)| *id)
            })
    }

    /// Every bulk overwrite of the commands (`PUT /applications/{id}/commands`, global or for a
    /// guild), in order: who registered, and how often.
    pub fn registrations(&self) -> Vec<Recorded> {
        let prefix = format!("/api/v10/applications/{APPLICATION_ID}/");
        self.requests()
            .into_iter()
            .filter(|r| r.is("PUT", &prefix) && r.path.ends_with("/commands"))
            .collect()
    }

    /// The shard an interaction was dispatched to, once it was.
    pub fn interaction_shard(&self, handle: &InteractionHandle) -> Option<u32> {
        self.interaction_delivery(handle).map(|(shard, _)| shard)
    }

    /// The shard and the gateway connection (see [`GatewayOp::connection`]) an interaction was
    /// dispatched on, once it was.
    pub fn interaction_delivery(&self, handle: &InteractionHandle) -> Option<(u32, usize)> {
        self.shared
            .lock()
            .interactions
            .get(&handle.token)
            .map(|i| i.delivered_to)
    }

    /// The commands as last registered: global with `None`, else for that guild.
    pub fn registered_commands(&self, guild: Option<u64>) -> Vec<Value> {
        self.shared
            .lock()
            .commands
            .get(&guild)
            .cloned()
            .unwrap_or_default()
    }

    /// A message the bot created (channel message, interaction response or follow-up), as the
    /// fake returned it.
    pub fn message(&self, id: u64) -> Option<Value> {
        self.shared.lock().messages.get(&id).cloned()
    }

    /// The bot's current original response to an interaction (after its callback, with edits
    /// applied), e.g. to press a button on it with [`Self::button`]. Panics if there is none.
    pub fn original_message(&self, handle: &InteractionHandle) -> Value {
        let state = self.shared.lock();
        state
            .interactions
            .get(&handle.token)
            .and_then(|i| i.original)
            .and_then(|id| state.messages.get(&id).cloned())
            .unwrap_or_else(|| {
                panic!(
                    "fake Discord: interaction {} has no original response",
                    handle.id
                )
            })
    }
}
