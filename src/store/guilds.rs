//! A server's settings, board resets, and the purge of servers Quorum was removed from.

use chrono::{DateTime, Utc};

use sqlx::Connection as _;

use super::{from_millis, guild_key, to_millis, Store, StoreError};
use crate::ids::GuildId;
use crate::study::domain::{GuildSettings, ResetScope, SettingChange};

impl Store {
    pub async fn guild_settings(&self, guild: GuildId) -> Result<GuildSettings, StoreError> {
        type Row = (Option<i64>, i64, i64, Option<String>, i64, i64);
        let row: Option<Row> = sqlx::query_as(
            "SELECT study_channel_id, reminders_enabled, announcements_enabled, default_track,
                    board_reset_at, week_reset_at
             FROM guild_settings WHERE guild_id = ?",
        )
        .bind(guild_key(guild))
        .fetch_optional(&self.pool)
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
        let mut writer = self.write().await?;
        let mut tx = writer.begin_with("BEGIN IMMEDIATE").await?;
        ensure_settings(&mut tx, guild).await?;
        let query = match change {
            SettingChange::StudyChannel(channel) => {
                sqlx::query("UPDATE guild_settings SET study_channel_id = ? WHERE guild_id = ?")
                    .bind(channel.map(|c| c as i64))
            }
            SettingChange::Reminders(on) => {
                sqlx::query("UPDATE guild_settings SET reminders_enabled = ? WHERE guild_id = ?")
                    .bind(i64::from(*on))
            }
            SettingChange::Announcements(on) => sqlx::query(
                "UPDATE guild_settings SET announcements_enabled = ? WHERE guild_id = ?",
            )
            .bind(i64::from(*on)),
            SettingChange::DefaultTrack(track) => {
                sqlx::query("UPDATE guild_settings SET default_track = ? WHERE guild_id = ?")
                    .bind(track.clone())
            }
        };
        query.bind(guild_key(guild)).execute(&mut *tx).await?;
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
        let mut writer = self.write().await?;
        let mut tx = writer.begin_with("BEGIN IMMEDIATE").await?;
        ensure_settings(&mut tx, guild).await?;
        let (boards, settings) = match scope {
            ResetScope::Week => (
                "DELETE FROM standings
                 WHERE guild_id = ? AND board IN ('points', 'learned') AND period = ?",
                "UPDATE guild_settings SET week_reset_at = ?1 WHERE guild_id = ?2",
            ),
            ResetScope::AllTime => (
                "DELETE FROM standings
                 WHERE guild_id = ? AND board IN ('points', 'learned') AND period >= ?",
                "UPDATE guild_settings SET board_reset_at = ?1, week_reset_at = ?1
                 WHERE guild_id = ?2",
            ),
        };
        let this_week = match scope {
            ResetScope::Week => to_millis(this_week),
            ResetScope::AllTime => 0,
        };
        sqlx::query(boards)
            .bind(guild_key(guild))
            .bind(this_week)
            .execute(&mut *tx)
            .await?;
        sqlx::query(settings)
            .bind(to_millis(now))
            .bind(guild_key(guild))
            .execute(&mut *tx)
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
        sqlx::query(
            "INSERT INTO guild_removals (guild_id, removed_at) VALUES (?, ?)
             ON CONFLICT (guild_id) DO NOTHING",
        )
        .bind(guild_key(guild))
        .bind(to_millis(now))
        .execute(&mut *self.write().await?)
        .await?;
        Ok(())
    }

    /// Quorum is (again) in a server: cancels a pending purge. Returns whether one was pending.
    pub async fn guild_present(&self, guild: GuildId) -> Result<bool, StoreError> {
        let deleted = sqlx::query("DELETE FROM guild_removals WHERE guild_id = ?")
            .bind(guild_key(guild))
            .execute(&mut *self.write().await?)
            .await?
            .rows_affected();
        Ok(deleted > 0)
    }

    /// Purges the settings, memberships, boards and counters of every server removed before `cutoff`;
    /// members' own progress stays theirs. Returns the purged servers.
    #[tracing::instrument(skip_all)]
    pub async fn purge_removed_guilds(
        &self,
        cutoff: DateTime<Utc>,
    ) -> Result<Vec<GuildId>, StoreError> {
        let mut writer = self.write().await?;
        let mut tx = writer.begin_with("BEGIN IMMEDIATE").await?;
        let guilds: Vec<i64> =
            sqlx::query_scalar("SELECT guild_id FROM guild_removals WHERE removed_at <= ?")
                .bind(to_millis(cutoff))
                .fetch_all(&mut *tx)
                .await?;
        for guild in &guilds {
            for statement in [
                "DELETE FROM guild_settings WHERE guild_id = ?",
                "DELETE FROM memberships WHERE guild_id = ?",
                "DELETE FROM standings WHERE guild_id = ?",
                "DELETE FROM standing_counts WHERE guild_id = ?",
                "DELETE FROM topic_counts WHERE guild_id = ?",
                "DELETE FROM guild_counts WHERE guild_id = ?",
                // The marks stay their members'; they no longer count for the server.
                "UPDATE learned_topics SET guild_id = NULL WHERE guild_id = ?",
                "DELETE FROM guild_removals WHERE guild_id = ?",
            ] {
                sqlx::query(statement).bind(guild).execute(&mut *tx).await?;
            }
        }
        tx.commit().await?;
        Ok(guilds.into_iter().map(|g| GuildId(g as u64)).collect())
    }
}

/// Gives the server its settings row (all defaults) if it has none yet.
async fn ensure_settings(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    guild: GuildId,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO guild_settings (guild_id) VALUES (?) ON CONFLICT DO NOTHING")
        .bind(guild_key(guild))
        .execute(&mut **tx)
        .await?;
    Ok(())
}
