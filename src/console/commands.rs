//! The console's commands: the same use cases and cards as on Discord, read from a typed line
//! and printed as text. The list in `/help` comes from the command table.

use super::{console_learner, Console, CONSOLE_SERVER};
use crate::render::{self, commands::help_lines};
use crate::study::domain::Period;
use crate::study::{parse_zone, Board, StudyError};

impl Console<'_> {
    /// Runs `/command argument` and returns its reply as text.
    pub(super) async fn command(
        &mut self,
        command: &str,
        argument: &str,
    ) -> Result<String, StudyError> {
        let study = self.study;
        let me = &self.learner;
        let topic = Some(argument).filter(|a| !a.is_empty());
        let card = match (command, topic) {
            ("help", _) => render::help_card(&help_lines(true)),
            ("map", track) => render::map_card(&study.map(me, track).await?),
            ("progress", _) => render::progress_card(&me.name, &study.map(me, None).await?),
            ("next", _) => render::next_card(&study.next(me, None).await?),
            ("topic", Some(topic)) => render::topic_card(&study.topic(me, None, topic).await?),
            ("learned", Some(topic)) => render::learn_card(&study.learn(me, None, topic).await?),
            ("unlearn", Some(topic)) => render::learn_card(&study.unlearn(me, None, topic).await?),
            ("quiz", Some(topic)) => {
                let (topic, count) = topic_and_count(topic);
                let question = study.start_quiz(me, None, topic, count).await?;
                let step = crate::study::QuizStep::Question(question);
                return Ok(self.step_text(&step));
            }
            ("review", _) => {
                let question = study.start_review(me).await?;
                let step = crate::study::QuizStep::Question(question);
                return Ok(self.step_text(&step));
            }
            ("reviews", _) => render::reviews_card(&study.review_schedule(me.user).await?),
            ("remind", _) => return self.remind(argument).await,
            ("plan", minutes) => {
                let Some(minutes) = minutes.and_then(|m| m.parse::<u32>().ok()) else {
                    return Ok("`/plan` needs your minutes: try `/plan 30`.".into());
                };
                render::plan_card(&study.plan(me.user, me.guild, minutes).await?)
            }
            ("leaderboard", _) => {
                let (board, period) = board_and_period(argument);
                let page = study
                    .leaderboard(CONSOLE_SERVER, board, period, 0, me)
                    .await?;
                render::leaderboard_card(&page)
            }
            ("stats", name) => {
                let who = name.map_or_else(|| me.clone(), console_learner);
                study.may_see_data_of(me.user, who.user).await?;
                let stats = study.stats(who.user, &who.name, Some(CONSOLE_SERVER));
                render::stats_card(&stats.await?)
            }
            ("who-knows", Some(topic)) => {
                render::who_knows_card(&study.who_knows(CONSOLE_SERVER, topic).await?)
            }
            ("group", _) => render::group_card(&study.group(CONSOLE_SERVER).await?),
            ("privacy", setting) => {
                let private = match setting {
                    Some("private") => study.set_private(me, true).await?,
                    Some("visible") => study.set_private(me, false).await?,
                    Some(_) => return Ok("Use `/privacy private` or `/privacy visible`.".into()),
                    None => study.is_private(me.user).await?,
                };
                render::privacy_card(private)
            }
            ("export", _) => {
                let tables = study.export(me.user).await?;
                let json = render::export_json(me.user, study.now(), &tables);
                return Ok(serde_json::to_string_pretty(&json).unwrap_or_default());
            }
            ("forget-me", Some("yes")) => {
                let deleted = study.forget(me.user).await?;
                return Ok(format!("Done: {deleted} records about you are gone."));
            }
            ("forget-me", _) => {
                return Ok("This deletes everything Quorum holds about you. Type \
                           `/forget-me yes` to go ahead (`/export` first keeps a copy)."
                    .into())
            }
            (name @ ("topic" | "learned" | "unlearn" | "quiz" | "who-knows"), None) => {
                return Ok(format!(
                    "`/{name}` needs a topic: try `/{name} 2` or `/{name} cap`."
                ));
            }
            (other, _) => {
                return Ok(format!(
                    "I don't know the command `/{other}`. Type /help for the list."
                ));
            }
        };
        Ok(card.to_text())
    }

    /// `/remind [on|off|hour H [zone]|zone Z [H]|status]`: the settings only; the console delivers
    /// nothing.
    async fn remind(&self, argument: &str) -> Result<String, StudyError> {
        let study = self.study;
        let me = &self.learner;
        let words: Vec<&str> = argument.split_whitespace().collect();
        let prefs =
            match words.as_slice() {
                [] | ["status"] => study.reminder_prefs(me.user).await?,
                ["on"] => study.set_reminder_prefs(me, |p| p.enabled = true).await?,
                ["off"] => study.set_reminder_prefs(me, |p| p.enabled = false).await?,
                ["zone", zone, rest @ ..] => {
                let zone = parse_zone(zone)?;
                let hour = match rest {
                    [] => None,
                    [hour] => match hour.parse::<u8>().ok().filter(|h| *h < 24) {
                        Some(hour) => Some(hour),
                        None => return Ok("The hour is 0 to 23.".into()),
                    },
                    _ => return Ok("Try `/remind zone Europe/Berlin 18`.".into()),
                };
                study
                    .set_reminder_prefs(me, |p| {
                        p.zone = zone;
                        if let Some(hour) = hour {
                            p.hour = Some(hour);
                            p.enabled = true;
                        }
                    })
                    .await?
            }
            ["hour", hour, rest @ ..] => {
                    let Some(hour) = hour.parse::<u8>().ok().filter(|h| *h < 24) else {
                        return Ok("The hour is 0 to 23, like `/remind hour 18`.".into());
                    };
                    let offset = match rest {
                        [] => None,
                        [zone] => Some(parse_zone(zone)?),
                        _ => return Ok("Try `/remind hour 18 +2`.".into()),
                    };
                    study
                        .set_reminder_prefs(me, |p| {
                            p.hour = Some(hour);
                            p.enabled = true;
                            if let Some(zone) = offset {
                                p.zone = zone;
                            }
                        })
                        .await?
                }
                _ => return Ok(
                    "Try `/remind on`, `/remind off`, `/remind hour 18`, `/remind zone Europe/Berlin 18` or `/remind status`."
                        .into(),
                ),
            };
        let note = "\n(The console keeps your settings; reminders are sent on Discord.)";
        Ok(format!("{}{note}", render::remind_card(&prefs).to_text()))
    }
}

/// `cap 3` is the topic `cap` with 3 questions; `load balancing` is a topic alone.
fn topic_and_count(argument: &str) -> (&str, Option<usize>) {
    match argument.rsplit_once(char::is_whitespace) {
        Some((topic, count)) => match count.parse() {
            Ok(count) => (topic.trim(), Some(count)),
            Err(_) => (argument, None),
        },
        None => (argument, None),
    }
}

/// `learned all` is the all-time learned board; the board defaults to points, the period to
/// the week.
fn board_and_period(argument: &str) -> (Board, Period) {
    let mut board = Board::Points;
    let mut period = Period::Week;
    for word in argument.split_whitespace() {
        match word {
            "all" => period = Period::AllTime,
            "week" => period = Period::Week,
            other => board = Board::parse(other).unwrap_or(board),
        }
    }
    (board, period)
}
