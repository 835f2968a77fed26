//! Building Discord replies from the use cases: one method per command, shared by the slash
//! commands and the buttons, so a button press answers exactly what the command would.

use poise::serenity_prelude as serenity;
use poise::CreateReply;
use serenity::{
    ButtonStyle, CreateActionRow, CreateAttachment, CreateButton, CreateEmbed, CreateEmbedFooter,
    CreateSelectMenu, CreateSelectMenuKind, CreateSelectMenuOption,
};

use super::components::ComponentAction;
use super::{BotError, Data};
use crate::ids::{GuildId, Learner, UserId};
use crate::render::{self, Card};
use crate::study::{CardAction, NextStep, SkillMap, TopicCard};

const MAP_FILE: &str = "skill-map.png";

/// The learner behind an interaction: their id, the name the server knows them by, and where.
pub fn learner_from(
    user: &serenity::User,
    nick: Option<&str>,
    guild: Option<serenity::GuildId>,
) -> Learner {
    let name = nick
        .or(user.global_name.as_deref())
        .unwrap_or(&user.name)
        .to_string();
    Learner {
        user: UserId(user.id.get()),
        name,
        guild: guild.map(|g| GuildId(g.get())),
    }
}

pub struct Replies<'a> {
    data: &'a Data,
}

impl<'a> Replies<'a> {
    pub fn new(data: &'a Data) -> Self {
        Self { data }
    }

    /// The skill map: the picture, the text map with a bar per section, and a menu to jump.
    pub async fn map(
        &self,
        learner: &Learner,
        track: Option<&str>,
    ) -> Result<CreateReply, BotError> {
        let map = self.data.study.map(learner, track).await?;
        let png = self.data.pictures.png(&map).await?;
        let embed = embed(&render::map_card(&map)).image(format!("attachment://{MAP_FILE}"));
        Ok(CreateReply::default()
            .embed(embed)
            .attachment(CreateAttachment::bytes(png.as_slice(), MAP_FILE))
            .components(vec![jump_menu(&map)])
            .ephemeral(true))
    }

    pub async fn topic(
        &self,
        learner: &Learner,
        track: Option<&str>,
        query: &str,
    ) -> Result<CreateReply, BotError> {
        let card = self.data.study.topic(learner, track, query).await?;
        Ok(topic_reply(&card))
    }

    pub async fn learn(
        &self,
        learner: &Learner,
        track: Option<&str>,
        query: &str,
    ) -> Result<CreateReply, BotError> {
        let reply = self.data.study.learn(learner, track, query).await?;
        self.data.announce(learner, &reply).await;
        Ok(card_reply(&render::learn_card(&reply)))
    }

    pub async fn unlearn(
        &self,
        learner: &Learner,
        track: Option<&str>,
        query: &str,
    ) -> Result<CreateReply, BotError> {
        let reply = self.data.study.unlearn(learner, track, query).await?;
        Ok(card_reply(&render::learn_card(&reply)))
    }

    /// Marks or unmarks from a topic card, answering with the card as it now stands.
    pub async fn toggle_from_card(
        &self,
        learner: &Learner,
        track: &str,
        topic: &str,
        learned: bool,
    ) -> Result<CreateReply, BotError> {
        if learned {
            let reply = self.data.study.learn(learner, Some(track), topic).await?;
            self.data.announce(learner, &reply).await;
        } else {
            self.data.study.unlearn(learner, Some(track), topic).await?;
        }
        self.topic(learner, Some(track), topic).await
    }

    /// Someone's progress bars, on the track of the server asked from; `who.name` is how the
    /// server knows them.
    pub async fn progress(&self, who: &Learner) -> Result<CreateReply, BotError> {
        let map = self.data.study.map(who, None).await?;
        Ok(card_reply(&render::progress_card(&who.name, &map)))
    }

    pub async fn next(&self, learner: &Learner) -> Result<CreateReply, BotError> {
        Ok(match self.data.study.next(learner, None).await? {
            NextStep::Topic(card) => topic_reply(&card),
            step @ NextStep::TrackComplete(_) => card_reply(&render::next_card(&step)),
        })
    }
}

/// A card alone, ephemeral.
pub fn card_reply(card: &Card) -> CreateReply {
    CreateReply::default().embed(embed(card)).ephemeral(true)
}

/// A topic card with its buttons: mark or unmark, and the next topic.
pub fn topic_reply(card: &TopicCard) -> CreateReply {
    let track = &card.track.id;
    let topic = &card.topic.id;
    let buttons: Vec<CreateButton> = card
        .actions
        .iter()
        .filter_map(|action| match action {
            CardAction::MarkLearned => Some(
                CreateButton::new(ComponentAction::Learn(track.clone(), topic.clone()).encode())
                    .label("Mark learned")
                    .emoji('✅')
                    .style(ButtonStyle::Success),
            ),
            CardAction::Unmark => Some(
                CreateButton::new(ComponentAction::Unlearn(track.clone(), topic.clone()).encode())
                    .label("Unmark")
                    .emoji('↩')
                    .style(ButtonStyle::Secondary),
            ),
            CardAction::NextTopic => card.following.as_ref().map(|next| {
                CreateButton::new(ComponentAction::Open(track.clone(), next.id.clone()).encode())
                    .label(format!("Next topic: {}", next.number))
                    .emoji('▶')
                    .style(ButtonStyle::Primary)
            }),
            CardAction::Quiz => Some(
                CreateButton::new(ComponentAction::Quiz(track.clone(), topic.clone()).encode())
                    .label("Quiz me")
                    .emoji('📝')
                    .style(ButtonStyle::Primary),
            ),
        })
        .collect();
    CreateReply::default()
        .embed(embed(&render::topic_card(card)))
        .components(vec![CreateActionRow::Buttons(buttons)])
        .ephemeral(true)
}

/// "Jump to a topic": every topic of the track, its state as the emoji (at most 25 options,
/// which the course validation guarantees).
fn jump_menu(map: &SkillMap) -> CreateActionRow {
    let options = map
        .entries()
        .map(|entry| {
            let label = render::fit(&render::topic_label(&entry.topic), 100);
            CreateSelectMenuOption::new(label, entry.topic.id.clone())
                .description(render::fit(&entry.topic.hook, 100))
                .emoji(serenity::ReactionType::Unicode(
                    render::state_icon(entry.state).to_string(),
                ))
        })
        .collect();
    CreateActionRow::SelectMenu(
        CreateSelectMenu::new(
            ComponentAction::Jump(map.track.id.clone()).encode(),
            CreateSelectMenuKind::String { options },
        )
        .placeholder("Jump to a topic"),
    )
}

pub fn embed(card: &Card) -> CreateEmbed {
    let mut embed = CreateEmbed::new()
        .title(&card.title)
        .description(&card.description)
        .color(card.color);
    for field in &card.fields {
        embed = embed.field(&field.name, &field.value, field.inline);
    }
    if let Some(footer) = &card.footer {
        embed = embed.footer(CreateEmbedFooter::new(footer));
    }
    embed
}
