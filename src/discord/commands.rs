//! The slash commands, each a thin adapter: read the options, call one reply builder, send.
//! A command's doc comment is its description on Discord.

use poise::serenity_prelude as serenity;
use serenity::{AutocompleteChoice, CreateAutocompleteResponse};

use super::replies::{card_reply, learner_from};
use super::{admin, community, plan, privacy, quiz, reminders, BotError, Context, Data};
use crate::ids::{GuildId, Learner, UserId};
use crate::render;
use crate::render::commands::{command_info, help_lines, CommandInfo, Reach};

/// Every command Quorum registers, in the order `/help` lists them, each described and
/// placed (server or user install; server, bot DM or private channel) by the command table.
pub fn all() -> Vec<poise::Command<Data, BotError>> {
    let mut commands = vec![
        map(),
        topic(),
        learned(),
        unlearn(),
        progress(),
        next(),
        quiz::quiz(),
        quiz::review(),
        quiz::reviews(),
        plan::plan(),
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
    ];
    for command in &mut commands {
        if let Some(info) = command_info(&command.name) {
            describe(command, info);
        }
    }
    commands
}

/// Gives a command its description and its places from the command table.
fn describe(command: &mut poise::Command<Data, BotError>, info: &CommandInfo) {
    use serenity::{InstallationContext as Install, InteractionContext as In};
    command.description = Some(info.description.into());
    let (installs, places) = match info.reach {
        Reach::Everywhere => (
            vec![Install::Guild, Install::User],
            vec![In::Guild, In::BotDm, In::PrivateChannel],
        ),
        Reach::Server | Reach::DiscordServer | Reach::Console => {
            (vec![Install::Guild], vec![In::Guild])
        }
    };
    command.install_context = Some(installs);
    command.interaction_context = Some(places);
}

pub(super) async fn learner(ctx: Context<'_>) -> Learner {
    let nick = ctx.author_member().await.and_then(|m| m.nick.clone());
    learner_from(ctx.author(), nick.as_deref(), ctx.guild_id())
}

/// Topics whose number, id, title or alias matches what is typed (Discord shows 25 at most).
pub(super) async fn autocomplete_topic(
    ctx: Context<'_>,
    partial: &str,
) -> CreateAutocompleteResponse {
    let user = UserId(ctx.author().id.get());
    let guild = ctx.guild_id().map(|g| GuildId(g.get()));
    let choices = match ctx.data().study.track_of(Some(user), guild, None).await {
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
            let member = Learner {
                user: UserId(user.id.get()),
                name: user
                    .global_name
                    .clone()
                    .unwrap_or_else(|| user.name.clone()),
                guild: ctx.guild_id().map(|g| GuildId(g.get())),
            };
            // Asked for on purpose, so shared with the channel.
            replies.progress(&member).await?.ephemeral(false)
        }
        None => replies.progress(&learner(ctx).await).await?,
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
    ctx.send(card_reply(&render::help_card(&help_lines(false))))
        .await?;
    Ok(())
}
