//! The query's matches per minute, drawn on the timeline behind the slider: a bar for each
//! minute of recorded time that has a match, placed where that minute's matches lie in the log
//! and as tall as its count (relative to the busiest minute).

use eventide_engine::query::MinuteCount;
use eventide_engine::Position;
use yew::prelude::*;

use crate::format::fmt_count;
use crate::state::use_app;

/// How many columns the track is drawn in; a column shows the busiest minute that reaches it.
const COLUMNS: usize = 240;

/// The shop's query, on the shop's timeline.
#[function_component(MatchHistogram)]
pub fn match_histogram() -> Html {
    let state = use_app();
    let head = state.session().shop().store().head();
    let search = state.search.borrow();
    match search.matches() {
        Some(matches) => histogram(matches.minutes(), head, "match-histogram"),
        None => html! {},
    }
}

/// Matches per minute over a track of positions 1 to `head` (the shop's timeline, or an
/// explored log's).
pub fn histogram(minutes: &[MinuteCount], head: Position, testid: &'static str) -> Html {
    let columns = columns(minutes, head);
    let peak = minutes.iter().map(|m| m.count).max().unwrap_or(0);
    let label = format!(
        "Matches per minute along the timeline: {} minutes with a match, at most {} in one",
        fmt_count(minutes.len() as u64),
        fmt_count(u64::from(peak))
    );
    html! {
        <svg class="match-histogram" viewBox={format!("0 0 {COLUMNS} 100")} preserveAspectRatio="none"
             role="img" aria-label={label.clone()} data-testid={testid}
             data-minutes={minutes.len().to_string()}>
            <title>{ label }</title>
            { for columns.iter().enumerate().filter(|(_, &count)| count > 0).map(|(x, &count)| {
                // Even a single match stays visible beside the busiest minute.
                let height = (f64::from(count) / f64::from(peak.max(1)) * 100.0).max(12.0);
                html! { <rect x={x.to_string()} y={format!("{:.1}", 100.0 - height)} width="1" height={format!("{height:.1}")} /> }
            }) }
        </svg>
    }
}

/// The busiest minute reaching each column of a track over positions 1 to `head`.
fn columns(minutes: &[MinuteCount], head: Position) -> Vec<u32> {
    let mut columns = vec![0u32; COLUMNS];
    let span = head.0.max(1);
    let column = |position: Position| {
        let index = position.0.saturating_sub(1).saturating_mul(COLUMNS as u64) / span;
        usize::try_from(index)
            .unwrap_or(COLUMNS - 1)
            .min(COLUMNS - 1)
    };
    for minute in minutes {
        for slot in &mut columns[column(minute.first)..=column(minute.last)] {
            *slot = (*slot).max(minute.count);
        }
    }
    columns
}

#[cfg(test)]
mod tests {
    use super::*;
    use eventide_engine::Timestamp;

    fn minute(count: u32, first: u64, last: u64) -> MinuteCount {
        MinuteCount {
            minute: Timestamp(0),
            count,
            first: Position(first),
            last: Position(last),
        }
    }

    #[test]
    fn each_minute_is_drawn_where_its_matches_lie() {
        let head = Position(COLUMNS as u64 * 10);
        let columns = columns(&[minute(3, 1, 25), minute(7, 2391, 2400)], head);
        assert_eq!(&columns[..4], &[3, 3, 3, 0]);
        assert_eq!(columns[COLUMNS - 1], 7);
        assert_eq!(columns.iter().filter(|&&c| c > 0).count(), 4);
    }
}
