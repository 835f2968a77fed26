//! The reminder worker: it owns the outbox. It sleeps until the earliest of the next planned
//! sweep, the next retry due, a send finishing and shutdown; plans; and sends with at most
//! `concurrency` reminders in flight, each REST call with a timeout, so a stalled call costs one
//! slot. At shutdown sends in flight get a short grace; what is left stays in the outbox.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::reminders::deliver;
use super::rest_client::RestClient;
use crate::config::ReminderConfig;
use crate::study::Study;

/// Never spin faster than this when the database keeps failing.
const MIN_WAIT: Duration = Duration::from_millis(5);

/// The worker's settings, from `[reminders]` in the config.
#[derive(Debug, Clone)]
pub struct WorkerSettings {
    pub interval: Duration,
    pub concurrency: usize,
    pub first_retry: chrono::Duration,
    pub grace: Duration,
}

impl WorkerSettings {
    pub fn from_config(config: &ReminderConfig) -> Self {
        Self {
            interval: Duration::from_secs_f64(config.interval_seconds),
            concurrency: usize::try_from(config.concurrency).unwrap_or(1).max(1),
            first_retry: chrono::Duration::milliseconds(
                (config.first_retry_seconds * 1000.0) as i64,
            ),
            grace: Duration::from_secs_f64(config.shutdown_grace_seconds),
        }
    }
}

/// Runs until `stop` turns true (or its sender goes); each finished sweep bumps `sweeps`.
pub async fn run(
    rest: Arc<RestClient>,
    study: Study,
    settings: WorkerSettings,
    sweeps: Arc<watch::Sender<u64>>,
    mut stop: watch::Receiver<bool>,
) {
    let online_since = study.now();
    let mut in_flight: JoinSet<()> = JoinSet::new();
    let mut next_sweep = Instant::now();
    let mut first = true;
    while !*stop.borrow() {
        let swept = Instant::now() >= next_sweep;
        // Reminders left `sending` by a stop mid-send: at start, and on a shared database at
        // every sweep, since another process may have stopped (see
        // `Study::recover_interrupted_reminders`).
        if swept && (first || study.database_is_shared()) {
            match study.recover_interrupted_reminders().await {
                Ok((0, 0)) => {}
                Ok((resent, unknown)) => {
                    tracing::warn!(resent, unknown, "reminders interrupted mid-send")
                }
                Err(error) => tracing::error!(%error, "cannot look for interrupted reminders"),
            }
            first = false;
        }
        if swept {
            match study.plan_reminders(online_since).await {
                Ok(0) => {}
                Ok(planned) => tracing::info!(planned, "reminders written to the outbox"),
                Err(error) => tracing::error!(%error, "reminder sweep failed"),
            }
            next_sweep = Instant::now() + settings.interval;
        }
        let free = settings.concurrency.saturating_sub(in_flight.len());
        if free > 0 {
            match study.claim_reminders(free as u32).await {
                Ok(claimed) => {
                    if claimed.folded > 0 {
                        // Their topics go into today's reminder: plan it now.
                        next_sweep = Instant::now();
                    }
                    if claimed.unknown > 0 {
                        tracing::warn!(
                            count = claimed.unknown,
                            "interrupted reminders too old to resend: marked unknown"
                        );
                    }
                    for reminder in claimed.reminders {
                        let (rest, study) = (Arc::clone(&rest), study.clone());
                        let first_retry = settings.first_retry;
                        in_flight.spawn(async move {
                            deliver(&rest, &study, reminder, first_retry).await
                        });
                    }
                }
                Err(error) => tracing::error!(%error, "cannot take reminders from the outbox"),
            }
        }
        if swept {
            sweeps.send_modify(|count| *count += 1);
        }
        let mut wake = next_sweep;
        if in_flight.len() < settings.concurrency {
            wake = wake.min(next_retry(&study).await);
        }
        let wake = wake.max(Instant::now() + MIN_WAIT);
        tokio::select! {
            _ = tokio::time::sleep_until(wake) => {}
            Some(joined) = in_flight.join_next(), if !in_flight.is_empty() => {
                if let Err(error) = joined {
                    tracing::error!(%error, "a reminder send ended badly");
                }
            }
            changed = stop.changed() => {
                if changed.is_err() {
                    break;
                }
            }
        }
    }
    finish(in_flight, settings.grace).await;
}

/// When the earliest waiting reminder is due, on the tokio clock.
async fn next_retry(study: &Study) -> Instant {
    match study.next_reminder_attempt().await {
        Ok(Some(at)) => {
            let wait = (at - study.now()).to_std().unwrap_or(Duration::ZERO);
            Instant::now() + wait
        }
        Ok(None) => Instant::now() + Duration::from_secs(3_600),
        Err(error) => {
            tracing::error!(%error, "cannot read the outbox's next attempt");
            Instant::now() + Duration::from_secs(1)
        }
    }
}

/// Gives the sends in flight `grace` to finish, then drops them: their rows stay `sending`,
/// and the next start resends or marks them as the README says.
async fn finish(mut in_flight: JoinSet<()>, grace: Duration) {
    let drained = tokio::time::timeout(grace, async {
        while in_flight.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            left = in_flight.len(),
            "reminder sends still in flight at shutdown: left in the outbox"
        );
        in_flight.abort_all();
    }
}
