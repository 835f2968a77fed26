//! A server's boards, read back in index order: one `standings` row per member, board and
//! period, kept in step with every action by the triggers of migration 0007. A page, a count
//! and a member's rank cost the same on a server of ten members or of a hundred thousand.

use chrono::{DateTime, Utc};

use super::backend::{args, Sql};
use super::{guild_key, to_millis, user_key, Store, StoreError};
use crate::ids::{GuildId, UserId};
use crate::study::domain::{Board, ScoreWeek};

/// The `standings.period` key: 0 for all time (and for boards about now), else the week's
/// Monday in Unix ms.
fn period_key(board: Board, week: ScoreWeek) -> i64 {
    match week {
        ScoreWeek::Of(monday) if board.has_period() => to_millis(monday),
        _ => 0,
    }
}

/// One row of a board: who, under the name the server knows them by, and their score.
#[derive(Debug, Clone, PartialEq)]
pub struct BoardRow {
    pub user: UserId,
    pub name: String,
    pub score: i64,
}

/// A member's place on a board (1-based) and score.
#[derive(Debug, Clone, PartialEq)]
pub struct Standing {
    pub rank: u64,
    pub score: i64,
}

/// A page of a board, walked in the order of the `standings_board` index: the best first, ties
/// to whoever reached the score first, then the lower user id.
const BOARD_PAGE: Sql = Sql::both(
    "SELECT s.user_id, m.display_name, s.score
     FROM standings s
     JOIN memberships m ON m.guild_id = s.guild_id AND m.user_id = s.user_id
     WHERE s.guild_id = $1 AND s.board = $2 AND s.period = $3 AND s.listed = 1 AND s.score > 0
     ORDER BY s.score DESC, s.reached_at, s.user_id
     LIMIT $4 OFFSET $5",
);

/// How many are on a board: the per-score counts, one row per distinct score. (PostgreSQL's
/// `SUM` of BIGINTs is a NUMERIC: the casts keep every total an integer on both.)
const BOARD_COUNT: Sql = Sql::both(
    "SELECT CAST(COALESCE(SUM(members), 0) AS BIGINT) FROM standing_counts
     WHERE guild_id = $1 AND board = $2 AND period = $3 AND score > 0",
);

const BOARD_MINE: Sql = Sql::both(
    "SELECT score, reached_at FROM standings
     WHERE guild_id = $1 AND board = $2 AND period = $3 AND user_id = $4 AND listed = 1
       AND score > 0",
);

/// Everyone ahead of a member: a higher score (summed from the per-score counts), or the same
/// reached earlier, then the lower id (a range of the board index).
const BOARD_AHEAD: Sql = Sql::both(
    "SELECT CAST(
       (SELECT COALESCE(SUM(members), 0) FROM standing_counts
        WHERE guild_id = $1 AND board = $2 AND period = $3 AND score > $4)
     + (SELECT COUNT(*) FROM standings
        WHERE guild_id = $1 AND board = $2 AND period = $3 AND listed = 1 AND score = $4
          AND (reached_at < $5 OR (reached_at = $5 AND user_id < $6))) AS BIGINT)",
);

/// Whether any score of a fading board is due to be looked at again.
const BOARD_STALE: Sql = Sql::both(
    "SELECT EXISTS (SELECT 1 FROM standings
     WHERE guild_id = $1 AND board = $2 AND valid_until <= $3)",
);

/// Streaks that broke: off the board until the member studies again.
const BREAK_STREAKS: Sql = Sql::both(
    "UPDATE standings SET score = 0, valid_until = NULL
     WHERE guild_id = $1 AND board = 'streak' AND valid_until <= $2",
);

/// Remembered counts whose earliest card faded, or whose cards changed: counted again from the
/// cards' `kept_until`, and looked at again when the next of them fades.
const RECOUNT_REMEMBERED: Sql = Sql::both(
    "UPDATE standings SET
       score = k.kept,
       valid_until = k.next_fade,
       reached_at = CASE WHEN standings.score = k.kept THEN standings.reached_at ELSE $2 END
     FROM (SELECT d.user_id,
             (SELECT COUNT(*) FROM review_cards c
              WHERE c.user_id = d.user_id AND c.kept_until >= $2) AS kept,
             (SELECT MIN(c.kept_until) + 1 FROM review_cards c
              WHERE c.user_id = d.user_id AND c.kept_until >= $2) AS next_fade
           FROM standings d
           WHERE d.guild_id = $1 AND d.board = 'remembered' AND d.valid_until <= $2) AS k
     WHERE standings.guild_id = $1 AND standings.board = 'remembered'
       AND standings.period = 0 AND standings.user_id = k.user_id",
);

const SCORE_OF: Sql = Sql::both(
    "SELECT score FROM standings
     WHERE guild_id = $1 AND board = $2 AND period = $3 AND user_id = $4",
);

impl Store {
    /// SQLite's plans for the very statements a board press runs, each as (name, one line per
    /// step): for tests and benchmarks.
    pub async fn board_plans(&self) -> Result<Vec<(&'static str, Vec<String>)>, StoreError> {
        self.plans(&[
            ("page", BOARD_PAGE, 5),
            ("count", BOARD_COUNT, 3),
            ("mine", BOARD_MINE, 4),
            ("ahead", BOARD_AHEAD, 6),
            ("stale", BOARD_STALE, 3),
            ("break streaks", BREAK_STREAKS, 2),
            ("recount remembered", RECOUNT_REMEMBERED, 2),
        ])
        .await
    }

    /// `limit` rows of a board from `offset`, best first.
    #[tracing::instrument(skip_all, fields(guild = %guild, board = board.as_str()))]
    pub async fn board_page(
        &self,
        guild: GuildId,
        board: Board,
        week: ScoreWeek,
        offset: u64,
        limit: u64,
    ) -> Result<Vec<BoardRow>, StoreError> {
        let values = args![
            guild_key(guild),
            board.as_str(),
            period_key(board, week),
            limit as i64,
            offset as i64,
        ];
        let rows: Vec<(i64, String, i64)> = self.fetch_all(&BOARD_PAGE, values).await?;
        Ok(rows
            .into_iter()
            .map(|(user, name, score)| BoardRow {
                user: UserId(user as u64),
                name,
                score,
            })
            .collect())
    }

    /// How many members are on a board.
    pub async fn board_len(
        &self,
        guild: GuildId,
        board: Board,
        week: ScoreWeek,
    ) -> Result<u64, StoreError> {
        let values = args![guild_key(guild), board.as_str(), period_key(board, week)];
        let (count,): (i64,) = self.fetch_one(&BOARD_COUNT, values).await?;
        Ok(count as u64)
    }

    /// A member's rank and score on a board, or `None` when they are not on it.
    #[tracing::instrument(skip_all, fields(guild = %guild, user = %user))]
    pub async fn standing(
        &self,
        guild: GuildId,
        board: Board,
        week: ScoreWeek,
        user: UserId,
    ) -> Result<Option<Standing>, StoreError> {
        let period = period_key(board, week);
        let values = args![guild_key(guild), board.as_str(), period, user_key(user)];
        let mine: Option<(i64, i64)> = self.fetch_optional(&BOARD_MINE, values).await?;
        let Some((score, reached_at)) = mine else {
            return Ok(None);
        };
        let values = args![
            guild_key(guild),
            board.as_str(),
            period,
            score,
            reached_at,
            user_key(user),
        ];
        let (ahead,): (i64,) = self.fetch_one(&BOARD_AHEAD, values).await?;
        Ok(Some(Standing {
            rank: ahead as u64 + 1,
            score,
        }))
    }

    /// Brings a fading board up to `now`: broken streaks leave it, remembered counts whose
    /// cards faded or changed are taken again. Touches only the rows due (an index range), and
    /// writes nothing when none are.
    #[tracing::instrument(skip_all, fields(guild = %guild, board = board.as_str()))]
    pub async fn refresh_board(
        &self,
        guild: GuildId,
        board: Board,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let refresh = match board {
            Board::Streak => BREAK_STREAKS,
            Board::Remembered => RECOUNT_REMEMBERED,
            Board::Points | Board::Learned => return Ok(()),
        };
        let values = args![guild_key(guild), board.as_str(), to_millis(now)];
        let (stale,): (bool,) = self.fetch_one(&BOARD_STALE, values).await?;
        if stale {
            self.execute(&refresh, args![guild_key(guild), to_millis(now)])
                .await?;
        }
        Ok(())
    }

    /// A member's score on a board (0 without any), listed or not: for their own stats.
    pub async fn score_of(
        &self,
        guild: GuildId,
        board: Board,
        week: ScoreWeek,
        user: UserId,
    ) -> Result<i64, StoreError> {
        let values = args![
            guild_key(guild),
            board.as_str(),
            period_key(board, week),
            user_key(user),
        ];
        let score: Option<(i64,)> = self.fetch_optional(&SCORE_OF, values).await?;
        Ok(score.map_or(0, |(score,)| score))
    }
}
