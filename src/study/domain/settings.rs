//! What a server's admins and a member can set.

use chrono::{DateTime, Utc};

use super::zone::LocalZone;

/// A server's settings as its admins set them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuildSettings {
    pub study_channel: Option<u64>,
    pub reminders_enabled: bool,
    pub announcements_enabled: bool,
    pub default_track: Option<String>,
    /// Marks made before this do not count on the learned board.
    pub board_reset_at: DateTime<Utc>,
    pub week_reset_at: DateTime<Utc>,
}

impl Default for GuildSettings {
    fn default() -> Self {
        Self {
            study_channel: None,
            reminders_enabled: true,
            announcements_enabled: false,
            default_track: None,
            board_reset_at: DateTime::UNIX_EPOCH,
            week_reset_at: DateTime::UNIX_EPOCH,
        }
    }
}

/// One change an admin makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettingChange {
    StudyChannel(Option<u64>),
    Reminders(bool),
    Announcements(bool),
    DefaultTrack(Option<String>),
}

/// Which board a reset empties.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResetScope {
    Week,
    AllTime,
}

/// A member's reminder settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReminderPrefs {
    pub enabled: bool,
    /// The local hour from which the day's reminder may go out; `None`: as soon as due.
    pub hour: Option<u8>,
    /// The member's time zone: their hour and their days.
    pub zone: LocalZone,
    /// Discord refused a DM (error 50007) and no study channel could take it.
    pub dm_blocked: bool,
}

impl Default for ReminderPrefs {
    fn default() -> Self {
        Self {
            enabled: true,
            hour: None,
            zone: LocalZone::default(),
            dm_blocked: false,
        }
    }
}
