//! `/quorum-admin`: a server's settings, for members with Manage Server only. Discord hides the
//! command from others (default member permissions), and every subcommand and the reset
//! button check the permission again here, since server owners can override what Discord hides.

use poise::serenity_prelude as serenity;
use poise::CreateReply;
use serenity::{ButtonStyle, CreateActionRow, CreateButton};

use super::components::ComponentAction;
use super::replies::card_reply;
use super::{BotError, Context, Data};
use crate::ids::GuildId;
use crate::render;
use crate::study::domain::{ResetScope, SettingChange};

/// Whether the member behind an interaction may manage the server.
pub fn can_manage(member: Option<&serenity::Member>) -> bool {
    member
        .and_then(|m| m.permissions)
        .is_some_and(|p| p.manage_guild() || p.administrator())
}

fn refusal() -> CreateReply {
    CreateReply::default()
        .content("You need the Manage Server permission to change Quorum's settings here.")
        .ephemeral(true)
}

/// The caller's server, if they may manage it.
fn managed_guild(ctx: Context<'_>) -> Option<GuildId> {
    let guild = ctx.guild_id()?;
    let member = match ctx {
        poise::Context::Application(app) => app.interaction.member.as_deref(),
        poise::Context::Prefix(_) => None,
    };
    can_manage(member).then_some(GuildId(guild.get()))
}

async fn apply(ctx: Context<'_>, change: SettingChange, note: &str) -> Result<(), BotError> {
    let Some(guild) = managed_guild(ctx) else {
        ctx.send(refusal()).await?;
        return Ok(());
    };
    let settings = ctx.data().study.change_setting(guild, change).await?;
    ctx.send(card_reply(&render::settings_card(&settings, note)))
        .await?;
    Ok(())
}

/// Quorum's settings for this server (Manage Server only).
#[poise::command(
    slash_command,
    rename = "quorum-admin",
    guild_only,
    default_member_permissions = "MANAGE_GUILD",
    subcommands("show", "channel", "reminders", "announcements", "track", "reset")
)]
pub async fn quorum_admin(_ctx: Context<'_>) -> Result<(), BotError> {
    Ok(())
}

/// Show this server's settings.
#[poise::command(slash_command, guild_only)]
async fn show(ctx: Context<'_>) -> Result<(), BotError> {
    let Some(guild) = managed_guild(ctx) else {
        ctx.send(refusal()).await?;
        return Ok(());
    };
    let settings = ctx.data().study.guild_settings(guild).await?;
    ctx.send(card_reply(&render::settings_card(
        &settings,
        "Current settings.",
    )))
    .await?;
    Ok(())
}

/// Set the study channel for reminders and announcements.
#[poise::command(slash_command, guild_only)]
async fn channel(
    ctx: Context<'_>,
    #[description = "The channel (leave out to unset)"]
    #[channel_types("Text")]
    channel: Option<serenity::GuildChannel>,
) -> Result<(), BotError> {
    let id = channel.map(|c| c.id.get());
    let note = match id {
        Some(id) => format!("Study channel set to <#{id}>."),
        None => "Study channel unset.".to_string(),
    };
    apply(ctx, SettingChange::StudyChannel(id), &note).await
}

/// Turn review reminders on or off for the whole server.
#[poise::command(slash_command, guild_only)]
async fn reminders(
    ctx: Context<'_>,
    #[description = "On or off"] on: bool,
) -> Result<(), BotError> {
    let note = format!("Reminders turned {}.", if on { "on" } else { "off" });
    apply(ctx, SettingChange::Reminders(on), &note).await
}

/// Announce learned marks and filled sections in the study channel, or not.
#[poise::command(slash_command, guild_only)]
async fn announcements(
    ctx: Context<'_>,
    #[description = "On or off"] on: bool,
) -> Result<(), BotError> {
    let note = format!("Announcements turned {}.", if on { "on" } else { "off" });
    apply(ctx, SettingChange::Announcements(on), &note).await
}

/// Set the server's default track.
#[poise::command(slash_command, guild_only)]
async fn track(
    ctx: Context<'_>,
    #[description = "The track id (leave out for the first one)"] track: Option<String>,
) -> Result<(), BotError> {
    let note = "Default track changed.";
    apply(ctx, SettingChange::DefaultTrack(track), note).await
}

#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
pub enum ResetChoice {
    #[name = "week"]
    Week,
    #[name = "all"]
    All,
}

/// Reset the weekly or the all-time leaderboard (asks to confirm first).
#[poise::command(slash_command, guild_only)]
async fn reset(
    ctx: Context<'_>,
    #[description = "Which board: this week's or all time (all time empties both)"]
    board: ResetChoice,
) -> Result<(), BotError> {
    if managed_guild(ctx).is_none() {
        ctx.send(refusal()).await?;
        return Ok(());
    }
    let (scope, what) = match board {
        ResetChoice::Week => (ResetScope::Week, "this week's leaderboard"),
        ResetChoice::All => (
            ResetScope::AllTime,
            "every leaderboard, all time and weekly",
        ),
    };
    let buttons = vec![
        CreateButton::new(ComponentAction::Reset(scope).encode())
            .label("Reset")
            .style(ButtonStyle::Danger),
        CreateButton::new(ComponentAction::Cancel.encode())
            .label("Cancel")
            .style(ButtonStyle::Secondary),
    ];
    let card = render::Card::new("Reset the leaderboard?", render::colors::RED).description(
        format!("This empties {what} of this server. Members keep their progress."),
    );
    ctx.send(card_reply(&card).components(vec![CreateActionRow::Buttons(buttons)]))
        .await?;
    Ok(())
}

/// The reset confirm button, checked again: the message could be pressed by someone else.
pub async fn confirm_reset(
    data: &Data,
    member: Option<&serenity::Member>,
    guild: Option<serenity::GuildId>,
    scope: ResetScope,
) -> Result<CreateReply, BotError> {
    let card = match guild {
        Some(guild) if can_manage(member) => {
            data.study.reset_boards(GuildId(guild.get()), scope).await?;
            render::Card::new("Leaderboard reset", render::colors::GREEN)
                .description("Done: the board starts from zero.")
        }
        _ => render::Card::new("Not allowed", render::colors::GREY)
            .description("You need the Manage Server permission to reset the leaderboard."),
    };
    Ok(card_reply(&card).components(Vec::new()))
}
