//! The slash commands, each a thin adapter: read the options, call one reply builder, send.
//! A command's doc comment is its description on Discord.

use poise::serenity_prelude as serenity;
use serenity::{AutocompleteChoice, CreateAutocompleteResponse};

use super::replies::{card_reply, learner_from};
use super::{admin, community, privacy, quiz, reminders, BotError, Context, Data};
use crate::ids::{Learner, UserId};
use crate::render;

/// Every command Quorum registers, in the order `/help` lists them.
pub fn all() -> Vec<poise::Command<Data, BotError>> {
    vec![
        map(),
        topic(),
        learned(),
        unlearn(),
        progress(),
        next(),
        quiz::quiz(),
        quiz::review(),
        quiz::reviews(),
        reminders::remind(),
        community::leaderboard(),
        community::stats(),
        community::who_knows(),
        community::group(),
        privacy::privacy(),
        admin::quorum_admin(),
        community::forget_me(),
        community::export(),
        help(),
    ]
}

/// (usage, what it does) for `/help`.
const HELP: &[(&str, &str)] = &[
    (
        "/map [track]",
        "your skill map: the picture, a bar per section, jump to any topic",
    ),
    (
        "/topic <topic>",
        "a topic's card: summary, key points, reading, with buttons",
    ),
    (
        "/learned <topic>",
        "mark a topic learned; see your new bar and next step",
    ),
    ("/unlearn <topic>", "remove a learned mark"),
    (
        "/progress [member]",
        "progress bars per section, yours or a member's (shown to all)",
    ),
    ("/next", "the card of your next step"),
    (
        "/quiz <topic> [questions]",
        "a quiz, one question at a time, with the why of each answer",
    ),
    (
        "/review",
        "review your most overdue topic: 3 questions that schedule the next review",
    ),
    ("/reviews", "what is due for review now and what comes next"),
    (
        "/remind on|off|hour|status",
        "daily review reminders, at an hour of your own day",
    ),
    (
        "/leaderboard [board] [period]",
        "this server's top 10 by points, learned, remembered or streak; week or all time",
    ),
    (
        "/stats [member]",
        "topics, quiz accuracy, points, streak, reviews due and 30 days of activity",
    ),
    (
        "/who-knows <topic>",
        "members here who learned a topic and still remember it",
    ),
    (
        "/group",
        "how much of this server learned each topic, as a picture",
    ),
    (
        "/privacy [private|visible]",
        "stay off boards, /who-knows and /group, and keep your stats to yourself",
    ),
    (
        "/quorum-admin",
        "server settings and leaderboard resets (Manage Server only)",
    ),
    (
        "/forget-me",
        "delete everything Quorum holds about you, in every server",
    ),
    (
        "/export",
        "everything Quorum holds about you, as a JSON file",
    ),
    ("/help", "this help"),
];

pub(super) async fn learner(ctx: Context<'_>) -> Learner {
    let nick = ctx.author_member().await.and_then(|m| m.nick.clone());
    learner_from(ctx.author(), nick.as_deref(), ctx.guild_id())
}

/// Topics whose number, id, title or alias matches what is typed (Discord shows 25 at most).
pub(super) async fn autocomplete_topic(
    ctx: Context<'_>,
    partial: &str,
) -> CreateAutocompleteResponse {
    let choices = match ctx.data().study.track(None) {
        Ok(track) => track
            .matching_topics(partial)
            .take(25)
            .map(|t| {
                AutocompleteChoice::new(render::fit(&render::topic_label(t), 100), t.id.clone())
            })
            .collect(),
        Err(_) => Vec::new(),
    };
    CreateAutocompleteResponse::new().set_choices(choices)
}

async fn autocomplete_track(ctx: Context<'_>, partial: &str) -> CreateAutocompleteResponse {
    let partial = partial.to_lowercase();
    let choices = ctx
        .data()
        .study
        .catalog()
        .tracks
        .iter()
        .filter(|t| t.id.contains(&partial) || t.title.to_lowercase().contains(&partial))
        .take(25)
        .map(|t| AutocompleteChoice::new(render::fit(&t.title, 100), t.id.clone()))
        .collect();
    CreateAutocompleteResponse::new().set_choices(choices)
}

/// Your skill map: what you learned lights up, your next step glows.
#[poise::command(slash_command)]
async fn map(
    ctx: Context<'_>,
    #[description = "Which track (default: this server's)"]
    #[autocomplete = "autocomplete_track"]
    track: Option<String>,
) -> Result<(), BotError> {
    let learner = learner(ctx).await;
    let reply = ctx.data().replies().map(&learner, track.as_deref()).await?;
    ctx.send(reply).await?;
    Ok(())
}

/// A topic's card: summary, key points and further reading.
#[poise::command(slash_command)]
async fn topic(
    ctx: Context<'_>,
    #[description = "The topic: a number, a name or a keyword"]
    #[autocomplete = "autocomplete_topic"]
    topic: String,
) -> Result<(), BotError> {
    let learner = learner(ctx).await;
    let reply = ctx.data().replies().topic(&learner, None, &topic).await?;
    ctx.send(reply).await?;
    Ok(())
}

/// Mark a topic as learned.
#[poise::command(slash_command)]
async fn learned(
    ctx: Context<'_>,
    #[description = "The topic you learned"]
    #[autocomplete = "autocomplete_topic"]
    topic: String,
) -> Result<(), BotError> {
    let learner = learner(ctx).await;
    let reply = ctx.data().replies().learn(&learner, None, &topic).await?;
    ctx.send(reply).await?;
    Ok(())
}

/// Remove a learned mark from a topic.
#[poise::command(slash_command)]
async fn unlearn(
    ctx: Context<'_>,
    #[description = "The topic to unmark"]
    #[autocomplete = "autocomplete_topic"]
    topic: String,
) -> Result<(), BotError> {
    let learner = learner(ctx).await;
    let reply = ctx.data().replies().unlearn(&learner, None, &topic).await?;
    ctx.send(reply).await?;
    Ok(())
}

/// Progress bars per section: yours, or a member's for everyone to see.
#[poise::command(slash_command)]
async fn progress(
    ctx: Context<'_>,
    #[description = "A member of this server (default: you)"] member: Option<serenity::User>,
) -> Result<(), BotError> {
    let replies = ctx.data().replies();
    let reply = match member {
        Some(user) => {
            super::community::check_member_view(ctx, &user).await?;
            let name = user
                .global_name
                .clone()
                .unwrap_or_else(|| user.name.clone());
            // Asked for on purpose, so shared with the channel.
            replies
                .progress(UserId(user.id.get()), &name)
                .await?
                .ephemeral(false)
        }
        None => {
            let me = learner(ctx).await;
            replies.progress(me.user, &me.name).await?
        }
    };
    ctx.send(reply).await?;
    Ok(())
}

/// The card of your next step.
#[poise::command(slash_command)]
async fn next(ctx: Context<'_>) -> Result<(), BotError> {
    let learner = learner(ctx).await;
    let reply = ctx.data().replies().next(&learner).await?;
    ctx.send(reply).await?;
    Ok(())
}

/// What Quorum does and how to use it.
#[poise::command(slash_command)]
async fn help(ctx: Context<'_>) -> Result<(), BotError> {
    ctx.send(card_reply(&render::help_card(HELP))).await?;
    Ok(())
}
