//! Buttons and menus. Their custom_ids say everything needed to act (what, which track,
//! which topic), so they keep working after a restart; whoever presses acts for themself.

use poise::serenity_prelude as serenity;
use serenity::{
    ComponentInteraction, ComponentInteractionDataKind, CreateInteractionResponse,
    CreateInteractionResponseMessage, EditInteractionResponse, FullEvent, Interaction,
};

use super::replies::learner_from;
use super::{admin, community, quiz, BotError, Data};
use crate::study::domain::{Period, ResetScope};
use crate::study::Board;

const PREFIX: &str = "q";

/// What a component does. Encoded as `q:<verb>:<arguments>`, at most 100 characters (track
/// and topic ids are at most 40 each, checked when the course loads).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ComponentAction {
    Learn(String, String),
    Unlearn(String, String),
    /// Show a topic's card in place of the current one.
    Open(String, String),
    /// The map's "Jump to a topic" menu; the topic is the selected value.
    Jump(String),
    /// "Quiz me": start a quiz on the topic.
    Quiz(String, String),
    /// Answer question `position` of a quiz session with the choice shown at `slot`.
    Answer {
        session: i64,
        position: usize,
        slot: usize,
    },
    /// Go on to the next question, or the result.
    QuizNext(i64),
    /// A reminder's "Start review": the most overdue review.
    StartReview,
    /// A page (0-based) of a leaderboard: `q:lb:<board>:<period>:<page>`.
    Board(Board, Period, u64),
    /// `/forget-me`'s confirm button, for the member it was shown to.
    ForgetMe(u64),
    /// `/quorum-admin reset`'s confirm button.
    Reset(ResetScope),
    /// Closes a confirm prompt without doing anything.
    Cancel,
}

impl ComponentAction {
    pub fn encode(&self) -> String {
        match self {
            Self::Learn(track, topic) => format!("{PREFIX}:learn:{track}:{topic}"),
            Self::Unlearn(track, topic) => format!("{PREFIX}:unlearn:{track}:{topic}"),
            Self::Open(track, topic) => format!("{PREFIX}:open:{track}:{topic}"),
            Self::Jump(track) => format!("{PREFIX}:jump:{track}"),
            Self::Quiz(track, topic) => format!("{PREFIX}:quiz:{track}:{topic}"),
            Self::Answer {
                session,
                position,
                slot,
            } => format!("{PREFIX}:ans:{session}:{position}:{slot}"),
            Self::QuizNext(session) => format!("{PREFIX}:qnext:{session}"),
            Self::StartReview => format!("{PREFIX}:review"),
            Self::Board(board, period, page) => {
                let period = match period {
                    Period::Week => "week",
                    Period::AllTime => "all",
                };
                format!("{PREFIX}:lb:{}:{period}:{page}", board.as_str())
            }
            Self::ForgetMe(user) => format!("{PREFIX}:forget:{user}"),
            Self::Reset(ResetScope::Week) => format!("{PREFIX}:reset:week"),
            Self::Reset(ResetScope::AllTime) => format!("{PREFIX}:reset:all"),
            Self::Cancel => format!("{PREFIX}:cancel"),
        }
    }

    pub fn decode(custom_id: &str) -> Option<Self> {
        let parts: Vec<&str> = custom_id.split(':').collect();
        let owned = |text: &str| text.to_string();
        match parts.as_slice() {
            [PREFIX, "learn", track, topic] => Some(Self::Learn(owned(track), owned(topic))),
            [PREFIX, "unlearn", track, topic] => Some(Self::Unlearn(owned(track), owned(topic))),
            [PREFIX, "open", track, topic] => Some(Self::Open(owned(track), owned(topic))),
            [PREFIX, "jump", track] => Some(Self::Jump(owned(track))),
            [PREFIX, "quiz", track, topic] => Some(Self::Quiz(owned(track), owned(topic))),
            [PREFIX, "ans", session, position, slot] => Some(Self::Answer {
                session: session.parse().ok()?,
                position: position.parse().ok()?,
                slot: slot.parse().ok()?,
            }),
            [PREFIX, "qnext", session] => Some(Self::QuizNext(session.parse().ok()?)),
            [PREFIX, "review"] => Some(Self::StartReview),
            [PREFIX, "lb", board, period, page] => {
                let period = match *period {
                    "week" => Period::Week,
                    "all" => Period::AllTime,
                    _ => return None,
                };
                Some(Self::Board(
                    Board::parse(board)?,
                    period,
                    page.parse().ok()?,
                ))
            }
            [PREFIX, "forget", user] => Some(Self::ForgetMe(user.parse().ok()?)),
            [PREFIX, "reset", "week"] => Some(Self::Reset(ResetScope::Week)),
            [PREFIX, "reset", "all"] => Some(Self::Reset(ResetScope::AllTime)),
            [PREFIX, "cancel"] => Some(Self::Cancel),
            _ => None,
        }
    }
}

/// poise's event hook: components are ours, everything else poise handles.
pub async fn on_event(
    framework: poise::FrameworkContext<'_, Data, BotError>,
    event: &FullEvent,
) -> Result<(), BotError> {
    let (ctx, data) = (framework.serenity_context, framework.user_data);
    community::on_guild_event(event, data).await;
    if let FullEvent::InteractionCreate {
        interaction: Interaction::Component(press),
    } = event
    {
        if let Err(error) = handle(ctx, press, data).await {
            let reference = press.id.to_string();
            tracing::error!(%error, custom_id = %press.data.custom_id, reference, "component failed");
            let message = CreateInteractionResponseMessage::new()
                .content(error.user_message(&reference))
                .ephemeral(true);
            let reply = CreateInteractionResponse::Message(message);
            if let Err(error) = press.create_response(&ctx.http, reply).await {
                tracing::warn!(%error, "could not send the error reply");
            }
        }
    }
    Ok(())
}

async fn handle(
    ctx: &serenity::Context,
    press: &ComponentInteraction,
    data: &Data,
) -> Result<(), BotError> {
    let Some(action) = ComponentAction::decode(&press.data.custom_id) else {
        let message = CreateInteractionResponseMessage::new()
            .content("This button is from an older version of Quorum. Run the command again.")
            .ephemeral(true);
        press
            .create_response(&ctx.http, CreateInteractionResponse::Message(message))
            .await?;
        return Ok(());
    };
    let nick = press.member.as_ref().and_then(|m| m.nick.as_deref());
    let learner = learner_from(&press.user, nick, press.guild_id);
    let replies = data.replies();
    let (reply, in_place) = match action {
        ComponentAction::Quiz(track, topic) => (
            quiz::start(data, &learner, Some(&track), &topic, None).await?,
            false,
        ),
        ComponentAction::Answer {
            session,
            position,
            slot,
        } => (
            quiz::answer(data, &learner, session, position, slot).await?,
            true,
        ),
        ComponentAction::QuizNext(session) => (quiz::next(data, &learner, session).await?, true),
        ComponentAction::StartReview => (quiz::start_review(data, &learner).await?, false),
        ComponentAction::Learn(track, topic) => (
            replies
                .toggle_from_card(&learner, &track, &topic, true)
                .await?,
            true,
        ),
        ComponentAction::Unlearn(track, topic) => (
            replies
                .toggle_from_card(&learner, &track, &topic, false)
                .await?,
            true,
        ),
        ComponentAction::Open(track, topic) => {
            (replies.topic(&learner, Some(&track), &topic).await?, true)
        }
        ComponentAction::Jump(track) => {
            let topic = match &press.data.kind {
                ComponentInteractionDataKind::StringSelect { values } => values.first().cloned(),
                _ => None,
            }
            .unwrap_or_default();
            (replies.topic(&learner, Some(&track), &topic).await?, false)
        }
        ComponentAction::Board(board, period, page) => {
            let Some(guild) = learner.guild else {
                return Ok(());
            };
            // A page may wait on Discord's member checks: acknowledge within the 3 s deadline,
            // then edit the board in place.
            press
                .create_response(&ctx.http, CreateInteractionResponse::Acknowledge)
                .await?;
            let view = (board, period, page);
            let reply =
                community::leaderboard_reply(&ctx.http, data, &learner, guild, view).await?;
            let edit = reply.to_slash_initial_response_edit(EditInteractionResponse::new());
            press.edit_response(&ctx.http, edit).await?;
            return Ok(());
        }
        // A refusal is a new ephemeral message: the prompt stays for the one it was meant for.
        ComponentAction::ForgetMe(owner) => (
            community::confirm_forget(data, learner.user, owner).await?,
            learner.user.0 == owner,
        ),
        ComponentAction::Reset(scope) => (
            admin::confirm_reset(data, press.member.as_ref(), press.guild_id, scope).await?,
            admin::can_manage(press.member.as_ref()),
        ),
        ComponentAction::Cancel => (community::cancelled(), true),
    };
    let message = reply.to_slash_initial_response(CreateInteractionResponseMessage::new());
    let response = if in_place {
        CreateInteractionResponse::UpdateMessage(message)
    } else {
        CreateInteractionResponse::Message(message)
    };
    press.create_response(&ctx.http, response).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_survive_a_round_trip_through_their_custom_id() {
        let actions = [
            ComponentAction::Learn("distributed-systems".into(), "cap-consistency".into()),
            ComponentAction::Unlearn("t".into(), "x".into()),
            ComponentAction::Open("t".into(), "y".into()),
            ComponentAction::Jump("distributed-systems".into()),
            ComponentAction::Quiz("t".into(), "x".into()),
            ComponentAction::Answer {
                session: 9_007_199_254_740_993,
                position: 4,
                slot: 3,
            },
            ComponentAction::QuizNext(12),
            ComponentAction::StartReview,
            ComponentAction::Board(Board::Remembered, Period::AllTime, 12),
            ComponentAction::Board(Board::Points, Period::Week, 0),
            ComponentAction::ForgetMe(1_300_000_000_000_000_001),
            ComponentAction::Reset(ResetScope::Week),
            ComponentAction::Reset(ResetScope::AllTime),
            ComponentAction::Cancel,
        ];
        for action in actions {
            assert_eq!(ComponentAction::decode(&action.encode()), Some(action));
        }
    }

    #[test]
    fn the_longest_possible_custom_id_fits_discords_100_characters() {
        let longest_id = "x".repeat(40);
        let id = ComponentAction::Unlearn(longest_id.clone(), longest_id).encode();
        assert!(id.len() <= 100, "{} characters", id.len());
    }

    #[test]
    fn foreign_or_malformed_ids_are_refused() {
        for id in [
            "",
            "q",
            "q:learn:t",
            "other:learn:t:x",
            "q:fly:t:x",
            "q:jump:t:x",
            "q:learn:t:x:y",
            "q:lb:points:week",
            "q:lb:fame:week:1",
            "q:lb:points:month:1",
            "q:lb:points:week:x",
            "q:forget:ann",
            "q:reset:month",
        ] {
            assert_eq!(ComponentAction::decode(id), None, "{id}");
        }
    }
}
