//! The boards a server keeps. Points and learned topics count per week or for all time;
//! remembered topics and streaks are about now, and fade with time alone.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Board {
    Points,
    Learned,
    /// Topics whose recall probability is still at least the desired retention.
    Remembered,
    Streak,
}

impl Board {
    pub const ALL: [Board; 4] = [
        Board::Points,
        Board::Learned,
        Board::Remembered,
        Board::Streak,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Board::Points => "points",
            Board::Learned => "learned",
            Board::Remembered => "remembered",
            Board::Streak => "streak",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|b| b.as_str() == text)
    }

    /// Whether the period changes this board (remembered and streaks are about now).
    pub fn has_period(self) -> bool {
        matches!(self, Board::Points | Board::Learned)
    }

    /// Whether scores on this board change with time alone, with no action: a topic fades, a
    /// streak breaks. Such a board is brought up to date before it is read.
    pub fn fades(self) -> bool {
        !self.has_period()
    }
}
