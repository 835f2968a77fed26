//! Times in replies use Discord's timestamp markup, so every member sees their own local time.
//! The console shows the same markup; `plain` is for text that never reaches Discord.

use chrono::{DateTime, Utc};

/// `<t:1700000000:R>`: "in 2 days" / "3 hours ago" in the reader's locale.
pub fn relative(time: DateTime<Utc>) -> String {
    format!("<t:{}:R>", time.timestamp())
}

/// `<t:1700000000:f>`: date and time in the reader's time zone.
pub fn date_time(time: DateTime<Utc>) -> String {
    format!("<t:{}:f>", time.timestamp())
}
