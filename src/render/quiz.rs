//! Cards for quizzes, reviews and the review schedule.

use std::fmt::Write;

use super::card::Card;
use super::replies::{colors, topic_label};
use super::time;
use crate::study::{QuizFeedback, QuizKind, QuizQuestion, QuizResult, ReviewSchedule};

/// Letters that name the choices on Discord, where each is a button.
pub const CHOICE_LETTERS: [&str; 5] = ["A", "B", "C", "D", "E"];
/// Numbers that name the choices in the console, where the answer is typed.
pub const CHOICE_NUMBERS: [&str; 5] = ["1", "2", "3", "4", "5"];

fn quiz_title(kind: QuizKind, question: &QuizQuestion) -> String {
    let what = match kind {
        QuizKind::Quiz => "📝 Quiz",
        QuizKind::Review => "🔁 Review",
    };
    format!("{what}: {}", topic_label(&question.topic))
}

/// A question with its choices named by `labels` ([`CHOICE_LETTERS`] or [`CHOICE_NUMBERS`]).
pub fn quiz_question_card(question: &QuizQuestion, labels: &[&str; 5]) -> Card {
    let mut text = format!(
        "**Question {} of {}**\n{}\n",
        question.position + 1,
        question.total,
        question.question
    );
    for (letter, choice) in labels.iter().zip(&question.choices) {
        let _ = write!(text, "\n**{letter}.** {choice}");
    }
    Card::new(quiz_title(question.kind, question), colors::BLURPLE)
        .description(text)
        .footer(format!(
            "Score so far: {}/{}",
            question.score, question.position
        ))
}

pub fn quiz_feedback_card(feedback: &QuizFeedback, labels: &[&str; 5]) -> Card {
    let question = &feedback.question;
    let right = labels.get(feedback.right).copied().unwrap_or("?");
    let right_text = question
        .choices
        .get(feedback.right)
        .map_or("", String::as_str);
    let verdict = if feedback.correct {
        "✅ **Right!**".to_string()
    } else {
        let chosen = labels.get(feedback.chosen).copied().unwrap_or("?");
        format!("❌ **Not quite.** You chose {chosen}.")
    };
    let text = format!(
        "**Question {} of {}**\n{}\n\n{verdict}\n**Answer: {right}.** {right_text}\n\n{}",
        question.position + 1,
        question.total,
        question.question,
        feedback.explain
    );
    let color = if feedback.correct {
        colors::GREEN
    } else {
        colors::RED
    };
    Card::new(quiz_title(question.kind, question), color)
        .description(text)
        .footer(format!(
            "Score: {}/{}",
            feedback.score,
            question.position + 1
        ))
}

pub fn quiz_result_card(result: &QuizResult) -> Card {
    let percent = result.percent();
    let verdict = match percent {
        100 => "Perfect score!",
        80..=99 => "Great work: you know this topic.",
        50..=79 => "Getting there: a second read will make it stick.",
        _ => "Worth another read of the topic before the next try.",
    };
    let what = match result.kind {
        QuizKind::Quiz => "Quiz",
        QuizKind::Review => "Review",
    };
    let mut text = format!(
        "**{} of {} right ({percent}%)**\n{verdict}",
        result.correct, result.total
    );
    if let Some(next) = result.next_review {
        let _ = write!(
            text,
            "\n\nNext review of this topic: {}.",
            time::relative(next)
        );
    }
    if result.offer_mark {
        text.push_str("\n\nYou passed: mark the topic learned to start its spaced reviews.");
    }
    let color = if percent >= 80 {
        colors::GREEN
    } else {
        colors::YELLOW
    };
    Card::new(
        format!("🏁 {what} done: {}", topic_label(&result.topic)),
        color,
    )
    .description(text)
}

/// `/reviews`: what is due now and what comes next, in each reader's local time.
pub fn reviews_card(schedule: &ReviewSchedule) -> Card {
    const SHOWN: usize = 10;
    let mut due = String::new();
    for entry in schedule.due.iter().take(SHOWN) {
        let _ = writeln!(
            due,
            "🔁 {} (due {})",
            topic_label(&entry.topic),
            time::relative(entry.due)
        );
    }
    if schedule.due.len() > SHOWN {
        let _ = writeln!(due, "…and {} more", schedule.due.len() - SHOWN);
    }
    let mut upcoming = String::new();
    for entry in schedule.upcoming.iter().take(SHOWN) {
        let _ = writeln!(
            upcoming,
            "🗓️ {} {}",
            topic_label(&entry.topic),
            time::relative(entry.due)
        );
    }
    let description = if schedule.due.is_empty() && schedule.upcoming.is_empty() {
        "No reviews yet: mark a topic learned with `/learned` and its first review comes the next day.".to_string()
    } else if schedule.due.is_empty() {
        "Nothing is due right now. 🎉".to_string()
    } else {
        format!(
            "{} review{} due now: `/review` starts the most overdue.",
            schedule.due.len(),
            if schedule.due.len() == 1 { "" } else { "s" }
        )
    };
    let mut card = Card::new("Your spaced reviews", colors::BLURPLE).description(description);
    if !due.is_empty() {
        card = card.field("Due now", due.trim_end(), false);
    }
    if !upcoming.is_empty() {
        card = card.field("Coming up", upcoming.trim_end(), false);
    }
    card
}
