//! Announcements: a server that turned them on hears, in its study channel, when a member fills
//! a section, finishes a track or reaches a new longest streak. One short line, and at most one
//! per member per hour, so a busy evening does not turn into a flood.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};

use super::{LearnReply, Study, StudyError};
use crate::ids::{GuildId, Learner, UserId};

/// The shortest time between two announcements about one member in one server.
pub const ANNOUNCE_EVERY: Duration = Duration::hours(1);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Milestone {
    /// The whole track (its title).
    Track(String),
    /// A section (its title).
    Section(String),
    /// A new longest streak, in days.
    Streak(i64),
}

/// A line for a server's study channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Announcement {
    pub channel: u64,
    /// How the server knows the member.
    pub name: String,
    pub milestone: Milestone,
}

/// When each member was last announced in each server (per process).
pub(super) type Announced = Arc<Mutex<HashMap<(GuildId, UserId), DateTime<Utc>>>>;

impl Study {
    /// What to announce about `reply`, if anything: only in a server with announcements on and
    /// a study channel, and not within [`ANNOUNCE_EVERY`] of the member's last one there.
    pub async fn announcement(
        &self,
        learner: &Learner,
        reply: &LearnReply,
    ) -> Result<Option<Announcement>, StudyError> {
        let Some(guild) = learner.guild else {
            return Ok(None);
        };
        let milestone = if reply.completed_track() {
            Milestone::Track(reply.map.track.title.clone())
        } else if reply.completed_section() {
            let section = reply.section_progress().map(|(title, _)| title.to_owned());
            Milestone::Section(section.unwrap_or_default())
        } else if let Some(days) = reply.new_longest_streak {
            Milestone::Streak(days)
        } else {
            return Ok(None);
        };
        let settings = self.store.guild_settings(guild).await?;
        let Some(channel) = settings
            .study_channel
            .filter(|_| settings.announcements_enabled)
        else {
            return Ok(None);
        };
        let now = self.clock.now();
        let Ok(mut announced) = self.announced.lock() else {
            return Ok(None);
        };
        let key = (guild, learner.user);
        if announced
            .get(&key)
            .is_some_and(|last| now - *last < ANNOUNCE_EVERY)
        {
            return Ok(None);
        }
        announced.retain(|_, last| now - *last < ANNOUNCE_EVERY);
        announced.insert(key, now);
        Ok(Some(Announcement {
            channel,
            name: learner.name.clone(),
            milestone,
        }))
    }
}
