//! `/plan <minutes>`: the core's plan as a card, with a button to start each step.

use poise::serenity_prelude as serenity;
use serenity::{ButtonStyle, CreateActionRow, CreateButton};

use super::commands::learner;
use super::components::ComponentAction;
use super::replies::card_reply;
use super::{BotError, Context};
use crate::render;
use crate::study::PlanStep;

/// What to do in the next N minutes: due reviews first, then the next topics that fit.
#[poise::command(slash_command)]
pub async fn plan(
    ctx: Context<'_>,
    #[description = "How many minutes you have (5 to 240)"]
    #[min = 5]
    #[max = 240]
    minutes: u32,
) -> Result<(), BotError> {
    let me = learner(ctx).await;
    let plan = ctx.data().study.plan(me.user, me.guild, minutes).await?;
    let mut buttons = Vec::new();
    if plan
        .steps
        .iter()
        .any(|step| matches!(step, PlanStep::Review { .. }))
    {
        buttons.push(
            CreateButton::new(ComponentAction::StartReview.encode())
                .label("Start reviews")
                .emoji('🔁')
                .style(ButtonStyle::Primary),
        );
    }
    for step in &plan.steps {
        if let PlanStep::Read { topic, track_id } = step {
            let open = ComponentAction::Open(track_id.clone(), topic.id.clone());
            buttons.push(
                CreateButton::new(open.encode())
                    .label(format!("Read {}", topic.number))
                    .emoji('📖')
                    .style(ButtonStyle::Secondary),
            );
        }
    }
    // At most 1 + PLAN_STEPS buttons: within Discord's 5 rows of 5.
    let rows = buttons
        .chunks(5)
        .map(|row| CreateActionRow::Buttons(row.to_vec()))
        .collect();
    ctx.send(card_reply(&render::plan_card(&plan)).components(rows))
        .await?;
    Ok(())
}
