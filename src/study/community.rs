//! The group views (who knows a topic, how much of the server learned each topic), server
//! settings, members' own data, and the purge of servers Quorum left.

use std::cmp::Reverse;
use std::sync::Arc;

use chrono::Duration;

use super::domain::{week_start, GuildSettings, ResetScope, SettingChange, TableRows};
use super::{Study, StudyError};
use crate::course::{Topic, Track};
use crate::ids::{GuildId, UserId};

/// How long a server's data waits after Quorum is removed, in case it is added back.
pub const PURGE_GRACE: Duration = Duration::days(3);

/// A member who learned a topic, and how likely they recall it now.
#[derive(Debug, Clone, PartialEq)]
pub struct Knower {
    pub user: UserId,
    pub name: String,
    pub recall: f64,
}

/// How many knowers `/who-knows` names: one embed's worth.
pub const KNOWERS_SHOWN: u64 = 25;

#[derive(Debug, Clone)]
pub struct WhoKnows {
    pub topic: Arc<Topic>,
    /// Up to [`KNOWERS_SHOWN`] who still remember it, those who keep it longest first.
    pub knowers: Vec<Knower>,
    /// Whether more still remember it than are named.
    pub more: bool,
    /// How many members learned it in this server.
    pub learned: u64,
}

/// How much of a server learned one topic.
#[derive(Debug, Clone)]
pub struct TopicShare {
    pub topic: Arc<Topic>,
    pub learned: u64,
}

#[derive(Debug, Clone)]
pub struct GroupView {
    pub track: Arc<Track>,
    /// Members who study in the server.
    pub members: u64,
    /// Every topic of the track, in reading order.
    pub topics: Vec<TopicShare>,
}

impl GroupView {
    /// The share of the members who learned `topic` (0.0 to 1.0).
    pub fn share(&self, learned: u64) -> f64 {
        if self.members == 0 {
            0.0
        } else {
            learned as f64 / self.members as f64
        }
    }
}

impl Study {
    /// The members of `guild` who learned `query` there and still recall it at least as well as
    /// the desired retention, those who will keep it longest first.
    pub async fn who_knows(&self, guild: GuildId, query: &str) -> Result<WhoKnows, StudyError> {
        let track = self.track_for(Some(guild), None).await?;
        let topic = Arc::clone(track.find_topic(query)?);
        let now = self.clock.now();
        let rows = self
            .store
            .knowers(guild, (&track.id, &topic.id), now, KNOWERS_SHOWN + 1)
            .await?;
        let more = rows.len() as u64 > KNOWERS_SHOWN;
        let knowers = rows
            .into_iter()
            .take(KNOWERS_SHOWN as usize)
            .map(|row| Knower {
                user: row.user,
                name: row.name,
                recall: self.scheduler().recall(&row.card.card, now),
            })
            .collect();
        let counts = self.store.topic_counts(guild, &track.id).await?;
        Ok(WhoKnows {
            learned: counts.get(&topic.id).copied().unwrap_or(0),
            topic,
            knowers,
            more,
        })
    }

    /// Per topic, how many members of `guild` learned it there.
    pub async fn group(&self, guild: GuildId) -> Result<GroupView, StudyError> {
        let track = Arc::clone(self.track_for(Some(guild), None).await?);
        let members = self.store.listed_members(guild).await?;
        let counts = self.store.topic_counts(guild, &track.id).await?;
        let topics = track
            .topics
            .iter()
            .map(|topic| TopicShare {
                topic: Arc::clone(topic),
                learned: counts.get(&topic.id).copied().unwrap_or(0),
            })
            .collect();
        Ok(GroupView {
            track,
            members,
            topics,
        })
    }

    /// The topics of a group view, the most learned first (ties in reading order).
    pub fn most_learned(view: &GroupView) -> Vec<&TopicShare> {
        let mut shares: Vec<&TopicShare> = view.topics.iter().collect();
        shares.sort_by_key(|s| (Reverse(s.learned), s.topic.number));
        shares
    }

    pub async fn guild_settings(&self, guild: GuildId) -> Result<GuildSettings, StudyError> {
        Ok(self.store.guild_settings(guild).await?)
    }

    /// Applies an admin's change; a default track must name a loaded track.
    pub async fn change_setting(
        &self,
        guild: GuildId,
        change: SettingChange,
    ) -> Result<GuildSettings, StudyError> {
        let change = match change {
            SettingChange::DefaultTrack(Some(query)) => {
                SettingChange::DefaultTrack(Some(self.track(Some(&query))?.id.clone()))
            }
            other => other,
        };
        self.store.change_setting(guild, &change).await?;
        self.forget_default_track(guild);
        self.guild_settings(guild).await
    }

    pub async fn reset_boards(&self, guild: GuildId, scope: ResetScope) -> Result<(), StudyError> {
        let now = self.clock.now();
        Ok(self
            .store
            .reset_boards(guild, scope, week_start(now), now)
            .await?)
    }

    /// Everything Quorum holds about `user`, table by table.
    pub async fn export(&self, user: UserId) -> Result<Vec<TableRows>, StudyError> {
        Ok(self.store.member_data(user).await?)
    }

    /// Deletes everything Quorum holds about `user`, in every server. Returns the rows deleted.
    pub async fn forget(&self, user: UserId) -> Result<u64, StudyError> {
        let deleted = self.store.forget_member(user).await?;
        self.learners.forget(user);
        Ok(deleted)
    }

    /// Quorum was removed from `guild` (not an outage): its data goes after [`PURGE_GRACE`].
    pub async fn guild_removed(&self, guild: GuildId) -> Result<(), StudyError> {
        let now = self.clock.now();
        Ok(self.store.guild_removed(guild, now).await?)
    }

    /// Quorum is in `guild`: a pending purge is cancelled.
    pub async fn guild_present(&self, guild: GuildId) -> Result<bool, StudyError> {
        Ok(self.store.guild_present(guild).await?)
    }

    /// Purges the servers removed more than [`PURGE_GRACE`] ago.
    pub async fn purge_removed_guilds(&self) -> Result<Vec<GuildId>, StudyError> {
        let cutoff = self.clock.now() - PURGE_GRACE;
        let purged = self.store.purge_removed_guilds(cutoff).await?;
        for guild in &purged {
            self.forget_default_track(*guild);
        }
        Ok(purged)
    }
}
