//! Discord's rate limits, kept by the reminder worker itself (serenity's limiter is off behind
//! a proxy, and it would hold a slot while it sleeps on a 429): a global pace of the reminders'
//! share of 50 requests per second, a global stop after a global 429, and per-route stops from
//! the `X-RateLimit-*` headers and route 429s.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// Routes remembered at most; expired stops are dropped beyond this.
const ROUTES_KEPT: usize = 4_096;

pub struct RestLimits {
    /// Time between two requests at the allowed rate.
    spacing: Duration,
    state: Mutex<State>,
}

struct State {
    /// The earliest start of the next request (requests are paced, never burst).
    next_slot: Instant,
    /// No request before this (a global 429).
    global_until: Instant,
    /// Route -> no request on it before this.
    routes: HashMap<String, Instant>,
}

/// What a response said about the limits.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LimitHeaders {
    /// `X-RateLimit-Remaining`.
    pub remaining: Option<u64>,
    /// `X-RateLimit-Reset-After`, seconds.
    pub reset_after: Option<f64>,
}

impl RestLimits {
    /// At most `per_second` requests per second in all.
    pub fn new(per_second: f64) -> Self {
        let spacing = Duration::from_secs_f64(1.0 / per_second.max(0.001));
        let now = Instant::now();
        Self {
            spacing,
            state: Mutex::new(State {
                next_slot: now,
                global_until: now,
                routes: HashMap::new(),
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Waits until a request on `route` is allowed, and takes its place in the pace.
    pub async fn acquire(&self, route: &str) {
        let start = {
            let mut state = self.lock();
            let now = Instant::now();
            let route_until = state.routes.get(route).copied().unwrap_or(now);
            let start = now
                .max(state.next_slot)
                .max(state.global_until)
                .max(route_until);
            state.next_slot = start + self.spacing;
            start
        };
        tokio::time::sleep_until(start).await;
    }

    /// Notes the route's bucket after an answer: none left means wait for its reset.
    pub fn observe(&self, route: &str, headers: &LimitHeaders) {
        if let (Some(0), Some(reset_after)) = (headers.remaining, headers.reset_after) {
            self.stop_route(route, seconds(reset_after));
        }
    }

    /// A 429: nothing on the route (or, when `global`, nothing at all) for `retry_after`.
    pub fn rate_limited(&self, route: &str, retry_after: Duration, global: bool) {
        if global {
            let mut state = self.lock();
            state.global_until = state.global_until.max(Instant::now() + retry_after);
        } else {
            self.stop_route(route, retry_after);
        }
    }

    fn stop_route(&self, route: &str, for_how_long: Duration) {
        let mut state = self.lock();
        let now = Instant::now();
        if state.routes.len() >= ROUTES_KEPT {
            state.routes.retain(|_, until| *until > now);
        }
        let until = now + for_how_long;
        let entry = state.routes.entry(route.to_string()).or_insert(until);
        *entry = (*entry).max(until);
    }
}

/// Seconds as Discord writes them (fractional, never negative, at most an hour).
pub fn seconds(value: f64) -> Duration {
    Duration::from_secs_f64(if value.is_finite() {
        value.clamp(0.0, 3_600.0)
    } else {
        0.0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn requests_are_paced_at_the_allowed_rate() {
        let limits = RestLimits::new(50.0);
        let start = Instant::now();
        for _ in 0..11 {
            limits.acquire("a").await;
        }
        // 11 requests at 50/s: the last starts 10 spacings (200 ms) after the first.
        assert_eq!(start.elapsed(), Duration::from_millis(200));
    }

    #[tokio::test(start_paused = true)]
    async fn a_route_429_stops_that_route_only_and_a_global_one_stops_all() {
        let limits = RestLimits::new(1_000.0);
        limits.rate_limited("a", Duration::from_secs(1), false);
        let start = Instant::now();
        limits.acquire("b").await;
        assert!(start.elapsed() < Duration::from_millis(10));
        limits.acquire("a").await;
        assert!(start.elapsed() >= Duration::from_secs(1));

        limits.rate_limited("a", Duration::from_secs(2), true);
        let again = Instant::now();
        limits.acquire("c").await;
        assert!(again.elapsed() >= Duration::from_secs(2));
    }

    #[tokio::test(start_paused = true)]
    async fn an_empty_bucket_waits_for_its_reset() {
        let limits = RestLimits::new(1_000.0);
        let headers = LimitHeaders {
            remaining: Some(0),
            reset_after: Some(0.5),
        };
        limits.observe("a", &headers);
        let start = Instant::now();
        limits.acquire("a").await;
        assert!(start.elapsed() >= Duration::from_millis(500));
    }
}
