//! Sending one reminder: by DM (one REST call once the member's DM channel is known), else in
//! the member's study channel; and the `/remind` commands. The worker in `delivery.rs` decides
//! when; every outcome is reported to the study's outbox.

use poise::serenity_prelude as serenity;
use serenity::{
    ButtonStyle, ChannelId, CreateActionRow, CreateAllowedMentions, CreateButton, CreateMessage,
    Nonce, UserId,
};

use super::commands::learner;
use super::components::ComponentAction;
use super::replies::{card_reply, embed};
use super::rest_client::{Answer, RestClient};
use super::{BotError, Context};
use crate::render;
use crate::study::{Reminder, Retry, Study};

/// Discord's "Cannot send messages to this user".
const CANNOT_DM: i64 = 50007;

/// Sends one reminder and records how it went. An error is logged with the reminder's id and
/// stops nothing else.
pub(super) async fn deliver(
    rest: &RestClient,
    study: &Study,
    reminder: Reminder,
    first_retry: chrono::Duration,
) {
    if let Err(error) = try_deliver(rest, study, &reminder, first_retry).await {
        tracing::error!(%error, reminder = reminder.id, "reminder not delivered; going on");
    }
}

async fn try_deliver(
    rest: &RestClient,
    study: &Study,
    reminder: &Reminder,
    first_retry: chrono::Duration,
) -> Result<(), BotError> {
    let user = UserId::new(reminder.user.0);
    let channel = match reminder.dm_channel {
        Some(channel) => ChannelId::new(channel),
        None => match rest.open_dm(user).await {
            Answer::Accepted(body) => {
                let Some(channel) = body["id"].as_str().and_then(|id| id.parse::<u64>().ok())
                else {
                    return failed(
                        study,
                        reminder,
                        &Answer::Failed("no DM channel id".into()),
                        first_retry,
                    )
                    .await;
                };
                study
                    .remember_dm_channel(reminder.user, Some(channel))
                    .await?;
                ChannelId::new(channel)
            }
            answer => return failed(study, reminder, &answer, first_retry).await,
        },
    };
    match rest.post_message(channel, &message(reminder, false)).await {
        Answer::Accepted(_) => Ok(study.reminder_delivered(reminder, channel.get()).await?),
        Answer::Refused {
            code: Some(CANNOT_DM),
            ..
        } => in_study_channel(rest, study, reminder, first_retry).await,
        answer @ Answer::Refused { status: 404, .. } => {
            // The remembered DM channel is gone: open a new one next time.
            study.remember_dm_channel(reminder.user, None).await?;
            failed(study, reminder, &answer, first_retry).await
        }
        answer => failed(study, reminder, &answer, first_retry).await,
    }
}

/// The member refuses DMs: their server's study channel, else reminders pause.
async fn in_study_channel(
    rest: &RestClient,
    study: &Study,
    reminder: &Reminder,
    first_retry: chrono::Duration,
) -> Result<(), BotError> {
    let Some(channel) = study.dm_refused(reminder).await? else {
        tracing::info!(user = %reminder.user, "member blocks DMs and has no study channel: reminders paused");
        return Ok(());
    };
    let channel = ChannelId::new(channel);
    match rest.post_message(channel, &message(reminder, true)).await {
        Answer::Accepted(_) => Ok(study.reminder_delivered(reminder, channel.get()).await?),
        answer => failed(study, reminder, &answer, first_retry).await,
    }
}

async fn failed(
    study: &Study,
    reminder: &Reminder,
    answer: &Answer,
    first_retry: chrono::Duration,
) -> Result<(), BotError> {
    let retry = match answer {
        Answer::RateLimited { retry_after } => Retry::After(
            chrono::Duration::from_std(*retry_after).unwrap_or(chrono::Duration::seconds(1)),
        ),
        Answer::TimedOut => Retry::Backoff {
            first: first_retry,
            unconfirmed: true,
        },
        _ => Retry::Backoff {
            first: first_retry,
            unconfirmed: false,
        },
    };
    tracing::warn!(%answer, reminder = reminder.id, attempts = reminder.attempts, "reminder send failed; will retry");
    Ok(study
        .reminder_failed(reminder, &answer.to_string(), retry)
        .await?)
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

/// Review reminders: on, off, or from a local hour.
#[poise::command(slash_command, subcommands("on", "off", "hour", "zone", "status"))]
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
    #[description = "Your time zone (Europe/Berlin) or UTC offset (+2); default: keep yours"]
    #[autocomplete = "autocomplete_zone"]
    zone: Option<String>,
) -> Result<(), BotError> {
    set_zone_and_hour(ctx, zone.as_deref(), Some(hour)).await
}

/// Set your time zone by name (daylight saving included) or offset, and optionally the hour.
#[poise::command(slash_command)]
async fn zone(
    ctx: Context<'_>,
    #[description = "Your time zone, e.g. Europe/Berlin, or a UTC offset like +2"]
    #[autocomplete = "autocomplete_zone"]
    zone: String,
    #[description = "Your local hour for reminders, 0-23 (default: keep yours)"]
    #[min = 0]
    #[max = 23]
    hour: Option<u8>,
) -> Result<(), BotError> {
    set_zone_and_hour(ctx, Some(&zone), hour).await
}

/// Applies a zone (checked first: an unknown one changes nothing) and an hour.
async fn set_zone_and_hour(
    ctx: Context<'_>,
    zone: Option<&str>,
    hour: Option<u8>,
) -> Result<(), BotError> {
    let zone = zone.map(crate::study::parse_zone).transpose()?;
    let learner = learner(ctx).await;
    let prefs = ctx
        .data()
        .study
        .set_reminder_prefs(&learner, |p| {
            if let Some(hour) = hour {
                p.hour = Some(hour);
                p.enabled = true;
            }
            if let Some(zone) = zone {
                p.zone = zone;
            }
        })
        .await?;
    ctx.send(card_reply(&render::remind_card(&prefs))).await?;
    Ok(())
}

/// IANA zone names containing what is typed (Discord shows 25 at most).
async fn autocomplete_zone(
    _ctx: Context<'_>,
    partial: &str,
) -> serenity::CreateAutocompleteResponse {
    let choices = crate::study::domain::zones_matching(partial)
        .take(25)
        .map(|name| serenity::AutocompleteChoice::new(name, name))
        .collect();
    serenity::CreateAutocompleteResponse::new().set_choices(choices)
}

/// Show your reminder settings.
#[poise::command(slash_command)]
async fn status(ctx: Context<'_>) -> Result<(), BotError> {
    let learner = learner(ctx).await;
    let prefs = ctx.data().study.reminder_prefs(learner.user).await?;
    ctx.send(card_reply(&render::remind_card(&prefs))).await?;
    Ok(())
}
