use crate::course::TopicMiss;
use crate::store::StoreError;
use crate::study::domain::ZoneMiss;

/// Why a use case could not answer. The first variants are the learner's to fix, `Busy` goes
/// away with a retry, and `Store` is ours.
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
    #[error(
        "another member's study data is shown only for a member of this server, from inside it"
    )]
    NotAMemberHere,
    #[error("this member keeps their study data private")]
    KeepsPrivate,
    #[error("there is no time zone called \"{}\"", .0.query)]
    UnknownZone(ZoneMiss),
    #[error("the database is busy; try again in a moment")]
    Busy,
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for StudyError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Busy => StudyError::Busy,
            other => StudyError::Store(other),
        }
    }
}

impl StudyError {
    /// Whether the learner caused this and can fix it; everything else is logged as ours.
    pub fn is_user_error(&self) -> bool {
        !matches!(self, StudyError::Store(_))
    }
}

impl From<TopicMiss> for StudyError {
    fn from(miss: TopicMiss) -> Self {
        StudyError::UnknownTopic(miss)
    }
}
