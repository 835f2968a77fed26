//! A server's leaderboards: points, topics learned, topics still remembered, and streaks.
//! Ties go to the earlier achiever every time, so a board never reshuffles on its own.

use chrono::{DateTime, Utc};

use super::domain::{week_start, Board, Period};
use super::{Study, StudyError};
use crate::ids::{GuildId, Learner, UserId};
use crate::store::{BoardRow, Standing};

/// Rows per page of a board.
pub const PAGE_SIZE: u64 = 10;

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
    /// One page of a board of `guild`, with `me`'s own rank. A fading board (remembered,
    /// streak) is first brought up to now: only the scores due since the last look change.
    pub async fn leaderboard(
        &self,
        guild: GuildId,
        board: Board,
        period: Period,
        page: u64,
        me: &Learner,
    ) -> Result<Leaderboard, StudyError> {
        let now = self.clock.now();
        let week = period.score_week(now);
        let store = &self.store;
        if board.fades() {
            store.refresh_board(guild, board, now).await?;
        }
        let total = store.board_len(guild, board, week).await?;
        let pages = total.div_ceil(PAGE_SIZE).max(1);
        let page = page.min(pages - 1);
        let rows = store
            .board_page(guild, board, week, page * PAGE_SIZE, PAGE_SIZE)
            .await?;
        let mine = store.standing(guild, board, week, me.user).await?;
        let me = mine.map(|Standing { rank, score }| Ranked {
            rank,
            user: me.user,
            name: me.name.clone(),
            score,
        });
        Ok(Leaderboard {
            board,
            period,
            page,
            pages,
            rows: rows
                .into_iter()
                .zip(page * PAGE_SIZE + 1..)
                .map(|(BoardRow { user, name, score }, rank)| Ranked {
                    rank,
                    user,
                    name,
                    score,
                })
                .collect(),
            me,
            since: (board.has_period() && period == Period::Week).then(|| week_start(now)),
        })
    }

    /// Gives every card written before the boards kept `kept_until` its value, in batches:
    /// the remembered board and /who-knows read it. Run once at start; cheap when done.
    pub async fn fill_in_kept_until(&self) -> Result<u64, StudyError> {
        const BATCH: u64 = 1_000;
        let mut filled = 0;
        loop {
            let cards = self.store.cards_without_kept_until(BATCH).await?;
            if cards.is_empty() {
                return Ok(filled);
            }
            let kept: Vec<_> = cards
                .iter()
                .map(|(user, c)| {
                    let until = self.scheduler().kept_until(&c.card);
                    (*user, c.track_id.as_str(), c.topic_id.as_str(), until)
                })
                .collect();
            self.store.set_kept_until(&kept).await?;
            filled += kept.len() as u64;
        }
    }

    /// Discord says `user` left `guild`: off its boards until they act there again.
    pub async fn member_left(&self, guild: GuildId, user: UserId) -> Result<(), StudyError> {
        let now = self.clock.now();
        self.store.mark_departed(guild, user, now).await?;
        // Acting there again must store the server anew, which brings them back.
        self.learners.forget(user);
        Ok(())
    }
}
