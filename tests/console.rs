//! The console does all that a member can do: a whole quiz and a review answered by typing
//! numbers, then the boards and stats of the console server with two users in it.

mod support;

use chrono::Duration;
use quorum::console::{console_learner, Console};
use support::core::sample_study as fixture;

/// The number printed before the right choice of the last question on screen (the sample
/// bank's right answer is "Right").
fn right_number(question: &str) -> String {
    question
        .lines()
        .rev()
        .filter_map(|line| line.strip_suffix(".** Right")?.strip_prefix("**"))
        .find(|number| number.parse::<usize>().is_ok())
        .unwrap_or_else(|| panic!("a numbered right choice in:\n{question}"))
        .to_string()
}

/// Answers every question of the open quiz, the first `wrong` ones wrongly; returns all output.
async fn answer_all(console: &mut Console<'_>, mut screen: String, wrong: usize) -> String {
    let mut seen = screen.clone();
    for answered in 0.. {
        if !screen.contains("Type the number of your answer.") {
            break;
        }
        let right = right_number(&screen);
        let pick = if answered < wrong {
            if right == "1" { "2" } else { "1" }.to_string()
        } else {
            right
        };
        screen = console.answer(&pick).await;
        seen.push_str(&screen);
    }
    seen
}

on_both_backends! {
    #[tokio::test]
    async fn a_whole_quiz_and_a_review_are_played_by_typing_numbers() {
        let f = fixture().await;
        let mut ann = Console::new(&f.study, console_learner("ann"));

        let first = ann.answer("/quiz alpha 3").await;
        assert!(first.contains("**1.** "), "choices are numbered: {first}");
        assert!(ann
            .answer("7")
            .await
            .contains("Type a choice's number, 1 to 3"));
        let played = answer_all(&mut ann, first, 1).await;

        assert!(played.contains("❌ **Not quite.** You chose"), "{played}");
        assert!(played.contains("✅ **Right!**"), "{played}");
        assert!(
            played.contains("Because the right one is right."),
            "{played}"
        );
        assert!(played.contains("2 of 3 right (66%)"), "{played}");
        assert!(ann.answer("1").await.contains("No question is open"));

        ann.answer("/learned alpha").await;
        f.clock.advance(Duration::days(2));
        let due = ann.answer("/reviews").await;
        assert!(due.contains("Topic Alpha"), "{due}");
        let review = ann.answer("/review").await;
        assert!(review.contains("🔁 Review"), "{review}");
        let reviewed = answer_all(&mut ann, review, 0).await;

        assert!(reviewed.contains("3 of 3 right (100%)"), "{reviewed}");
        assert!(reviewed.contains("Next review of this topic"), "{reviewed}");
    }

    #[tokio::test]
    async fn two_console_users_share_the_console_servers_board_and_see_each_others_stats() {
        let f = fixture().await;
        let mut ann = Console::new(&f.study, console_learner("ann"));
        let mut bob = Console::new(&f.study, console_learner("bob"));
        ann.answer("/learned alpha").await;
        ann.answer("/learned beta").await;
        bob.answer("/learned alpha").await;

        let board = bob.answer("/leaderboard learned all").await;
        let ann_at = board.find("**ann**: 2").expect("ann on the board");
        let bob_at = board.find("**bob**: 1").expect("bob on the board");
        assert!(ann_at < bob_at, "{board}");
        let points = ann.answer("/leaderboard").await;
        assert!(points.contains("**ann**: 20 points"), "{points}");

        let stats = bob.answer("/stats ann").await;
        assert!(stats.contains("ann"), "{stats}");
        assert!(stats.contains("2/"), "ann's two topics: {stats}");
        let own = bob.answer("/stats").await;
        assert!(own.contains("bob"), "{own}");

        ann.answer("/privacy private").await;
        let refused = bob.answer("/stats ann").await;
        assert!(
            refused.contains("keeps their study data private"),
            "{refused}"
        );
        assert!(!bob.answer("/leaderboard").await.contains("ann"));

        let group = bob.answer("/group").await;
        assert!(
            group.contains("`100%` 1 · Topic Alpha"),
            "only bob is listed: {group}"
        );
        let export = bob.answer("/export").await;
        let json: serde_json::Value = serde_json::from_str(&export).expect("the export is JSON");
        assert!(json["tables"]["learned_topics"].is_array(), "{json}");
    }
}
