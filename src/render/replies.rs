//! Cards for every reply of the study use cases. Both the console and Discord show these.

use std::fmt::Write;

use super::bar::progress_bar;
use super::card::Card;
use crate::course::Topic;
use crate::study::{
    CardAction, LearnReply, MarkChange, NextStep, SkillMap, StudyError, TopicCard, TopicState,
};

/// Discord's palette, so embeds sit well in its dark theme.
pub mod colors {
    pub const BLURPLE: u32 = 0x5865F2;
    pub const GREEN: u32 = 0x57F287;
    pub const YELLOW: u32 = 0xFEE75C;
    pub const RED: u32 = 0xED4245;
    pub const GREY: u32 = 0x4F545C;
}

/// The marker shown before a topic in text maps, one per state.
pub fn state_icon(state: TopicState) -> &'static str {
    match state {
        TopicState::Learned => "✅",
        TopicState::Next => "✨",
        TopicState::Available => "⚪",
        TopicState::Locked => "🔒",
    }
}

fn state_label(state: TopicState) -> &'static str {
    match state {
        TopicState::Learned => "Learned",
        TopicState::Next => "Your next step",
        TopicState::Available => "Open",
        TopicState::Locked => "Locked: learn its requirements first",
    }
}

/// `2 · CAP & consistency`: how a topic is named in lists.
pub fn topic_label(topic: &Topic) -> String {
    format!("{} · {}", topic.number, topic.title)
}

/// The skill map as text: a bar per section and a line per topic, for screen readers and
/// for the console.
pub fn map_card(map: &SkillMap) -> Card {
    let mut text = String::new();
    let _ = writeln!(text, "*{}*\n", map.track.tagline);
    for section in &map.sections {
        let _ = writeln!(
            text,
            "**{}**  `{}`",
            section.title,
            progress_bar(section.progress)
        );
        for entry in &section.topics {
            let _ = writeln!(
                text,
                "{} `{:>2}` {} · {} · {} min",
                state_icon(entry.state),
                entry.topic.number,
                entry.topic.title,
                entry.topic.level,
                entry.topic.minutes
            );
        }
        text.push('\n');
    }
    let card = Card::new(
        format!("{}: {}", map.track.subject, map.track.title),
        colors::BLURPLE,
    )
    .description(text.trim_end())
    .field("Total", format!("`{}`", progress_bar(map.total)), true);
    let card = match &map.next {
        Some(next) => card.field("Next step", format!("✨ {}", topic_label(next)), true),
        None if map.total.is_complete() => card.field(
            "Track complete",
            format!("🏁 {}", map.track.insight.title),
            true,
        ),
        None => card,
    };
    card.footer("✅ learned · ✨ next step · ⚪ open · 🔒 locked")
}

pub fn topic_card(card: &TopicCard) -> Card {
    let topic = &card.topic;
    let mut header = format!(
        "**{}** · {} min · {}\n{} {}\n",
        topic.level,
        topic.minutes,
        card.section_title,
        state_icon(card.state),
        state_label(card.state)
    );
    if !card.requires.is_empty() {
        let names: Vec<String> = card
            .requires
            .iter()
            .map(|(t, learned)| {
                format!("{} {}", if *learned { "✅" } else { "▫️" }, topic_label(t))
            })
            .collect();
        let _ = writeln!(header, "Builds on: {}", names.join(", "));
    }
    let mut result = Card::new(topic_label(topic), state_color(card.state))
        .description(format!("{header}\n{}", topic.summary));
    if !topic.key_points.is_empty() {
        let points: Vec<String> = topic.key_points.iter().map(|p| format!("• {p}")).collect();
        result = result.field("Key points", points.join("\n"), false);
    }
    if !topic.further_reading.is_empty() {
        let reading: Vec<String> = topic
            .further_reading
            .iter()
            .map(|r| match &r.url {
                Some(url) => format!("• [{}]({url})", r.title),
                None => format!("• {}", r.title),
            })
            .collect();
        result = result.field("Further reading", fit(&reading.join("\n"), 1024), false);
    }
    let mut footer = vec![card.track.title.clone()];
    if card.actions.contains(&CardAction::Quiz) {
        footer.push(format!("{} quiz questions", topic.quiz.len()));
    }
    result.footer(footer.join(" · "))
}

pub fn learn_card(reply: &LearnReply) -> Card {
    let topic = &reply.topic;
    let (title, color) = match reply.change {
        MarkChange::Learned => (format!("✅ Learned: {}", topic_label(topic)), colors::GREEN),
        MarkChange::AlreadyLearned => (
            format!("✅ Already learned: {}", topic_label(topic)),
            colors::GREEN,
        ),
        MarkChange::Unlearned => (format!("↩️ Unmarked: {}", topic_label(topic)), colors::GREY),
        MarkChange::WasNotLearned => (
            format!("{} was not marked learned", topic_label(topic)),
            colors::GREY,
        ),
    };
    let mut text = String::new();
    if let Some((section, progress)) = reply.section_progress() {
        let _ = writeln!(text, "**{section}**  `{}`", progress_bar(progress));
    }
    let _ = writeln!(text, "**Total**  `{}`", progress_bar(reply.map.total));
    if reply.completed_track() {
        let insight = &reply.map.track.insight;
        let _ = write!(
            text,
            "\n🏁 **You finished {}!**\n\n**{}**\n{}",
            reply.map.track.title, insight.title, insight.body
        );
    } else if reply.completed_section() {
        if let Some((section, _)) = reply.section_progress() {
            let _ = writeln!(text, "\n🎉 **Section complete: {section}!**");
        }
    }
    let card = Card::new(title, color).description(text.trim_end());
    match &reply.map.next {
        Some(next) => card.field(
            "Next step",
            format!("✨ {}\n{}", topic_label(next), next.hook),
            false,
        ),
        None => card,
    }
}

/// Per-section bars for one learner.
pub fn progress_card(name: &str, map: &SkillMap) -> Card {
    let mut text = String::new();
    for section in &map.sections {
        let _ = writeln!(
            text,
            "**{}**\n`{}`",
            section.title,
            progress_bar(section.progress)
        );
    }
    let card = Card::new(
        format!("{}'s progress: {}", member_name(name), map.track.title),
        colors::BLURPLE,
    )
    .description(text.trim_end())
    .field(
        "Total",
        format!("`{}` ({}%)", progress_bar(map.total), map.total.percent()),
        false,
    );
    match &map.next {
        Some(next) => card.field("Next step", format!("✨ {}", topic_label(next)), false),
        None => card,
    }
}

pub fn next_card(step: &NextStep) -> Card {
    match step {
        NextStep::Topic(card) => topic_card(card),
        NextStep::TrackComplete(map) => Card::new(
            format!("🏁 You have learned all of {}", map.track.title),
            colors::GREEN,
        )
        .description(format!(
            "**{}**\n{}\n\nSpaced reviews will keep it fresh.",
            map.track.insight.title, map.track.insight.body
        )),
    }
}

/// What Quorum is and the commands it answers; `commands` lists (usage, what it does).
pub fn help_card(commands: &[(&str, &str)]) -> Card {
    let mut text = String::from(
        "Quorum is your study group's companion: follow a learning track topic by topic, \
         see your skill map light up, quiz yourself, and keep what you learned with spaced reviews.\n\n",
    );
    for (usage, what) in commands {
        let _ = writeln!(text, "`{usage}`: {what}");
    }
    text.push_str("\nTopics can be named by number, id, title or alias: `/topic 2`, `/topic cap`.");
    let _ = write!(text, "\n\n{}", super::community::points_rule());
    Card::new("Quorum: how it works", colors::BLURPLE).description(text)
}

/// The learner-facing text of an error. Internal errors get a short apology; the adapter
/// logs the details with the `reference` it shows here.
pub fn error_message(error: &StudyError, reference: &str) -> String {
    match error {
        StudyError::UnknownTopic(miss) => {
            let mut text = format!("I don't know a topic called “{}”.", miss.query);
            if !miss.suggestions.is_empty() {
                let _ = write!(text, " Did you mean: {}?", miss.suggestions.join(", "));
            } else {
                text.push_str(" Try `/map` to see all topics.");
            }
            text
        }
        StudyError::UnknownTrack { query, available } => format!(
            "There is no track called “{query}”. Tracks here: {}.",
            available.join(", ")
        ),
        StudyError::NoTrack => {
            "No learning track is loaded yet: ask the bot's owner to add one to `course/`.".into()
        }
        StudyError::NoQuestions(title) => format!("“{title}” has no quiz questions yet."),
        StudyError::QuizGone => {
            "This quiz has ended or expired. Start a new one with `/quiz`.".into()
        }
        StudyError::NotYourQuiz => {
            "This quiz belongs to someone else. Start your own with `/quiz`.".into()
        }
        StudyError::NothingToReview { next: Some(next) } => format!(
            "Nothing to review right now. Your next review is due {}.",
            super::time::relative(*next)
        ),
        StudyError::NothingToReview { next: None } => {
            "Nothing to review yet: mark a topic learned with `/learned` and its first review comes the next day.".into()
        }
        StudyError::UnknownZone(miss) => {
            let mut text = format!(
                "I don't know a time zone called “{}”. Use a name like `Europe/Berlin` or \
                 `America/New_York`, or an offset like `+2`.",
                miss.query
            );
            if !miss.suggestions.is_empty() {
                let names: Vec<String> =
                    miss.suggestions.iter().map(|n| format!("`{n}`")).collect();
                text.push_str(&format!(" Did you mean {}?", names.join(", ")));
            }
            text
        }
        StudyError::KeepsPrivate => {
            "This member keeps their study data private (`/privacy`), so I cannot show it.".into()
        }
        StudyError::NotAMemberHere => {
            "I can only show the stats and progress of a member of this server, from inside the server.".into()
        }
        StudyError::Busy => {
            "The database is busy right now. Please try again in a few seconds.".into()
        }
        StudyError::Store(_) => {
            format!("Sorry, something went wrong on my side. It has been logged as `{reference}`.")
        }
    }
}

fn state_color(state: TopicState) -> u32 {
    match state {
        TopicState::Learned => colors::GREEN,
        TopicState::Next => colors::YELLOW,
        TopicState::Available => colors::BLURPLE,
        TopicState::Locked => colors::GREY,
    }
}

/// A member's name as it goes into an embed: at most 64 characters, every Markdown character
/// escaped, so that a nickname such as `[Free Nitro](https://…)` shows as the text it is and
/// never as a link, a heading or formatting in the bot's own message.
pub fn member_name(name: &str) -> String {
    const MAX: usize = 64;
    let mut cut: String = name.chars().take(MAX).collect();
    if name.chars().count() > MAX {
        cut.push('…');
    }
    let mut escaped = String::with_capacity(cut.len() * 2);
    for c in cut.chars() {
        if matches!(
            c,
            '\\' | '*'
                | '_'
                | '~'
                | '`'
                | '|'
                | '>'
                | '<'
                | '#'
                | '-'
                | '['
                | ']'
                | '('
                | ')'
                | ':'
                | '@'
                | '!'
        ) {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// Cuts text to `max` characters on a line boundary, marking the cut.
pub fn fit(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out = String::new();
    for line in text.lines() {
        if out.chars().count() + line.chars().count() + 2 > max {
            break;
        }
        out.push_str(line);
        out.push('\n');
    }
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_names_cannot_format_or_link() {
        assert_eq!(
            member_name("[Free Nitro](https://x.y)"),
            r"\[Free Nitro\]\(https\://x.y\)"
        );
        assert_eq!(
            member_name("**big** _it_ `c` ~s~ |sp|"),
            r"\*\*big\*\* \_it\_ \`c\` \~s\~ \|sp\|"
        );
        assert_eq!(member_name("# head"), r"\# head");
        assert_eq!(member_name("ann"), "ann");
        assert_eq!(member_name(&"x".repeat(70)).chars().count(), 65);
    }
}
