//! The fake gateway: a websocket server speaking Discord's gateway protocol (v10, JSON, no
//! compression).
//!
//! On connect it sends HELLO; IDENTIFY (op 2) starts a new session and is answered with READY;
//! RESUME (op 6) of the current session is answered with RESUMED (nothing is replayed), any
//! other RESUME with INVALID_SESSION (op 9, `false`); HEARTBEAT (op 1) gets HEARTBEAT_ACK
//! (op 11). serenity asks for `compress: true` in IDENTIFY but that flag only allows
//! zlib-compressed binary frames; it reads text frames as plain JSON, so the fake sends text.
//!
//! The heartbeat interval is Discord's usual 41.25 s: serenity's first heartbeat comes after a
//! full interval, so tests never wait for one.
//!
//! Shards: IDENTIFY's `shard: [id, total]` (`[0, 1]` when absent) makes the socket that shard's
//! session; each shard has its own session id and sequence numbers, and RESUME finds the shard
//! by its session id. A dispatch goes to one shard only, as on Discord: a server's events
//! (`guild_id`, or the `id` of `GUILD_CREATE`/`GUILD_UPDATE`/`GUILD_DELETE`) to shard
//! `(guild_id >> 22) % total`, everything else (DM interactions among them) to shard 0, with
//! the total of the latest IDENTIFY. An IDENTIFY whose shard id is not below its total is
//! closed with 4010 "Invalid shard", as Discord does. With one shard, all of this is the
//! single session the tests used before shards.

use std::collections::BTreeMap;
use std::sync::Arc;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;

use super::payloads::{self, bot_user_json};
use super::{
    channel_id, messages, FakeDiscord, Shared, State, APPLICATION_ID, CHANNEL_ID, DEFAULT_TIMEOUT,
    GUILD_ID, SHARD_TIMEOUT,
};

const HEARTBEAT_INTERVAL_MS: u64 = 41_250;
/// GATEWAY_MESSAGE_CONTENT_LIMITED, as a typical unverified bot has.
const APPLICATION_FLAGS: u64 = 1 << 19;

/// One payload the client sent on the gateway.
#[derive(Clone, Debug)]
pub struct GatewayOp {
    /// Which connection it came on: 1 for the first socket, 2 after the first reconnect, ...
    pub connection: usize,
    /// The shard the socket served when the op arrived (for IDENTIFY and RESUME, the shard
    /// they start or resume); `None` before the socket identified or resumed.
    pub shard: Option<u32>,
    /// 1 HEARTBEAT, 2 IDENTIFY, 3 PRESENCE_UPDATE, 6 RESUME, 8 REQUEST_GUILD_MEMBERS, ...
    pub op: u64,
    pub d: Value,
}

pub(super) struct GatewayState {
    ops: Vec<GatewayOp>,
    /// Sockets accepted so far.
    connections: usize,
    /// The open sockets, by connection index.
    sockets: BTreeMap<usize, Connection>,
    /// Each shard's session, by shard id.
    sessions: BTreeMap<u32, Session>,
    sessions_started: usize,
    /// `[shard, total]` of every IDENTIFY, in order.
    identified: Vec<[u32; 2]>,
    /// What `GET /gateway/bot` answers as `shards` (Discord's recommendation).
    pub(super) recommended_shards: u32,
}

impl Default for GatewayState {
    fn default() -> Self {
        Self {
            ops: Vec::new(),
            connections: 0,
            sockets: BTreeMap::new(),
            sessions: BTreeMap::new(),
            sessions_started: 0,
            identified: Vec::new(),
            recommended_shards: 1,
        }
    }
}

impl GatewayState {
    /// The total the client shards by: that of its latest valid IDENTIFY (1 before any).
    fn total(&self) -> u32 {
        self.identified
            .iter()
            .rev()
            .find(|[shard, total]| shard < total)
            .map_or(1, |[_, total]| *total)
    }

    /// The connection index of `shard`'s socket, if READY or RESUMED was sent on it and it is
    /// still open: dispatches to the shard may flow.
    fn live_socket(&self, shard: u32) -> Option<usize> {
        let index = self.sessions.get(&shard)?.socket?;
        self.sockets.get(&index).filter(|c| c.live).map(|_| index)
    }

    /// Takes `shard`'s live socket out of the state, so that dispatches wait for a new one.
    fn take_live_socket(&mut self, shard: u32) -> Option<Connection> {
        let index = self.live_socket(shard)?;
        if let Some(session) = self.sessions.get_mut(&shard) {
            session.socket = None;
        }
        self.sockets.remove(&index)
    }
}

struct Connection {
    tx: mpsc::UnboundedSender<Outgoing>,
    /// The shard it serves, once it identified or resumed.
    shard: Option<u32>,
    /// READY or RESUMED was sent on it: dispatches may flow.
    live: bool,
}

/// One shard's gateway session.
struct Session {
    /// The id READY gave it; RESUME must name it.
    id: String,
    /// Last sequence number sent in it.
    seq: u64,
    /// The socket it runs on now, if any.
    socket: Option<usize>,
}

enum Outgoing {
    Frame(Value),
    /// Close the TCP connection without a websocket close frame.
    Drop(oneshot::Sender<()>),
    /// Send a close frame with this code, then close.
    Close(u16, oneshot::Sender<()>),
}

pub(super) async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        if let Ok((tcp, _)) = listener.accept().await {
            tokio::spawn(connection(tcp, Arc::clone(&shared)));
        }
    }
}

async fn connection(tcp: TcpStream, shared: Arc<Shared>) {
    let Ok(ws) = tokio_tungstenite::accept_async(tcp).await else {
        return;
    };
    let (mut sink, mut stream) = ws.split();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let index = {
        let mut state = shared.lock();
        state.gateway.connections += 1;
        let index = state.gateway.connections;
        state.gateway.sockets.insert(
            index,
            Connection {
                tx,
                shard: None,
                live: false,
            },
        );
        index
    };
    shared.notify();

    let hello = json!({ "op": 10, "d": { "heartbeat_interval": HEARTBEAT_INTERVAL_MS }, "s": null, "t": null });
    let mut finished: Option<oneshot::Sender<()>> = None;
    if sink.send(text(&hello)).await.is_ok() {
        'socket: loop {
            tokio::select! {
                incoming = stream.next() => {
                    let payload = match incoming {
                        Some(Ok(Message::Text(t))) => t,
                        Some(Ok(Message::Binary(b))) => String::from_utf8_lossy(&b).into_owned(),
                        Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break 'socket,
                        Some(Ok(_)) => continue,
                    };
                    let Ok(payload) = serde_json::from_str::<Value>(&payload) else { continue };
                    for reply in handle_op(&shared, index, payload) {
                        if sink.send(text(&reply)).await.is_err() {
                            break 'socket;
                        }
                    }
                }
                command = rx.recv() => match command {
                    Some(Outgoing::Frame(frame)) => {
                        if sink.send(text(&frame)).await.is_err() {
                            break 'socket;
                        }
                    }
                    Some(Outgoing::Drop(done)) => {
                        finished = Some(done);
                        break 'socket;
                    }
                    Some(Outgoing::Close(code, done)) => {
                        let frame = CloseFrame { code: CloseCode::from(code), reason: "".into() };
                        let _ = sink.send(Message::Close(Some(frame))).await;
                        finished = Some(done);
                        break 'socket;
                    }
                    None => break 'socket,
                },
            }
        }
    }
    // Dropping both halves closes the TCP stream; no close handshake unless one was sent above.
    drop(sink);
    drop(stream);
    {
        let mut state = shared.lock();
        let gateway = &mut state.gateway;
        gateway.sockets.remove(&index);
        for session in gateway.sessions.values_mut() {
            if session.socket == Some(index) {
                session.socket = None;
            }
        }
    }
    shared.notify();
    if let Some(done) = finished {
        let _ = done.send(());
    }
}

fn text(value: &Value) -> Message {
    Message::Text(value.to_string())
}

/// Records an op from the client and returns the frames to answer with.
fn handle_op(shared: &Shared, index: usize, payload: Value) -> Vec<Value> {
    let op = payload["op"].as_u64().unwrap_or(u64::MAX);
    let d = payload["d"].clone();
    let mut state = shared.lock();
    let serving = state.gateway.sockets.get(&index).and_then(|c| c.shard);
    let replies = match op {
        1 => {
            record(&mut state.gateway, index, serving, op, &d);
            vec![json!({ "op": 11 })]
        }
        2 => {
            let [shard, total] = shard_of_identify(&d);
            record(&mut state.gateway, index, Some(shard), op, &d);
            state.gateway.identified.push([shard, total]);
            if shard >= total {
                close_socket(&state.gateway, index, 4010);
                Vec::new()
            } else {
                vec![identify(shared, &mut state, index, shard, total)]
            }
        }
        6 => {
            let gateway = &mut state.gateway;
            let resumed = gateway
                .sessions
                .iter()
                .find(|(_, s)| d["session_id"].as_str() == Some(s.id.as_str()))
                .map(|(shard, _)| *shard);
            record(gateway, index, resumed.or(serving), op, &d);
            match resumed {
                Some(shard) => {
                    let session = gateway.sessions.get_mut(&shard).expect("found above");
                    session.seq += 1;
                    session.socket = Some(index);
                    let seq = session.seq;
                    serve(gateway, index, shard);
                    vec![dispatch_frame(seq, "RESUMED", json!({}))]
                }
                None => vec![json!({ "op": 9, "d": false, "s": null, "t": null })],
            }
        }
        _ => {
            record(&mut state.gateway, index, serving, op, &d);
            Vec::new()
        }
    };
    drop(state);
    shared.notify();
    replies
}

fn record(gateway: &mut GatewayState, index: usize, shard: Option<u32>, op: u64, d: &Value) {
    gateway.ops.push(GatewayOp {
        connection: index,
        shard,
        op,
        d: d.clone(),
    });
}

/// IDENTIFY's `shard: [id, total]`; Discord's default `[0, 1]` when absent or unreadable.
fn shard_of_identify(d: &Value) -> [u32; 2] {
    let number = |i: usize| d["shard"][i].as_u64().and_then(|n| u32::try_from(n).ok());
    match (number(0), number(1)) {
        (Some(shard), Some(total)) => [shard, total],
        _ => [0, 1],
    }
}

/// Starts a new session for `shard` on socket `index` and returns its READY, which lists the
/// servers of that shard only.
fn identify(shared: &Shared, state: &mut State, index: usize, shard: u32, total: u32) -> Value {
    let gateway = &mut state.gateway;
    gateway.sessions_started += 1;
    let session_id = format!("fakesession{:04}", gateway.sessions_started);
    gateway.sessions.insert(
        shard,
        Session {
            id: session_id.clone(),
            seq: 1,
            socket: Some(index),
        },
    );
    serve(gateway, index, shard);
    let guilds: Vec<Value> = state
        .guilds
        .iter()
        .filter(|g| super::shard_of(**g, total) == shard)
        .map(|g| json!({ "id": g.to_string(), "unavailable": true }))
        .collect();
    let ready = json!({
        "v": 10,
        "user": bot_user_json(),
        "guilds": guilds,
        "session_id": session_id,
        "resume_gateway_url": shared.ws_url,
        "shard": [shard, total],
        "application": { "id": APPLICATION_ID.to_string(), "flags": APPLICATION_FLAGS },
        "private_channels": [],
        "presences": [],
        "relationships": [],
        "guild_join_requests": [],
        "geo_ordered_rtc_regions": ["us-east"],
        "user_settings": {},
        "auth": {},
        "session_type": "normal",
    });
    dispatch_frame(1, "READY", ready)
}

/// Socket `index` now carries `shard`'s session, and dispatches may flow on it.
fn serve(gateway: &mut GatewayState, index: usize, shard: u32) {
    if let Some(socket) = gateway.sockets.get_mut(&index) {
        socket.shard = Some(shard);
        socket.live = true;
    }
}

/// Asks socket `index` to send a close frame with `code` and close (nobody waits for it).
fn close_socket(gateway: &GatewayState, index: usize, code: u16) {
    if let Some(socket) = gateway.sockets.get(&index) {
        let (done, _) = oneshot::channel();
        let _ = socket.tx.send(Outgoing::Close(code, done));
    }
}

/// The shard Discord would send `event` to: its server's, else shard 0 (DMs among them).
fn route(event: &str, data: &Value, total: u32) -> u32 {
    let server = match event {
        "GUILD_CREATE" | "GUILD_UPDATE" | "GUILD_DELETE" => &data["id"],
        _ => &data["guild_id"],
    };
    super::rest::id_of(server).map_or(0, |guild| super::shard_of(guild, total))
}

fn dispatch_frame(seq: u64, event: &str, data: Value) -> Value {
    json!({ "op": 0, "s": seq, "t": event, "d": data })
}

fn describe_gateway(state: &State) -> String {
    let gateway = &state.gateway;
    let mut out = format!(
        "gateway: {} connection(s), identified (shard, total) = {:?}, live shards = {:?}, ops \
         received:\n",
        gateway.connections,
        gateway.identified,
        gateway
            .sessions
            .keys()
            .filter(|shard| gateway.live_socket(**shard).is_some())
            .collect::<Vec<_>>(),
    );
    for op in &gateway.ops {
        out.push_str(&format!(
            "  conn {} shard {:?} op {}\n",
            op.connection, op.shard, op.op
        ));
    }
    out + &super::describe_requests(state)
}

/// Panics unless serenity 0.12.5 turns `frame` into the event it names: it silently drops
/// dispatches it cannot deserialize (they fall into `Event::Unknown` or fail to parse).
fn check_serenity_accepts(event: &str, frame: &Value) {
    use serenity::model::event::{Event, GatewayEvent};
    let problem = match serde_json::from_value::<GatewayEvent>(frame.clone()) {
        Ok(GatewayEvent::Dispatch(_, Event::Unknown(_))) => {
            let detail = match event {
                "INTERACTION_CREATE" => serde_json::from_value::<
                    serenity::model::application::Interaction,
                >(frame["d"].clone())
                .err()
                .map(|e| e.to_string()),
                "MESSAGE_CREATE" => {
                    serde_json::from_value::<serenity::model::channel::Message>(frame["d"].clone())
                        .err()
                        .map(|e| e.to_string())
                }
                "GUILD_CREATE" => {
                    serde_json::from_value::<serenity::model::guild::Guild>(frame["d"].clone())
                        .err()
                        .map(|e| e.to_string())
                }
                _ => None,
            };
            Some(format!(
                "serenity would treat it as Event::Unknown (dropped){}",
                detail.map(|d| format!(": {d}")).unwrap_or_default()
            ))
        }
        Ok(_) => None,
        Err(e) => Some(format!("serenity cannot parse it: {e}")),
    };
    if let Some(problem) = problem {
        panic!(
            "fake Discord: {event} dispatch rejected: {problem}\npayload: {:#}",
            frame["d"]
        );
    }
}

impl FakeDiscord {
    /// Waits until shard 0's gateway session is up (the only one unless the client shards):
    /// READY (or RESUMED) was sent on its current socket.
    pub async fn wait_until_ready(&self) {
        self.wait_until_shard_ready(0).await;
    }

    /// Waits until `shard`'s gateway session is up: READY (or RESUMED) was sent on its current
    /// socket. serenity starts a process's shards 5 s apart, hence the longer wait.
    pub async fn wait_until_shard_ready(&self, shard: u32) {
        self.shared
            .wait_until(
                SHARD_TIMEOUT,
                &format!("a live gateway session of shard {shard} (READY/RESUMED sent)"),
                |state| state.gateway.live_socket(shard).map(|_| ()),
                describe_gateway,
            )
            .await;
    }

    /// Waits until `shard` has no live gateway session: its socket closed (a process that was
    /// killed, or a shard that is shutting down).
    pub async fn wait_until_shard_down(&self, shard: u32) {
        self.shared
            .wait_until(
                DEFAULT_TIMEOUT,
                &format!("shard {shard}'s gateway socket to close"),
                |state| state.gateway.live_socket(shard).is_none().then_some(()),
                describe_gateway,
            )
            .await;
    }

    /// Sends a dispatch (op 0) with the next sequence number of the shard it is for (see the
    /// module's doc), once that shard's session is live. Panics if serenity would not
    /// deserialize it into the named event (use [`Self::dispatch_unchecked`] for events
    /// serenity does not know). Returns the sequence number used.
    pub async fn dispatch(&self, event: &str, data: Value) -> u64 {
        check_serenity_accepts(event, &dispatch_frame(1, event, data.clone()));
        self.dispatch_unchecked(event, data).await
    }

    /// [`Self::dispatch`] without the serenity check.
    pub async fn dispatch_unchecked(&self, event: &str, data: Value) -> u64 {
        loop {
            let shard = self.wait_until_routed(event, &data).await;
            if let Some(seq) = self.try_dispatch(shard, event, &data) {
                return seq;
            }
            // The session went away between the wait and the send: wait for the next one.
        }
    }

    /// Waits until the shard `event` goes to has a live session; returns that shard.
    async fn wait_until_routed(&self, event: &str, data: &Value) -> u32 {
        self.shared
            .wait_until(
                SHARD_TIMEOUT,
                &format!("a live gateway session for {event} (shard by its server)"),
                |state| {
                    let shard = route(event, data, state.gateway.total());
                    state.gateway.live_socket(shard).map(|_| shard)
                },
                describe_gateway,
            )
            .await
    }

    fn try_dispatch(&self, shard: u32, event: &str, data: &Value) -> Option<u64> {
        let mut state = self.shared.lock();
        // The total may have changed since the wait (a new IDENTIFY): route again.
        if route(event, data, state.gateway.total()) != shard {
            return None;
        }
        let socket = state.gateway.live_socket(shard)?;
        if event == "INTERACTION_CREATE" {
            messages::register_interaction(&mut state, data, shard, socket);
        }
        let gateway = &mut state.gateway;
        let session = gateway.sessions.get_mut(&shard)?;
        session.seq += 1;
        let seq = session.seq;
        let frame = dispatch_frame(seq, event, data.clone());
        // If the socket dies before the frame is written, the event is lost, as it would be on
        // Discord (a RESUME would replay it there; the fake replays nothing).
        let _ = gateway
            .sockets
            .get(&socket)?
            .tx
            .send(Outgoing::Frame(frame));
        Some(seq)
    }

    /// Closes shard 0's live gateway socket abruptly (TCP close, no websocket close frame), as
    /// a network failure would. The session stays resumable; serenity reconnects on its own.
    /// Dispatches sent afterwards wait for the new session.
    pub async fn drop_connection(&self) {
        self.end_connection(Outgoing::Drop).await;
    }

    /// Closes shard 0's live gateway socket with a close frame carrying `code` (4000 "unknown
    /// error" is resumable; 4004 "authentication failed" is not).
    pub async fn close_connection(&self, code: u16) {
        self.end_connection(|done| Outgoing::Close(code, done))
            .await;
    }

    /// Sends op 7 RECONNECT on shard 0, as Discord does before it restarts a gateway node: the
    /// client should reconnect and resume. The fake then closes that socket; dispatches sent
    /// afterwards wait for the new session.
    pub async fn send_reconnect(&self) {
        self.wait_until_ready().await;
        let current = self.shared.lock().gateway.take_live_socket(0);
        if let Some(current) = current {
            let reconnect = json!({ "op": 7, "d": null, "s": null, "t": null });
            let _ = current.tx.send(Outgoing::Frame(reconnect));
            // Dropping `current` drops the sender: the connection task flushes the frame and
            // closes the socket.
        }
        self.shared.notify();
    }

    async fn end_connection(&self, make: impl FnOnce(oneshot::Sender<()>) -> Outgoing) {
        let current = loop {
            self.wait_until_ready().await;
            let current = self.shared.lock().gateway.take_live_socket(0);
            if let Some(current) = current {
                break current;
            }
        };
        self.shared.notify();
        let (done_tx, done_rx) = oneshot::channel();
        if current.tx.send(make(done_tx)).is_err() {
            return; // The connection task already ended: the socket is closed.
        }
        tokio::time::timeout(DEFAULT_TIMEOUT, done_rx)
            .await
            .expect("fake Discord: gateway socket did not close")
            .ok();
    }

    /// Dispatches `GUILD_CREATE` for `guild` (name `name`, one text channel: [`CHANNEL_ID`] for
    /// [`GUILD_ID`], else `channel_id(guild % 1000)`), with the members registered through
    /// [`FakeDiscord::add_member`]. Discord sends one per guild after READY when the GUILDS
    /// intent is on; the fake leaves it to the test, so that only tests that need the guild in
    /// serenity's cache pay for it (and sequence numbers stay predictable).
    pub async fn send_guild_create(&self, guild: u64, name: &str) -> u64 {
        let channel = if guild == GUILD_ID {
            CHANNEL_ID
        } else {
            channel_id(guild % 1000)
        };
        let members: Vec<(u64, String)> = self
            .shared
            .lock()
            .members
            .iter()
            .filter(|((g, _), _)| *g == guild)
            .map(|((_, user), name)| (*user, name.clone()))
            .collect();
        self.dispatch(
            "GUILD_CREATE",
            payloads::guild_json(guild, name, channel, &members),
        )
        .await
    }

    /// Every payload the client sent on the gateway, in order.
    pub fn gateway_ops(&self) -> Vec<GatewayOp> {
        self.shared.lock().gateway.ops.clone()
    }

    /// How many IDENTIFYs (op 2) the client sent.
    pub fn identify_count(&self) -> usize {
        self.gateway_ops().iter().filter(|op| op.op == 2).count()
    }

    /// `[shard, total]` of every IDENTIFY the client sent, in order.
    pub fn identified_shards(&self) -> Vec<[u32; 2]> {
        self.shared.lock().gateway.identified.clone()
    }

    /// Waits until `shard` of `total` has identified `count` times in all (already received
    /// IDENTIFYs count) and its session is live; returns every IDENTIFY so far.
    pub async fn wait_for_identified(&self, shard: u32, total: u32, count: usize) -> Vec<[u32; 2]> {
        self.shared
            .wait_until(
                SHARD_TIMEOUT,
                &format!("{count} IDENTIFY of shard [{shard}, {total}] and its READY"),
                |state| {
                    let gateway = &state.gateway;
                    let done = gateway
                        .identified
                        .iter()
                        .filter(|pair| **pair == [shard, total])
                        .count();
                    (done >= count && gateway.live_socket(shard).is_some())
                        .then(|| gateway.identified.clone())
                },
                describe_gateway,
            )
            .await
    }

    /// Makes `GET /gateway/bot` recommend `shards` shards (1 by default), as Discord does for a
    /// bot in many servers: a client that autoshards then identifies that many.
    pub fn recommend_shards(&self, shards: u32) {
        self.shared.lock().gateway.recommended_shards = shards;
    }

    /// How many RESUMEs (op 6) the client sent.
    pub fn resume_count(&self) -> usize {
        self.gateway_ops().iter().filter(|op| op.op == 6).count()
    }

    /// How many gateway sockets the client opened.
    pub fn connection_count(&self) -> usize {
        self.shared.lock().gateway.connections
    }

    /// Waits for a gateway payload from the client matching `predicate` (already received ones
    /// count). Panics with the gateway log on timeout.
    pub async fn wait_for_gateway_op(
        &self,
        predicate: impl Fn(&GatewayOp) -> bool,
        timeout: std::time::Duration,
    ) -> GatewayOp {
        self.shared
            .wait_until(
                timeout,
                "a matching gateway op",
                |state| state.gateway.ops.iter().find(|op| predicate(op)).cloned(),
                describe_gateway,
            )
            .await
    }
}
