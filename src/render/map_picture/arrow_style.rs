//! How an arrow looks, by the state of the topic it points to: the way to the next topic is
//! gold and bold, the ways into locked topics are dim, so the eye finds the path forward.

use super::svg::w;
use crate::study::TopicState;

/// How an arrow is drawn, by the state of the topic it points to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum EdgeStyle {
    Locked,
    Open,
    Next,
    Learned,
}

impl EdgeStyle {
    pub const ALL: [EdgeStyle; 4] = [
        EdgeStyle::Locked,
        EdgeStyle::Open,
        EdgeStyle::Next,
        EdgeStyle::Learned,
    ];

    pub fn of(target: TopicState) -> Self {
        match target {
            TopicState::Learned => EdgeStyle::Learned,
            TopicState::Next => EdgeStyle::Next,
            TopicState::Available => EdgeStyle::Open,
            TopicState::Locked => EdgeStyle::Locked,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            EdgeStyle::Locked => "locked",
            EdgeStyle::Open => "open",
            EdgeStyle::Next => "next",
            EdgeStyle::Learned => "learned",
        }
    }

    pub fn colour(self) -> &'static str {
        match self {
            EdgeStyle::Locked => "#54565e",
            EdgeStyle::Open => "#8e929b",
            EdgeStyle::Next => "#d9c24c",
            EdgeStyle::Learned => "#3fbf68",
        }
    }

    pub fn width(self) -> f32 {
        match self {
            EdgeStyle::Locked => 2.0,
            EdgeStyle::Open => 2.2,
            EdgeStyle::Next | EdgeStyle::Learned => 2.6,
        }
    }

    pub fn head(self) -> f32 {
        match self {
            EdgeStyle::Locked | EdgeStyle::Open => 10.0,
            EdgeStyle::Next | EdgeStyle::Learned => 11.0,
        }
    }
}

/// The arrowheads, one per style, for the `<defs>` of the picture.
pub(super) fn markers(svg: &mut String) {
    for style in EdgeStyle::ALL {
        w(
            svg,
            format_args!(
                r#"<marker id="arrow-{}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="{m}" markerHeight="{m}" markerUnits="userSpaceOnUse" orient="auto"><path d="M0,1 L10,5 L0,9 Z" fill="{}"/></marker>"#,
                style.name(),
                style.colour(),
                m = style.head(),
            ),
        );
    }
}
