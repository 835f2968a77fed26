//! Arrow routing: each `requires` link becomes a path from the required topic to the one that
//! needs it, chosen so that arrows neither run behind other nodes nor pile up on one spot.

use std::collections::HashMap;

use super::arrow_style::EdgeStyle;
use super::layout::{row_gap_near, Layout, NODE_H, PANEL_GAP, PANEL_PAD};
use super::svg::w;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Left,
    Right,
}

/// Where an arrow leaves and arrives.
enum Route {
    /// Straight down from one node to the one right below it.
    Down,
    /// Across columns: leaves one side, arrives at the other.
    Across { out: Side, arrive: Side },
    /// Across more than two columns: like `Across`, but through the gutters and the gap
    /// between two rows, so as not to run behind the nodes of the columns in between.
    Long { out: Side, arrive: Side },
    /// Within a column, past other nodes: leaves and arrives on `side`, along a lane.
    Lane { side: Side },
}

/// One arrow end on a node's side: (the other end's y, edge index, whether it is the start).
type Port = (f32, usize, bool);

/// Draws the layout's arrows: dim ones first, bright ones on top.
pub(super) fn draw(svg: &mut String, layout: &Layout<'_>) {
    let nodes = &layout.nodes;
    let routes = routes(layout);
    let port_y = port_ys(layout, &routes);
    let lane_offset = lane_offsets(layout, &routes);
    let mut drawn: Vec<(EdgeStyle, usize, String)> = Vec::new();
    let mut long_index = 0usize;
    for (e, (&(from, to), route)) in layout.edges.iter().zip(&routes).enumerate() {
        let (a, b) = (&nodes[from], &nodes[to]);
        let y1 = port_y.get(&(e, true)).copied().unwrap_or(a.cy());
        let y2 = port_y.get(&(e, false)).copied().unwrap_or(b.cy());
        let d = match *route {
            Route::Down => {
                let x = a.x + a.w / 2.0;
                format!("M{x:.1},{:.1} L{x:.1},{:.1}", a.y + NODE_H, b.y)
            }
            Route::Across { out, .. } => {
                let (x1, x2) = if out == Side::Right {
                    (a.x + a.w, b.x)
                } else {
                    (a.x, b.x + b.w)
                };
                let dx =
                    ((x2 - x1) * 0.5).abs().max(24.0) * if out == Side::Right { 1.0 } else { -1.0 };
                format!(
                    "M{x1:.1},{y1:.1} C{:.1},{y1:.1} {:.1},{y2:.1} {x2:.1},{y2:.1}",
                    x1 + dx,
                    x2 - dx
                )
            }
            Route::Long { out, .. } => {
                let forward = out == Side::Right;
                let (x1, x2) = if forward {
                    (a.x + a.w, b.x)
                } else {
                    (a.x, b.x + b.w)
                };
                // The gutters right after the source's column and right before the target's.
                let gutter = |column: usize, right: bool| {
                    let c = &layout.columns[column];
                    if right {
                        c.x + c.w + PANEL_GAP / 2.0
                    } else {
                        c.x - PANEL_GAP / 2.0
                    }
                };
                let shift = ((long_index % 3) as f32 - 1.0) * 6.0;
                long_index += 1;
                let g1 = gutter(a.column, forward) + shift;
                let g2 = gutter(b.column, !forward) - shift;
                let gap = row_gap_near((y1 + y2) / 2.0, layout.rows) + shift;
                rounded_polyline(
                    &[(x1, y1), (g1, y1), (g1, gap), (g2, gap), (g2, y2), (x2, y2)],
                    12.0,
                )
            }
            Route::Lane { side } => {
                let offset = lane_offset.get(&e).copied().unwrap_or(8.0);
                let (x, lane) = if side == Side::Left {
                    (a.x, a.x - offset)
                } else {
                    (a.x + a.w, a.x + a.w + offset)
                };
                let r = 10.0 * if y2 > y1 { 1.0 } else { -1.0 };
                format!(
                    "M{x:.1},{y1:.1} Q{lane:.1},{y1:.1} {lane:.1},{:.1} L{lane:.1},{:.1} Q{lane:.1},{y2:.1} {x:.1},{y2:.1}",
                    y1 + r,
                    y2 - r
                )
            }
        };
        drawn.push((EdgeStyle::of(b.entry.state), e, d));
    }
    // Dim arrows first, bright ones on top.
    drawn.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    svg.push_str(r#"<g class="edges" fill="none" stroke-linecap="round">"#);
    for (style, _, d) in drawn {
        w(
            svg,
            format_args!(
                r#"<path class="edge {name}" d="{d}" stroke="{}" stroke-width="{}" marker-end="url(#arrow-{name})"/>"#,
                style.colour(),
                style.width(),
                name = style.name()
            ),
        );
    }
    svg.push_str("</g>");
}

/// How each of the layout's arrows runs, in the order of `layout.edges`.
fn routes(layout: &Layout<'_>) -> Vec<Route> {
    let nodes = &layout.nodes;
    let mut routes: Vec<Route> = layout
        .edges
        .iter()
        .map(|&(from, to)| {
            let (a, b) = (&nodes[from], &nodes[to]);
            if a.column == b.column {
                if b.row == a.row + 1 {
                    Route::Down
                } else {
                    // Decided below, once the arrows across columns have taken their ports.
                    Route::Lane { side: Side::Left }
                }
            } else {
                let (out, arrive) = if a.column < b.column {
                    (Side::Right, Side::Left)
                } else {
                    (Side::Left, Side::Right)
                };
                if a.column.abs_diff(b.column) == 1 {
                    Route::Across { out, arrive }
                } else {
                    Route::Long { out, arrive }
                }
            }
        })
        .collect();
    // A jump within a column runs along the side where fewer arrows across columns already
    // leave or arrive, on its two nodes; the left side on a tie.
    let mut crowd: HashMap<(usize, bool), usize> = HashMap::new();
    for (&(from, to), route) in layout.edges.iter().zip(&routes) {
        if let Route::Across { out, arrive } | Route::Long { out, arrive } = *route {
            *crowd.entry((from, out == Side::Right)).or_default() += 1;
            *crowd.entry((to, arrive == Side::Right)).or_default() += 1;
        }
    }
    for (&(from, to), route) in layout.edges.iter().zip(routes.iter_mut()) {
        if let Route::Lane { side } = route {
            let count = |right: bool| {
                crowd.get(&(from, right)).copied().unwrap_or(0)
                    + crowd.get(&(to, right)).copied().unwrap_or(0)
            };
            *side = if count(true) < count(false) {
                Side::Right
            } else {
                Side::Left
            };
        }
    }
    routes
}

/// Every arrow ending on a node's side gets its own spot there, ordered by where the other
/// end is, so arrows fan out instead of piling up: the y of each (edge, is its start).
fn port_ys(layout: &Layout<'_>, routes: &[Route]) -> HashMap<(usize, bool), f32> {
    let nodes = &layout.nodes;
    // ports[(node, side)] = [(other end's y, edge index, is this the arrow's start)]
    let mut ports: HashMap<(usize, bool), Vec<Port>> = HashMap::new();
    let side_key = |side: Side| side == Side::Right;
    for (e, (&(from, to), route)) in layout.edges.iter().zip(routes).enumerate() {
        let (out, arrive) = match *route {
            Route::Down => continue,
            Route::Across { out, arrive } | Route::Long { out, arrive } => (out, arrive),
            Route::Lane { side } => (side, side),
        };
        ports
            .entry((from, side_key(out)))
            .or_default()
            .push((nodes[to].cy(), e, true));
        ports
            .entry((to, side_key(arrive)))
            .or_default()
            .push((nodes[from].cy(), e, false));
    }
    let mut port_y = HashMap::new();
    for ((node, _), list) in ports.iter_mut() {
        list.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let n = list.len() as f32;
        let top = nodes[*node].y;
        let spread = if n <= 1.0 {
            0.0
        } else {
            (NODE_H - 24.0).min(14.0 * (n - 1.0))
        };
        for (i, &(_, e, start)) in list.iter().enumerate() {
            let y = if n <= 1.0 {
                top + NODE_H / 2.0
            } else {
                top + NODE_H / 2.0 - spread / 2.0 + spread * i as f32 / (n - 1.0)
            };
            port_y.insert((e, start), y);
        }
    }
    port_y
}

/// How far out each jump within a column runs: longer jumps further out, so lanes do not
/// cross.
fn lane_offsets(layout: &Layout<'_>, routes: &[Route]) -> HashMap<usize, f32> {
    let nodes = &layout.nodes;
    let mut lane_offset: HashMap<usize, f32> = HashMap::new();
    for side in [Side::Left, Side::Right] {
        for column in 0..layout.columns.len() {
            let mut lanes: Vec<(usize, usize)> = layout
                .edges
                .iter()
                .zip(routes)
                .enumerate()
                .filter(|(_, (&(from, _), route))| {
                    nodes[from].column == column
                        && matches!(route, Route::Lane { side: s } if *s == side)
                })
                .map(|(e, (&(from, to), _))| (nodes[from].row.abs_diff(nodes[to].row), e))
                .collect();
            lanes.sort();
            for (i, &(_, e)) in lanes.iter().enumerate() {
                lane_offset.insert(
                    e,
                    (14.0 + 7.0 * i as f32).min(PANEL_PAD + PANEL_GAP / 2.0 - 4.0),
                );
            }
        }
    }
    lane_offset
}

/// A path through `points` with its corners rounded by (at most) `radius`.
fn rounded_polyline(points: &[(f32, f32)], radius: f32) -> String {
    let mut d = String::new();
    let Some(&(x0, y0)) = points.first() else {
        return d;
    };
    w(&mut d, format_args!("M{x0:.1},{y0:.1}"));
    for i in 1..points.len() {
        let (x, y) = points[i];
        if i + 1 == points.len() {
            w(&mut d, format_args!(" L{x:.1},{y:.1}"));
            break;
        }
        let (px, py) = points[i - 1];
        let (nx, ny) = points[i + 1];
        let len_in = ((x - px).powi(2) + (y - py).powi(2)).sqrt();
        let len_out = ((nx - x).powi(2) + (ny - y).powi(2)).sqrt();
        if len_in < 0.01 || len_out < 0.01 {
            continue;
        }
        let r = radius.min(len_in / 2.0).min(len_out / 2.0);
        let (ax, ay) = (x - (x - px) / len_in * r, y - (y - py) / len_in * r);
        let (bx, by) = (x + (nx - x) / len_out * r, y + (ny - y) / len_out * r);
        w(
            &mut d,
            format_args!(" L{ax:.1},{ay:.1} Q{x:.1},{y:.1} {bx:.1},{by:.1}"),
        );
    }
    d
}
