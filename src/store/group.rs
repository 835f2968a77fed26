//! Who shows in a server's group views, and what those views read: the members who still
//! recall a topic, and how many learned each topic there. Counters and one index each, kept by
//! the triggers of migration 0007, so a view costs its page, not the server.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::backend::{args, Sql};
use super::reviews::{from_row, CardRow};
use super::{guild_key, to_millis, user_key, Store, StoreError};
use crate::ids::{GuildId, UserId};
use crate::study::domain::ReviewCard;

/// A member who learned a topic in a server and still recalls it, with their card.
#[derive(Debug, Clone, PartialEq)]
pub struct KnowerRow {
    pub user: UserId,
    pub name: String,
    pub card: ReviewCard,
}

#[derive(sqlx::FromRow)]
struct KnowerRecord {
    user_id: i64,
    display_name: String,
    #[sqlx(flatten)]
    card: CardRow,
}

/// The listed members who learned a topic in a server and keep it until at least `now`, those
/// who keep it longest first: a walk down the `learned_topics_knowers` index.
const KNOWERS: Sql = Sql::both(
    "SELECT l.user_id, m.display_name, c.track_id, c.topic_id, c.due,
            c.stability, c.difficulty, c.elapsed_days, c.scheduled_days, c.reps, c.lapses,
            c.state, c.last_review
     FROM learned_topics l
     JOIN memberships m ON m.guild_id = l.guild_id AND m.user_id = l.user_id
     JOIN review_cards c ON c.user_id = l.user_id AND c.track_id = l.track_id
                        AND c.topic_id = l.topic_id
     WHERE l.guild_id = $1 AND l.track_id = $2 AND l.topic_id = $3 AND l.kept_until >= $4
       AND m.listed = 1
     ORDER BY l.kept_until DESC, l.user_id DESC
     LIMIT $5",
);

const TOPIC_COUNTS: Sql =
    Sql::both("SELECT topic_id, members FROM topic_counts WHERE guild_id = $1 AND track_id = $2");

/// (PostgreSQL's `SUM` of BIGINTs is a NUMERIC: the cast keeps it an integer on both.)
const LISTED_MEMBERS: Sql = Sql::both(
    "SELECT CAST(COALESCE(SUM(members), 0) AS BIGINT) FROM guild_counts WHERE guild_id = $1",
);

const DEPARTED: Sql = Sql::both(
    "UPDATE memberships SET left_at = $1, listed = 0 WHERE guild_id = $2 AND user_id = $3",
);

const HIDDEN: Sql = Sql::both(
    "INSERT INTO learners (user_id, display_name, created_at, hidden) VALUES ($1, $2, $3, $4)
     ON CONFLICT (user_id) DO UPDATE SET hidden = excluded.hidden",
);

const RELIST: Sql = Sql::both(
    "UPDATE memberships
     SET listed = CASE WHEN $2 = 0 AND (left_at IS NULL OR left_at < last_seen_at)
                  THEN 1 ELSE 0 END
     WHERE user_id = $1",
);

const IS_HIDDEN: Sql = Sql::both("SELECT hidden FROM learners WHERE user_id = $1");

const CARDS_WITHOUT_KEPT_UNTIL: Sql = Sql::both(
    "SELECT user_id, track_id, topic_id, due, stability, difficulty, elapsed_days,
            scheduled_days, reps, lapses, state, last_review
     FROM review_cards WHERE kept_until IS NULL LIMIT $1",
);

const SET_KEPT_UNTIL: Sql = Sql::both(
    "UPDATE review_cards SET kept_until = $1
     WHERE user_id = $2 AND track_id = $3 AND topic_id = $4",
);

impl Store {
    /// SQLite's plans for the statements the group views run: for tests and benchmarks.
    pub async fn group_plans(&self) -> Result<Vec<(&'static str, Vec<String>)>, StoreError> {
        self.plans(&[
            ("knowers", KNOWERS, 5),
            ("topic counts", TOPIC_COUNTS, 2),
            ("listed members", LISTED_MEMBERS, 1),
        ])
        .await
    }

    /// Up to `limit` members of a server who learned a topic there and keep it until `now`.
    pub async fn knowers(
        &self,
        guild: GuildId,
        (track, topic): (&str, &str),
        now: DateTime<Utc>,
        limit: u64,
    ) -> Result<Vec<KnowerRow>, StoreError> {
        let values = args![guild_key(guild), track, topic, to_millis(now), limit as i64];
        let rows: Vec<KnowerRecord> = self.fetch_all(&KNOWERS, values).await?;
        Ok(rows
            .into_iter()
            .map(|row| KnowerRow {
                user: UserId(row.user_id as u64),
                name: row.display_name,
                card: from_row(row.card),
            })
            .collect())
    }

    /// How many listed members learned each topic of a track in a server (topic id -> count).
    pub async fn topic_counts(
        &self,
        guild: GuildId,
        track: &str,
    ) -> Result<HashMap<String, u64>, StoreError> {
        let rows: Vec<(String, i64)> = self
            .fetch_all(&TOPIC_COUNTS, args![guild_key(guild), track])
            .await?;
        Ok(rows
            .into_iter()
            .map(|(t, n)| (t, n.max(0) as u64))
            .collect())
    }

    /// How many members are listed in a server (present and not private).
    pub async fn listed_members(&self, guild: GuildId) -> Result<u64, StoreError> {
        let (members,): (i64,) = self
            .fetch_one(&LISTED_MEMBERS, args![guild_key(guild)])
            .await?;
        Ok(members.max(0) as u64)
    }

    /// Takes a member who left off the server's boards and group views until they act there
    /// again.
    pub async fn mark_departed(
        &self,
        guild: GuildId,
        user: UserId,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let values = args![to_millis(now), guild_key(guild), user_key(user)];
        self.execute(&DEPARTED, values).await?;
        Ok(())
    }

    /// Hides a member from every server's boards and group views, or shows them again where
    /// they are present. Creates the learner if they never studied, so the choice holds.
    pub async fn set_hidden(
        &self,
        user: UserId,
        name: &str,
        hidden: bool,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut writer = self.writer().await?;
        let mut tx = writer.begin().await?;
        let values = args![user_key(user), name, to_millis(now), hidden];
        tx.execute(&HIDDEN, values).await?;
        tx.execute(&RELIST, args![user_key(user), hidden]).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether a member asked to stay off boards and keep their stats to themselves.
    pub async fn is_hidden(&self, user: UserId) -> Result<bool, StoreError> {
        let hidden: Option<(i64,)> = self
            .fetch_optional(&IS_HIDDEN, args![user_key(user)])
            .await?;
        Ok(hidden.is_some_and(|(hidden,)| hidden != 0))
    }

    /// Cards written before `kept_until` was kept, up to `limit`: the core fills them in.
    pub async fn cards_without_kept_until(
        &self,
        limit: u64,
    ) -> Result<Vec<(UserId, ReviewCard)>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            user_id: i64,
            #[sqlx(flatten)]
            card: CardRow,
        }
        let rows: Vec<Row> = self
            .fetch_all(&CARDS_WITHOUT_KEPT_UNTIL, args![limit as i64])
            .await?;
        Ok(rows
            .into_iter()
            .map(|row| (UserId(row.user_id as u64), from_row(row.card)))
            .collect())
    }

    /// Stores the `kept_until` the core computed for each card, in one transaction.
    pub async fn set_kept_until(
        &self,
        cards: &[(UserId, &str, &str, DateTime<Utc>)],
    ) -> Result<(), StoreError> {
        let mut writer = self.writer().await?;
        let mut tx = writer.begin().await?;
        for &(user, track, topic, kept_until) in cards {
            let values = args![to_millis(kept_until), user_key(user), track, topic];
            tx.execute(&SET_KEPT_UNTIL, values).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
