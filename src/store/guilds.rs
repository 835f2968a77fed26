//! A server's settings, board resets, and the purge of servers Quorum was removed from.

use chrono::{DateTime, Utc};

use super::backend::{args, Sql, Value};
use super::{from_millis, guild_key, to_millis, Store, StoreError};
use crate::ids::GuildId;
use crate::study::domain::{GuildSettings, ResetScope, SettingChange};

impl Store {
    pub async fn guild_settings(&self, guild: GuildId) -> Result<GuildSettings, StoreError> {
        type Row = (Option<i64>, i64, i64, Option<String>, i64, i64);
        let row: Option<Row> = self
            .fetch_optional(&SETTINGS, args![guild_key(guild)])
            .await?;
        Ok(match row {
            Some((channel, reminders, announcements, track, reset, week_reset)) => GuildSettings {
                study_channel: channel.map(|c| c as u64),
                reminders_enabled: reminders != 0,
                announcements_enabled: announcements != 0,
                default_track: track,
                board_reset_at: from_millis(reset),
                week_reset_at: from_millis(week_reset),
            },
            None => GuildSettings::default(),
        })
    }

    #[tracing::instrument(skip_all, fields(guild = %guild, ?change))]
    pub async fn change_setting(
        &self,
        guild: GuildId,
        change: &SettingChange,
    ) -> Result<(), StoreError> {
        let (statement, value) = match change {
            SettingChange::StudyChannel(channel) => (
                Sql::both("UPDATE guild_settings SET study_channel_id = $1 WHERE guild_id = $2"),
                Value::from(channel.map(|c| c as i64)),
            ),
            SettingChange::Reminders(on) => (
                Sql::both("UPDATE guild_settings SET reminders_enabled = $1 WHERE guild_id = $2"),
                Value::from(*on),
            ),
            SettingChange::Announcements(on) => (
                Sql::both(
                    "UPDATE guild_settings SET announcements_enabled = $1 WHERE guild_id = $2",
                ),
                Value::from(*on),
            ),
            SettingChange::DefaultTrack(track) => (
                Sql::both("UPDATE guild_settings SET default_track = $1 WHERE guild_id = $2"),
                Value::from(track.as_deref()),
            ),
        };
        let mut writer = self.writer().await?;
        let mut tx = writer.begin().await?;
        tx.execute(&ENSURE_SETTINGS, args![guild_key(guild)])
            .await?;
        tx.execute(&statement, vec![value, guild_key(guild).into()])
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Empties the weekly or the all-time boards of a server (the all-time reset empties the
    /// weekly ones too). `this_week` is the Monday 00:00 UTC of the week a weekly reset empties.
    #[tracing::instrument(skip_all, fields(guild = %guild, ?scope))]
    pub async fn reset_boards(
        &self,
        guild: GuildId,
        scope: ResetScope,
        this_week: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let (boards, settings) = match scope {
            ResetScope::Week => (
                Sql::both(
                    "DELETE FROM standings
                     WHERE guild_id = $1 AND board IN ('points', 'learned') AND period = $2",
                ),
                Sql::both("UPDATE guild_settings SET week_reset_at = $1 WHERE guild_id = $2"),
            ),
            ResetScope::AllTime => (
                Sql::both(
                    "DELETE FROM standings
                     WHERE guild_id = $1 AND board IN ('points', 'learned') AND period >= $2",
                ),
                Sql::both(
                    "UPDATE guild_settings SET board_reset_at = $1, week_reset_at = $1
                     WHERE guild_id = $2",
                ),
            ),
        };
        let this_week = match scope {
            ResetScope::Week => to_millis(this_week),
            ResetScope::AllTime => 0,
        };
        let mut writer = self.writer().await?;
        let mut tx = writer.begin().await?;
        tx.execute(&ENSURE_SETTINGS, args![guild_key(guild)])
            .await?;
        tx.execute(&boards, args![guild_key(guild), this_week])
            .await?;
        tx.execute(&settings, args![to_millis(now), guild_key(guild)])
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Remembers that Quorum was removed from a server (the first removal time stays).
    pub async fn guild_removed(
        &self,
        guild: GuildId,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let statement = Sql::both(
            "INSERT INTO guild_removals (guild_id, removed_at) VALUES ($1, $2)
             ON CONFLICT (guild_id) DO NOTHING",
        );
        self.execute(&statement, args![guild_key(guild), to_millis(now)])
            .await?;
        Ok(())
    }

    /// Quorum is (again) in a server: cancels a pending purge. Returns whether one was pending.
    pub async fn guild_present(&self, guild: GuildId) -> Result<bool, StoreError> {
        let statement = Sql::both("DELETE FROM guild_removals WHERE guild_id = $1");
        let deleted = self.execute(&statement, args![guild_key(guild)]).await?;
        Ok(deleted > 0)
    }

    /// Purges the settings, memberships, boards and counters of every server removed before `cutoff`;
    /// members' own progress stays theirs. Returns the purged servers.
    #[tracing::instrument(skip_all)]
    pub async fn purge_removed_guilds(
        &self,
        cutoff: DateTime<Utc>,
    ) -> Result<Vec<GuildId>, StoreError> {
        let mut writer = self.writer().await?;
        let mut tx = writer.begin().await?;
        let removed = Sql::both("SELECT guild_id FROM guild_removals WHERE removed_at <= $1");
        let guilds: Vec<(i64,)> = tx.fetch_all(&removed, args![to_millis(cutoff)]).await?;
        for &(guild,) in &guilds {
            for statement in &PURGE {
                tx.execute(statement, args![guild]).await?;
            }
        }
        tx.commit().await?;
        Ok(guilds.into_iter().map(|(g,)| GuildId(g as u64)).collect())
    }
}

/// Gives the server its settings row (all defaults) if it has none yet.
const ENSURE_SETTINGS: Sql =
    Sql::both("INSERT INTO guild_settings (guild_id) VALUES ($1) ON CONFLICT DO NOTHING");

const SETTINGS: Sql = Sql::both(
    "SELECT study_channel_id, reminders_enabled, announcements_enabled, default_track,
            board_reset_at, week_reset_at
     FROM guild_settings WHERE guild_id = $1",
);

/// What a purge deletes of one server.
const PURGE: [Sql; 8] = [
    Sql::both("DELETE FROM guild_settings WHERE guild_id = $1"),
    Sql::both("DELETE FROM memberships WHERE guild_id = $1"),
    Sql::both("DELETE FROM standings WHERE guild_id = $1"),
    Sql::both("DELETE FROM standing_counts WHERE guild_id = $1"),
    Sql::both("DELETE FROM topic_counts WHERE guild_id = $1"),
    Sql::both("DELETE FROM guild_counts WHERE guild_id = $1"),
    // The marks stay their members'; they no longer count for the server.
    Sql::both("UPDATE learned_topics SET guild_id = NULL WHERE guild_id = $1"),
    Sql::both("DELETE FROM guild_removals WHERE guild_id = $1"),
];
