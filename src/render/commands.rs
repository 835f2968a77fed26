//! The command table: every command's name, usage, Discord description, help line and where it
//! works, defined once. Discord's registration and `/help`, the console's `/help` and the
//! README's command table are all made from it (a test compares the README with it), so they
//! cannot drift apart.

use std::fmt::Write;

/// Where a command makes sense.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Anywhere: a server, a DM with the bot, a private channel, and the console. Registered for
    /// both server and user installs.
    Everywhere,
    /// About a server's members: servers only (on Discord and in the console's own server).
    Server,
    /// A server's settings: Discord servers only.
    DiscordServer,
    /// The console's own commands.
    Console,
}

impl Reach {
    pub fn on_discord(self) -> bool {
        self != Reach::Console
    }

    pub fn in_console(self) -> bool {
        self != Reach::DiscordServer
    }
}

#[derive(Debug, Clone, Copy)]
pub struct CommandInfo {
    /// As registered on Discord, without the slash.
    pub name: &'static str,
    /// How it is typed, with its arguments: `<needed>`, `[optional]`, `a|b` for choices.
    pub usage: &'static str,
    /// Discord's description of the command (at most 100 characters).
    pub description: &'static str,
    /// What it does, for `/help` and the README.
    pub help: &'static str,
    pub reach: Reach,
}

/// Every command, in the order `/help` lists them.
pub const COMMANDS: &[CommandInfo] = &[
    CommandInfo {
        name: "map",
        usage: "/map [track]",
        description: "Your skill map: what you learned lights up, your next step glows.",
        help: "your skill map: sections with progress bars, each topic learned ✅, next ✨, open ⚪ or locked 🔒",
        reach: Reach::Everywhere,
    },
    CommandInfo {
        name: "topic",
        usage: "/topic <topic>",
        description: "A topic's card: summary, key points and further reading.",
        help: "a topic's card: summary, key points, requirements, further reading",
        reach: Reach::Everywhere,
    },
    CommandInfo {
        name: "learned",
        usage: "/learned <topic>",
        description: "Mark a topic as learned.",
        help: "mark a topic learned; answers with the section's new bar and your next step",
        reach: Reach::Everywhere,
    },
    CommandInfo {
        name: "unlearn",
        usage: "/unlearn <topic>",
        description: "Remove a learned mark from a topic.",
        help: "remove a mark",
        reach: Reach::Everywhere,
    },
    CommandInfo {
        name: "progress",
        usage: "/progress [member]",
        description: "Progress bars per section: yours, or a member's for everyone to see.",
        help: "your bars per section and in total; a member's for the channel",
        reach: Reach::Everywhere,
    },
    CommandInfo {
        name: "next",
        usage: "/next",
        description: "The card of your next step.",
        help: "the card of your next step",
        reach: Reach::Everywhere,
    },
    CommandInfo {
        name: "quiz",
        usage: "/quiz <topic> [questions]",
        description: "Quiz yourself on a topic, one question at a time.",
        help: "a quiz of 5 questions (or as many as asked, up to the topic's bank), one at a time, each answered with the right choice and why",
        reach: Reach::Everywhere,
    },
    CommandInfo {
        name: "review",
        usage: "/review",
        description: "Review the most overdue topic: a short quiz that schedules the next review.",
        help: "review the most overdue learned topic: a 3-question quiz that reschedules it",
        reach: Reach::Everywhere,
    },
    CommandInfo {
        name: "reviews",
        usage: "/reviews",
        description: "Your spaced reviews: what is due now and what comes next.",
        help: "what is due for review now and next, in your own time zone",
        reach: Reach::Everywhere,
    },
    CommandInfo {
        name: "plan",
        usage: "/plan <minutes>",
        description: "What to do in the next N minutes: due reviews first, then the next topics.",
        help: "a plan for the time you have: due reviews first (about 2 minutes each), then the next topics whose requirements you meet, by reading time, with buttons to start each",
        reach: Reach::Everywhere,
    },
    CommandInfo {
        name: "remind",
        usage: "/remind on|off|hour|zone|status",
        description: "Daily review reminders by DM, at an hour of your own day, in your time zone.",
        help: "daily review reminders by DM, at an hour of your own day, in your time zone by name (`Europe/Berlin`, daylight saving included) or as an offset (`+2`)",
        reach: Reach::Everywhere,
    },
    CommandInfo {
        name: "leaderboard",
        usage: "/leaderboard [board] [period]",
        description: "This server's leaderboard: points, topics learned or remembered, or streaks.",
        help: "this server's top 10 (🥇🥈🥉), your own rank even outside it, Previous/Next pages; board `points` (default), `learned`, `remembered` or `streak`; period `week` (default) or `all`",
        reach: Reach::Server,
    },
    CommandInfo {
        name: "stats",
        usage: "/stats [member]",
        description: "Your stats, or a member's for everyone to see: topics, accuracy, points, streak.",
        help: "topics learned, quiz accuracy per section, points here, current and longest streak, reviews due and 30 days of activity; yours privately, a member's for the channel (a member of this server who is not private)",
        reach: Reach::Everywhere,
    },
    CommandInfo {
        name: "who-knows",
        usage: "/who-knows <topic>",
        description: "Members of this server who learned a topic and still remember it: ask them!",
        help: "the members who learned a topic here and still remember it, those who will keep it longest first (up to 25)",
        reach: Reach::Server,
    },
    CommandInfo {
        name: "group",
        usage: "/group",
        description: "How much of this server learned each topic, as a picture.",
        help: "how much of this server learned each topic, as a picture shaded by share",
        reach: Reach::Server,
    },
    CommandInfo {
        name: "privacy",
        usage: "/privacy [private|visible]",
        description: "Stay off boards and group views and keep your stats to yourself, or show them.",
        help: "stay off every board, `/who-knows` and `/group`, and keep your stats and progress to yourself (in every server); without a setting, shows your choice",
        reach: Reach::Everywhere,
    },
    CommandInfo {
        name: "quorum-admin",
        usage: "/quorum-admin show|channel|reminders|announcements|track|reset",
        description: "Server settings for Quorum (Manage Server only).",
        help: "server settings: study channel, reminders and announcements on or off, default track, reset the weekly or all-time board after a confirm (Manage Server only; hidden from others)",
        reach: Reach::DiscordServer,
    },
    CommandInfo {
        name: "forget-me",
        usage: "/forget-me",
        description: "Delete everything Quorum holds about you, in every server (asks to confirm first).",
        help: "delete everything Quorum holds about you, in every server, after a confirm",
        reach: Reach::Everywhere,
    },
    CommandInfo {
        name: "export",
        usage: "/export",
        description: "Get everything Quorum holds about you, as a JSON file only you can see.",
        help: "everything Quorum holds about you, as a JSON file only you see",
        reach: Reach::Everywhere,
    },
    CommandInfo {
        name: "help",
        usage: "/help",
        description: "What Quorum does and how to use it.",
        help: "what Quorum does and its commands",
        reach: Reach::Everywhere,
    },
    CommandInfo {
        name: "quit",
        usage: "/quit",
        description: "Leave the console.",
        help: "leave the console",
        reach: Reach::Console,
    },
];

/// The table entry of a command, by its registered name.
pub fn command_info(name: &str) -> Option<&'static CommandInfo> {
    COMMANDS.iter().find(|c| c.name == name)
}

/// The commands of Discord, or of the console, as (usage, help) for a help card.
pub fn help_lines(console: bool) -> Vec<(&'static str, &'static str)> {
    COMMANDS
        .iter()
        .filter(|c| {
            if console {
                c.reach.in_console()
            } else {
                c.reach.on_discord()
            }
        })
        .map(|c| (c.usage, c.help))
        .collect()
}

/// The README's command table (Discord's commands), as Markdown.
pub fn markdown_table() -> String {
    let mut table = String::from("| command | what it does |\n| --- | --- |\n");
    for command in COMMANDS.iter().filter(|c| c.reach.on_discord()) {
        let usage = command.usage.replace('|', "\\|");
        let _ = writeln!(table, "| `{usage}` | {} |", command.help);
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_descriptions_fit_discord() {
        for (i, command) in COMMANDS.iter().enumerate() {
            assert!(
                COMMANDS[..i].iter().all(|c| c.name != command.name),
                "{} twice",
                command.name
            );
            assert!(
                command.description.chars().count() <= 100,
                "{}",
                command.name
            );
            assert!(command.usage.starts_with(&format!("/{}", command.name)));
        }
    }
}
