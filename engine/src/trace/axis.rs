//! A waterfall's time axis with its idle stretches cut out. A flow begins with a customer who
//! browses for a minute, then the backend reacts within a second or two: drawn to scale, the
//! backend gets a few pixels. Here every gap between two moments of the trace that is much
//! longer than its usual gaps becomes an axis break of fixed width (drawn ⫽, labelled with the
//! time it skips), and the time that is left is spread over the width.
//!
//! The mapping is monotonic (a later moment is never left of an earlier one) and pure: moments
//! in milliseconds in, positions in the caller's units out.

/// A stretch of idle time cut out of the axis.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AxisBreak {
    /// Where the break starts on the axis, from 0.
    pub x: f64,
    pub width: f64,
    /// The idle time it stands for.
    pub skipped_ms: i64,
}

/// How the axis is drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AxisStyle {
    /// The axis's length.
    pub width: f64,
    /// The widest a break gets; many breaks share at most `max_break_share` of the width.
    pub break_width: f64,
    pub max_break_share: f64,
    /// The narrowest a span is drawn, so an instant still shows and can be clicked.
    pub min_span: f64,
    /// A gap is idle only beyond this, whatever the trace's usual gap is.
    pub min_idle_ms: i64,
    /// And beyond this many times the trace's usual gap (its lower quartile: a flow's gaps are
    /// mostly its backend's, a customer's pauses the few long ones; a median would be a pause
    /// as soon as the customer browsed longer than the backend took).
    pub idle_factor: i64,
}

impl AxisStyle {
    pub fn new(width: f64) -> AxisStyle {
        AxisStyle {
            width,
            break_width: 40.0,
            max_break_share: 0.3,
            min_span: 4.0,
            min_idle_ms: 1_000,
            idle_factor: 4,
        }
    }
}

/// A piece of the axis: the moments from `from` to `to` drawn from `x0` to `x1`.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Piece {
    from: i64,
    to: i64,
    x0: f64,
    x1: f64,
}

/// Time to position, with idle gaps cut out.
#[derive(Clone, Debug, PartialEq)]
pub struct TimeAxis {
    pieces: Vec<Piece>,
    breaks: Vec<AxisBreak>,
    min_span: f64,
}

impl TimeAxis {
    /// An axis for these moments (span starts and ends, in milliseconds, in any order).
    pub fn fit(moments: impl IntoIterator<Item = i64>, style: AxisStyle) -> TimeAxis {
        let mut moments: Vec<i64> = moments.into_iter().collect();
        moments.sort_unstable();
        moments.dedup();
        let gaps: Vec<i64> = moments.windows(2).map(|pair| pair[1] - pair[0]).collect();
        let idle_after = {
            let mut sorted = gaps.clone();
            sorted.sort_unstable();
            let usual = sorted.get(sorted.len() / 4).copied().unwrap_or(0);
            usual
                .saturating_mul(style.idle_factor)
                .max(style.min_idle_ms)
        };
        let idle = |gap: i64| gap > idle_after;
        let breaks = gaps.iter().filter(|&&gap| idle(gap)).count();
        let kept_ms: i64 = gaps.iter().filter(|&&gap| !idle(gap)).sum();
        let break_width = if breaks == 0 {
            0.0
        } else if kept_ms == 0 {
            // Nothing but idle gaps: the breaks share the axis.
            style.width / breaks as f64
        } else {
            style
                .break_width
                .min(style.width * style.max_break_share / breaks as f64)
        };
        let per_ms = if kept_ms > 0 {
            (style.width - break_width * breaks as f64).max(0.0) / kept_ms as f64
        } else {
            0.0
        };

        let mut pieces = Vec::with_capacity(gaps.len().max(1));
        let mut axis_breaks = Vec::with_capacity(breaks);
        let mut x = 0.0;
        for (pair, &gap) in moments.windows(2).zip(&gaps) {
            let width = if idle(gap) {
                axis_breaks.push(AxisBreak {
                    x,
                    width: break_width,
                    skipped_ms: gap,
                });
                break_width
            } else {
                gap as f64 * per_ms
            };
            pieces.push(Piece {
                from: pair[0],
                to: pair[1],
                x0: x,
                x1: x + width,
            });
            x += width;
        }
        if let ([only], true) = (moments.as_slice(), pieces.is_empty()) {
            pieces.push(Piece {
                from: *only,
                to: *only,
                x0: 0.0,
                x1: 0.0,
            });
        }
        TimeAxis {
            pieces,
            breaks: axis_breaks,
            min_span: style.min_span,
        }
    }

    /// Where a moment falls: before the first, at 0; after the last, at the end.
    pub fn x(&self, time: i64) -> f64 {
        let Some(first) = self.pieces.first() else {
            return 0.0;
        };
        if time <= first.from {
            return first.x0;
        }
        // The piece that holds `time`: the first that ends at or after it.
        let index = self.pieces.partition_point(|piece| piece.to < time);
        match self.pieces.get(index) {
            Some(piece) if piece.to > piece.from => {
                let share = (time - piece.from) as f64 / (piece.to - piece.from) as f64;
                piece.x0 + share * (piece.x1 - piece.x0)
            }
            Some(piece) => piece.x1,
            None => self.pieces.last().map_or(0.0, |piece| piece.x1),
        }
    }

    /// A span from `start` to `end` as (left, width), never narrower than the minimum.
    pub fn span(&self, start: i64, end: i64) -> (f64, f64) {
        let (left, right) = (self.x(start), self.x(end.max(start)));
        (left, (right - left).max(self.min_span))
    }

    pub fn breaks(&self) -> &[AxisBreak] {
        &self.breaks
    }

    /// The time the axis shows to scale: the trace's length without its idle gaps.
    pub fn shown_ms(&self) -> i64 {
        let skipped: i64 = self.breaks.iter().map(|b| b.skipped_ms).sum();
        let whole = match (self.pieces.first(), self.pieces.last()) {
            (Some(first), Some(last)) => last.to - first.from,
            _ => 0,
        };
        whole - skipped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A customer browsing for a minute (a moment every 6 s), then a backend flow of seven
    /// events, 300 to 500 ms apart: the shape of a checkout's trace.
    fn checkout() -> Vec<i64> {
        let browsing = (0..10).map(|i| i * 6_000);
        let checkout = 60_000;
        let backend = [0, 480, 830, 900, 940, 1_300, 1_700, 2_100].map(|ms| checkout + ms);
        browsing.chain(backend).collect()
    }

    #[test]
    fn idle_gaps_become_breaks_and_the_backend_fills_the_width() {
        let axis = TimeAxis::fit(checkout(), AxisStyle::new(600.0));
        assert_eq!(axis.breaks().len(), 10, "each 6 s of browsing is cut out");
        assert!(axis.breaks().iter().all(|b| b.skipped_ms == 6_000));
        let backend = axis.x(62_100) - axis.x(60_000);
        assert!(
            backend >= 0.7 * 600.0,
            "the backend flow gets {backend} of 600"
        );
        assert!(
            (axis.x(62_100) - 600.0).abs() < 1e-6,
            "the axis ends at the last moment"
        );
        assert_eq!(axis.shown_ms(), 2_100);
    }

    #[test]
    fn order_is_kept() {
        let moments = checkout();
        let axis = TimeAxis::fit(moments.iter().copied(), AxisStyle::new(600.0));
        for pair in moments.windows(2) {
            assert!(
                axis.x(pair[0]) < axis.x(pair[1]),
                "{} before {}",
                pair[0],
                pair[1]
            );
        }
        // Moments between those of the trace keep their order too, and stay on the axis.
        let mut last = f64::MIN;
        for time in (-1_000..64_000).step_by(250) {
            let x = axis.x(time);
            assert!(x >= last && (0.0..=600.0).contains(&x), "{time} at {x}");
            last = x;
        }
    }

    #[test]
    fn every_span_is_at_least_the_minimum_wide() {
        let axis = TimeAxis::fit(checkout(), AxisStyle::new(600.0));
        for (start, end) in [
            (60_900, 60_900),
            (60_900, 60_901),
            (0, 6_000),
            (60_000, 62_100),
        ] {
            let (left, width) = axis.span(start, end);
            assert!(width >= 4.0, "{start}..{end}: {width}");
            assert!(left >= 0.0);
        }
    }

    #[test]
    fn a_trace_without_idle_gaps_is_drawn_to_scale() {
        let axis = TimeAxis::fit([0, 100, 300, 400], AxisStyle::new(400.0));
        assert!(axis.breaks().is_empty());
        assert!((axis.x(300) - 300.0).abs() < 1e-9);
        let single = TimeAxis::fit([5], AxisStyle::new(400.0));
        assert_eq!(single.span(5, 5), (0.0, 4.0));
        assert_eq!(TimeAxis::fit([], AxisStyle::new(400.0)).x(7), 0.0);
    }

    #[test]
    fn many_breaks_share_at_most_their_part_of_the_width() {
        let browsing = (0..40).map(|i| i * 10_000);
        let backend = (1..=15).map(|i| 390_000 + i * 300);
        let moments: Vec<i64> = browsing.chain(backend).collect();
        let axis = TimeAxis::fit(moments, AxisStyle::new(600.0));
        let breaks: f64 = axis.breaks().iter().map(|b| b.width).sum();
        assert_eq!(axis.breaks().len(), 39);
        assert!(breaks <= 0.3 * 600.0 + 1e-6, "{breaks}");
    }
}
