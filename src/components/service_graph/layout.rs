//! Where the service graph's boxes, edges and labels go, in SVG units: pure geometry, tested
//! natively.
//!
//! Boxes sit in rows (the placement's layers, a wide layer wrapped onto further rows); between two
//! rows runs a channel with no box in it. Every edge is orthogonal: out of its publisher's
//! bottom, along a track of the channel below it, and into its consumer's top from the channel
//! above that. An edge between rows that are not neighbours (a skip, or a reply pointing back up)
//! climbs or falls along a vertical corridor chosen where no box stands in any row it passes, so
//! no edge is ever drawn through a service it does not connect.
//!
//! Every size scales with the text: in large-text mode the boxes, tracks and labels grow with
//! the fonts, so nothing is drawn smaller than the app's text size or cut short.

use eventide_engine::Named;
use eventide_shop::services::graph::{GraphEdge, Node, ServiceGraph};

use super::placement::place;

/// At most this many boxes side by side; a wider layer wraps onto further rows, and a narrow
/// frame takes fewer (down to one), so the drawing never needs sideways scrolling.
pub const PER_ROW: usize = 3;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

/// An axis-aligned rectangle: `x`, `y` its top left corner.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    pub fn right(&self) -> f64 {
        self.x + self.w
    }

    pub fn bottom(&self) -> f64 {
        self.y + self.h
    }

    fn overlaps(&self, other: &Rect) -> bool {
        self.x < other.right()
            && other.x < self.right()
            && self.y < other.bottom()
            && other.y < self.bottom()
    }

    /// Whether the segment from `a` to `b` (horizontal or vertical) passes through the inside
    /// of the rectangle; running along its border or ending on it is not passing through.
    #[cfg(test)]
    pub fn is_crossed_by(&self, a: Point, b: Point) -> bool {
        let (x0, x1) = (a.x.min(b.x), a.x.max(b.x));
        let (y0, y1) = (a.y.min(b.y), a.y.max(b.y));
        let inside_x = |x: f64| self.x < x && x < self.right();
        let inside_y = |y: f64| self.y < y && y < self.bottom();
        if (y1 - y0).abs() < f64::EPSILON {
            inside_y(y0) && x0.max(self.x) < x1.min(self.right())
        } else if (x1 - x0).abs() < f64::EPSILON {
            inside_x(x0) && y0.max(self.y) < y1.min(self.bottom())
        } else {
            // Not drawn here (every route is orthogonal); its bounding box is a safe answer.
            self.overlaps(&Rect {
                x: x0,
                y: y0,
                w: x1 - x0,
                h: y1 - y0,
            })
        }
    }
}

/// The sizes of one drawing, all proportional to the text scale.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sizes {
    pub scale: f64,
    pub node_w: f64,
    pub node_h: f64,
    /// A service's name.
    pub name_font: f64,
    /// Badges and edge labels.
    pub small_font: f64,
    pub line_h: f64,
    /// The width of a character of the monospace labels.
    pub char_w: f64,
    channel_h: f64,
    margin: f64,
    clearance: f64,
}

impl Sizes {
    pub fn new(scale: f64) -> Sizes {
        let scale = scale.clamp(0.5, 3.0);
        Sizes {
            scale,
            node_w: 172.0 * scale,
            node_h: 52.0 * scale,
            name_font: 15.0 * scale,
            small_font: 11.5 * scale,
            line_h: 14.0 * scale,
            char_w: 6.9 * scale,
            channel_h: 100.0 * scale,
            margin: 16.0 * scale,
            clearance: 8.0 * scale,
        }
    }

    /// The drawing's comfortable width with `per_row` boxes side by side.
    fn natural_width(&self, per_row: usize) -> f64 {
        820.0 / PER_ROW as f64 * per_row as f64 * self.scale
    }

    /// The least width that still leaves a routing corridor beside every box.
    fn least_width(&self, per_row: usize) -> f64 {
        per_row as f64 * self.node_w + (per_row as f64 + 1.0) * 40.0 * self.scale
    }

    /// How many boxes go side by side in `room` (the frame's width; `None`: as many as wanted),
    /// and the drawing's width: its natural width, or the room when that is narrower.
    fn fit(&self, room: Option<f64>) -> (usize, f64) {
        let Some(room) = room.filter(|r| r.is_finite() && *r > 0.0) else {
            return (PER_ROW, self.natural_width(PER_ROW));
        };
        let per_row = (1..=PER_ROW)
            .rev()
            .find(|&n| self.least_width(n) <= room)
            .unwrap_or(1);
        let width = self
            .natural_width(per_row)
            .min(room)
            .max(self.least_width(per_row));
        (per_row, width)
    }
}

/// An edge's path: orthogonal segments from the publisher's bottom to the consumer's top.
#[derive(Clone, Debug, PartialEq)]
pub struct Route {
    pub points: Vec<Point>,
}

impl Route {
    /// The SVG path data.
    pub fn path(&self) -> String {
        let mut d = String::new();
        for (i, p) in self.points.iter().enumerate() {
            let command = if i == 0 { "M" } else { " L" };
            d.push_str(&format!("{command} {:.1} {:.1}", p.x, p.y));
        }
        d
    }

    fn length(&self) -> f64 {
        self.points
            .windows(2)
            .map(|s| (s[1].x - s[0].x).abs() + (s[1].y - s[0].y).abs())
            .sum()
    }

    /// The point a fraction `t` (0 to 1) of the way along: where an event in flight is drawn.
    pub fn at(&self, t: f64) -> Point {
        let mut left = self.length() * t.clamp(0.0, 1.0);
        for s in self.points.windows(2) {
            let step = (s[1].x - s[0].x).abs() + (s[1].y - s[0].y).abs();
            if left <= step && step > 0.0 {
                let share = left / step;
                return Point {
                    x: s[0].x + (s[1].x - s[0].x) * share,
                    y: s[0].y + (s[1].y - s[0].y) * share,
                };
            }
            left -= step;
        }
        self.points
            .last()
            .copied()
            .unwrap_or(Point { x: 0.0, y: 0.0 })
    }

    /// Where a label for this edge alone goes: the middle of its longest horizontal run, or
    /// halfway along when it has none.
    fn label_anchor(&self) -> Point {
        self.points
            .windows(2)
            .filter(|s| (s[0].y - s[1].y).abs() < f64::EPSILON)
            .max_by(|a, b| {
                let (la, lb) = ((a[1].x - a[0].x).abs(), (b[1].x - b[0].x).abs());
                la.total_cmp(&lb)
            })
            .filter(|s| (s[1].x - s[0].x).abs() > 1.0)
            .map_or_else(
                || self.at(0.5),
                |s| Point {
                    x: (s[0].x + s[1].x) / 2.0,
                    y: s[0].y,
                },
            )
    }
}

/// One label: the event types an edge (or a publisher's edges to several consumers) carries,
/// each marked when it is a failure.
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    pub rect: Rect,
    pub lines: Vec<(&'static str, bool)>,
}

/// The whole drawing.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    pub width: f64,
    pub height: f64,
    pub sizes: Sizes,
    pub boxes: Vec<(Node, Rect)>,
    /// One per edge of the graph, in the graph's order.
    pub routes: Vec<Route>,
    pub labels: Vec<Label>,
}

impl Layout {
    #[cfg(test)]
    pub fn box_of(&self, node: Node) -> Option<Rect> {
        self.boxes.iter().find(|(n, _)| *n == node).map(|(_, r)| *r)
    }
}

/// Lays the graph out at a text scale (1 normally, larger in large-text mode) in `room`, the
/// width of its frame (`None` before it is measured).
pub fn layout(graph: &ServiceGraph, scale: f64, room: Option<f64>) -> Layout {
    let sizes = Sizes::new(scale);
    let (per_row, width) = sizes.fit(room);

    // Rows: each layer takes as many as it needs to hold its boxes, `per_row` to a row.
    let placement = place(graph);
    let layers = placement.layers();
    let in_layer = |layer: usize| placement.nodes.iter().filter(|n| n.layer == layer).count();
    let first_row: Vec<usize> = (0..layers)
        .scan(0, |next, layer| {
            let here = *next;
            *next += in_layer(layer).div_ceil(per_row).max(1);
            Some(here)
        })
        .collect();
    let row_of = |node: Node| -> usize {
        placement.placed(node).map_or(0, |p| {
            first_row.get(p.layer).copied().unwrap_or(0) + p.slot / per_row
        })
    };
    let rows = placement
        .nodes
        .iter()
        .map(|n| row_of(n.node) + 1)
        .max()
        .unwrap_or(0);
    // A channel above the first row or below the last only when an edge needs it.
    let enters_top = graph.edges.iter().any(|e| row_of(e.to) == 0);
    let leaves_bottom = graph.edges.iter().any(|e| row_of(e.from) + 1 == rows);
    let top = if enters_top {
        sizes.channel_h
    } else {
        sizes.margin
    };
    let row_y = |row: usize| top + row as f64 * (sizes.node_h + sizes.channel_h);

    let boxes: Vec<(Node, Rect)> = placement
        .nodes
        .iter()
        .map(|placed| {
            let total = in_layer(placed.layer);
            let (row_in_layer, column) = (placed.slot / per_row, placed.slot % per_row);
            let in_row = total
                .saturating_sub(row_in_layer * per_row)
                .clamp(1, per_row);
            // The same gap between neighbours in every row (a full row's), a shorter row centred.
            let gap = (width - per_row as f64 * sizes.node_w) / (per_row as f64 + 1.0);
            let span = in_row as f64 * sizes.node_w + (in_row as f64 - 1.0) * gap;
            let left = (width - span) / 2.0 + column as f64 * (sizes.node_w + gap);
            let rect = Rect {
                x: left,
                y: row_y(row_of(placed.node)),
                w: sizes.node_w,
                h: sizes.node_h,
            };
            (placed.node, rect)
        })
        .collect();
    let rect_of = |node: Node| {
        boxes.iter().find(|(n, _)| *n == node).map_or(
            Rect {
                x: 0.0,
                y: 0.0,
                w: 0.0,
                h: 0.0,
            },
            |(_, r)| *r,
        )
    };
    let centre_x = |node: Node| {
        let r = rect_of(node);
        r.x + r.w / 2.0
    };

    // Ports: a box's edges leave along its bottom and arrive along its top, spread out in the
    // order of the boxes at their other ends, so that they cross as little as they can.
    let port = |node: Node, edge: usize, outgoing: bool| -> Point {
        let mut mine: Vec<(usize, f64)> = graph
            .edges
            .iter()
            .enumerate()
            .filter(|(_, e)| {
                if outgoing {
                    e.from == node
                } else {
                    e.to == node
                }
            })
            .map(|(i, e)| (i, centre_x(if outgoing { e.to } else { e.from })))
            .collect();
        mine.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        let index = mine.iter().position(|(i, _)| *i == edge).unwrap_or(0);
        let r = rect_of(node);
        let x = r.x + r.w * (0.15 + 0.7 * (index as f64 + 1.0) / (mine.len() as f64 + 1.0));
        Point {
            x,
            y: if outgoing { r.bottom() } else { r.y },
        }
    };

    // Channels: channel k runs above row k (k = rows: below the last row). Each edge takes a
    // track in the channel under its publisher and, when its consumer is not in the next row,
    // one in the channel over its consumer.
    let channel_span = |k: usize| -> (f64, f64) {
        let start = if k == 0 {
            0.0
        } else {
            row_y(k - 1) + sizes.node_h
        };
        (start, start + if k == 0 { top } else { sizes.channel_h })
    };
    let mut users: Vec<Vec<usize>> = vec![Vec::new(); rows + 1];
    for (i, edge) in graph.edges.iter().enumerate() {
        let (exit, entry) = (row_of(edge.from) + 1, row_of(edge.to));
        users[exit].push(i);
        if entry != exit {
            users[entry].push(i);
        }
    }
    let track = |k: usize, edge: usize| -> f64 {
        let (start, end) = channel_span(k);
        let n = users[k].len().max(1);
        let index = users[k].iter().position(|&e| e == edge).unwrap_or(0);
        start + (end - start) * (index as f64 + 1.0) / (n as f64 + 1.0)
    };

    let mut corridors: Vec<(f64, f64, f64)> = Vec::new();
    let mut routes = Vec::with_capacity(graph.edges.len());
    for (i, edge) in graph.edges.iter().enumerate() {
        let (from, to) = (port(edge.from, i, true), port(edge.to, i, false));
        let (exit, entry) = (row_of(edge.from) + 1, row_of(edge.to));
        let y_exit = track(exit, i);
        let mut points = vec![
            from,
            Point {
                x: from.x,
                y: y_exit,
            },
        ];
        if entry != exit {
            let y_entry = track(entry, i);
            let x = corridor(
                &boxes,
                &corridors,
                (from.x + to.x) / 2.0,
                (y_exit, y_entry),
                width,
                &sizes,
            );
            corridors.push((x, y_exit.min(y_entry), y_exit.max(y_entry)));
            points.push(Point { x, y: y_exit });
            points.push(Point { x, y: y_entry });
            points.push(Point {
                x: to.x,
                y: y_entry,
            });
        } else {
            points.push(Point { x: to.x, y: y_exit });
        }
        points.push(to);
        points.dedup_by(|a, b| (a.x - b.x).abs() < 1e-9 && (a.y - b.y).abs() < 1e-9);
        routes.push(Route { points });
    }

    let labels = place_labels(graph, &boxes, &routes, &sizes, width);
    let lowest_box = boxes.iter().map(|(_, r)| r.bottom()).fold(0.0, f64::max);
    let below = if leaves_bottom {
        sizes.channel_h
    } else {
        sizes.margin
    };
    let lowest_label = labels.iter().map(|l| l.rect.bottom()).fold(0.0, f64::max);
    Layout {
        width,
        height: (lowest_box + below).max(lowest_label + sizes.margin),
        sizes,
        boxes,
        routes,
        labels,
    }
}

/// The x of a vertical run from `ys.0` to `ys.1`: the nearest to `wanted` where no box stands
/// (with room to spare) and no other edge already runs alongside.
fn corridor(
    boxes: &[(Node, Rect)],
    taken: &[(f64, f64, f64)],
    wanted: f64,
    ys: (f64, f64),
    width: f64,
    sizes: &Sizes,
) -> f64 {
    let (y0, y1) = (ys.0.min(ys.1), ys.0.max(ys.1));
    let gap = sizes.clearance;
    let blocked: Vec<&Rect> = boxes
        .iter()
        .map(|(_, r)| r)
        .filter(|r| r.y < y1 && y0 < r.bottom())
        .collect();
    let free = |x: f64| {
        blocked
            .iter()
            .all(|r| x <= r.x - gap || x >= r.right() + gap)
            && taken
                .iter()
                .all(|&(tx, ty0, ty1)| (tx - x).abs() >= gap || ty1 < y0 || y1 < ty0)
    };
    let step = 2.0 * sizes.scale;
    let candidates = (0..)
        .map(|i| gap / 2.0 + i as f64 * step)
        .take_while(|x| *x <= width - gap / 2.0);
    candidates
        .filter(|x| free(*x))
        .min_by(|a, b| (a - wanted).abs().total_cmp(&(b - wanted).abs()))
        // The margins always leave room; should they ever not, the left edge is still outside.
        .unwrap_or(gap / 2.0)
}

/// Labels, placed so that none covers another or a box. Edges that carry the same event types
/// from one publisher to several consumers share one label, just under the publisher.
fn place_labels(
    graph: &ServiceGraph,
    boxes: &[(Node, Rect)],
    routes: &[Route],
    sizes: &Sizes,
    width: f64,
) -> Vec<Label> {
    let mut groups: Vec<(Node, &GraphEdge, Vec<usize>)> = Vec::new();
    for (i, edge) in graph.edges.iter().enumerate() {
        match groups
            .iter_mut()
            .find(|(from, first, _)| *from == edge.from && first.kinds == edge.kinds)
        {
            Some(group) => group.2.push(i),
            None => groups.push((edge.from, edge, vec![i])),
        }
    }
    let mut labels: Vec<Label> = groups
        .iter()
        .map(|(from, edge, members)| {
            let lines: Vec<(&'static str, bool)> = edge
                .kinds
                .iter()
                .map(|kind| (kind.name(), kind.is_failure()))
                .collect();
            let longest = lines.iter().map(|(l, _)| l.len()).max().unwrap_or(0);
            let w = longest as f64 * sizes.char_w + 10.0 * sizes.scale;
            let h = lines.len() as f64 * sizes.line_h + 4.0 * sizes.scale;
            let anchor = match (members.as_slice(), routes.get(members[0])) {
                ([_], Some(route)) => route.label_anchor(),
                _ => {
                    let r = boxes.iter().find(|(n, _)| n == from).map_or(
                        Rect {
                            x: 0.0,
                            y: 0.0,
                            w: 0.0,
                            h: 0.0,
                        },
                        |(_, r)| *r,
                    );
                    Point {
                        x: r.x + r.w / 2.0,
                        y: r.bottom() + h / 2.0 + 6.0 * sizes.scale,
                    }
                }
            };
            Label {
                rect: Rect {
                    // Kept inside the drawing: a narrow frame puts anchors near its sides.
                    x: (anchor.x - w / 2.0).min(width - w).max(0.0),
                    y: anchor.y - h / 2.0,
                    w,
                    h,
                },
                lines,
            }
        })
        .collect();
    for _ in 0..60 {
        let mut moved = false;
        for i in 0..labels.len() {
            let mine = labels[i].rect;
            let blocker = boxes
                .iter()
                .map(|(_, r)| *r)
                .chain(labels[..i].iter().map(|l| l.rect))
                .find(|other| mine.overlaps(other));
            if let Some(other) = blocker {
                labels[i].rect.y = other.bottom() + 3.0 * sizes.scale;
                moved = true;
            }
        }
        if !moved {
            break;
        }
    }
    labels
}

#[cfg(test)]
mod tests {
    use eventide_shop::services::graph::for_mode;
    use eventide_shop::services::Mode;

    use super::*;

    fn drawings() -> Vec<(String, ServiceGraph, Layout)> {
        let mut all = Vec::new();
        for mode in [Mode::Choreography, Mode::Orchestration] {
            for scale in [1.0, 1.25] {
                let graph = for_mode(mode);
                for room in [None, Some(1200.0), Some(820.0), Some(600.0), Some(420.0)] {
                    let drawn = layout(&graph, scale, room);
                    all.push((
                        format!("{mode:?} at {scale} in {room:?}"),
                        graph.clone(),
                        drawn,
                    ));
                }
            }
        }
        all
    }

    #[test]
    fn no_edge_passes_through_a_box_it_does_not_connect() {
        for (name, graph, drawn) in drawings() {
            for (edge, route) in graph.edges.iter().zip(&drawn.routes) {
                let segments: Vec<_> = route.points.windows(2).collect();
                for (i, s) in segments.iter().enumerate() {
                    for (node, rect) in &drawn.boxes {
                        // The first run leaves the publisher, the last enters the consumer.
                        let own_end = (i == 0 && *node == edge.from)
                            || (i + 1 == segments.len() && *node == edge.to);
                        assert!(
                            own_end || !rect.is_crossed_by(s[0], s[1]),
                            "{name}: {} -> {} runs through {}",
                            edge.from.name(),
                            edge.to.name(),
                            node.name()
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn edges_are_orthogonal_from_the_publishers_bottom_to_the_consumers_top() {
        for (name, graph, drawn) in drawings() {
            for (edge, route) in graph.edges.iter().zip(&drawn.routes) {
                for s in route.points.windows(2) {
                    assert!(
                        (s[0].x - s[1].x).abs() < 1e-9 || (s[0].y - s[1].y).abs() < 1e-9,
                        "{name}: a slanted run"
                    );
                }
                let (from, to) = (
                    drawn.box_of(edge.from).expect("publisher"),
                    drawn.box_of(edge.to).expect("consumer"),
                );
                let (first, last) = (route.points[0], route.points[route.points.len() - 1]);
                assert!(
                    (first.y - from.bottom()).abs() < 1e-9
                        && from.x < first.x
                        && first.x < from.right()
                );
                assert!((last.y - to.y).abs() < 1e-9 && to.x < last.x && last.x < to.right());
            }
        }
    }

    #[test]
    fn labels_cover_no_box_nor_each_other_and_everything_fits() {
        for (name, _, drawn) in drawings() {
            for (i, label) in drawn.labels.iter().enumerate() {
                for (node, rect) in &drawn.boxes {
                    assert!(
                        !label.rect.overlaps(rect),
                        "{name}: a label covers {}",
                        node.name()
                    );
                }
                for other in &drawn.labels[..i] {
                    assert!(!label.rect.overlaps(&other.rect), "{name}: labels overlap");
                }
                assert!(label.rect.bottom() <= drawn.height);
                assert!(
                    label.rect.x >= 0.0 && label.rect.right() <= drawn.width,
                    "{name}: a label sticks out sideways"
                );
            }
            for (_, rect) in &drawn.boxes {
                assert!(
                    rect.x >= 0.0 && rect.right() <= drawn.width && rect.bottom() <= drawn.height
                );
            }
        }
    }

    #[test]
    fn boxes_keep_a_corridor_between_them() {
        for (name, _, drawn) in drawings() {
            for (i, (a, ra)) in drawn.boxes.iter().enumerate() {
                for (b, rb) in &drawn.boxes[..i] {
                    let wide = Rect {
                        x: ra.x - 2.0 * drawn.sizes.clearance,
                        w: ra.w + 4.0 * drawn.sizes.clearance,
                        ..*ra
                    };
                    assert!(
                        !wide.overlaps(rb),
                        "{name}: {} and {} stand too close",
                        a.name(),
                        b.name()
                    );
                }
            }
        }
    }

    #[test]
    fn large_text_draws_everything_larger() {
        let graph = for_mode(Mode::Choreography);
        let (normal, large) = (layout(&graph, 1.0, None), layout(&graph, 1.25, None));
        assert!(large.sizes.small_font > normal.sizes.small_font);
        assert!(large.width > normal.width);
        assert!(large.labels[0].rect.w > normal.labels[0].rect.w);
    }

    #[test]
    fn a_narrow_frame_takes_fewer_boxes_a_row_and_is_never_overflowed() {
        let graph = for_mode(Mode::Choreography);
        let roomy = layout(&graph, 1.25, Some(1400.0));
        // The projector's centre beside a lesson: about 600 px.
        let narrow = layout(&graph, 1.25, Some(600.0));
        assert!(narrow.width <= 600.0, "drawn {} wide in 600", narrow.width);
        // A phone-sized frame: one box a row.
        let single = layout(&graph, 1.25, Some(300.0));
        // The text keeps its size: only the arrangement changes.
        assert_eq!(narrow.sizes, roomy.sizes);
        let row_of = |drawn: &Layout| {
            let mut tops: Vec<f64> = drawn.boxes.iter().map(|(_, r)| r.y).collect();
            tops.sort_by(f64::total_cmp);
            tops.dedup();
            tops.len()
        };
        assert!(row_of(&narrow) >= row_of(&roomy));
        assert_eq!(row_of(&single), single.boxes.len(), "one box a row");
        assert!(row_of(&single) > row_of(&roomy));
    }

    #[test]
    fn an_event_in_flight_moves_along_its_route() {
        let route = Route {
            points: vec![
                Point { x: 0.0, y: 0.0 },
                Point { x: 0.0, y: 10.0 },
                Point { x: 30.0, y: 10.0 },
            ],
        };
        assert_eq!(route.at(0.0), Point { x: 0.0, y: 0.0 });
        assert_eq!(route.at(0.5), Point { x: 10.0, y: 10.0 });
        assert_eq!(route.at(1.0), Point { x: 30.0, y: 10.0 });
        assert_eq!(route.path(), "M 0.0 0.0 L 0.0 10.0 L 30.0 10.0");
    }
}
