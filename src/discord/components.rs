//! Buttons and menus. Their custom_ids say everything needed to act (what, which track,
//! which topic), so they keep working after a restart; whoever presses acts for themself.

use poise::serenity_prelude as serenity;
use serenity::{
    ComponentInteraction, ComponentInteractionDataKind, CreateInteractionResponse,
    CreateInteractionResponseMessage, FullEvent, Interaction,
};

use super::quiz;
use super::replies::learner_from;
use super::{BotError, Data};

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
        ] {
            assert_eq!(ComponentAction::decode(id), None, "{id}");
        }
    }
}
