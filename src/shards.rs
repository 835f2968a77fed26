//! Which of the bot's gateway shards one process runs (`--shards 0-3 --total-shards 8`, or
//! `[discord] shards` and `total_shards`), checked before anything connects: a range that does
//! not fit its total would otherwise surface as a gateway close code minutes into a deployment.
//!
//! Discord sends each server's events to shard `(guild_id >> 22) % total` and DMs to shard 0,
//! so the process running shard 0 is the one that also sees DMs and registers the commands.

use std::fmt;
use std::str::FromStr;

use serde::Deserialize;

/// `FIRST-LAST` as written (`2` alone is `2-2`), before it is checked against a total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct ShardSpan {
    pub first: u32,
    pub last: u32,
}

/// The shards one process runs: `first..=last` of `total`. Only [`ShardRange::new`] makes one,
/// so every value holds `first <= last < total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShardRange {
    first: u32,
    last: u32,
    total: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShardError {
    #[error(
        "shard range `{given}` is not FIRST-LAST in whole numbers: write e.g. `0-3`, or `2` for \
         one shard"
    )]
    Malformed { given: String },
    #[error("total shards `{given}` is not a whole number: write e.g. 8")]
    BadTotal { given: String },
    #[error("total shards is 0: a bot has at least 1 shard")]
    NoShards,
    #[error(
        "shards {span} of {total}: the first shard is after the last; {}",
        valid(*total)
    )]
    Backwards { span: ShardSpan, total: u32 },
    #[error(
        "shards {span} of {total}: shard {} does not exist, shards are numbered from 0; {}",
        span.last,
        valid(*total)
    )]
    OutOfTotal { span: ShardSpan, total: u32 },
    #[error(
        "shards {span} without a total: give the bot's number of shards too (--total-shards N, \
         or total_shards in [discord])"
    )]
    NoTotal { span: ShardSpan },
}

/// What would be valid with `total` shards, for the error messages (`total` is at least 1).
fn valid(total: u32) -> String {
    let last = total.saturating_sub(1);
    format!(
        "valid with {total} in total: FIRST-LAST with 0 <= FIRST <= LAST <= {last}, e.g. 0-{last}"
    )
}

impl FromStr for ShardSpan {
    type Err = ShardError;

    fn from_str(text: &str) -> Result<Self, ShardError> {
        let malformed = || ShardError::Malformed {
            given: text.to_owned(),
        };
        let number = |part: &str| part.trim().parse::<u32>().map_err(|_| malformed());
        match text.split_once('-') {
            Some((first, last)) => Ok(Self {
                first: number(first)?,
                last: number(last)?,
            }),
            None => {
                let only = number(text)?;
                Ok(Self {
                    first: only,
                    last: only,
                })
            }
        }
    }
}

impl TryFrom<String> for ShardSpan {
    type Error = ShardError;

    fn try_from(text: String) -> Result<Self, ShardError> {
        text.parse()
    }
}

impl fmt::Display for ShardSpan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.first, self.last)
    }
}

impl ShardRange {
    pub fn new(span: ShardSpan, total: u32) -> Result<Self, ShardError> {
        if total == 0 {
            return Err(ShardError::NoShards);
        }
        if span.first > span.last {
            return Err(ShardError::Backwards { span, total });
        }
        if span.last >= total {
            return Err(ShardError::OutOfTotal { span, total });
        }
        Ok(Self {
            first: span.first,
            last: span.last,
            total,
        })
    }

    /// What a process runs from its settings: `None` (no range, no total) lets Discord say how
    /// many shards the bot needs and runs them all; a total alone runs all of them here; a
    /// range needs its total, since the total decides which servers a shard serves.
    pub fn resolve(
        span: Option<ShardSpan>,
        total: Option<u32>,
    ) -> Result<Option<Self>, ShardError> {
        match (span, total) {
            (None, None) => Ok(None),
            (None, Some(total)) => Self::new(
                ShardSpan {
                    first: 0,
                    last: total.saturating_sub(1),
                },
                total,
            )
            .map(Some),
            (Some(span), None) => Err(ShardError::NoTotal { span }),
            (Some(span), Some(total)) => Self::new(span, total).map(Some),
        }
    }

    /// Parses a total given on the command line (the config file's is a TOML integer).
    pub fn parse_total(text: &str) -> Result<u32, ShardError> {
        text.trim().parse().map_err(|_| ShardError::BadTotal {
            given: text.to_owned(),
        })
    }

    pub fn first(&self) -> u32 {
        self.first
    }

    pub fn last(&self) -> u32 {
        self.last
    }

    pub fn total(&self) -> u32 {
        self.total
    }

    pub fn runs(&self, shard: u32) -> bool {
        (self.first..=self.last).contains(&shard)
    }

    /// This process's part of the bot: its shards over all of them. Each process takes this
    /// part of Discord's per-bot request rate for its reminders, so that the processes of one
    /// bot together stay within it without talking to each other.
    pub fn share(&self) -> f64 {
        f64::from(self.last - self.first + 1) / f64::from(self.total)
    }

    /// Whether this process runs shard 0, which receives the DMs and so is the one process
    /// that registers the commands.
    pub fn has_shard_zero(&self) -> bool {
        self.runs(0)
    }
}

impl fmt::Display for ShardRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{} of {}", self.first, self.last, self.total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(text: &str, total: u32) -> Result<ShardRange, ShardError> {
        ShardRange::new(text.parse()?, total)
    }

    #[test]
    fn the_processes_of_a_bot_share_its_request_rate_by_their_shards() {
        let parts = [range("0-3", 8), range("4-5", 8), range("6-7", 8)];
        let shares: Vec<f64> = parts.iter().map(|r| r.as_ref().unwrap().share()).collect();
        assert_eq!(shares, [0.5, 0.25, 0.25]);
        assert!((shares.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn a_range_inside_its_total_is_kept_as_written() {
        let shards = range("0-3", 8).unwrap();

        assert_eq!((shards.first(), shards.last(), shards.total()), (0, 3, 8));
        assert!(shards.runs(3) && !shards.runs(4));
        assert!(shards.has_shard_zero());
        assert_eq!(shards.to_string(), "0-3 of 8");
    }

    #[test]
    fn one_number_is_one_shard_and_spaces_are_allowed() {
        assert_eq!(range("5", 8).unwrap(), range("5-5", 8).unwrap());
        assert_eq!(range(" 4 - 7 ", 8).unwrap(), range("4-7", 8).unwrap());
        assert!(!range("4-7", 8).unwrap().has_shard_zero());
    }

    #[test]
    fn malformed_ranges_are_refused_with_what_to_write() {
        for text in [
            "3-",
            "-3",
            "a-b",
            "",
            "0-3-5",
            "1..3",
            "-1-2",
            "0-99999999999",
        ] {
            let error = text.parse::<ShardSpan>().unwrap_err();

            assert_eq!(error, ShardError::Malformed { given: text.into() });
            assert!(error.to_string().contains("e.g. `0-3`"), "{error}");
        }
    }

    #[test]
    fn a_backwards_range_says_what_would_be_valid() {
        let error = range("3-1", 2).unwrap_err();

        assert!(matches!(error, ShardError::Backwards { .. }), "{error:?}");
        assert_eq!(
            error.to_string(),
            "shards 3-1 of 2: the first shard is after the last; valid with 2 in total: \
             FIRST-LAST with 0 <= FIRST <= LAST <= 1, e.g. 0-1"
        );
    }

    #[test]
    fn a_range_past_its_total_names_the_missing_shard() {
        let error = range("0-2", 2).unwrap_err();

        assert!(matches!(error, ShardError::OutOfTotal { .. }), "{error:?}");
        assert!(
            error.to_string().contains("shard 2 does not exist"),
            "{error}"
        );
        assert!(error.to_string().contains("e.g. 0-1"), "{error}");
        assert!(range("8-8", 8).is_err());
        assert!(range("7-7", 8).is_ok());
    }

    #[test]
    fn a_total_of_zero_is_refused_whatever_the_range() {
        assert_eq!(range("0-0", 0), Err(ShardError::NoShards));
        assert_eq!(
            ShardRange::resolve(None, Some(0)),
            Err(ShardError::NoShards)
        );
    }

    #[test]
    fn resolve_runs_all_without_a_range_and_needs_a_total_with_one() {
        let span = ShardSpan { first: 0, last: 1 };

        assert_eq!(ShardRange::resolve(None, None), Ok(None));
        assert_eq!(
            ShardRange::resolve(None, Some(4)),
            Ok(Some(range("0-3", 4).unwrap()))
        );
        assert_eq!(
            ShardRange::resolve(Some(span), None),
            Err(ShardError::NoTotal { span })
        );
        assert_eq!(
            ShardRange::resolve(Some(span), Some(2)),
            Ok(Some(range("0-1", 2).unwrap()))
        );
    }

    #[test]
    fn a_total_must_be_a_whole_number() {
        assert_eq!(ShardRange::parse_total(" 8 "), Ok(8));
        for text in ["-1", "eight", "2.5", ""] {
            assert!(
                matches!(
                    ShardRange::parse_total(text),
                    Err(ShardError::BadTotal { .. })
                ),
                "{text}"
            );
        }
    }
}
