//! Quizzes and reviews on Discord: `/quiz`, `/review`, `/reviews`, and the answer buttons.
//! A quiz is one ephemeral message, updated in place as the learner answers.

use poise::serenity_prelude as serenity;
use poise::CreateReply;
use serenity::{ButtonStyle, CreateActionRow, CreateButton};

use super::commands::{autocomplete_topic, learner};
use super::components::ComponentAction;
use super::replies::{card_reply, embed};
use super::{BotError, Context, Data};
use crate::ids::Learner;
use crate::render;
use crate::study::{QuizFeedback, QuizKind, QuizQuestion, QuizResult, QuizStep};

/// Quiz yourself on a topic, one question at a time.
#[poise::command(slash_command)]
pub async fn quiz(
    ctx: Context<'_>,
    #[description = "The topic: a number, a name or a keyword"]
    #[autocomplete = "autocomplete_topic"]
    topic: String,
    #[description = "How many questions (default 5)"]
    #[min = 1]
    #[max = 25]
    questions: Option<u8>,
) -> Result<(), BotError> {
    let learner = learner(ctx).await;
    let count = questions.map(usize::from);
    let reply = start(ctx.data(), &learner, None, &topic, count).await?;
    ctx.send(reply).await?;
    Ok(())
}

/// Review the most overdue topic: a short quiz that schedules the next review.
#[poise::command(slash_command)]
pub async fn review(ctx: Context<'_>) -> Result<(), BotError> {
    let learner = learner(ctx).await;
    let reply = start_review(ctx.data(), &learner).await?;
    ctx.send(reply).await?;
    Ok(())
}

/// Your spaced reviews: what is due now and what comes next.
#[poise::command(slash_command)]
pub async fn reviews(ctx: Context<'_>) -> Result<(), BotError> {
    let learner = learner(ctx).await;
    let schedule = ctx.data().study.review_schedule(learner.user).await?;
    ctx.send(card_reply(&render::reviews_card(&schedule)))
        .await?;
    Ok(())
}

pub async fn start(
    data: &Data,
    learner: &Learner,
    track: Option<&str>,
    topic: &str,
    count: Option<usize>,
) -> Result<CreateReply, BotError> {
    let question = data.study.start_quiz(learner, track, topic, count).await?;
    Ok(question_reply(&question))
}

pub async fn start_review(data: &Data, learner: &Learner) -> Result<CreateReply, BotError> {
    let question = data.study.start_review(learner).await?;
    Ok(question_reply(&question))
}

pub async fn answer(
    data: &Data,
    learner: &Learner,
    session: i64,
    position: usize,
    slot: usize,
) -> Result<CreateReply, BotError> {
    let step = data
        .study
        .answer_quiz(learner, session, position, slot)
        .await?;
    Ok(step_reply(&step))
}

pub async fn next(data: &Data, learner: &Learner, session: i64) -> Result<CreateReply, BotError> {
    let step = data.study.continue_quiz(learner, session).await?;
    Ok(step_reply(&step))
}

fn step_reply(step: &QuizStep) -> CreateReply {
    match step {
        QuizStep::Question(question) => question_reply(question),
        QuizStep::Feedback(feedback) => feedback_reply(feedback),
        QuizStep::Finished(result) => result_reply(result),
    }
}

/// A question with one button per choice, labelled with the choice (at most 80 characters and
/// 5 choices, by the course rules).
fn question_reply(question: &QuizQuestion) -> CreateReply {
    let buttons = (0..question.choices.len())
        .map(|slot| choice_button(question, slot))
        .collect();
    CreateReply::default()
        .embed(embed(&render::quiz_question_card(
            question,
            &render::CHOICE_LETTERS,
        )))
        .components(vec![CreateActionRow::Buttons(buttons)])
        .ephemeral(true)
}

/// The answer: the choices again, disabled, the right one green and a wrong pick red; then
/// the way on.
fn feedback_reply(feedback: &QuizFeedback) -> CreateReply {
    let question = &feedback.question;
    let choices = (0..question.choices.len())
        .map(|slot| {
            let style = if slot == feedback.right {
                ButtonStyle::Success
            } else if slot == feedback.chosen {
                ButtonStyle::Danger
            } else {
                ButtonStyle::Secondary
            };
            choice_button(question, slot).style(style).disabled(true)
        })
        .collect();
    let (label, emoji) = if feedback.is_last {
        ("See my score", '🏁')
    } else {
        ("Next question", '▶')
    };
    let next = CreateButton::new(ComponentAction::QuizNext(question.session).encode())
        .label(label)
        .emoji(emoji)
        .style(ButtonStyle::Primary);
    CreateReply::default()
        .embed(embed(&render::quiz_feedback_card(
            feedback,
            &render::CHOICE_LETTERS,
        )))
        .components(vec![
            CreateActionRow::Buttons(choices),
            CreateActionRow::Buttons(vec![next]),
        ])
        .ephemeral(true)
}

fn result_reply(result: &QuizResult) -> CreateReply {
    let track = result.track_id.clone();
    let topic = result.topic.id.clone();
    let mut buttons = Vec::new();
    if result.offer_mark {
        buttons.push(
            CreateButton::new(ComponentAction::Learn(track.clone(), topic.clone()).encode())
                .label("Mark learned")
                .emoji('✅')
                .style(ButtonStyle::Success),
        );
    }
    if result.kind == QuizKind::Quiz {
        buttons.push(
            CreateButton::new(ComponentAction::Quiz(track, topic).encode())
                .label("Quiz me again")
                .emoji('🔁')
                .style(ButtonStyle::Secondary),
        );
    }
    let reply = CreateReply::default()
        .embed(embed(&render::quiz_result_card(result)))
        .ephemeral(true);
    if buttons.is_empty() {
        reply.components(Vec::new())
    } else {
        reply.components(vec![CreateActionRow::Buttons(buttons)])
    }
}

/// The button that answers `question` with the choice at `slot`, labelled "A · choice" (cut
/// to Discord's 80-character label limit).
fn choice_button(question: &QuizQuestion, slot: usize) -> CreateButton {
    let action = ComponentAction::Answer {
        session: question.session,
        position: question.position,
        slot,
    };
    let letter = render::CHOICE_LETTERS.get(slot).copied().unwrap_or("?");
    let choice = question.choices.get(slot).map_or("", String::as_str);
    let mut label = format!("{letter} · {choice}");
    if label.chars().count() > 80 {
        label = label.chars().take(79).chain(['…']).collect();
    }
    CreateButton::new(action.encode())
        .label(label)
        .style(ButtonStyle::Secondary)
}
