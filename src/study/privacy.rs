//! A member's choice to stay private: off every board, `/who-knows` and `/group`, and their
//! stats and progress shown to nobody else. It holds in every server, and `/export` and
//! `/forget-me` include it like the rest of their data.

use super::{Study, StudyError};
use crate::ids::{Learner, UserId};

impl Study {
    /// Hides `learner` from boards and group views and keeps their stats to themselves, or
    /// shows them again. Returns the choice now in force.
    pub async fn set_private(&self, learner: &Learner, private: bool) -> Result<bool, StudyError> {
        let now = self.clock.now();
        self.store
            .set_hidden(learner.user, &learner.name, private, now)
            .await?;
        Ok(private)
    }

    /// Whether `user` chose to stay private.
    pub async fn is_private(&self, user: UserId) -> Result<bool, StudyError> {
        Ok(self.store.is_hidden(user).await?)
    }

    /// Whether `asker` may see `user`'s stats or progress: always their own, someone else's
    /// only when that member did not choose to stay private.
    pub async fn may_see_data_of(&self, asker: UserId, user: UserId) -> Result<(), StudyError> {
        if asker != user && self.is_private(user).await? {
            Err(StudyError::KeepsPrivate)
        } else {
            Ok(())
        }
    }
}
