//! Cards of the community commands: leaderboards, stats, who knows a topic, the group view,
//! server settings, and the rules for points.

use std::fmt::Write;

use super::card::Card;
use super::replies::colors;
use super::{fit, member_name, progress_bar, time};
use crate::study::domain::{
    GuildSettings, Period, POINTS_CORRECT_ANSWER, POINTS_LEARNED, POINTS_REVIEW_ON_TIME,
};
use crate::study::{Board, GroupView, Leaderboard, Ranked, Stats, WhoKnows};

/// How points are earned, from the weights the core applies: the one place `/help` and the
/// leaderboard footer take it from.
pub fn points_rule() -> String {
    format!(
        "Points: {POINTS_LEARNED} per topic learned (once per topic), {POINTS_CORRECT_ANSWER} \
         per question you answer right for the first time (in a quiz or a review; right again \
         earns nothing), {POINTS_REVIEW_ON_TIME} per review done on time (due \
         when started, finished within a day). They count in the server where you earn them; \
         the weekly board starts Monday 00:00 UTC. A streak is consecutive days with a mark, a \
         quiz or a review, in your own day (your `/remind` time zone, else UTC)."
    )
}

fn medal(rank: u64) -> String {
    match rank {
        1 => "🥇".into(),
        2 => "🥈".into(),
        3 => "🥉".into(),
        n => format!("`#{n}`"),
    }
}

fn unit(board: Board, score: i64) -> String {
    let (one, many) = match board {
        Board::Points => ("point", "points"),
        Board::Learned => ("topic learned", "topics learned"),
        Board::Remembered => ("topic remembered", "topics remembered"),
        Board::Streak => ("day", "days"),
    };
    format!("{score} {}", if score == 1 { one } else { many })
}

fn board_title(board: Board) -> &'static str {
    match board {
        Board::Points => "Points",
        Board::Learned => "Topics learned",
        Board::Remembered => "Topics remembered",
        Board::Streak => "Study streaks",
    }
}

fn row_line(board: Board, row: &Ranked) -> String {
    format!(
        "{} **{}**: {}",
        medal(row.rank),
        member_name(&row.name),
        unit(board, row.score)
    )
}

pub fn leaderboard_card(board: &Leaderboard) -> Card {
    let period = match (board.board.has_period(), board.period) {
        (false, _) => "now",
        (true, Period::Week) => "this week",
        (true, Period::AllTime) => "all time",
    };
    let mut text = String::new();
    if board.rows.is_empty() {
        text.push_str(match board.period {
            Period::Week if board.board.has_period() => {
                "Nobody has scored this week yet: the board starts fresh every Monday."
            }
            _ => "Nobody is on this board yet. Study here to be the first!",
        });
    }
    for row in &board.rows {
        let _ = writeln!(text, "{}", row_line(board.board, row));
    }
    let mut card = Card::new(
        format!("🏆 {}: {period}", board_title(board.board)),
        colors::YELLOW,
    )
    .description(text.trim_end());
    card = match &board.me {
        Some(me) => card.field(
            format!("{}'s place", member_name(&me.name)),
            format!("#{} · {}", me.rank, unit(board.board, me.score)),
            false,
        ),
        None => card.field(
            "Your place",
            "Not on this board yet: learn a topic or take a quiz here.",
            false,
        ),
    };
    let mut footer = format!("Page {} of {}", board.page + 1, board.pages);
    if let Some(since) = board.since {
        let _ = write!(footer, " · since {}", since.format("%a %b %-d, 00:00 UTC"));
    }
    if board.board == Board::Points {
        let _ = write!(
            footer,
            " · {POINTS_LEARNED} per topic, {POINTS_CORRECT_ANSWER} per question first answered right, \
             {POINTS_REVIEW_ON_TIME} per review on time"
        );
    }
    card.footer(footer)
}

pub fn stats_card(stats: &Stats) -> Card {
    let mut card = Card::new(format!("📊 {}", member_name(&stats.name)), colors::BLURPLE)
        .description(format!(
            "**{}**\nLearned `{}`",
            stats.track.title,
            progress_bar(stats.learned)
        ));
    let accuracy: Vec<String> = stats
        .accuracy
        .iter()
        .map(|a| {
            if a.answered == 0 {
                format!("{}: no answers yet", a.title)
            } else {
                format!(
                    "{}: {}% ({}/{})",
                    a.title,
                    a.percent(),
                    a.correct,
                    a.answered
                )
            }
        })
        .collect();
    card = card.field("Quiz accuracy", fit(&accuracy.join("\n"), 1000), false);
    if let Some((week, all)) = stats.points {
        card = card.field(
            "Points here",
            format!("{week} this week · {all} all time"),
            true,
        );
    }
    card.field(
        "Streak",
        format!(
            "🔥 {} · best {}",
            unit(Board::Streak, stats.streak.current),
            unit(Board::Streak, stats.streak.longest)
        ),
        true,
    )
    .field("Reviews due", stats.reviews_due.to_string(), true)
    .footer("The chart shows the last 30 days of marks, answers and reviews.")
}

pub fn who_knows_card(who: &WhoKnows) -> Card {
    let title = format!("🧠 Who knows {}", fit(&who.topic.title, 200));
    if who.knowers.is_empty() {
        return Card::new(title, colors::GREY).description(
            "Nobody here remembers this topic well right now. Learn it and be the first to ask!",
        );
    }
    let mut text = String::new();
    for knower in &who.knowers {
        let _ = writeln!(
            text,
            "• **{}**: {:.0}% recall",
            member_name(&knower.name),
            knower.recall * 100.0
        );
    }
    if who.more {
        let _ = writeln!(text, "…and more");
    }
    Card::new(title, colors::GREEN)
        .description(text.trim_end())
        .footer(format!(
            "Learned here by {}; listed: who still recalls it, longest-kept first. Ask them!",
            match who.learned {
                1 => "1 member".to_owned(),
                n => format!("{n} members"),
            }
        ))
}

pub fn group_card(view: &GroupView) -> Card {
    let mut text = String::new();
    for share in crate::study::Study::most_learned(view) {
        let _ = writeln!(
            text,
            "`{:>3.0}%` {} · {}",
            view.share(share.learned) * 100.0,
            share.topic.number,
            fit(&share.topic.title, 80)
        );
    }
    Card::new(
        format!("👥 {}: the group", fit(&view.track.title, 200)),
        colors::GREEN,
    )
    .description(fit(text.trim_end(), 3500))
    .footer(format!(
        "Share of the {} members who study here that learned each topic",
        view.members
    ))
}

pub fn settings_card(settings: &GuildSettings, note: &str) -> Card {
    let on_off = |on: bool| if on { "on" } else { "off" };
    let channel = settings
        .study_channel
        .map_or("not set".to_string(), |c| format!("<#{c}>"));
    let mut text = String::new();
    let _ = writeln!(text, "{note}\n");
    let _ = writeln!(text, "Study channel: {channel}");
    let _ = writeln!(text, "Reminders: {}", on_off(settings.reminders_enabled));
    let _ = writeln!(
        text,
        "Announcements: {}",
        on_off(settings.announcements_enabled)
    );
    let _ = writeln!(
        text,
        "Default track: {}",
        settings.default_track.as_deref().unwrap_or("the first one")
    );
    if settings.board_reset_at.timestamp() > 0 {
        let _ = writeln!(
            text,
            "Leaderboards last reset {}",
            time::relative(settings.board_reset_at)
        );
    }
    Card::new("⚙️ Quorum settings for this server", colors::BLURPLE).description(text.trim_end())
}

/// The answer to `/privacy`: the choice in force and what it means.
pub fn privacy_card(private: bool) -> Card {
    if private {
        Card::new("🔒 You are private", colors::GREY).description(
            "You are off every leaderboard, `/who-knows` and `/group`, in every server, and \
             nobody else can show your `/stats` or `/progress`. Your own progress, points and \
             streak go on as before. `/privacy visible` shows you again.",
        )
    } else {
        Card::new("👋 You are visible", colors::GREEN).description(
            "You appear on this server's leaderboards, `/who-knows` and `/group`, and members \
             here can show your `/stats` and `/progress`. `/privacy private` hides you.",
        )
    }
}

/// The one line a server's study channel gets for a member's milestone.
pub fn announcement_text(announcement: &crate::study::Announcement) -> String {
    use crate::study::Milestone;
    let name = member_name(&announcement.name);
    match &announcement.milestone {
        Milestone::Track(title) => format!("🏁 **{name}** finished the track {}!", fit(title, 200)),
        Milestone::Section(title) => {
            format!("🎉 **{name}** completed the section {}.", fit(title, 200))
        }
        Milestone::Streak(days) => {
            format!("🔥 **{name}** reached a new longest streak: {days} days.")
        }
    }
}
