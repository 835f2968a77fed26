//! A member's stats: what they learned, how well they answer, their points, streak and the
//! last 30 days of activity.

use std::sync::Arc;

use chrono::{Duration, NaiveDate};

use super::domain::{Board, Period, Streak};
use super::map::Progress;
use super::{Study, StudyError};
use crate::course::Track;
use crate::ids::{GuildId, Learner, UserId};

/// Days in the activity chart.
pub const ACTIVITY_DAYS: usize = 30;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionAccuracy {
    pub title: String,
    pub correct: i64,
    pub answered: i64,
}

impl SectionAccuracy {
    pub fn percent(&self) -> i64 {
        (self.correct * 100).checked_div(self.answered).unwrap_or(0)
    }
}

#[derive(Debug, Clone)]
pub struct Stats {
    pub user: UserId,
    pub name: String,
    pub track: Arc<Track>,
    pub learned: Progress,
    pub accuracy: Vec<SectionAccuracy>,
    /// Points in the server asked from: (this week, all time); `None` outside a server.
    pub points: Option<(i64, i64)>,
    pub streak: Streak,
    pub reviews_due: usize,
    /// Actions per local day, the oldest first; the last is today.
    pub activity: Vec<u32>,
    /// The member's local date of the last day of `activity`.
    pub today: NaiveDate,
}

impl Study {
    /// Whether someone else's stats or progress may be shown to a channel: only from inside a
    /// server, and only for a member of it. What a person studies elsewhere stays theirs.
    pub fn may_show_member(guild: Option<GuildId>, is_member_here: bool) -> Result<(), StudyError> {
        if guild.is_some() && is_member_here {
            Ok(())
        } else {
            Err(StudyError::NotAMemberHere)
        }
    }

    /// The stats of `user` (known as `name`), with points in `guild` when asked from a server.
    pub async fn stats(
        &self,
        user: UserId,
        name: &str,
        guild: Option<GuildId>,
    ) -> Result<Stats, StudyError> {
        let now = self.clock.now();
        let track = Arc::clone(self.track_for(guild, None).await?);
        let member = Learner {
            user,
            name: name.to_owned(),
            guild,
        };
        let map = self.map(&member, Some(&track.id)).await?;
        let totals = self.store.answer_totals(user).await?;
        let accuracy = track
            .sections
            .iter()
            .map(|section| {
                let (correct, answered) = totals
                    .iter()
                    .filter(|(t, topic, _, _)| *t == track.id && section.topics.contains(topic))
                    .fold((0, 0), |(c, a), (_, _, right, all)| (c + right, a + all));
                SectionAccuracy {
                    title: section.title.clone(),
                    correct,
                    answered,
                }
            })
            .collect();
        let points = match guild {
            Some(guild) => Some((
                self.store
                    .score_of(guild, Board::Points, Period::Week.score_week(now), user)
                    .await?,
                self.store
                    .score_of(guild, Board::Points, Period::AllTime.score_week(now), user)
                    .await?,
            )),
            None => None,
        };
        let learner = self.learners.read(&self.store, user).await?;
        let zone = learner.zone;
        let today = zone.local_day(now);
        let first = today - ACTIVITY_DAYS as i64 + 1;
        let mut activity = vec![0_u32; ACTIVITY_DAYS];
        let since = now - Duration::days(ACTIVITY_DAYS as i64 + 1);
        for at in self.store.activity_times(user, since).await? {
            if let Some(slot) = usize::try_from(zone.local_day(at) - first)
                .ok()
                .and_then(|i| activity.get_mut(i))
            {
                *slot = slot.saturating_add(1);
            }
        }
        Ok(Stats {
            user,
            name: name.to_string(),
            learned: map.total,
            accuracy,
            points,
            streak: learner.streak_on(today),
            reviews_due: self.review_schedule(user).await?.due.len(),
            activity,
            today: (now + Duration::minutes(zone.offset_minutes_at(now))).date_naive(),
            track,
        })
    }

    /// A member's current and longest streak, in their own day.
    pub async fn streak(&self, user: UserId) -> Result<Streak, StudyError> {
        let learner = self.learners.read(&self.store, user).await?;
        let today = learner.zone.local_day(self.clock.now());
        Ok(learner.streak_on(today))
    }

    /// The track a command means: the one named, else the server's default track, else
    /// (outside a server, or without a default) the track of the learner's latest mark, else
    /// the first track.
    pub async fn track_for(
        &self,
        guild: Option<GuildId>,
        query: Option<&str>,
    ) -> Result<&Arc<Track>, StudyError> {
        self.track_of(None, guild, query).await
    }

    /// A server's default track id, read once per process and kept in step by
    /// [`Study::change_setting`].
    async fn default_track(&self, guild: GuildId) -> Result<Option<String>, StudyError> {
        let known = self
            .default_tracks
            .lock()
            .ok()
            .and_then(|m| m.get(&guild).cloned());
        if let Some(known) = known {
            return Ok(known);
        }
        let default = self.store.guild_settings(guild).await?.default_track;
        if let Ok(mut tracks) = self.default_tracks.lock() {
            tracks.insert(guild, default.clone());
        }
        Ok(default)
    }

    /// Forgets what is kept of a server's default track: its settings changed or went.
    pub(super) fn forget_default_track(&self, guild: GuildId) {
        if let Ok(mut tracks) = self.default_tracks.lock() {
            tracks.remove(&guild);
        }
    }

    /// [`Study::track_for`] for a learner, whose latest mark decides outside a server.
    pub async fn track_of(
        &self,
        user: Option<UserId>,
        guild: Option<GuildId>,
        query: Option<&str>,
    ) -> Result<&Arc<Track>, StudyError> {
        if query.is_some() {
            return self.track(query);
        }
        let default = match guild {
            Some(guild) => self.default_track(guild).await?,
            None => None,
        };
        let latest = match (default, user) {
            (Some(id), _) => Some(id),
            (None, Some(user)) => self
                .learners
                .read(&self.store, user)
                .await?
                .last_track
                .clone(),
            (None, None) => None,
        };
        match latest.as_deref().and_then(|id| self.catalog.track(id)) {
            Some(track) => Ok(track),
            None => self.track(None),
        }
    }
}
