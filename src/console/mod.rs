//! The local console: slash commands typed as text lines, replies printed as text. It is how a
//! newcomer tries Quorum without Discord and how a course author previews a track, so it does
//! all that a member can do: quizzes and reviews answered by typing a choice's number, the
//! boards and stats of a local "console server" whose members are the `--user` names, reminder
//! settings (nothing is delivered) and the export.

mod commands;

use std::io::IsTerminal;

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWrite, AsyncWriteExt};

use crate::ids::{GuildId, Learner};
use crate::render;
use crate::study::{QuizStep, Study, StudyError};

/// The console's own server: every console user studies in it, so boards and group views work.
pub const CONSOLE_SERVER: GuildId = GuildId(1);

/// A console user, by name: progress is kept per name, in the console server.
pub fn console_learner(name: &str) -> Learner {
    Learner {
        guild: Some(CONSOLE_SERVER),
        ..Learner::local(name)
    }
}

/// One console user's session: who they are and the quiz they are answering, if any.
pub struct Console<'a> {
    study: &'a Study,
    learner: Learner,
    open_quiz: Option<OpenQuiz>,
}

/// The question on screen: answering it takes its number.
#[derive(Debug, Clone, Copy)]
struct OpenQuiz {
    session: i64,
    position: usize,
    choices: usize,
}

impl<'a> Console<'a> {
    pub fn new(study: &'a Study, learner: Learner) -> Self {
        Self {
            study,
            learner,
            open_quiz: None,
        }
    }

    /// One line in, one reply text out. Never fails: errors become friendly text.
    pub async fn answer(&mut self, line: &str) -> String {
        let line = line.trim();
        if let Ok(number) = line.parse::<usize>() {
            return self.choose(number).await;
        }
        let Some(command_line) = line.strip_prefix('/') else {
            return "Commands start with `/`, like `/map` or `/topic 2`. Type /help for the list."
                .into();
        };
        let (command, argument) = match command_line.split_once(char::is_whitespace) {
            Some((command, rest)) => (command.to_lowercase(), rest.trim()),
            None => (command_line.to_lowercase(), ""),
        };
        match self.command(&command, argument).await {
            Ok(text) => text,
            Err(error) => self.error_text(&error, &command),
        }
    }

    /// Answers the open question with the choice numbered `number` (1-based).
    async fn choose(&mut self, number: usize) -> String {
        let Some(open) = self.open_quiz else {
            return "No question is open. Start one with `/quiz <topic>` or `/review`.".into();
        };
        if number == 0 || number > open.choices {
            return format!("Type a choice's number, 1 to {}.", open.choices);
        }
        let study = self.study;
        let answered = study
            .answer_quiz(&self.learner, open.session, open.position, number - 1)
            .await;
        let feedback = match answered {
            Ok(step) => self.step_text(&step),
            Err(error) => return self.error_text(&error, "answer"),
        };
        match study.continue_quiz(&self.learner, open.session).await {
            Ok(next) => format!("{feedback}\n{}", self.step_text(&next)),
            Err(error) => format!("{feedback}\n{}", self.error_text(&error, "answer")),
        }
    }

    /// A quiz step as text, keeping track of the question now open.
    fn step_text(&mut self, step: &QuizStep) -> String {
        match step {
            QuizStep::Question(question) => {
                self.open_quiz = Some(OpenQuiz {
                    session: question.session,
                    position: question.position,
                    choices: question.choices.len(),
                });
                let card = render::quiz_question_card(question, &render::CHOICE_NUMBERS);
                format!("{}Type the number of your answer.\n", card.to_text())
            }
            QuizStep::Feedback(feedback) => {
                render::quiz_feedback_card(feedback, &render::CHOICE_NUMBERS).to_text()
            }
            QuizStep::Finished(result) => {
                self.open_quiz = None;
                render::quiz_result_card(result).to_text()
            }
        }
    }

    fn error_text(&self, error: &StudyError, command: &str) -> String {
        if !error.is_user_error() {
            tracing::error!(%error, command, "console command failed");
        }
        render::error_message(error, "console")
    }
}

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
    let mut console = Console::new(study, learner.clone());
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
        let reply = console.answer(line).await;
        output.write_all(reply.as_bytes()).await?;
        output.write_all(b"\n").await?;
        output.flush().await?;
    }
    Ok(())
}
