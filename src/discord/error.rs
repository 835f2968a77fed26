//! Errors in commands and components, and how each becomes a friendly ephemeral reply.

use poise::serenity_prelude as serenity;

use super::Data;
use crate::render;
use crate::render::map_picture::PictureError;
use crate::study::StudyError;

#[derive(Debug, thiserror::Error)]
pub enum BotError {
    #[error(transparent)]
    Study(#[from] StudyError),
    #[error("cannot draw a picture: {0}")]
    Picture(#[from] PictureError),
    #[error("Discord error: {0}")]
    Discord(#[from] serenity::Error),
    #[error("cannot write the export: {0}")]
    Export(String),
    #[error("a background task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

impl BotError {
    /// The text shown to the learner; `reference` lets them report an internal error.
    pub fn user_message(&self, reference: &str) -> String {
        match self {
            BotError::Study(error) => render::error_message(error, reference),
            _ => format!(
                "Sorry, something went wrong on my side. It has been logged as `{reference}`."
            ),
        }
    }

    fn is_user_error(&self) -> bool {
        matches!(self, BotError::Study(e) if e.is_user_error())
    }
}

/// Logs what is ours to fix and answers every failure with an ephemeral message.
pub async fn on_error(error: poise::FrameworkError<'_, Data, BotError>) {
    use poise::FrameworkError as E;
    let (ctx, text) = match error {
        E::Command { error, ctx, .. } => {
            let reference = ctx.id().to_string();
            if error.is_user_error() {
                tracing::debug!(%error, command = %ctx.command().name, "user error");
            } else {
                tracing::error!(%error, command = %ctx.command().name, reference, "command failed");
            }
            (ctx, error.user_message(&reference))
        }
        E::CommandPanic { ctx, payload, .. } => {
            let reference = ctx.id().to_string();
            tracing::error!(?payload, command = %ctx.command().name, reference, "command panicked");
            (
                ctx,
                format!(
                    "Sorry, something went wrong on my side. It has been logged as `{reference}`."
                ),
            )
        }
        E::ArgumentParse { ctx, input, .. } => {
            let shown = input.map(|i| format!(" “{i}”")).unwrap_or_default();
            (
                ctx,
                format!(
                    "I couldn't read the option{shown} of `/{}`. Check it and try again.",
                    ctx.command().name
                ),
            )
        }
        E::MissingUserPermissions {
            ctx,
            missing_permissions,
            ..
        } => {
            let needed = missing_permissions
                .map(|p| p.to_string())
                .unwrap_or_else(|| "a permission".into());
            (
                ctx,
                format!(
                    "You need the {needed} permission to use `/{}`.",
                    ctx.command().name
                ),
            )
        }
        other => {
            if let Err(error) = poise::builtins::on_error(other).await {
                tracing::error!(%error, "could not report a framework error");
            }
            return;
        }
    };
    let reply = poise::CreateReply::default().content(text).ephemeral(true);
    if let Err(error) = ctx.send(reply).await {
        tracing::warn!(%error, "could not send the error reply");
    }
}
