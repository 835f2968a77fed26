//! Text progress bars, the same on Discord and in a terminal.

use crate::study::Progress;

const WIDTH: usize = 10;

/// `▰▰▰▰▱▱▱▱▱▱ 2/5`: filled cells rounded down, so a bar is full only when all is learned.
pub fn progress_bar(progress: Progress) -> String {
    let filled = (progress.learned * WIDTH)
        .checked_div(progress.total)
        .unwrap_or(0)
        .min(WIDTH);
    format!(
        "{}{} {}/{}",
        "▰".repeat(filled),
        "▱".repeat(WIDTH - filled),
        progress.learned,
        progress.total
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(learned: usize, total: usize) -> String {
        progress_bar(Progress { learned, total })
    }

    #[test]
    fn bars_fill_in_proportion_and_only_fill_when_complete() {
        assert_eq!(bar(0, 4), "▱▱▱▱▱▱▱▱▱▱ 0/4");
        assert_eq!(bar(2, 4), "▰▰▰▰▰▱▱▱▱▱ 2/4");
        assert_eq!(bar(8, 9), "▰▰▰▰▰▰▰▰▱▱ 8/9");
        assert_eq!(bar(4, 4), "▰▰▰▰▰▰▰▰▰▰ 4/4");
        assert_eq!(bar(0, 0), "▱▱▱▱▱▱▱▱▱▱ 0/0");
    }
}
