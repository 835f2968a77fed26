//! The local console: slash commands typed as text lines, replies printed as text. It is how a
//! newcomer tries Quorum without Discord and how a course author previews a track.

use std::io::IsTerminal;

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWrite, AsyncWriteExt};

use crate::ids::Learner;
use crate::render::{self, Card};
use crate::study::{Study, StudyError};

/// Reads commands from `input` until end of input or `/quit`, writing replies to `output`.
pub async fn run<R, W>(
    study: &Study,
    learner: &Learner,
    input: R,
    mut output: W,
) -> std::io::Result<()>
where
    R: AsyncBufRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let interactive = std::io::stdin().is_terminal();
    if interactive {
        let greeting = format!(
            "Quorum console, studying as {}. Type /help for commands, /quit to leave.\n",
            learner.name
        );
        output.write_all(greeting.as_bytes()).await?;
    }
    let mut lines = input.lines();
    loop {
        if interactive {
            output.write_all(b"quorum> ").await?;
            output.flush().await?;
        }
        let Some(line) = lines.next_line().await? else {
            break;
        };
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if matches!(line, "/quit" | "/exit") {
            break;
        }
        let reply = answer(study, learner, line).await;
        output.write_all(reply.as_bytes()).await?;
        output.write_all(b"\n").await?;
        output.flush().await?;
    }
    Ok(())
}

/// One command line in, one reply text out. Never fails: errors become friendly text.
pub async fn answer(study: &Study, learner: &Learner, line: &str) -> String {
    let Some(command_line) = line.strip_prefix('/') else {
        return "Commands start with `/`, like `/map` or `/topic 2`. Type /help for the list."
            .into();
    };
    let (command, argument) = match command_line.split_once(char::is_whitespace) {
        Some((command, rest)) => (command, rest.trim()),
        None => (command_line, ""),
    };
    let argument = Some(argument).filter(|a| !a.is_empty());
    let user = learner.user;
    let result: Result<Card, StudyError> = match (command.to_lowercase().as_str(), argument) {
        ("map", track) => study
            .map(user, track)
            .await
            .map(|map| render::map_card(&map)),
        ("progress", _) => study
            .map(user, None)
            .await
            .map(|map| render::progress_card(&learner.name, &map)),
        ("next", _) => study
            .next(user, None)
            .await
            .map(|step| render::next_card(&step)),
        ("help", _) => Ok(render::help_card(&render::commands::help_lines(true))),
        ("topic", Some(topic)) => study
            .topic(user, None, topic)
            .await
            .map(|card| render::topic_card(&card)),
        ("learned", Some(topic)) => study
            .learn(learner, None, topic)
            .await
            .map(|reply| render::learn_card(&reply)),
        ("unlearn", Some(topic)) => study
            .unlearn(learner, None, topic)
            .await
            .map(|reply| render::learn_card(&reply)),
        (name @ ("topic" | "learned" | "unlearn"), None) => {
            return format!("`/{name}` needs a topic: try `/{name} 2` or `/{name} cap`.");
        }
        (other, _) => {
            return format!("I don't know the command `/{other}`. Type /help for the list.");
        }
    };
    match result {
        Ok(card) => card.to_text(),
        Err(error) => {
            if !error.is_user_error() {
                tracing::error!(%error, command, "console command failed");
            }
            render::error_message(&error, "console")
        }
    }
}
