//! What the fake records and answers: [`Recorded`] requests, canned [`FakeResponse`]s (also
//! used for scripted failures) and the [`InteractionHandle`] of a dispatched interaction.

use serde_json::{json, Value};

use super::APPLICATION_ID;

/// One REST request as the fake received it, plus what the fake answered.
#[derive(Clone, Debug)]
pub struct Recorded {
    /// Position in the request log (0 for the first request the fake received).
    pub index: usize,
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path, e.g. `/api/v10/channels/1400000000000000001/messages`.
    pub path: String,
    /// The raw query string, if any. serenity writes it as `?&key=value`.
    pub query: Option<String>,
    /// The JSON body; for `multipart/form-data`, the parsed `payload_json` field. `Null` when the
    /// request had no body, a JSON string when the body was not JSON.
    pub body: Value,
    /// The non-`payload_json` parts of a multipart body (uploaded files).
    pub files: Vec<RecordedFile>,
    /// The status the fake answered with.
    pub status: u16,
    /// The JSON the fake answered with (`Null` for 204).
    pub response: Value,
}

/// A part of a multipart request (`files[0]`, ...).
#[derive(Clone, Debug)]
pub struct RecordedFile {
    /// The form field name, e.g. `files[0]`.
    pub field: String,
    /// The file name the client sent, if any.
    pub filename: Option<String>,
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
}

impl Recorded {
    /// Whether this request used `method` on a path starting with `path_prefix`.
    pub fn is(&self, method: &str, path_prefix: &str) -> bool {
        self.method.eq_ignore_ascii_case(method) && self.path.starts_with(path_prefix)
    }

    /// One line for failure messages: `POST /api/v10/... -> 204`.
    pub fn summary(&self) -> String {
        let query = self
            .query
            .as_deref()
            .map(|q| format!("?{q}"))
            .unwrap_or_default();
        format!(
            "#{} {} {}{} -> {}",
            self.index, self.method, self.path, query, self.status
        )
    }
}

/// A canned answer for [`FakeDiscord::fail_next`] (and what the normal routes build too).
#[derive(Clone, Debug)]
pub struct FakeResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// `None` answers with an empty body.
    pub body: Option<Value>,
}

impl FakeResponse {
    pub fn json(status: u16, body: Value) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: Some(body),
        }
    }

    pub fn no_content() -> Self {
        Self {
            status: 204,
            headers: Vec::new(),
            body: None,
        }
    }

    /// Discord's JSON error body: `{"message": ..., "code": ...}`.
    pub fn discord_error(status: u16, code: u64, message: &str) -> Self {
        Self::json(status, json!({ "message": message, "code": code }))
    }

    /// `500 {"message": "500: Internal Server Error", "code": 0}`.
    pub fn server_error() -> Self {
        Self::discord_error(500, 0, "500: Internal Server Error")
    }

    /// `404 {"message": "404: Not Found", "code": 0}`: what the fake answers for unknown routes.
    pub fn not_found() -> Self {
        Self::discord_error(404, 0, "404: Not Found")
    }

    /// A per-route 429 the way Discord sends it: JSON `retry_after` (seconds, fractional),
    /// `global: false`, and the `Retry-After` / `X-RateLimit-*` headers.
    ///
    /// Like Discord's, the body has no `code`, so serenity reports it as an
    /// `UnsuccessfulRequest` with status 429 and an undecodable error body (`code: -1`): look at
    /// the status, not the code. Discord rounds the `Retry-After` header up to whole seconds;
    /// the fake sends the fractional value so that a client honouring it stays fast.
    pub fn rate_limited(retry_after_secs: f64) -> Self {
        let secs = format!("{retry_after_secs}");
        let reset = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs_f64()
            + retry_after_secs;
        Self {
            status: 429,
            headers: vec![
                ("Retry-After".into(), secs.clone()),
                ("X-RateLimit-Limit".into(), "5".into()),
                ("X-RateLimit-Remaining".into(), "0".into()),
                ("X-RateLimit-Reset".into(), format!("{reset:.3}")),
                ("X-RateLimit-Reset-After".into(), secs),
                (
                    "X-RateLimit-Bucket".into(),
                    "fakebucket0000000000000000000000".into(),
                ),
                ("X-RateLimit-Scope".into(), "user".into()),
            ],
            body: Some(json!({
                "message": "You are being rate limited.",
                "retry_after": retry_after_secs,
                "global": false,
            })),
        }
    }

    /// `403 {"message": "Cannot send messages to this user", "code": 50007}` (DMs closed).
    pub fn cannot_dm() -> Self {
        Self::discord_error(403, 50007, "Cannot send messages to this user")
    }

    /// `403 {"message": "Missing Permissions", "code": 50013}`.
    pub fn missing_permissions() -> Self {
        Self::discord_error(403, 50013, "Missing Permissions")
    }

    /// `403 {"message": "Missing Access", "code": 50001}`.
    pub fn missing_access() -> Self {
        Self::discord_error(403, 50001, "Missing Access")
    }

    /// `404 {"message": "Unknown Member", "code": 10007}`.
    pub fn unknown_member() -> Self {
        Self::discord_error(404, 10007, "Unknown Member")
    }

    /// `404 {"message": "Unknown Message", "code": 10008}`.
    pub fn unknown_message() -> Self {
        Self::discord_error(404, 10008, "Unknown Message")
    }

    /// `404 {"message": "Unknown interaction", "code": 10062}` (also what Discord answers for an
    /// interaction that expired).
    pub fn unknown_interaction() -> Self {
        Self::discord_error(404, 10062, "Unknown interaction")
    }
}

/// What [`FakeDiscord::send_interaction`] returns: the ids a test needs to find the bot's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InteractionHandle {
    pub id: u64,
    pub token: String,
}

impl InteractionHandle {
    /// `/api/v10/interactions/{id}/{token}/callback`.
    pub fn callback_path(&self) -> String {
        format!("/api/v10/interactions/{}/{}/callback", self.id, self.token)
    }

    /// `/api/v10/webhooks/{application}/{token}`: prefix of follow-ups and `@original` edits.
    pub fn webhook_path(&self) -> String {
        format!("/api/v10/webhooks/{APPLICATION_ID}/{}", self.token)
    }
}
