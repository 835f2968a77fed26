//! Where everything sits: a panel per section side by side, its topics stacked in rows, and
//! the `requires` links between them. Drawing and arrow routing both read this one layout, so
//! an arrow always ends where its node is drawn.

use std::collections::HashMap;

use super::MapPicture;
use crate::study::{SkillMap, TopicEntry};

// Geometry, in pixels of the full-size picture.
pub(super) const MARGIN: f32 = 32.0;
pub(super) const PANEL_GAP: f32 = 48.0;
pub(super) const PANEL_PAD: f32 = 18.0;
pub(super) const PANEL_TOP: f32 = 128.0;
/// From the top of a panel to the top of its first node.
pub(super) const PANEL_HEAD: f32 = 86.0;
pub(super) const NODE_H: f32 = 64.0;
pub(super) const ROW_GAP: f32 = 40.0;
pub(super) const NODE_RADIUS: f32 = 12.0;
/// Left part of a node taken by the number circle.
pub(super) const NUMBER_SPACE: f32 = 58.0;
/// Below the panels: the legend.
pub(super) const LEGEND_SPACE: f32 = 84.0;

pub(super) struct Column {
    pub x: f32,
    pub w: f32,
}

pub(super) struct NodeBox<'a> {
    pub entry: &'a TopicEntry,
    pub column: usize,
    pub row: usize,
    pub x: f32,
    pub y: f32,
    pub w: f32,
}

impl NodeBox<'_> {
    pub fn cy(&self) -> f32 {
        self.y + NODE_H / 2.0
    }

    /// The width the title may take, right of the number circle.
    pub fn title_room(&self) -> f32 {
        self.w - NUMBER_SPACE - 14.0
    }
}

pub(super) struct Layout<'a> {
    pub columns: Vec<Column>,
    pub nodes: Vec<NodeBox<'a>>,
    /// (required node, dependent node), indices into `nodes`, in reading order.
    pub edges: Vec<(usize, usize)>,
    /// Nodes in the longest column.
    pub rows: usize,
    pub panel_bottom: f32,
}

impl<'a> Layout<'a> {
    pub fn of(map: &'a SkillMap) -> Self {
        let n = map.sections.len().max(1) as f32;
        let width = MapPicture::WIDTH as f32;
        let panel_w = (width - 2.0 * MARGIN - (n - 1.0) * PANEL_GAP) / n;
        let columns: Vec<Column> = (0..map.sections.len())
            .map(|i| Column {
                x: MARGIN + i as f32 * (panel_w + PANEL_GAP),
                w: panel_w,
            })
            .collect();
        let mut nodes = Vec::new();
        for (column, (section, col)) in map.sections.iter().zip(&columns).enumerate() {
            for (row, entry) in section.topics.iter().enumerate() {
                nodes.push(NodeBox {
                    entry,
                    column,
                    row,
                    x: col.x + PANEL_PAD,
                    y: PANEL_TOP + PANEL_HEAD + row as f32 * (NODE_H + ROW_GAP),
                    w: col.w - 2.0 * PANEL_PAD,
                });
            }
        }
        let index: HashMap<&str, usize> = nodes
            .iter()
            .enumerate()
            .map(|(i, node)| (node.entry.topic.id.as_str(), i))
            .collect();
        let mut edges = Vec::new();
        for (to, node) in nodes.iter().enumerate() {
            for required in &node.entry.topic.requires {
                if let Some(&from) = index.get(required.as_str()) {
                    if from != to && !edges.contains(&(from, to)) {
                        edges.push((from, to));
                    }
                }
            }
        }
        let rows = rows(map);
        Layout {
            columns,
            nodes,
            edges,
            rows,
            panel_bottom: panel_bottom(rows),
        }
    }
}

/// Topics in the longest section: the picture grows with it.
pub(super) fn rows(map: &SkillMap) -> usize {
    map.sections
        .iter()
        .map(|s| s.topics.len())
        .max()
        .unwrap_or(0)
}

pub(super) fn panel_bottom(rows: usize) -> f32 {
    let rows = rows.max(1) as f32;
    PANEL_TOP + PANEL_HEAD + rows * NODE_H + (rows - 1.0) * ROW_GAP + 26.0
}

/// The y of the gap between two rows (or below the last row) nearest to `y`.
pub(super) fn row_gap_near(y: f32, rows: usize) -> f32 {
    let first = PANEL_TOP + PANEL_HEAD;
    (1..=rows.max(1))
        .map(|k| {
            let top = first + k as f32 * (NODE_H + ROW_GAP);
            if k == rows.max(1) {
                top - ROW_GAP + 13.0
            } else {
                top - ROW_GAP / 2.0
            }
        })
        .min_by(|a, b| (a - y).abs().total_cmp(&(b - y).abs()))
        .unwrap_or(first - 8.0)
}
