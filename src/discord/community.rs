//! `/leaderboard`, `/stats`, `/who-knows`, `/group`, `/forget-me` and `/export`, the paging
//! and confirm buttons they show, and the server join/leave events behind the purge.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use poise::serenity_prelude as serenity;
use poise::CreateReply;
use serenity::{ButtonStyle, CreateActionRow, CreateAttachment, CreateButton, FullEvent};

use super::commands::learner;
use super::components::ComponentAction;
use super::pictures::draw_off_runtime;
use super::replies::{card_reply, embed};
use super::{BotError, Context, Data};
use crate::ids::{GuildId, Learner, UserId};
use crate::render;
use crate::study::domain::Period;
use crate::study::{Board, Study, StudyError};

const STATS_FILE: &str = "activity.png";
const GROUP_FILE: &str = "group.png";
const EXPORT_FILE: &str = "quorum-export.json";
/// How long Discord's word on a member being in a server is trusted.
const MEMBER_TTL: Duration = Duration::from_secs(15 * 60);
/// How long a page waits for Discord's member checks, all together.
const MEMBER_CHECK_BUDGET: Duration = Duration::from_millis(1500);
/// How often the purge of removed servers runs.
const PURGE_EVERY: Duration = Duration::from_secs(60 * 60);

/// Whether members are still in a server, as Discord's get-member call says, cached: a board
/// checks only the rows it shows, and needs no privileged members intent.
#[derive(Default)]
pub struct MemberCheck {
    seen: Mutex<HashMap<(u64, u64), (bool, Instant)>>,
    sweeping: AtomicBool,
}

impl MemberCheck {
    fn cached(&self, key: (u64, u64)) -> Option<bool> {
        let seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        seen.get(&key)
            .filter(|(_, at)| at.elapsed() < MEMBER_TTL)
            .map(|(present, _)| *present)
    }

    fn remember(&self, key: (u64, u64), present: bool) {
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        seen.retain(|_, (_, at)| at.elapsed() < MEMBER_TTL);
        seen.insert(key, (present, Instant::now()));
    }

    /// The users among `users` that Discord says are no longer members of `guild`. Any other
    /// failure counts as present: a hiccup must not wipe a board.
    async fn gone(
        &self,
        http: &Arc<serenity::Http>,
        guild: GuildId,
        users: &[UserId],
    ) -> Vec<UserId> {
        let mut gone = Vec::new();
        let mut asks = tokio::task::JoinSet::new();
        for &user in users {
            match self.cached((guild.0, user.0)) {
                Some(false) => gone.push(user),
                Some(true) => {}
                None => {
                    let http = Arc::clone(http);
                    asks.spawn(async move {
                        let result = http
                            .get_member(
                                serenity::GuildId::new(guild.0),
                                serenity::UserId::new(user.0),
                            )
                            .await;
                        (user, !is_unknown_member(result.err()))
                    });
                }
            }
        }
        // A slow Discord must not hold the page: what is unknown at the deadline counts as
        // present (not remembered), and the checks still running are dropped.
        let deadline = tokio::time::Instant::now() + MEMBER_CHECK_BUDGET;
        while let Ok(Some(answer)) = tokio::time::timeout_at(deadline, asks.join_next()).await {
            let Ok((user, present)) = answer else {
                continue; // a failed check keeps the member
            };
            self.remember((guild.0, user.0), present);
            if !present {
                gone.push(user);
            }
        }
        gone
    }
}

fn is_unknown_member(error: Option<serenity::Error>) -> bool {
    match error {
        Some(serenity::Error::Http(serenity::HttpError::UnsuccessfulRequest(response))) => {
            // 10007 Unknown Member, 10013 Unknown User.
            matches!(response.error.code, 10007 | 10013)
        }
        Some(error) => {
            tracing::warn!(%error, "could not check a member; keeping them on the board");
            false
        }
        None => false,
    }
}

/// One page of a board, members who left dropped first.
pub async fn leaderboard_reply(
    http: &Arc<serenity::Http>,
    data: &Data,
    learner: &Learner,
    guild: GuildId,
    (board, period, page): (Board, Period, u64),
) -> Result<CreateReply, BotError> {
    let study = &data.study;
    let mut shown = study
        .leaderboard(guild, board, period, page, learner)
        .await?;
    // A departure moves later members up into the page: check again, a few times at most.
    for _ in 0..3 {
        let others: Vec<UserId> = shown
            .rows
            .iter()
            .map(|r| r.user)
            .filter(|u| *u != learner.user)
            .collect();
        let gone = data.members.gone(http, guild, &others).await;
        if gone.is_empty() {
            break;
        }
        for user in gone {
            study.member_left(guild, user).await?;
        }
        shown = study
            .leaderboard(guild, board, period, page, learner)
            .await?;
    }
    let button = |label: &str, to: u64, disabled: bool| {
        CreateButton::new(ComponentAction::Board(board, period, to).encode())
            .label(label)
            .style(ButtonStyle::Secondary)
            .disabled(disabled)
    };
    let buttons = vec![
        button("◀ Previous", shown.page.saturating_sub(1), shown.page == 0),
        button("Next ▶", shown.page + 1, shown.page + 1 >= shown.pages),
    ];
    Ok(CreateReply::default()
        .embed(embed(&render::leaderboard_card(&shown)))
        .components(vec![CreateActionRow::Buttons(buttons)])
        .ephemeral(false))
}

/// Whether the channel may see `user`'s stats or progress: a member of this server, asked
/// from inside it, who did not choose to stay private (anyone may show their own). Discord
/// resolves a member in the interaction only for a user who is in the server.
pub(super) async fn check_member_view(
    ctx: Context<'_>,
    user: &serenity::User,
) -> Result<(), StudyError> {
    let is_member_here = match ctx {
        poise::Context::Application(app) => {
            app.interaction.data.resolved.members.contains_key(&user.id)
        }
        poise::Context::Prefix(_) => false,
    };
    Study::may_show_member(guild_of(ctx), is_member_here)?;
    let asker = UserId(ctx.author().id.get());
    ctx.data()
        .study
        .may_see_data_of(asker, UserId(user.id.get()))
        .await
}

fn guild_of(ctx: Context<'_>) -> Option<GuildId> {
    ctx.guild_id().map(|g| GuildId(g.get()))
}

async fn guild_only_reply(ctx: Context<'_>) -> Result<(), BotError> {
    let reply = CreateReply::default()
        .content("This works in a server, where members study together.")
        .ephemeral(true);
    ctx.send(reply).await?;
    Ok(())
}

#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
pub enum BoardChoice {
    #[name = "points"]
    Points,
    #[name = "learned"]
    Learned,
    #[name = "remembered"]
    Remembered,
    #[name = "streak"]
    Streak,
}

#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
pub enum PeriodChoice {
    #[name = "week"]
    Week,
    #[name = "all"]
    All,
}

/// This server's leaderboard: points, topics learned or remembered, or streaks.
#[poise::command(slash_command)]
pub async fn leaderboard(
    ctx: Context<'_>,
    #[description = "Which board (default: points)"] board: Option<BoardChoice>,
    #[description = "This week (from Monday 00:00 UTC) or all time (default: week)"] period: Option<
        PeriodChoice,
    >,
) -> Result<(), BotError> {
    let Some(guild) = guild_of(ctx) else {
        return guild_only_reply(ctx).await;
    };
    let board = match board.unwrap_or(BoardChoice::Points) {
        BoardChoice::Points => Board::Points,
        BoardChoice::Learned => Board::Learned,
        BoardChoice::Remembered => Board::Remembered,
        BoardChoice::Streak => Board::Streak,
    };
    let period = match period.unwrap_or(PeriodChoice::Week) {
        PeriodChoice::Week => Period::Week,
        PeriodChoice::All => Period::AllTime,
    };
    // Member checks may wait on Discord: answer within the 3 s deadline, then edit.
    ctx.defer().await?;
    let me = learner(ctx).await;
    let http = Arc::clone(&ctx.serenity_context().http);
    let reply = leaderboard_reply(&http, ctx.data(), &me, guild, (board, period, 0)).await?;
    ctx.send(reply).await?;
    Ok(())
}

/// Your stats, or a member's for everyone to see: topics, accuracy, points, streak, activity.
#[poise::command(slash_command)]
pub async fn stats(
    ctx: Context<'_>,
    #[description = "A member of this server (default: you)"] member: Option<serenity::User>,
) -> Result<(), BotError> {
    let (user, name, public) = match &member {
        Some(user) => {
            check_member_view(ctx, user).await?;
            let name = user
                .global_name
                .clone()
                .unwrap_or_else(|| user.name.clone());
            (UserId(user.id.get()), name, true)
        }
        None => {
            let me = learner(ctx).await;
            (me.user, me.name, false)
        }
    };
    // The activity picture takes tens of milliseconds and more on a busy machine: defer.
    if public {
        ctx.defer().await?;
    } else {
        ctx.defer_ephemeral().await?;
    }
    let data = ctx.data();
    let stats = data.study.stats(user, &name, guild_of(ctx)).await?;
    let pictures = Arc::clone(&data.community_pictures);
    let png = {
        let stats = stats.clone();
        draw_off_runtime(move || pictures.activity_png(&stats)).await?
    };
    let reply = CreateReply::default()
        .embed(embed(&render::stats_card(&stats)).image(format!("attachment://{STATS_FILE}")))
        .attachment(CreateAttachment::bytes(png, STATS_FILE))
        .ephemeral(!public);
    ctx.send(reply).await?;
    Ok(())
}

/// Members of this server who learned a topic and still remember it: ask them!
#[poise::command(slash_command, rename = "who-knows")]
pub async fn who_knows(
    ctx: Context<'_>,
    #[description = "The topic: a number, a name or a keyword"]
    #[autocomplete = "super::commands::autocomplete_topic"]
    topic: String,
) -> Result<(), BotError> {
    let Some(guild) = guild_of(ctx) else {
        return guild_only_reply(ctx).await;
    };
    let who = ctx.data().study.who_knows(guild, &topic).await?;
    ctx.send(card_reply(&render::who_knows_card(&who)).ephemeral(false))
        .await?;
    Ok(())
}

/// How much of this server learned each topic, as a picture.
#[poise::command(slash_command)]
pub async fn group(ctx: Context<'_>) -> Result<(), BotError> {
    let Some(guild) = guild_of(ctx) else {
        return guild_only_reply(ctx).await;
    };
    // The picture is drawn off the runtime and may take a while: defer.
    ctx.defer().await?;
    let data = ctx.data();
    let view = data.study.group(guild).await?;
    let pictures = Arc::clone(&data.community_pictures);
    let png = {
        let view = view.clone();
        draw_off_runtime(move || pictures.group_png(&view)).await?
    };
    let reply = CreateReply::default()
        .embed(embed(&render::group_card(&view)).image(format!("attachment://{GROUP_FILE}")))
        .attachment(CreateAttachment::bytes(png, GROUP_FILE))
        .ephemeral(false);
    ctx.send(reply).await?;
    Ok(())
}

/// Delete everything Quorum holds about you, in every server (asks to confirm first).
#[poise::command(slash_command, rename = "forget-me")]
pub async fn forget_me(ctx: Context<'_>) -> Result<(), BotError> {
    let user = UserId(ctx.author().id.get());
    let buttons = vec![
        CreateButton::new(ComponentAction::ForgetMe(user.0).encode())
            .label("Delete all my data")
            .style(ButtonStyle::Danger),
        CreateButton::new(ComponentAction::Cancel.encode())
            .label("Keep it")
            .style(ButtonStyle::Secondary),
    ];
    let card = render::Card::new("Forget me?", render::colors::RED).description(
        "This deletes your learned topics, quiz answers, reviews, reminders, streaks and \
         points in every server. It cannot be undone. Use `/export` first to keep a copy.",
    );
    ctx.send(card_reply(&card).components(vec![CreateActionRow::Buttons(buttons)]))
        .await?;
    Ok(())
}

/// Get everything Quorum holds about you, as a JSON file only you can see.
#[poise::command(slash_command)]
pub async fn export(ctx: Context<'_>) -> Result<(), BotError> {
    let user = UserId(ctx.author().id.get());
    // Every table about the member, as a file: defer, privately.
    ctx.defer_ephemeral().await?;
    let tables = ctx.data().study.export(user).await?;
    let now = ctx.data().study.now();
    let json = serde_json::to_vec_pretty(&render::export_json(user, now, &tables))
        .map_err(|e| BotError::Export(e.to_string()))?;
    let count: usize = tables.iter().map(|t| t.rows.len()).sum();
    let reply = CreateReply::default()
        .content(format!(
            "Here is everything Quorum holds about you: {count} records in {} tables.",
            tables.len()
        ))
        .attachment(CreateAttachment::bytes(json, EXPORT_FILE))
        .ephemeral(true);
    ctx.send(reply).await?;
    Ok(())
}

/// The confirm button of `/forget-me`: only the member it was shown to can press it.
pub async fn confirm_forget(
    data: &Data,
    presser: UserId,
    owner: u64,
) -> Result<CreateReply, BotError> {
    let card = if presser.0 != owner {
        render::Card::new("Not yours", render::colors::GREY)
            .description("Only the member who asked can confirm this. Use `/forget-me` yourself.")
    } else {
        let rows = data.study.forget(presser).await?;
        tracing::info!(user = %presser, rows, "forgot a member");
        render::Card::new("Forgotten", render::colors::GREEN).description(
            "Everything Quorum held about you is deleted, in every server. \
             If you study again, Quorum starts afresh.",
        )
    };
    Ok(card_reply(&card).components(Vec::new()))
}

pub fn cancelled() -> CreateReply {
    card_reply(
        &render::Card::new("Cancelled", render::colors::GREY).description("Nothing changed."),
    )
    .components(Vec::new())
}

/// Server joins and leaves: a removal (not an outage) schedules the purge, a (re)join cancels
/// it. The first READY starts the hourly purge.
pub async fn on_guild_event(event: &FullEvent, data: &Data) {
    let study = &data.study;
    let result = match event {
        FullEvent::GuildDelete { incomplete, .. } if !incomplete.unavailable => {
            tracing::info!(guild = %incomplete.id, "removed from a server; its data goes in a few days");
            study.guild_removed(GuildId(incomplete.id.get())).await
        }
        FullEvent::GuildCreate { guild, .. } => study
            .guild_present(GuildId(guild.id.get()))
            .await
            .map(|_| ()),
        FullEvent::Ready { .. } => {
            if !data.members.sweeping.swap(true, Ordering::SeqCst) {
                let study = study.clone();
                tokio::spawn(async move {
                    let mut every = tokio::time::interval(PURGE_EVERY);
                    // Ends with the bot: its database closes on shutdown.
                    while !study.is_closed() {
                        every.tick().await;
                        match study.purge_removed_guilds().await {
                            Ok(purged) if !purged.is_empty() => {
                                tracing::info!(?purged, "purged servers Quorum was removed from");
                            }
                            Ok(_) => {}
                            Err(error) => {
                                tracing::error!(%error, "purge of removed servers failed")
                            }
                        }
                    }
                });
            }
            Ok(())
        }
        _ => Ok(()),
    };
    if let Err(error) = result {
        tracing::error!(%error, "server event failed");
    }
}
