//! A member's stats: what they learned, how well they answer, their points, streak and the
//! last 30 days of activity.

use std::sync::Arc;

use chrono::{Duration, NaiveDate};

use super::map::Progress;
use super::{Study, StudyError};
use crate::course::Track;
use crate::ids::{GuildId, UserId};
use crate::store::{local_day, Period};

/// Days in the activity chart.
pub const ACTIVITY_DAYS: usize = 30;

/// Consecutive local days with study activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Streak {
    /// Alive while the member studied today or yesterday (in their own day).
    pub current: i64,
    pub longest: i64,
}

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
    /// The stats of `user` (known as `name`), with points in `guild` when asked from a server.
    pub async fn stats(
        &self,
        user: UserId,
        name: &str,
        guild: Option<GuildId>,
    ) -> Result<Stats, StudyError> {
        let now = self.clock().now();
        let track = Arc::clone(self.track_for(guild, None).await?);
        let map = self.map(user, Some(&track.id)).await?;
        let totals = self.store().answer_totals(user).await?;
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
                self.store()
                    .points_of(guild, user, Period::Week, now)
                    .await?,
                self.store()
                    .points_of(guild, user, Period::AllTime, now)
                    .await?,
            )),
            None => None,
        };
        let offset = self.store().utc_offset_minutes(user).await?;
        let today = local_day(now, offset);
        let first = today - ACTIVITY_DAYS as i64 + 1;
        let mut activity = vec![0_u32; ACTIVITY_DAYS];
        for (day, count) in self.store().activity_by_day(user, offset, first).await? {
            if let Some(slot) = usize::try_from(day - first)
                .ok()
                .and_then(|i| activity.get_mut(i))
            {
                *slot = u32::try_from(count).unwrap_or(u32::MAX);
            }
        }
        Ok(Stats {
            user,
            name: name.to_string(),
            learned: map.total,
            accuracy,
            points,
            streak: self.streak(user).await?,
            reviews_due: self.review_schedule(user).await?.due.len(),
            activity,
            today: (now + Duration::minutes(offset)).date_naive(),
            track,
        })
    }

    /// A member's current and longest streak, in their own day.
    pub async fn streak(&self, user: UserId) -> Result<Streak, StudyError> {
        let Some(stored) = self.store().streak(user).await? else {
            return Ok(Streak::default());
        };
        let offset = self.store().utc_offset_minutes(user).await?;
        let today = local_day(self.clock().now(), offset);
        Ok(Streak {
            current: if stored.last_day >= today - 1 {
                stored.current_days
            } else {
                0
            },
            longest: stored.longest_days,
        })
    }

    /// The track a server studies: the named one, else the server's default, else the first.
    pub async fn track_for(
        &self,
        guild: Option<GuildId>,
        query: Option<&str>,
    ) -> Result<&Arc<Track>, StudyError> {
        if query.is_some() {
            return self.track(query);
        }
        let default = match guild {
            Some(guild) => self.store().guild_settings(guild).await?.default_track,
            None => None,
        };
        match default.as_deref().and_then(|id| self.catalog().track(id)) {
            Some(track) => Ok(track),
            None => self.track(None),
        }
    }
}
