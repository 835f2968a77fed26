//! A member's reminder settings and times, their DM channel, and the study channel a refused
//! DM falls back to.

use super::actions::{visit_values, VISIT};
use super::backend::{args, Sql};
use super::reminders::ReminderTimes;
use super::{from_millis, to_millis, user_key, Store, StoreError};
use crate::ids::{GuildId, Learner, UserId};
use crate::study::domain::{LocalZone, ReminderPrefs};
use chrono::{DateTime, Utc};

/// (enabled, hour, utc_offset_minutes, dm_blocked, time_zone) as stored.
pub(super) type PrefsRow = (i64, Option<i64>, i64, i64, Option<String>);

pub(super) fn prefs_from(row: Option<PrefsRow>) -> ReminderPrefs {
    row.map_or_else(
        ReminderPrefs::default,
        |(enabled, hour, offset, blocked, zone)| ReminderPrefs {
            enabled: enabled != 0,
            hour: hour.and_then(|h| u8::try_from(h).ok()),
            zone: LocalZone::from_stored(zone.as_deref(), offset),
            dm_blocked: blocked != 0,
        },
    )
}

const REMINDER_STATE: Sql = Sql::both(
    "SELECT enabled, hour, utc_offset_minutes, dm_blocked, time_zone, quiet_until,
            last_reminded_at
     FROM reminder_prefs WHERE user_id = $1",
);

const SET_PREFS: Sql = Sql::both(
    "INSERT INTO reminder_prefs
         (user_id, enabled, hour, utc_offset_minutes, dm_blocked, quiet_until, wake_at, time_zone)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (user_id) DO UPDATE SET enabled = excluded.enabled,
         hour = excluded.hour, utc_offset_minutes = excluded.utc_offset_minutes,
         time_zone = excluded.time_zone,
         dm_blocked = excluded.dm_blocked, quiet_until = excluded.quiet_until,
         wake_at = excluded.wake_at",
);

const STUDY_CHANNEL: Sql = Sql::both(
    "SELECT g.guild_id, g.study_channel_id
     FROM memberships m JOIN guild_settings g ON g.guild_id = m.guild_id
     WHERE m.user_id = $1 AND g.study_channel_id IS NOT NULL AND g.reminders_enabled = 1
     ORDER BY m.last_seen_at DESC LIMIT 1",
);

const BLOCK_DMS: Sql = Sql::both(
    "INSERT INTO reminder_prefs (user_id, dm_blocked) VALUES ($1, 1)
     ON CONFLICT (user_id) DO UPDATE SET dm_blocked = 1",
);

const DM_CHANNEL: Sql = Sql::both(
    "INSERT INTO reminder_prefs (user_id, dm_channel_id) VALUES ($1, $2)
     ON CONFLICT (user_id) DO UPDATE SET dm_channel_id = excluded.dm_channel_id",
);

impl Store {
    pub async fn reminder_prefs(&self, user: UserId) -> Result<ReminderPrefs, StoreError> {
        Ok(self.reminder_state(user).await?.0)
    }

    /// A member's settings with their reminder times.
    pub async fn reminder_state(
        &self,
        user: UserId,
    ) -> Result<(ReminderPrefs, ReminderTimes), StoreError> {
        type Row = (
            i64,
            Option<i64>,
            i64,
            i64,
            Option<String>,
            Option<i64>,
            Option<i64>,
        );
        let row: Option<Row> = self
            .fetch_optional(&REMINDER_STATE, args![user_key(user)])
            .await?;
        Ok(match row {
            Some((enabled, hour, offset, blocked, zone, quiet, last)) => (
                prefs_from(Some((enabled, hour, offset, blocked, zone))),
                ReminderTimes {
                    quiet_until: quiet.map(from_millis),
                    last_reminded_at: last.map(from_millis),
                },
            ),
            None => (ReminderPrefs::default(), ReminderTimes::default()),
        })
    }

    /// Stores new settings and quiet time; the next sweep looks at the member again.
    pub async fn set_reminder_prefs(
        &self,
        learner: &Learner,
        prefs: ReminderPrefs,
        quiet_until: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut writer = self.writer().await?;
        let mut tx = writer.begin().await?;
        tx.execute(&VISIT, visit_values(learner, now)).await?;
        let values = args![
            user_key(learner.user),
            prefs.enabled,
            prefs.hour.map(i64::from),
            // A named zone's offset as of now, for what reads the offset alone.
            prefs.zone.offset_minutes_at(now),
            prefs.dm_blocked,
            quiet_until.map(to_millis),
            to_millis(now),
            prefs.zone.name(),
        ];
        tx.execute(&SET_PREFS, values).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The study channel of the server the member studied in most recently, if it has one
    /// with reminders on.
    pub async fn study_channel_for(
        &self,
        user: UserId,
    ) -> Result<Option<(GuildId, u64)>, StoreError> {
        let row: Option<(i64, i64)> = self
            .fetch_optional(&STUDY_CHANNEL, args![user_key(user)])
            .await?;
        Ok(row.map(|(guild, channel)| (GuildId(guild as u64), channel as u64)))
    }

    /// Discord refused to DM the member: reminders pause until they turn them on again.
    pub async fn block_dms(&self, user: UserId) -> Result<(), StoreError> {
        self.execute(&BLOCK_DMS, args![user_key(user)]).await?;
        Ok(())
    }

    /// Remembers the DM channel Discord opened with the member (`None` forgets it).
    pub async fn remember_dm_channel(
        &self,
        user: UserId,
        channel: Option<u64>,
    ) -> Result<(), StoreError> {
        self.execute(
            &DM_CHANNEL,
            args![user_key(user), channel.map(|c| c as i64)],
        )
        .await?;
        Ok(())
    }
}
