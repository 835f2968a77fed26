//! `/plan`'s card: the steps that fit in the member's time, reviews first.

use std::fmt::Write;

use super::card::Card;
use super::replies::{colors, topic_label};
use crate::study::{PlanStep, StudyPlan};

pub fn plan_card(plan: &StudyPlan) -> Card {
    let title = format!("🗓️ Your next {} minutes", plan.minutes);
    if plan.steps.is_empty() {
        return Card::new(title, colors::GREY).description(
            "Nothing fits in that time: no review is due and the next topic takes longer. \
             Try `/plan` with more minutes, or `/next` to see the next topic.",
        );
    }
    let mut text = String::new();
    for (n, step) in plan.steps.iter().enumerate() {
        let (icon, what) = match step {
            PlanStep::Review { .. } => ("🔁", "Review"),
            PlanStep::Read { .. } => ("📖", "Read"),
        };
        let _ = writeln!(
            text,
            "{}. {icon} {what}: {} · {} min",
            n + 1,
            topic_label(step.topic()),
            step.minutes()
        );
    }
    if plan.reviews_left > 0 {
        let _ = writeln!(
            text,
            "\n{} more review(s) due: they come first next time.",
            plan.reviews_left
        );
    }
    Card::new(title, colors::BLURPLE)
        .description(text.trim_end())
        .footer(format!(
            "{} of {} minutes planned · a review takes about {} minutes",
            plan.planned_minutes(),
            plan.minutes,
            crate::study::REVIEW_MINUTES
        ))
}
