//! The reminder worker's REST calls: serenity builds each request (route, token, proxy), this
//! client sends it with a timeout inside [`RestLimits`], and sorts Discord's answer into what
//! the worker acts on, keeping the status, the JSON error code and the rate-limit headers that
//! serenity's own calls drop.

use std::time::Duration;

use ::serenity::http::{LightMethod, Request, Route};
use ::serenity::model::id::{ChannelId, UserId};
use reqwest::header::HeaderMap;
use serde_json::Value;

use super::rest_limits::{seconds, LimitHeaders, RestLimits};

/// Discord's answer to one call.
#[derive(Debug)]
pub enum Answer {
    /// 2xx with its JSON body.
    Accepted(Value),
    /// 429: try again after `retry_after`.
    RateLimited { retry_after: Duration },
    /// 5xx: Discord did not take it.
    ServerError(u16),
    /// Another 4xx, with Discord's JSON error code when it sent one.
    Refused { status: u16, code: Option<i64> },
    /// No answer within the timeout: Discord may or may not have acted on it.
    TimedOut,
    /// The request could not be made or its answer not read.
    Failed(String),
}

impl std::fmt::Display for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Answer::Accepted(_) => write!(f, "accepted"),
            Answer::RateLimited { retry_after } => write!(f, "429, retry after {retry_after:?}"),
            Answer::ServerError(status) => write!(f, "Discord answered {status}"),
            Answer::Refused { status, code } => {
                write!(f, "Discord refused: {status}, code {code:?}")
            }
            Answer::TimedOut => write!(f, "no answer within the timeout"),
            Answer::Failed(error) => write!(f, "request failed: {error}"),
        }
    }
}

pub struct RestClient {
    client: reqwest::Client,
    token: String,
    proxy: Option<String>,
    limits: RestLimits,
}

/// A reqwest client whose every call gives up after `timeout`.
pub fn client_with_timeout(timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .use_rustls_tls()
        .timeout(timeout)
        .connect_timeout(timeout)
        .build()
        .unwrap_or_else(|error| {
            tracing::warn!(%error, "cannot build a REST client with a timeout; using the default");
            reqwest::Client::new()
        })
}

impl RestClient {
    pub fn new(
        client: reqwest::Client,
        token: &str,
        proxy: Option<String>,
        requests_per_second: f64,
    ) -> Self {
        Self {
            client,
            token: token.to_string(),
            proxy,
            limits: RestLimits::new(requests_per_second),
        }
    }

    /// `POST /users/@me/channels`: the DM channel with `user`.
    pub async fn open_dm(&self, user: UserId) -> Answer {
        let body = serde_json::json!({ "recipient_id": user.to_string() });
        self.call(
            "dm",
            Request::new(Route::UserMeDmChannels, LightMethod::Post),
            &body,
        )
        .await
    }

    /// `POST /channels/{channel}/messages`.
    pub async fn post_message(
        &self,
        channel: ChannelId,
        message: &impl serde::Serialize,
    ) -> Answer {
        let route = format!("messages/{channel}");
        let request = Request::new(
            Route::ChannelMessages {
                channel_id: channel,
            },
            LightMethod::Post,
        );
        self.call(&route, request, message).await
    }

    async fn call(
        &self,
        route: &str,
        request: Request<'_>,
        body: &impl serde::Serialize,
    ) -> Answer {
        let bytes = match serde_json::to_vec(body) {
            Ok(bytes) => bytes,
            Err(error) => return Answer::Failed(error.to_string()),
        };
        let built =
            match request
                .body(Some(bytes))
                .build(&self.client, &self.token, self.proxy.as_deref())
            {
                Ok(built) => built,
                Err(error) => return Answer::Failed(error.to_string()),
            };
        self.limits.acquire(route).await;
        let response = match built.send().await {
            Ok(response) => response,
            Err(error) if error.is_timeout() => return Answer::TimedOut,
            Err(error) => return Answer::Failed(error.to_string()),
        };
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        self.limits.observe(route, &limit_headers(&headers));
        let body: Value = match response.bytes().await {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            Err(error) if error.is_timeout() => return Answer::TimedOut,
            Err(error) => return Answer::Failed(error.to_string()),
        };
        match status {
            200..=299 => Answer::Accepted(body),
            429 => {
                let retry_after = body["retry_after"]
                    .as_f64()
                    .or_else(|| header_f64(&headers, "retry-after"))
                    .map_or(Duration::from_secs(1), seconds);
                let global = body["global"].as_bool().unwrap_or(false)
                    || headers.get("x-ratelimit-global").is_some()
                    || headers
                        .get("x-ratelimit-scope")
                        .is_some_and(|scope| scope == "global");
                self.limits.rate_limited(route, retry_after, global);
                Answer::RateLimited { retry_after }
            }
            500..=599 => Answer::ServerError(status),
            _ => Answer::Refused {
                status,
                code: body["code"].as_i64(),
            },
        }
    }
}

fn header_f64(headers: &HeaderMap, name: &str) -> Option<f64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

fn limit_headers(headers: &HeaderMap) -> LimitHeaders {
    LimitHeaders {
        remaining: header_f64(headers, "x-ratelimit-remaining").map(|r| r.max(0.0) as u64),
        reset_after: header_f64(headers, "x-ratelimit-reset-after"),
    }
}
