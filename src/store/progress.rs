//! Learners, memberships and learned marks.

use chrono::{DateTime, Utc};
use sqlx::{Sqlite, Transaction};

use super::points::{record_study, ActivityKind, POINTS_LEARNED};
use super::reviews::{write_card, CardState, ReviewCard};
use super::{from_millis, guild_key, to_millis, user_key, Store, StoreError};
use crate::ids::{Learner, UserId};

/// A topic a user has learned, and since when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LearnedMark {
    pub topic_id: String,
    pub learned_at: DateTime<Utc>,
}

/// What marking did: whether the topic was new (marking again keeps the first time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MarkOutcome {
    pub newly_learned: bool,
}

impl Store {
    /// Marks a topic learned. Marking again keeps the first time.
    pub async fn mark_learned(
        &self,
        learner: &Learner,
        track: &str,
        topic: &str,
        now: DateTime<Utc>,
    ) -> Result<MarkOutcome, StoreError> {
        self.mark_learned_with_card(learner, track, topic, now, None)
            .await
    }

    /// Marks a topic learned and, in the same transaction, creates its first review card
    /// (an existing card stays as it is).
    #[tracing::instrument(skip_all, fields(user = %learner.user, track, topic))]
    pub async fn mark_learned_with_card(
        &self,
        learner: &Learner,
        track: &str,
        topic: &str,
        now: DateTime<Utc>,
        first_card: Option<&CardState>,
    ) -> Result<MarkOutcome, StoreError> {
        let mut tx = self.pool.begin().await?;
        record_activity(&mut tx, learner, now).await?;
        let inserted = sqlx::query(
            "INSERT INTO learned_topics (user_id, track_id, topic_id, learned_at, guild_id)
             VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (user_id, track_id, topic_id) DO NOTHING",
        )
        .bind(user_key(learner.user))
        .bind(track)
        .bind(topic)
        .bind(to_millis(now))
        .bind(learner.guild.map(guild_key))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 1 {
            let reference = format!("{track}/{topic}");
            let points = POINTS_LEARNED;
            record_study(
                &mut tx,
                learner,
                ActivityKind::Learned,
                &reference,
                points,
                now,
            )
            .await?;
        }
        if let Some(card) = first_card.filter(|_| inserted == 1) {
            let card = ReviewCard {
                track_id: track.to_string(),
                topic_id: topic.to_string(),
                card: *card,
            };
            write_card(&mut tx, learner.user, &card, false).await?;
        }
        tx.commit().await?;
        Ok(MarkOutcome {
            newly_learned: inserted == 1,
        })
    }

    /// Removes a mark and its review card; returns whether there was a mark.
    #[tracing::instrument(skip_all, fields(user = %user, track, topic))]
    pub async fn unmark_learned(
        &self,
        user: UserId,
        track: &str,
        topic: &str,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let deleted = sqlx::query(
            "DELETE FROM learned_topics WHERE user_id = ? AND track_id = ? AND topic_id = ?",
        )
        .bind(user_key(user))
        .bind(track)
        .bind(topic)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        sqlx::query("DELETE FROM review_cards WHERE user_id = ? AND track_id = ? AND topic_id = ?")
            .bind(user_key(user))
            .bind(track)
            .bind(topic)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(deleted > 0)
    }

    /// Every topic of a track the user has learned, oldest first.
    #[tracing::instrument(skip_all, fields(user = %user, track))]
    pub async fn learned_topics(
        &self,
        user: UserId,
        track: &str,
    ) -> Result<Vec<LearnedMark>, StoreError> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT topic_id, learned_at FROM learned_topics
             WHERE user_id = ? AND track_id = ?
             ORDER BY learned_at, topic_id",
        )
        .bind(user_key(user))
        .bind(track)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(topic_id, learned_at)| LearnedMark {
                topic_id,
                learned_at: from_millis(learned_at),
            })
            .collect())
    }

    /// The servers a user has studied in, most recent first.
    pub async fn servers_of(&self, user: UserId) -> Result<Vec<u64>, StoreError> {
        let rows: Vec<i64> = sqlx::query_scalar(
            "SELECT guild_id FROM memberships WHERE user_id = ? ORDER BY last_seen_at DESC",
        )
        .bind(user_key(user))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|g| g as u64).collect())
    }
}

/// Keeps the learner's name fresh and remembers the server they acted in, inside the
/// caller's transaction so the activity and what it did land together.
pub(super) async fn record_activity(
    tx: &mut Transaction<'_, Sqlite>,
    learner: &Learner,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO learners (user_id, display_name, created_at) VALUES (?, ?, ?)
         ON CONFLICT (user_id) DO UPDATE SET display_name = excluded.display_name",
    )
    .bind(user_key(learner.user))
    .bind(&learner.name)
    .bind(to_millis(now))
    .execute(&mut **tx)
    .await?;
    if let Some(guild) = learner.guild {
        sqlx::query(
            "INSERT INTO memberships (guild_id, user_id, display_name, first_seen_at, last_seen_at)
             VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (guild_id, user_id) DO UPDATE
             SET display_name = excluded.display_name, last_seen_at = excluded.last_seen_at",
        )
        .bind(guild_key(guild))
        .bind(user_key(learner.user))
        .bind(&learner.name)
        .bind(to_millis(now))
        .bind(to_millis(now))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
