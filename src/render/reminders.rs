//! The reminder message and the `/remind` settings card.

use std::fmt::Write;
use std::sync::Arc;

use super::card::Card;
use super::replies::{colors, topic_label};
use crate::course::Topic;
use crate::study::domain::ReminderPrefs;

/// One reminder listing every due topic (most overdue first).
pub fn reminder_card(topics: &[Arc<Topic>], catch_up: bool) -> Card {
    let mut text = if catch_up {
        String::from("While I was offline, these reviews came due:\n\n")
    } else {
        String::from("These topics are due for a short review (3 questions each):\n\n")
    };
    for topic in topics.iter().take(15) {
        let _ = writeln!(text, "🔁 {}", topic_label(topic));
    }
    if topics.len() > 15 {
        let _ = writeln!(text, "…and {} more", topics.len() - 15);
    }
    text.push_str(
        "\nA review now, while it is still half-remembered, makes it stick for much longer.",
    );
    Card::new("Time to review", colors::YELLOW)
        .description(text)
        .footer("/remind off stops these · /remind hour picks the time")
}

pub fn remind_card(prefs: &ReminderPrefs) -> Card {
    let zone = prefs.zone.label();
    let when = match prefs.hour {
        Some(hour) => format!("from {hour:02}:00 your time ({zone})"),
        None => format!("as soon as a review is due (your zone: {zone})"),
    };
    let text = if prefs.dm_blocked {
        "⚠️ Reminders are paused: Discord would not let me DM you, and your server has no study \
         channel. Allow DMs from server members (Privacy Settings), then `/remind on`."
            .to_string()
    } else if prefs.enabled {
        format!("🔔 Reminders are **on**: at most one a day, {when}, by DM.")
    } else {
        "🔕 Reminders are **off**. `/remind on` brings them back.".to_string()
    };
    Card::new("Review reminders", colors::BLURPLE).description(text)
}
