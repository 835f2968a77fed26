//! Every board through the core, on a real SQLite file: order, ties, the caller's own rank
//! outside the top ten, paging, fading with time, and members who chose to stay private.
//! The expected orders are worked out here from what each member did, not read back from SQL.

mod support;

use chrono::Duration;
use quorum::ids::{GuildId, Learner, UserId};
use quorum::study::domain::Period;
use quorum::study::{Board, Leaderboard, PAGE_SIZE};
use support::core::{sample_study as fixture, SampleStudy as Fixture};

const GUILD: GuildId = GuildId(77);
const TOPICS: [&str; 5] = ["alpha", "beta", "gamma", "delta", "epsilon"];
const MEMBERS: u64 = 13;

fn member(n: u64) -> Learner {
    Learner {
        user: UserId(n),
        name: format!("m{n:02}"),
        guild: Some(GUILD),
    }
}

/// How many days member `n` studies, one topic a day from the first day on: 1 to 4.
fn days_of(n: u64) -> u64 {
    n % 4 + 1
}

/// Four days: on day `d`, every member who studies that many days learns topic `d`, the
/// highest number first, a minute apart. So member `n` ends with `days_of(n)` topics, a
/// streak of as many days, and their last mark was made at a known minute. The clock stays on
/// the last day.
async fn four_days_of_study(f: &Fixture) -> Vec<(u64, u64, i64)> {
    let mut last_mark = vec![0_i64; MEMBERS as usize + 1];
    let mut minute = 0;
    for day in 0..4 {
        for n in (1..=MEMBERS).rev() {
            if days_of(n) > day {
                f.study
                    .learn(&member(n), None, TOPICS[day as usize])
                    .await
                    .unwrap();
                last_mark[n as usize] = minute;
            }
            f.clock.advance(Duration::minutes(1));
            minute += 1;
        }
        if day < 3 {
            let rest_of_day = Duration::days(1) - Duration::minutes(MEMBERS as i64);
            f.clock.advance(rest_of_day);
            minute += 24 * 60 - MEMBERS as i64;
        }
    }
    (1..=MEMBERS)
        .map(|n| (n, days_of(n), last_mark[n as usize]))
        .collect()
}

async fn board(f: &Fixture, board: Board, page: u64, me: u64) -> Leaderboard {
    f.study
        .leaderboard(GUILD, board, Period::AllTime, page, &member(me))
        .await
        .unwrap()
}

/// All pages of a board, as (user, rank, score).
async fn whole_board(f: &Fixture, which: Board, me: u64) -> Vec<(u64, u64, i64)> {
    let first = board(f, which, 0, me).await;
    let mut rows = Vec::new();
    for page in 0..first.pages {
        let page = board(f, which, page, me).await;
        assert!(page.rows.len() as u64 <= PAGE_SIZE);
        rows.extend(page.rows.iter().map(|r| (r.user.0, r.rank, r.score)));
    }
    rows
}

on_both_backends! {
    #[tokio::test]
    async fn the_learned_board_orders_by_count_then_who_got_there_first_and_pages() {
        let f = fixture().await;
        let done = four_days_of_study(&f).await;

        let mut expected = done.clone();
        // Most topics first; of equal counts, whoever made their last mark earlier.
        expected.sort_by_key(|&(n, count, last)| (std::cmp::Reverse(count), last, n));
        let rows = whole_board(&f, Board::Learned, 1).await;

        let order: Vec<(u64, i64)> = rows.iter().map(|&(n, _, score)| (n, score)).collect();
        let wanted: Vec<(u64, i64)> = expected.iter().map(|&(n, c, _)| (n, c as i64)).collect();
        assert_eq!(order, wanted);
        assert_eq!(
            rows.iter().map(|r| r.1).collect::<Vec<_>>(),
            (1..=MEMBERS).collect::<Vec<_>>()
        );
        let first = board(&f, Board::Learned, 0, 4).await;
        assert_eq!(first.pages, 2);
        // Member 4 (1 topic) is outside the top ten and still sees their own rank.
        let place = expected.iter().position(|&(n, ..)| n == 4).unwrap() as u64 + 1;
        assert!(place > PAGE_SIZE, "{place}");
        let me = first.me.expect("on the board");
        assert_eq!((me.rank, me.score), (place, 1));
    }

    #[tokio::test]
    async fn the_streak_board_ranks_live_runs_and_drops_broken_ones() {
        let f = fixture().await;
        let done = four_days_of_study(&f).await;

        // Everyone's run began on the first day, so ties go to the lower id.
        let mut expected: Vec<(u64, i64)> = done.iter().map(|&(n, d, _)| (n, d as i64)).collect();
        // Only runs alive today (day 3) count: whoever studied yesterday or today.
        let today_alive = |days: i64| days >= 3;
        expected.retain(|&(_, days)| today_alive(days));
        expected.sort_by_key(|&(n, days)| (std::cmp::Reverse(days), n));
        let rows = whole_board(&f, Board::Streak, 1).await;

        let order: Vec<(u64, i64)> = rows.iter().map(|&(n, _, s)| (n, s)).collect();
        assert_eq!(order, expected);

        // Two days without study: every run is broken, and the board is empty.
        f.clock.advance(Duration::days(2));
        assert!(whole_board(&f, Board::Streak, 1).await.is_empty());
        assert_eq!(board(&f, Board::Streak, 0, 1).await.me, None);
    }

    #[tokio::test]
    async fn the_remembered_board_follows_fsrs_as_days_pass() {
        let f = fixture().await;
        let done = four_days_of_study(&f).await;

        // Right after the last day, every learned topic is remembered (about 3 days for an
        // unreviewed card): the counts equal the learned counts; ties go to the lower id (all were
        // counted at the same read).
        let mut expected: Vec<(u64, i64)> = done.iter().map(|&(n, d, _)| (n, d as i64)).collect();
        expected.sort_by_key(|&(n, count)| (std::cmp::Reverse(count), n));
        let rows = whole_board(&f, Board::Remembered, 1).await;
        let order: Vec<(u64, i64)> = rows.iter().map(|&(n, _, s)| (n, s)).collect();
        assert_eq!(order, expected);

        // Two more days: the marks of the first day (5 days ago) have faded, the last day's not.
        f.clock.advance(Duration::days(2));
        let rows = whole_board(&f, Board::Remembered, 1).await;
        for &(n, _, score) in &rows {
            assert!(score < days_of(n) as i64, "m{n} still has {score}");
        }
        let fewer = rows.iter().map(|r| r.2).sum::<i64>();
        assert!(fewer > 0, "the latest marks are still remembered");

        // A month later nothing unreviewed is remembered.
        f.clock.advance(Duration::days(30));
        assert!(whole_board(&f, Board::Remembered, 1).await.is_empty());
    }

    #[tokio::test]
    async fn a_private_member_is_on_no_board_and_in_no_group_view_until_they_show_again() {
        let f = fixture().await;
        four_days_of_study(&f).await;
        let me = member(4); // 1 topic (alpha), 1 day
        let top = member(3); // 4 topics, on every board's first page

        f.study.set_private(&top, true).await.unwrap();

        for which in Board::ALL {
            let rows = whole_board(&f, which, 4).await;
            assert!(rows.iter().all(|&(n, ..)| n != 3), "{which:?}: {rows:?}");
            let ranks: Vec<u64> = rows.iter().map(|r| r.1).collect();
            assert_eq!(
                ranks,
                (1..=rows.len() as u64).collect::<Vec<_>>(),
                "{which:?}"
            );
            assert_eq!(board(&f, which, 0, 3).await.me, None, "{which:?}");
        }
        let group = f.study.group(GUILD).await.unwrap();
        assert_eq!(group.members, MEMBERS - 1);
        let delta = group.topics.iter().find(|t| t.topic.id == "delta").unwrap();
        // delta was learned by the members who study 4 days: 3, 7, 11; 3 is private.
        assert_eq!(delta.learned, 2);
        let who = f.study.who_knows(GUILD, "delta").await.unwrap();
        let names: Vec<&str> = who.knowers.iter().map(|k| k.name.as_str()).collect();
        assert_eq!(names.len(), 2, "{names:?}");
        assert!(!names.contains(&"m03"), "{names:?}");
        assert!(f.study.may_see_data_of(me.user, top.user).await.is_err());
        assert!(f.study.may_see_data_of(top.user, top.user).await.is_ok());

        f.study.set_private(&top, false).await.unwrap();

        // Back in third place: m11 and m07 made their fourth mark earlier on the last day.
        let back = board(&f, Board::Learned, 0, 3)
            .await
            .me
            .expect("back on the board");
        assert_eq!((back.rank, back.score), (3, 4));
        assert_eq!(f.study.group(GUILD).await.unwrap().members, MEMBERS);
        let who = f.study.who_knows(GUILD, "delta").await.unwrap();
        assert_eq!(who.knowers.len(), 3);
        assert!(f.study.may_see_data_of(me.user, top.user).await.is_ok());
    }

    #[tokio::test]
    async fn unmarking_takes_a_topic_off_the_learned_board_and_the_group_view() {
        let f = fixture().await;
        let ann = member(1);
        f.study.learn(&ann, None, "alpha").await.unwrap();
        f.study.learn(&ann, None, "beta").await.unwrap();

        f.study.unlearn(&ann, None, "beta").await.unwrap();

        let me = board(&f, Board::Learned, 0, 1).await.me.unwrap();
        assert_eq!(me.score, 1);
        let group = f.study.group(GUILD).await.unwrap();
        let beta = group.topics.iter().find(|t| t.topic.id == "beta").unwrap();
        assert_eq!(beta.learned, 0);
        let remembered = board(&f, Board::Remembered, 0, 1).await.me.unwrap();
        assert_eq!(remembered.score, 1, "the unmarked topic's card went too");
    }
}
