//! What a server's boards and group views read besides points: the members who study there,
//! their learned marks, streaks and review cards.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::points::BoardRow;
use super::reviews::{from_row, CardRow};
use super::{from_millis, guild_key, to_millis, Store, StoreError};
use crate::ids::{GuildId, UserId};
use crate::study::domain::{ReviewCard, StreakRun};

/// Members still counted in a server: they never left, or acted there after leaving.
const PRESENT: &str = "(m.left_at IS NULL OR m.left_at < m.last_seen_at)";

/// A member who studies in a server, under the name the server knows them by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRow {
    pub user: UserId,
    pub name: String,
    pub first_seen_at: DateTime<Utc>,
}

/// A member's streak, with their UTC offset to tell whether it is still alive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreakRow {
    pub user: UserId,
    pub name: String,
    pub run: StreakRun,
    pub offset_minutes: i64,
}

/// A review card with its owner, for the server-wide views.
#[derive(sqlx::FromRow)]
struct CardWithUser {
    user_id: i64,
    #[sqlx(flatten)]
    card: CardRow,
}

impl Store {
    /// The members present in a server who have studied there, oldest first.
    pub async fn guild_members(&self, guild: GuildId) -> Result<Vec<MemberRow>, StoreError> {
        let rows: Vec<(i64, String, i64)> = sqlx::query_as(&format!(
            "SELECT m.user_id, m.display_name, m.first_seen_at FROM memberships m
             WHERE m.guild_id = ? AND {PRESENT}
             ORDER BY m.first_seen_at, m.user_id"
        ))
        .bind(guild_key(guild))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(user, name, first)| MemberRow {
                user: UserId(user as u64),
                name,
                first_seen_at: from_millis(first),
            })
            .collect())
    }

    /// Topics learned in a server since `since`, per present member: most first, ties to whoever
    /// reached their count first.
    pub async fn learned_board(
        &self,
        guild: GuildId,
        since: DateTime<Utc>,
    ) -> Result<Vec<BoardRow>, StoreError> {
        let rows: Vec<(i64, String, i64, i64)> = sqlx::query_as(&format!(
            "SELECT l.user_id, m.display_name, COUNT(*) AS learned, MAX(l.learned_at) AS reached
             FROM learned_topics l
             JOIN memberships m ON m.guild_id = l.guild_id AND m.user_id = l.user_id
             WHERE l.guild_id = ? AND l.learned_at >= ? AND {PRESENT}
             GROUP BY l.user_id, m.display_name
             ORDER BY learned DESC, reached, l.user_id"
        ))
        .bind(guild_key(guild))
        .bind(to_millis(since))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(BoardRow::from_row).collect())
    }

    /// The streaks of the present members of a server.
    pub async fn guild_streaks(&self, guild: GuildId) -> Result<Vec<StreakRow>, StoreError> {
        type Row = (i64, String, i64, i64, i64, i64, Option<i64>);
        let rows: Vec<Row> = sqlx::query_as(&format!(
            "SELECT m.user_id, m.display_name, s.current_days, s.current_since, s.last_day,
                    s.longest_days, p.utc_offset_minutes
             FROM memberships m
             JOIN streaks s ON s.user_id = m.user_id
             LEFT JOIN reminder_prefs p ON p.user_id = m.user_id
             WHERE m.guild_id = ? AND {PRESENT}"
        ))
        .bind(guild_key(guild))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(user, name, current_days, current_since, last_day, longest_days, offset)| {
                    StreakRow {
                        user: UserId(user as u64),
                        name,
                        run: StreakRun {
                            current_days,
                            current_since,
                            last_day,
                            longest_days,
                        },
                        offset_minutes: offset.unwrap_or(0),
                    }
                },
            )
            .collect())
    }

    /// The review cards of the present members of a server, optionally of one topic only.
    pub async fn guild_cards(
        &self,
        guild: GuildId,
        topic: Option<(&str, &str)>,
    ) -> Result<HashMap<UserId, Vec<ReviewCard>>, StoreError> {
        let filter = if topic.is_some() {
            "AND r.track_id = ? AND r.topic_id = ?"
        } else {
            ""
        };
        let sql = format!(
            "SELECT r.* FROM memberships m
             JOIN review_cards r ON r.user_id = m.user_id
             WHERE m.guild_id = ? AND {PRESENT} {filter}"
        );
        let mut query = sqlx::query_as::<_, CardWithUser>(&sql).bind(guild_key(guild));
        if let Some((track, topic)) = topic {
            query = query.bind(track).bind(topic);
        }
        let mut cards: HashMap<UserId, Vec<ReviewCard>> = HashMap::new();
        for row in query.fetch_all(&self.pool).await? {
            let user = UserId(row.user_id as u64);
            cards.entry(user).or_default().push(from_row(row.card));
        }
        Ok(cards)
    }

    /// How many present members of a server learned each topic of a track (topic id -> count).
    pub async fn learned_counts(
        &self,
        guild: GuildId,
        track: &str,
    ) -> Result<HashMap<String, u64>, StoreError> {
        let rows: Vec<(String, i64)> = sqlx::query_as(&format!(
            "SELECT l.topic_id, COUNT(*) FROM memberships m
             JOIN learned_topics l ON l.user_id = m.user_id
             WHERE m.guild_id = ? AND {PRESENT} AND l.track_id = ?
             GROUP BY l.topic_id"
        ))
        .bind(guild_key(guild))
        .bind(track)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(t, n)| (t, n as u64)).collect())
    }
}
