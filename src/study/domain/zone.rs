//! A member's time zone: an IANA zone by name (`Europe/Berlin`, daylight saving included), or a
//! fixed offset from UTC (what `/remind` took before zones had names, and still takes). It
//! decides the member's local days: streaks, reminders and the activity chart.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Offset, TimeZone, Utc};
use chrono_tz::{Tz, TZ_VARIANTS};

use super::calendar::{local_day, LocalDay};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocalZone {
    /// Minutes ahead of UTC, all year.
    Fixed(i64),
    /// A zone whose offset follows its rules (daylight saving time).
    Named(Tz),
}

/// A zone that is neither an IANA name nor an offset, and the closest names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneMiss {
    pub query: String,
    pub suggestions: Vec<&'static str>,
}

impl Default for LocalZone {
    fn default() -> Self {
        LocalZone::Fixed(0)
    }
}

impl LocalZone {
    /// `Europe/Berlin` (any case), `+2`, `-5:30`, `UTC+1` or `UTC`.
    pub fn parse(text: &str) -> Result<Self, ZoneMiss> {
        let text = text.trim();
        if let Some(minutes) = parse_utc_offset(text) {
            return Ok(LocalZone::Fixed(minutes));
        }
        Tz::from_str_insensitive(text)
            .map(LocalZone::Named)
            .map_err(|_| ZoneMiss {
                query: text.to_owned(),
                suggestions: closest_zones(text),
            })
    }

    /// The zone as stored: a name when there is one (an unknown name falls back to the offset).
    pub fn from_stored(name: Option<&str>, offset_minutes: i64) -> Self {
        name.and_then(|n| n.parse::<Tz>().ok())
            .map_or(LocalZone::Fixed(offset_minutes), LocalZone::Named)
    }

    /// The IANA name, for a named zone.
    pub fn name(self) -> Option<&'static str> {
        match self {
            LocalZone::Named(tz) => Some(tz.name()),
            LocalZone::Fixed(_) => None,
        }
    }

    /// How the member sees it: `Europe/Berlin` or `UTC+5:30`.
    pub fn label(self) -> String {
        match self {
            LocalZone::Named(tz) => tz.name().to_owned(),
            LocalZone::Fixed(minutes) => format_offset(minutes),
        }
    }

    /// Minutes ahead of UTC at `at` (a named zone's changes with daylight saving).
    pub fn offset_minutes_at(self, at: DateTime<Utc>) -> i64 {
        match self {
            LocalZone::Fixed(minutes) => minutes,
            LocalZone::Named(tz) => {
                i64::from(
                    tz.offset_from_utc_datetime(&at.naive_utc())
                        .fix()
                        .local_minus_utc(),
                ) / 60
            }
        }
    }

    /// The member's local day at `at`, counted from 1970-01-01.
    pub fn local_day(self, at: DateTime<Utc>) -> LocalDay {
        local_day(at, self.offset_minutes_at(at))
    }

    /// The first instant of local day `day`. Where midnight is skipped (a daylight-saving
    /// jump at 00:00), the day starts at the first minute that exists.
    pub fn day_start(self, day: LocalDay) -> DateTime<Utc> {
        let date = NaiveDate::from_ymd_opt(1970, 1, 1)
            .and_then(|epoch| epoch.checked_add_signed(Duration::days(day)))
            .unwrap_or(NaiveDate::MAX);
        let midnight = date.and_time(NaiveTime::MIN);
        match self {
            LocalZone::Fixed(minutes) => midnight.and_utc() - Duration::minutes(minutes),
            LocalZone::Named(tz) => (0..=180)
                .find_map(|m| {
                    let local = midnight + Duration::minutes(m);
                    tz.from_local_datetime(&local).earliest()
                })
                .map_or_else(|| midnight.and_utc(), |at| at.with_timezone(&Utc)),
        }
    }
}

/// IANA names containing what was typed (any case), shortest first: for autocomplete.
pub fn zones_matching(partial: &str) -> impl Iterator<Item = &'static str> {
    let partial = partial.trim().to_lowercase().replace(' ', "_");
    let mut names: Vec<&'static str> = TZ_VARIANTS
        .iter()
        .map(|tz| tz.name())
        .filter(|name| name.contains('/') || *name == "UTC")
        .filter(|name| name.to_lowercase().contains(&partial))
        .collect();
    names.sort_by_key(|name| (name.len(), *name));
    names.into_iter()
}

/// The three names closest to `query`, for a "did you mean".
fn closest_zones(query: &str) -> Vec<&'static str> {
    let wanted = query.to_lowercase().replace(' ', "_");
    let mut scored: Vec<(f64, &'static str)> = TZ_VARIANTS
        .iter()
        .map(|tz| {
            let name = tz.name();
            let lower = name.to_lowercase();
            // "berlin" should find Europe/Berlin: compare with the city part too.
            let city = lower.rsplit('/').next().unwrap_or(&lower);
            let score =
                strsim::jaro_winkler(&lower, &wanted).max(strsim::jaro_winkler(city, &wanted));
            (score, name)
        })
        .filter(|(score, _)| *score >= 0.75)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored.into_iter().take(3).map(|(_, name)| name).collect()
}

/// `+2`, `-5`, `+5:30`, `UTC+1`, `GMT-3`, `UTC` or `Z`, within UTC-12 to UTC+14.
fn parse_utc_offset(text: &str) -> Option<i64> {
    let text = text.trim().to_ascii_uppercase();
    let text = text
        .trim_start_matches("UTC")
        .trim_start_matches("GMT")
        .trim();
    if text.is_empty() || text == "Z" {
        return Some(0);
    }
    let (sign, rest) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => (1, text),
    };
    let (hours, minutes) = match rest.split_once(':') {
        Some((h, m)) => (h.parse::<i64>().ok()?, m.parse::<i64>().ok()?),
        None => (rest.parse::<i64>().ok()?, 0),
    };
    let total = sign * (hours * 60 + minutes);
    ((0..60).contains(&minutes) && (-12 * 60..=14 * 60).contains(&total)).then_some(total)
}

/// `UTC`, `UTC+2`, `UTC-5:30`.
fn format_offset(minutes: i64) -> String {
    let sign = if minutes < 0 { '-' } else { '+' };
    let (h, m) = (minutes.abs() / 60, minutes.abs() % 60);
    match (minutes, m) {
        (0, _) => "UTC".to_owned(),
        (_, 0) => format!("UTC{sign}{h}"),
        _ => format!("UTC{sign}{h}:{m:02}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_offsets_and_misses_parse_as_a_member_types_them() {
        assert_eq!(
            LocalZone::parse("europe/berlin"),
            Ok(LocalZone::Named(chrono_tz::Europe::Berlin))
        );
        assert_eq!(LocalZone::parse("+5:30"), Ok(LocalZone::Fixed(330)));
        assert_eq!(LocalZone::parse("UTC"), Ok(LocalZone::Fixed(0)));
        let miss = LocalZone::parse("Europe/Berlinn").unwrap_err();
        assert_eq!(miss.suggestions.first(), Some(&"Europe/Berlin"), "{miss:?}");
        for (offset, minutes) in [("+2", 120), ("-5", -300), ("UTC+1", 60), ("0", 0)] {
            assert_eq!(
                LocalZone::parse(offset),
                Ok(LocalZone::Fixed(minutes)),
                "{offset}"
            );
        }
        for wrong in ["+15", "+2:75"] {
            assert_eq!(parse_utc_offset(wrong), None, "{wrong}");
        }
        let city = LocalZone::parse("Berlin").unwrap_err();
        assert!(city.suggestions.contains(&"Europe/Berlin"), "{city:?}");
    }

    #[test]
    fn berlin_is_an_hour_ahead_in_january_and_two_in_july() {
        let berlin = LocalZone::Named(chrono_tz::Europe::Berlin);
        let january = Utc.with_ymd_and_hms(2027, 1, 15, 12, 0, 0).unwrap();
        let july = Utc.with_ymd_and_hms(2027, 7, 15, 12, 0, 0).unwrap();
        assert_eq!(berlin.offset_minutes_at(january), 60);
        assert_eq!(berlin.offset_minutes_at(july), 120);
    }

    #[test]
    fn a_day_starts_at_local_midnight_on_either_side_of_a_dst_change() {
        let berlin = LocalZone::Named(chrono_tz::Europe::Berlin);
        // 2027-03-28: clocks go from 02:00 to 03:00 in Berlin.
        let before = Utc.with_ymd_and_hms(2027, 3, 27, 23, 0, 0).unwrap(); // 00:00 CET
        let after = Utc.with_ymd_and_hms(2027, 3, 28, 22, 0, 0).unwrap(); // 00:00 CEST
        let day = berlin.local_day(before);
        assert_eq!(berlin.day_start(day), before);
        assert_eq!(berlin.day_start(day + 1), after);
        assert_eq!(berlin.local_day(after - Duration::seconds(1)), day);
        assert_eq!(
            LocalZone::Fixed(-300).day_start(day),
            before + Duration::hours(6)
        );
    }
}
