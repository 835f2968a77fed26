//! `/privacy`: stay off the boards and group views, and keep one's stats to oneself.

use super::commands::learner;
use super::replies::card_reply;
use super::{BotError, Context};
use crate::render;

#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
pub enum PrivacyChoice {
    /// Off every board, /who-knows and /group; stats and progress for your eyes only.
    #[name = "private"]
    Private,
    /// On the boards and group views; members here may look at your stats and progress.
    #[name = "visible"]
    Visible,
}

/// Stay off boards and group views and keep your stats to yourself, or show them again.
#[poise::command(slash_command)]
pub async fn privacy(
    ctx: Context<'_>,
    #[description = "private or visible (leave out to see your current choice)"] setting: Option<
        PrivacyChoice,
    >,
) -> Result<(), BotError> {
    let me = learner(ctx).await;
    let study = &ctx.data().study;
    let private = match setting {
        Some(choice) => {
            study
                .set_private(&me, matches!(choice, PrivacyChoice::Private))
                .await?
        }
        None => study.is_private(me.user).await?,
    };
    ctx.send(card_reply(&render::privacy_card(private))).await?;
    Ok(())
}
