//! Distributed tracing over the log: every event of one flow (one correlation id), who produced
//! each, what caused what. Choreography spreads a business flow over many services; this is how
//! it is put back together, as a waterfall of lanes and as a causation graph. [`axis`] is the
//! waterfall's time axis, with idle stretches cut out.

pub mod axis;

use crate::envelope::{DomainEvent, Named, Recorded, StreamKey};
use crate::ids::{CorrelationId, EventId, Position, Timestamp};
use crate::store::EventStore;

/// The metadata key that names an event's producer. Without it, the aggregate type is the lane.
pub const PRODUCER: &str = "producer";
/// The metadata key listing, comma-separated, further events a join waited for (fan-in).
pub const JOINS: &str = "joins";

/// One event of a trace, placed.
#[derive(Clone, Debug, PartialEq)]
pub struct Span<'a, E: DomainEvent> {
    pub event: &'a Recorded<E>,
    /// The lane: the producer, or the aggregate type.
    pub lane: String,
    /// When the cause was recorded (the span's start); the event's own time without a cause.
    pub start: Timestamp,
    /// Every cause found in the store: the causation id, then any joined events.
    pub causes: Vec<Position>,
    /// A causation id that names no stored event: flagged, not hidden.
    pub dangling_cause: Option<EventId>,
    /// Longest chain of causes back to a root: the column in the causation graph.
    pub depth: usize,
}

/// Every event of one correlation id up to a cursor, with its causes resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct Trace<'a, E: DomainEvent> {
    pub correlation: CorrelationId,
    pub spans: Vec<Span<'a, E>>,
}

impl<'a, E: DomainEvent> Trace<'a, E> {
    /// The trace of `correlation` as it was at `cursor` (later events are not shown).
    pub fn of(store: &'a EventStore<E>, correlation: CorrelationId, cursor: Position) -> Self {
        let events: Vec<&'a Recorded<E>> = store
            .read_by_correlation(correlation)
            .filter(|event| event.position <= cursor)
            .collect();
        let mut spans: Vec<Span<'a, E>> = Vec::with_capacity(events.len());
        for event in events {
            let mut causes = Vec::new();
            let mut dangling_cause = None;
            let mut start = event.recorded_at;
            if let Some(cause_id) = event.causation_id {
                match store
                    .get_by_id(cause_id)
                    .filter(|cause| cause.position <= cursor)
                {
                    Some(cause) => {
                        causes.push(cause.position);
                        start = cause.recorded_at;
                    }
                    None => dangling_cause = Some(cause_id),
                }
            }
            for joined in event
                .metadata
                .get(JOINS)
                .into_iter()
                .flat_map(|ids| ids.split(','))
            {
                let found = joined
                    .trim()
                    .parse()
                    .ok()
                    .and_then(|uuid| store.get_by_id(EventId(uuid)))
                    .filter(|cause| cause.position <= cursor);
                if let Some(cause) = found {
                    if !causes.contains(&cause.position) {
                        causes.push(cause.position);
                    }
                }
            }
            // Causes come earlier in the log, so their depth is known already.
            let depth = causes
                .iter()
                .filter_map(|position| spans.iter().find(|span| span.event.position == *position))
                .map(|span| span.depth + 1)
                .max()
                .unwrap_or(0);
            let lane = event.metadata.get(PRODUCER).map_or_else(
                || event.stream.category().name().to_string(),
                str::to_string,
            );
            spans.push(Span {
                event,
                lane,
                start,
                causes,
                dangling_cause,
                depth,
            });
        }
        Trace { correlation, spans }
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The lanes in order of first appearance.
    pub fn lanes(&self) -> Vec<&str> {
        let mut lanes: Vec<&str> = Vec::new();
        for span in &self.spans {
            if !lanes.contains(&span.lane.as_str()) {
                lanes.push(&span.lane);
            }
        }
        lanes
    }

    /// The first and last moment of the trace.
    pub fn time_range(&self) -> Option<(Timestamp, Timestamp)> {
        let start = self.spans.iter().map(|s| s.start).min()?;
        let end = self.spans.iter().map(|s| s.event.recorded_at).max()?;
        Some((start, end))
    }

    /// The events directly caused by the one at `position`.
    pub fn effects_of(&self, position: Position) -> impl Iterator<Item = &Span<'a, E>> {
        self.spans
            .iter()
            .filter(move |span| span.causes.contains(&position))
    }

    /// How many events wait on more than one cause (fan-in) and cause more than one (fan-out).
    pub fn fan(&self) -> (usize, usize) {
        let fan_in = self.spans.iter().filter(|s| s.causes.len() > 1).count();
        let fan_out = self
            .spans
            .iter()
            .filter(|s| self.effects_of(s.event.position).count() > 1)
            .count();
        (fan_in, fan_out)
    }

    pub fn dangling(&self) -> impl Iterator<Item = &Span<'a, E>> {
        self.spans
            .iter()
            .filter(|span| span.dangling_cause.is_some())
    }
}

/// The correlation ids whose text starts with `prefix` (at most `limit`), for a search box.
pub fn find_correlations<E: DomainEvent>(
    store: &EventStore<E>,
    prefix: &str,
    limit: usize,
) -> Vec<CorrelationId> {
    let prefix = prefix.trim().to_ascii_lowercase();
    if prefix.is_empty() {
        return Vec::new();
    }
    let mut found: Vec<CorrelationId> = Vec::new();
    for event in store.events() {
        if found.len() >= limit {
            break;
        }
        let id = event.correlation_id;
        if !found.contains(&id)
            && (id.0.to_string().starts_with(&prefix)
                || id.0.simple().to_string().starts_with(&prefix))
        {
            found.push(id);
        }
    }
    found
}
