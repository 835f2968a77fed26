//! The reminder task: wakes every few minutes, writes the day's reminders to the outbox, and
//! delivers what the outbox holds: by DM, else in the member's study channel. A send that
//! fails for a passing reason is retried with backoff; Discord's message nonce keeps a resend
//! after a crash from showing twice.

use std::sync::Arc;
use std::time::Duration;

use poise::serenity_prelude as serenity;
use serenity::{
    ButtonStyle, ChannelId, CreateActionRow, CreateAllowedMentions, CreateButton, CreateMessage,
    Http, HttpError, Nonce, UserId,
};
use tokio::sync::watch;

use super::commands::learner;
use super::components::ComponentAction;
use super::replies::{card_reply, embed};
use super::{BotError, Context};
use crate::render;
use crate::study::{Reminder, Study};

/// Discord's "Cannot send messages to this user".
const CANNOT_DM: isize = 50007;
/// Reminders handled per sweep, so one sweep never runs for long.
const BATCH: u32 = 200;

/// Runs sweeps every `interval` until `stop` turns true; each finished sweep bumps `sweeps`.
pub async fn run(
    http: Arc<Http>,
    study: Study,
    interval: Duration,
    sweeps: Arc<watch::Sender<u64>>,
    mut stop: watch::Receiver<bool>,
) {
    let online_since = study.now();
    loop {
        if let Err(error) = sweep(&http, &study, online_since).await {
            tracing::error!(%error, "reminder sweep failed");
        }
        sweeps.send_modify(|count| *count += 1);
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = stop.changed() => return,
        }
        if *stop.borrow() {
            return;
        }
    }
}

async fn sweep(
    http: &Http,
    study: &Study,
    online_since: chrono::DateTime<chrono::Utc>,
) -> Result<(), BotError> {
    let planned = study.plan_reminders(online_since).await?;
    if planned > 0 {
        tracing::info!(planned, "reminders written to the outbox");
    }
    for reminder in study.pending_reminders(BATCH).await? {
        // One reminder's trouble (its outbox row, say) must not hold back everyone else's.
        if let Err(error) = deliver(http, study, &reminder).await {
            tracing::error!(%error, reminder = reminder.id, "reminder not delivered; going on");
        }
    }
    Ok(())
}

async fn deliver(http: &Http, study: &Study, reminder: &Reminder) -> Result<(), BotError> {
    let user = UserId::new(reminder.user.0);
    let error = match send_dm(http, user, reminder).await {
        Ok(channel) => return Ok(study.reminder_delivered(reminder, channel.get()).await?),
        Err(error) => error,
    };
    if discord_code(&error) == Some(CANNOT_DM) {
        let Some(channel) = study.dm_refused(reminder).await? else {
            tracing::info!(user = %reminder.user, "member blocks DMs and has no study channel: reminders paused");
            return Ok(());
        };
        let channel = ChannelId::new(channel);
        return match channel.send_message(http, message(reminder, true)).await {
            Ok(_) => Ok(study.reminder_delivered(reminder, channel.get()).await?),
            Err(error) => {
                tracing::warn!(%error, reminder = reminder.id, "study channel post failed; will retry");
                Ok(study.reminder_failed(reminder, &error.to_string()).await?)
            }
        };
    }
    tracing::warn!(%error, reminder = reminder.id, attempts = reminder.attempts, "reminder send failed; will retry");
    Ok(study.reminder_failed(reminder, &error.to_string()).await?)
}

async fn send_dm(
    http: &Http,
    user: UserId,
    reminder: &Reminder,
) -> Result<ChannelId, serenity::Error> {
    let channel = user.create_dm_channel(http).await?;
    channel.send_message(http, message(reminder, false)).await?;
    Ok(channel.id)
}

/// One message for all the member's due topics, with a button that starts the review.
fn message(reminder: &Reminder, in_channel: bool) -> CreateMessage {
    let button = CreateButton::new(ComponentAction::StartReview.encode())
        .label("Start review")
        .emoji('🔁')
        .style(ButtonStyle::Primary);
    let mut message = CreateMessage::new()
        .embed(embed(&render::reminder_card(
            &reminder.topics,
            reminder.catch_up,
        )))
        .components(vec![CreateActionRow::Buttons(vec![button])])
        // The outbox id keys the message: a resend after a crash is deduplicated by Discord.
        .nonce(Nonce::String(format!("quorum-reminder-{}", reminder.id)))
        .enforce_nonce(true);
    if in_channel {
        let user = UserId::new(reminder.user.0);
        message = message
            .content(format!("<@{user}>, your reviews are due."))
            .allowed_mentions(CreateAllowedMentions::new().users(vec![user]));
    }
    message
}

fn discord_code(error: &serenity::Error) -> Option<isize> {
    match error {
        serenity::Error::Http(HttpError::UnsuccessfulRequest(response)) => {
            Some(response.error.code)
        }
        _ => None,
    }
}

/// Review reminders: on, off, or from a local hour.
#[poise::command(slash_command, subcommands("on", "off", "hour", "status"))]
pub async fn remind(_ctx: Context<'_>) -> Result<(), BotError> {
    Ok(())
}

/// Turn review reminders on.
#[poise::command(slash_command)]
async fn on(ctx: Context<'_>) -> Result<(), BotError> {
    let learner = learner(ctx).await;
    let prefs = ctx
        .data()
        .study
        .set_reminder_prefs(&learner, |p| p.enabled = true)
        .await?;
    ctx.send(card_reply(&render::remind_card(&prefs))).await?;
    Ok(())
}

/// Turn review reminders off.
#[poise::command(slash_command)]
async fn off(ctx: Context<'_>) -> Result<(), BotError> {
    let learner = learner(ctx).await;
    let prefs = ctx
        .data()
        .study
        .set_reminder_prefs(&learner, |p| p.enabled = false)
        .await?;
    ctx.send(card_reply(&render::remind_card(&prefs))).await?;
    Ok(())
}

/// Get reminders from a local hour of your day.
#[poise::command(slash_command)]
async fn hour(
    ctx: Context<'_>,
    #[description = "Your local hour, 0-23"]
    #[min = 0]
    #[max = 23]
    hour: u8,
    #[description = "Your UTC offset, e.g. +2, -5, +5:30 (default: keep the current one)"]
    utc_offset: Option<String>,
) -> Result<(), BotError> {
    let offset = match utc_offset.as_deref().map(crate::study::parse_utc_offset) {
        Some(None) => {
            let text = "I couldn't read that UTC offset. Use a form like `+2`, `-5` or `+5:30`.";
            ctx.send(poise::CreateReply::default().content(text).ephemeral(true))
                .await?;
            return Ok(());
        }
        Some(Some(minutes)) => Some(minutes),
        None => None,
    };
    let learner = learner(ctx).await;
    let prefs = ctx
        .data()
        .study
        .set_reminder_prefs(&learner, |p| {
            p.hour = Some(hour);
            p.enabled = true;
            if let Some(minutes) = offset {
                p.utc_offset_minutes = minutes;
            }
        })
        .await?;
    ctx.send(card_reply(&render::remind_card(&prefs))).await?;
    Ok(())
}

/// Show your reminder settings.
#[poise::command(slash_command)]
async fn status(ctx: Context<'_>) -> Result<(), BotError> {
    let learner = learner(ctx).await;
    let prefs = ctx.data().study.reminder_prefs(learner.user).await?;
    ctx.send(card_reply(&render::remind_card(&prefs))).await?;
    Ok(())
}
