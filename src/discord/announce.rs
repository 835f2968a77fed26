//! Posting the core's announcements in a server's study channel: in the background, with a
//! timeout, mentioning nobody, so a slow or failing post never delays the member's own reply.

use std::sync::Arc;
use std::time::Duration;

use poise::serenity_prelude as serenity;
use serenity::{ChannelId, CreateAllowedMentions, CreateMessage};

use super::Data;
use crate::ids::Learner;
use crate::render;
use crate::study::LearnReply;

/// How long a post may take before it is given up (and logged).
const POST_TIMEOUT: Duration = Duration::from_secs(5);

impl Data {
    /// Announces `reply` in the study channel if the core says so. Never fails the caller:
    /// what goes wrong is logged.
    pub async fn announce(&self, learner: &Learner, reply: &LearnReply) {
        let announcement = match self.study.announcement(learner, reply).await {
            Ok(Some(announcement)) => announcement,
            Ok(None) => return,
            Err(error) => {
                tracing::warn!(%error, "cannot decide on an announcement");
                return;
            }
        };
        let Some(http) = self.http.get().map(Arc::clone) else {
            return;
        };
        let message = CreateMessage::new()
            .content(render::announcement_text(&announcement))
            .allowed_mentions(CreateAllowedMentions::new());
        let channel = ChannelId::new(announcement.channel.max(1));
        tokio::spawn(async move {
            match tokio::time::timeout(POST_TIMEOUT, channel.send_message(&http, message)).await {
                Ok(Ok(_)) => {}
                Ok(Err(error)) => tracing::warn!(%error, %channel, "announcement not posted"),
                Err(_) => tracing::warn!(%channel, "announcement timed out"),
            }
        });
    }
}
