//! A server's leaderboards: points, topics learned, topics still remembered, and streaks.
//! Ties go to the earlier achiever every time, so a board never reshuffles on its own.

use std::cmp::Reverse;

use chrono::{DateTime, Utc};

use super::domain::{local_day, week_start, Period};
use super::{Study, StudyError};
use crate::ids::{GuildId, Learner, UserId};
use crate::store::{BoardRow, Standing};

/// Rows per page of a board.
pub const PAGE_SIZE: u64 = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Board {
    Points,
    Learned,
    /// Topics whose recall probability is still at least the desired retention.
    Remembered,
    Streak,
}

impl Board {
    pub const ALL: [Board; 4] = [
        Board::Points,
        Board::Learned,
        Board::Remembered,
        Board::Streak,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Board::Points => "points",
            Board::Learned => "learned",
            Board::Remembered => "remembered",
            Board::Streak => "streak",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|b| b.as_str() == text)
    }

    /// Whether the period changes this board (remembered and streaks are about now).
    pub fn has_period(self) -> bool {
        matches!(self, Board::Points | Board::Learned)
    }
}

/// A member's place on a board.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ranked {
    pub rank: u64,
    pub user: UserId,
    pub name: String,
    pub score: i64,
}

/// One page of a board, and where the caller stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leaderboard {
    pub board: Board,
    pub period: Period,
    /// 0-based.
    pub page: u64,
    pub pages: u64,
    pub rows: Vec<Ranked>,
    /// The caller, even outside this page; `None` when they are not on the board.
    pub me: Option<Ranked>,
    pub since: Option<DateTime<Utc>>,
}

impl Study {
    /// One page of a board of `guild`, with `me`'s own rank.
    pub async fn leaderboard(
        &self,
        guild: GuildId,
        board: Board,
        period: Period,
        page: u64,
        me: &Learner,
    ) -> Result<Leaderboard, StudyError> {
        let now = self.clock.now();
        let since = (board.has_period() && period == Period::Week).then(|| week_start(now));
        if board == Board::Points {
            return self.points_leaderboard(guild, period, page, me).await;
        }
        let rows = match board {
            Board::Learned => {
                let settings = self.store.guild_settings(guild).await?;
                let from = match period {
                    Period::Week => week_start(now).max(settings.week_reset_at),
                    Period::AllTime => settings.board_reset_at,
                };
                self.store.learned_board(guild, from).await?
            }
            Board::Remembered => self.remembered_rows(guild, now).await?,
            _ => self.streak_rows(guild, now).await?,
        };
        let ranked: Vec<Ranked> = rows
            .into_iter()
            .filter(|r| r.score > 0)
            .zip(1..)
            .map(|(row, rank)| Ranked {
                rank,
                user: row.user,
                name: row.name,
                score: row.score,
            })
            .collect();
        let total = ranked.len() as u64;
        let pages = total.div_ceil(PAGE_SIZE).max(1);
        let page = page.min(pages - 1);
        let me = ranked.iter().find(|r| r.user == me.user).cloned();
        let rows = ranked
            .into_iter()
            .skip((page * PAGE_SIZE) as usize)
            .take(PAGE_SIZE as usize)
            .collect();
        Ok(Leaderboard {
            board,
            period,
            page,
            pages,
            rows,
            me,
            since,
        })
    }

    async fn points_leaderboard(
        &self,
        guild: GuildId,
        period: Period,
        page: u64,
        me: &Learner,
    ) -> Result<Leaderboard, StudyError> {
        let now = self.clock.now();
        let store = &self.store;
        let week = period.score_week(now);
        let total = store.points_board_len(guild, week).await?;
        let pages = total.div_ceil(PAGE_SIZE).max(1);
        let page = page.min(pages - 1);
        let rows = store
            .points_board(guild, week, page * PAGE_SIZE, PAGE_SIZE)
            .await?;
        let mine = store.points_standing(guild, me.user, week).await?;
        let me = mine.map(|Standing { rank, score }| Ranked {
            rank,
            user: me.user,
            name: me.name.clone(),
            score,
        });
        Ok(Leaderboard {
            board: Board::Points,
            period,
            page,
            pages,
            rows: rows
                .into_iter()
                .zip(page * PAGE_SIZE + 1..)
                .map(|(row, rank)| Ranked {
                    rank,
                    user: row.user,
                    name: row.name,
                    score: row.score,
                })
                .collect(),
            me,
            since: (period == Period::Week).then(|| week_start(now)),
        })
    }

    /// Discord says `user` left `guild`: off its boards until they act there again.
    pub async fn member_left(&self, guild: GuildId, user: UserId) -> Result<(), StudyError> {
        let now = self.clock.now();
        self.store.mark_departed(guild, user, now).await?;
        // Acting there again must store the server anew, which brings them back.
        self.learners.forget(user);
        Ok(())
    }

    async fn remembered_rows(
        &self,
        guild: GuildId,
        now: DateTime<Utc>,
    ) -> Result<Vec<BoardRow>, StudyError> {
        let members = self.store.guild_members(guild).await?;
        let cards = self.store.guild_cards(guild, None).await?;
        let retention = self.scheduler().desired_retention();
        let mut rows: Vec<BoardRow> = members
            .into_iter()
            .map(|member| {
                let kept = cards.get(&member.user).map_or(0, |cards| {
                    cards
                        .iter()
                        .filter(|c| self.scheduler().recall(&c.card, now) >= retention)
                        .count()
                });
                BoardRow {
                    user: member.user,
                    name: member.name,
                    score: kept as i64,
                    reached_at: member.first_seen_at,
                }
            })
            .collect();
        rows.sort_by_key(|r| (Reverse(r.score), r.reached_at, r.user));
        Ok(rows)
    }

    async fn streak_rows(
        &self,
        guild: GuildId,
        now: DateTime<Utc>,
    ) -> Result<Vec<BoardRow>, StudyError> {
        let mut rows: Vec<(BoardRow, i64)> = self
            .store
            .guild_streaks(guild)
            .await?
            .into_iter()
            .map(|s| {
                let row = BoardRow {
                    user: s.user,
                    name: s.name,
                    score: s.run.as_of(local_day(now, s.offset_minutes)).current,
                    reached_at: now,
                };
                (row, s.run.current_since)
            })
            .collect();
        rows.sort_by_key(|(r, since)| (Reverse(r.score), *since, r.user));
        Ok(rows.into_iter().map(|(r, _)| r).collect())
    }
}
