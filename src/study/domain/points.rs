//! What each study action earns, in the server where it happens. `/help` and the README show
//! these same numbers.

use chrono::{DateTime, Duration, Utc};

/// Points for a topic learned (the first time only, whatever is unmarked and marked again).
pub const POINTS_LEARNED: i64 = 10;
/// Points for the first right answer a member gives to each question, in a quiz or a review.
pub const POINTS_CORRECT_ANSWER: i64 = 2;
/// Points for a review started while its topic was due and finished within [`ON_TIME`].
pub const POINTS_REVIEW_ON_TIME: i64 = 5;
/// How long a due review may take and still count as done on time.
pub const ON_TIME: Duration = Duration::days(1);

/// A review is on time when its topic was due as it started and it ended within [`ON_TIME`].
pub fn is_on_time(due: DateTime<Utc>, started: DateTime<Utc>, finished: DateTime<Utc>) -> bool {
    due <= started && finished - started <= ON_TIME
}

/// The points an answer earns: only a member's first right answer to a question. Retaking a
/// quiz is still worth it for learning, but the bank is small (ten or so questions a topic), so
/// points per right answer without limit would reward grinding one quiz over learning the next
/// topic. Once per question per day would still pay out every day for the same ten questions.
pub fn answer_points(correct: bool, answered_right_before: bool) -> i64 {
    if correct && !answered_right_before {
        POINTS_CORRECT_ANSWER
    } else {
        0
    }
}

/// The points a finished review earns.
pub fn review_points(on_time: bool) -> i64 {
    if on_time {
        POINTS_REVIEW_ON_TIME
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_review_counts_on_time_when_due_at_its_start_and_done_within_a_day() {
        let due = Utc.with_ymd_and_hms(2026, 11, 3, 9, 0, 0).unwrap();
        let hour = Duration::hours(1);
        assert!(is_on_time(due, due + hour, due + hour * 2));
        assert!(is_on_time(due, due, due + ON_TIME));
        assert!(
            !is_on_time(due, due - hour, due),
            "started before it was due"
        );
        assert!(!is_on_time(due, due, due + ON_TIME + hour), "took too long");
        assert_eq!(review_points(true), POINTS_REVIEW_ON_TIME);
        assert_eq!(review_points(false), 0);
    }

    #[test]
    fn only_the_first_right_answer_to_a_question_earns_points() {
        assert_eq!(answer_points(true, false), POINTS_CORRECT_ANSWER);
        assert_eq!(answer_points(true, true), 0, "answered right before");
        assert_eq!(answer_points(false, false), 0);
    }
}
