//! Who is studying and where: Discord's ids as plain numbers, so the core needs no serenity.

use std::fmt;

/// A Discord user id (a snowflake). Progress belongs to the user, across servers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserId(pub u64);

/// A Discord server (guild) id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GuildId(pub u64);

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Display for GuildId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The learner behind an action: who, under what name, and in which server (none in a DM).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Learner {
    pub user: UserId,
    pub name: String,
    pub guild: Option<GuildId>,
}

impl Learner {
    /// A console user: a stable id derived from the name (FNV-1a), kept below 2^53 so it
    /// never collides with a real snowflake of today (those are above 2^56).
    pub fn local(name: &str) -> Self {
        let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        Self {
            user: UserId(hash & ((1 << 53) - 1)),
            name: name.to_string(),
            guild: None,
        }
    }
}
