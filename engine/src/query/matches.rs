//! The events of a log a filter selects: their positions, and how many fall in each minute of
//! recorded time (a histogram). The log only grows, so an update scans only what was appended.

use super::filter::Filter;
use super::PayloadFields;
use crate::envelope::Recorded;
use crate::ids::{EventId, Position, Timestamp};
use crate::store::LogSlice;

const MINUTE_MS: i64 = 60_000;

/// What a filter selects in a log, as of the events it has scanned.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Matches {
    positions: Vec<Position>,
    minutes: Vec<MinuteCount>,
    scanned: usize,
    /// The id of the last event scanned: a log without it there is another log.
    last: Option<EventId>,
}

/// The matching events recorded in one minute (recorded time never decreases, so a minute's
/// matches lie between `first` and `last` in the log).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MinuteCount {
    /// The minute's start.
    pub minute: Timestamp,
    pub count: u32,
    pub first: Position,
    pub last: Position,
}

impl Matches {
    pub fn scan<'e, E: PayloadFields>(
        filter: &Filter<E>,
        events: impl Into<LogSlice<'e, Recorded<E>>>,
    ) -> Matches {
        let events = events.into();
        let mut matches = Matches::default();
        matches.refresh(filter, events);
        matches
    }

    /// Brings this up to date with `events`: when they are the log scanned so far, grown, only
    /// the new events are tested; any other log is scanned from the start. Says whether
    /// anything changed.
    pub fn refresh<'e, E: PayloadFields>(
        &mut self,
        filter: &Filter<E>,
        events: impl Into<LogSlice<'e, Recorded<E>>>,
    ) -> bool {
        let events = events.into();
        let same_log = self.scanned <= events.len()
            && match self.scanned.checked_sub(1) {
                Some(last) => events.get(last).map(|e| e.id) == self.last,
                None => true,
            };
        if !same_log {
            *self = Matches::default();
        }
        let new = events.starting_at(self.scanned);
        if new.is_empty() {
            return !same_log;
        }
        let mut scanner = filter.scanner();
        for event in new {
            if scanner.test(event) {
                self.push(event.position, event.recorded_at);
            }
        }
        self.scanned = events.len();
        self.last = events.last().map(|e| e.id);
        true
    }

    fn push(&mut self, position: Position, at: Timestamp) {
        self.positions.push(position);
        let minute = Timestamp(at.0.div_euclid(MINUTE_MS) * MINUTE_MS);
        match self.minutes.last_mut() {
            Some(last) if last.minute == minute => {
                last.count += 1;
                last.last = position;
            }
            _ => self.minutes.push(MinuteCount {
                minute,
                count: 1,
                first: position,
                last: position,
            }),
        }
    }

    /// Every matching position, ascending.
    pub fn positions(&self) -> &[Position] {
        &self.positions
    }

    /// How many matches are at or before `cursor`.
    pub fn count_at(&self, cursor: Position) -> usize {
        self.positions
            .partition_point(|&position| position <= cursor)
    }

    /// Matches per minute of recorded time, in time order; minutes without a match are left
    /// out.
    pub fn minutes(&self) -> &[MinuteCount] {
        &self.minutes
    }

    /// How many events of the log were tested.
    pub fn scanned(&self) -> usize {
        self.scanned
    }
}
