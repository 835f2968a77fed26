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
    GUILD_ID,
};

const HEARTBEAT_INTERVAL_MS: u64 = 41_250;
/// GATEWAY_MESSAGE_CONTENT_LIMITED, as a typical unverified bot has.
const APPLICATION_FLAGS: u64 = 1 << 19;

/// One payload the client sent on the gateway.
#[derive(Clone, Debug)]
pub struct GatewayOp {
    /// Which connection it came on: 1 for the first socket, 2 after the first reconnect, ...
    pub connection: usize,
    /// 1 HEARTBEAT, 2 IDENTIFY, 3 PRESENCE_UPDATE, 6 RESUME, 8 REQUEST_GUILD_MEMBERS, ...
    pub op: u64,
    pub d: Value,
}

#[derive(Default)]
pub(super) struct GatewayState {
    ops: Vec<GatewayOp>,
    /// Sockets accepted so far.
    connections: usize,
    current: Option<Connection>,
    /// The session READY started; RESUME must name it.
    session_id: Option<String>,
    sessions_started: usize,
    /// Last sequence number sent in the current session.
    seq: u64,
}

struct Connection {
    index: usize,
    tx: mpsc::UnboundedSender<Outgoing>,
    /// READY or RESUMED was sent on it: dispatches may flow.
    live: bool,
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
        state.gateway.current = Some(Connection {
            index,
            tx,
            live: false,
        });
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
        if state
            .gateway
            .current
            .as_ref()
            .is_some_and(|c| c.index == index)
        {
            state.gateway.current = None;
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
    state.gateway.ops.push(GatewayOp {
        connection: index,
        op,
        d: d.clone(),
    });
    let replies = match op {
        1 => vec![json!({ "op": 11 })],
        2 => {
            let gateway = &mut state.gateway;
            gateway.sessions_started += 1;
            let session_id = format!("fakesession{:04}", gateway.sessions_started);
            gateway.session_id = Some(session_id.clone());
            gateway.seq = 1;
            mark_live(gateway, index);
            let guilds: Vec<Value> = state
                .guilds
                .iter()
                .map(|g| json!({ "id": g.to_string(), "unavailable": true }))
                .collect();
            let ready = json!({
                "v": 10,
                "user": bot_user_json(),
                "guilds": guilds,
                "session_id": session_id,
                "resume_gateway_url": shared.ws_url,
                "shard": d.get("shard").cloned().unwrap_or(json!([0, 1])),
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
            vec![dispatch_frame(1, "READY", ready)]
        }
        6 => {
            let gateway = &mut state.gateway;
            let known = gateway.session_id.is_some()
                && d["session_id"].as_str() == gateway.session_id.as_deref();
            if known {
                gateway.seq += 1;
                mark_live(gateway, index);
                vec![dispatch_frame(gateway.seq, "RESUMED", json!({}))]
            } else {
                vec![json!({ "op": 9, "d": false, "s": null, "t": null })]
            }
        }
        _ => Vec::new(),
    };
    drop(state);
    shared.notify();
    replies
}

fn mark_live(gateway: &mut GatewayState, index: usize) {
    if let Some(current) = gateway.current.as_mut().filter(|c| c.index == index) {
        current.live = true;
    }
}

fn dispatch_frame(seq: u64, event: &str, data: Value) -> Value {
    json!({ "op": 0, "s": seq, "t": event, "d": data })
}

fn describe_gateway(state: &State) -> String {
    let gateway = &state.gateway;
    let live = gateway.current.as_ref().map(|c| (c.index, c.live));
    let mut out = format!(
        "gateway: {} connection(s), current (index, live) = {live:?}, ops received:\n",
        gateway.connections
    );
    for op in &gateway.ops {
        out.push_str(&format!("  conn {} op {}\n", op.connection, op.op));
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
    /// Waits until a gateway session is up: READY (or RESUMED) was sent on the current socket.
    pub async fn wait_until_ready(&self) {
        self.shared
            .wait_until(
                DEFAULT_TIMEOUT,
                "a live gateway session (READY/RESUMED sent)",
                |state| {
                    state
                        .gateway
                        .current
                        .as_ref()
                        .filter(|c| c.live)
                        .map(|_| ())
                },
                describe_gateway,
            )
            .await;
    }

    /// Sends a dispatch (op 0) with the next sequence number, once a session is live. Panics if
    /// serenity would not deserialize it into the named event (use
    /// [`Self::dispatch_unchecked`] for events serenity does not know). Returns the sequence
    /// number used.
    pub async fn dispatch(&self, event: &str, data: Value) -> u64 {
        check_serenity_accepts(event, &dispatch_frame(1, event, data.clone()));
        self.dispatch_unchecked(event, data).await
    }

    /// [`Self::dispatch`] without the serenity check.
    pub async fn dispatch_unchecked(&self, event: &str, data: Value) -> u64 {
        loop {
            self.wait_until_ready().await;
            if let Some(seq) = self.try_dispatch(event, &data) {
                return seq;
            }
            // The session went away between the wait and the send: wait for the next one.
        }
    }

    fn try_dispatch(&self, event: &str, data: &Value) -> Option<u64> {
        let mut state = self.shared.lock();
        if !state.gateway.current.as_ref().is_some_and(|c| c.live) {
            return None;
        }
        if event == "INTERACTION_CREATE" {
            messages::register_interaction(&mut state, data);
        }
        let gateway = &mut state.gateway;
        gateway.seq += 1;
        let seq = gateway.seq;
        let frame = dispatch_frame(seq, event, data.clone());
        let current = gateway.current.as_ref()?;
        // If the socket dies before the frame is written, the event is lost, as it would be on
        // Discord (a RESUME would replay it there; the fake replays nothing).
        let _ = current.tx.send(Outgoing::Frame(frame));
        Some(seq)
    }

    /// Closes the live gateway socket abruptly (TCP close, no websocket close frame), as a
    /// network failure would. The session stays resumable; serenity reconnects on its own.
    /// Dispatches sent afterwards wait for the new session.
    pub async fn drop_connection(&self) {
        self.end_connection(Outgoing::Drop).await;
    }

    /// Closes the live gateway socket with a close frame carrying `code` (4000 "unknown error"
    /// is resumable; 4004 "authentication failed" is not).
    pub async fn close_connection(&self, code: u16) {
        self.end_connection(|done| Outgoing::Close(code, done))
            .await;
    }

    /// Sends op 7 RECONNECT, as Discord does before it restarts a gateway node: the client
    /// should reconnect and resume. The fake then closes that socket; dispatches sent afterwards
    /// wait for the new session.
    pub async fn send_reconnect(&self) {
        self.wait_until_ready().await;
        let current = self.shared.lock().gateway.current.take();
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
            let current = self.shared.lock().gateway.current.take();
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
