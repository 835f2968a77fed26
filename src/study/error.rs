use crate::course::TopicMiss;
use crate::store::StoreError;

/// Why a use case could not answer. The first variants are the learner's to fix; `Store` is
/// ours, except `StoreError::Busy`, which a retry fixes.
#[derive(Debug, thiserror::Error)]
pub enum StudyError {
    #[error("there is no topic called \"{}\"", .0.query)]
    UnknownTopic(TopicMiss),
    #[error("there is no track called \"{query}\"")]
    UnknownTrack {
        query: String,
        available: Vec<String>,
    },
    #[error("no track is loaded")]
    NoTrack,
    #[error("the topic {0} has no quiz questions")]
    NoQuestions(String),
    #[error("this quiz has ended or expired")]
    QuizGone,
    #[error("this quiz belongs to someone else")]
    NotYourQuiz,
    #[error("no review is due")]
    NothingToReview {
        next: Option<chrono::DateTime<chrono::Utc>>,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl StudyError {
    /// Whether the learner caused this and can fix it; everything else is logged as ours.
    pub fn is_user_error(&self) -> bool {
        !matches!(self, StudyError::Store(e) if !matches!(e, StoreError::Busy))
    }
}

impl From<TopicMiss> for StudyError {
    fn from(miss: TopicMiss) -> Self {
        StudyError::UnknownTopic(miss)
    }
}
