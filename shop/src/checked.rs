//! Envelopes the shop has checked, and the one way a log is replayed into a [`Shop`].
//!
//! Every payload a shop holds was validated on its way in ([`Shop::execute`],
//! [`Shop::publish`], or an import's check), so envelopes read back from a shop's own log or
//! from a checked file replay as they are. Nothing else can reach [`Shop::replay`]: a
//! [`Checked`] is made only by this crate, so "every payload is validated" is a type, not a
//! convention callers keep.
//!
//! Outside this crate there is no way around it: no public append,
//!
//! ```compile_fail
//! # use eventide_engine::{store::ExpectedVersion, NewEvent, Timestamp};
//! # use eventide_shop::{Shop, ShopEvent, ShopStream};
//! fn bypass(shop: &mut Shop, stream: ShopStream, events: Vec<NewEvent<ShopEvent>>) {
//!     let _ = shop.append(stream, ExpectedVersion::Any, events, Timestamp(0));
//! }
//! ```
//!
//! no `Shop` as the kernel's replay target,
//!
//! ```compile_fail
//! # use eventide_shop::{Shop, ShopRecorded};
//! fn bypass(shop: &mut Shop, events: Vec<ShopRecorded>) {
//!     let _ = eventide_engine::replay::replay(shop, events);
//! }
//! ```
//!
//! and no checked log made of unchecked envelopes:
//!
//! ```compile_fail
//! # use eventide_shop::ShopRecorded;
//! fn bypass(events: Vec<ShopRecorded>) -> eventide_shop::checked::CheckedLog {
//!     eventide_shop::checked::CheckedLog(events)
//! }
//! ```

use std::ops::Range;

use eventide_engine::replay::{self, ReplayError, ReplayTarget};
use eventide_engine::store::{AppendError, Appended, ExpectedVersion};
use eventide_engine::{EventId, NewEvent, Position, Timestamp};

use crate::{Shop, ShopEvent, ShopRecorded, ShopStream};
use eventide_engine::store::LogSlice;
use eventide_engine::StreamKey;
use rustc_hash::FxHashSet;
use std::collections::BTreeSet;

/// A checked file's envelopes, owned until they are replayed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CheckedLog(Vec<ShopRecorded>);

impl CheckedLog {
    pub(crate) fn new(events: Vec<ShopRecorded>) -> Self {
        Self(events)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn events(&self) -> &[ShopRecorded] {
        &self.0
    }

    pub fn as_checked(&self) -> Checked<'_> {
        Checked(LogSlice::from(&self.0))
    }
}

/// Envelopes borrowed from a checked file or a shop's log, in position order.
#[derive(Clone, Copy, Debug)]
pub struct Checked<'a>(LogSlice<'a, ShopRecorded>);

impl<'a> Checked<'a> {
    pub fn len(self) -> usize {
        self.0.len()
    }

    pub fn is_empty(self) -> bool {
        self.0.is_empty()
    }

    /// The envelopes at these indexes (a chunk of a replay), cut to what there is.
    pub fn slice(self, range: Range<usize>) -> Checked<'a> {
        Checked(self.0.slice(range))
    }
}

impl Shop {
    /// This shop's whole log, every payload validated when it was appended: what a branch
    /// replays of the line it forks.
    pub fn recorded(&self) -> Checked<'_> {
        Checked(self.store().events())
    }

    /// Appends checked envelopes exactly as they were recorded, through the kernel's
    /// [`replay`](replay::replay), folding each into the aggregates and read models. Stops at
    /// the first one out of place (see [`ReplayError`]); the ones before it stay in.
    pub fn replay(&mut self, events: Checked<'_>) -> Result<(), ReplayError<ShopStream>> {
        replay::replay(&mut Replaying(self), events.0.iter().cloned()).map(|_| ())
    }

    /// What leaving `picked` out of the log takes with it: the picked events, each event caused
    /// by one left out (through its causation, however far down), and the rest of every
    /// aggregate's stream a left-out event opened (had the order not been placed, nothing more
    /// would have happened to it). A stream a left-out event only added to (a product's stock,
    /// shared by every order) keeps its other events.
    pub fn leave_out(&self, picked: &BTreeSet<Position>) -> BTreeSet<Position> {
        let mut out = picked.clone();
        let Some(&first) = picked.first() else {
            return out;
        };
        let events = self.store().events();
        let mut ids: FxHashSet<EventId> = FxHashSet::default();
        let mut streams: FxHashSet<ShopStream> = FxHashSet::default();
        for event in events.iter().skip(first.0.saturating_sub(1) as usize) {
            let follows = event.causation_id.is_some_and(|cause| ids.contains(&cause))
                || streams.contains(&event.stream);
            if follows || picked.contains(&event.position) {
                out.insert(event.position);
                ids.insert(event.id);
                if event.stream.category().is_ruled() && event.version.0 == 1 {
                    streams.insert(event.stream);
                }
            }
        }
        out
    }

    /// The counterfactual line: the envelopes `skip` does not name, appended in order as if
    /// the skipped ones had never been recorded. Each keeps its id, times, flow and payload;
    /// positions close up and each stream's versions count only what it kept. The aggregates
    /// and read models fold what is left (no rule is checked again: the log says what
    /// happened, and this asks what the views would say without some of it).
    pub fn replay_without(
        &mut self,
        events: Checked<'_>,
        skip: impl Fn(Position) -> bool,
    ) -> Result<usize, AppendError<ShopStream>> {
        let mut kept = 0;
        for recorded in events.0.iter().filter(|recorded| !skip(recorded.position)) {
            let event = NewEvent {
                id: recorded.id,
                occurred_at: Some(recorded.occurred_at),
                schema_version: recorded.schema_version,
                correlation_id: recorded.correlation_id,
                causation_id: recorded.causation_id,
                metadata: recorded.metadata.clone(),
                event: recorded.event.clone(),
            };
            self.append_checked(
                recorded.stream,
                ExpectedVersion::Any,
                vec![event],
                recorded.recorded_at,
            )?;
            kept += 1;
        }
        Ok(kept)
    }
}

/// The shop as the kernel's replay target: reachable only through [`Shop::replay`].
struct Replaying<'s>(&'s mut Shop);

impl ReplayTarget<ShopEvent> for Replaying<'_> {
    fn head(&self) -> Position {
        self.0.store().head()
    }
    fn contains(&self, id: EventId) -> bool {
        self.0.store().contains(id)
    }
    fn append(
        &mut self,
        stream: ShopStream,
        expected: ExpectedVersion,
        events: Vec<NewEvent<ShopEvent>>,
        recorded_at: Timestamp,
    ) -> Result<Appended, AppendError<ShopStream>> {
        self.0.append_checked(stream, expected, events, recorded_at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generator::{generate_orders, GeneratorConfig};

    /// The first order's placing: its position, id and stream.
    fn first_order_placed(shop: &Shop) -> (Position, EventId, ShopStream) {
        shop.store()
            .events()
            .iter()
            .find(|event| matches!(event.event, crate::ShopEvent::OrderPlaced { .. }))
            .map(|event| (event.position, event.id, event.stream))
            .expect("an order")
    }

    #[test]
    fn a_shop_replays_another_shops_log_in_chunks() {
        let mut source = Shop::new();
        generate_orders(&mut source, GeneratorConfig::new(3, Timestamp(0)), 20).expect("runs");
        let mut copy = Shop::new();
        let all = source.recorded();
        let mut done = 0;
        while done < all.len() {
            copy.replay(all.slice(done..done + 7)).expect("replays");
            done += 7;
        }
        assert_eq!(copy.store().events(), source.store().events());
        assert!(
            all.slice(done..done + 7).is_empty(),
            "a slice past the end is empty"
        );
    }

    #[test]
    fn a_line_without_some_events_closes_up_and_folds_what_is_left() {
        let mut source = Shop::new();
        generate_orders(&mut source, GeneratorConfig::new(3, Timestamp(0)), 20).expect("runs");
        let first_order = first_order_placed(&source);
        let (skipped, skipped_id, stream) = first_order;
        let mut without = Shop::new();
        let all = source.recorded();
        let kept = without
            .replay_without(all.slice(0..10), |p| p == skipped)
            .and_then(|a| {
                Ok(a + without.replay_without(all.slice(10..all.len()), |p| p == skipped)?)
            })
            .expect("replays");
        assert_eq!(kept, all.len() - 1);
        assert!(!without.store().contains(skipped_id));
        let positions: Vec<u64> = without
            .store()
            .events()
            .iter()
            .map(|e| e.position.0)
            .collect();
        assert_eq!(
            positions,
            (1..=kept as u64).collect::<Vec<_>>(),
            "positions close up"
        );
        assert_eq!(
            without.store().stream_version(stream).0 + 1,
            source.store().stream_version(stream).0,
            "the order's stream counts one event fewer"
        );
        // Every other event is there, in order, as it was.
        let ids = |shop: &Shop| -> Vec<_> {
            shop.store()
                .events()
                .iter()
                .map(|e| e.id)
                .filter(|id| *id != skipped_id)
                .collect()
        };
        assert_eq!(ids(&without), ids(&source));
        // Its read models folded what is left: the order is missing from them, nothing else.
        let differ =
            eventide_engine::temporal::diff(source.history().live(), without.history().live());
        assert!(
            differ.iter().any(|model| model.counts().1 > 0),
            "a row only on the real line: {differ:?}"
        );
        // The orders after the one left out are all there, and the next number is not reused.
        let order_of = |position: Position| match source.store().get(position).map(|e| &e.event) {
            Some(crate::ShopEvent::OrderPlaced { order, .. }) => *order,
            other => panic!("not an order: {other:?}"),
        };
        let gone = order_of(skipped);
        assert!(without.aggregates().order(gone).is_none());
        let others = source.aggregates().order_count() as u32;
        for n in (1..=others).filter(|n| *n != gone.0) {
            assert!(
                without.aggregates().order(crate::ids::OrderId(n)).is_some(),
                "O-{n}"
            );
        }
        assert_eq!(
            without.aggregates().next_order_id(),
            source.aggregates().next_order_id()
        );
    }

    #[test]
    fn leaving_an_order_out_takes_what_followed_from_it() {
        // The services' log: each reaction caused by what it reacted to, reservations on
        // product streams every order shares.
        let mut simulation = crate::simulation::Simulation::new(
            crate::simulation::SimulationConfig::new(5, 12, Timestamp(0)),
        )
        .expect("the storefront opens");
        simulation.run(u64::MAX).expect("the run completes");
        let source = simulation.shop();
        let placed = first_order_placed(source);
        let (at, id, stream) = placed;
        let out = source.leave_out(&BTreeSet::from([at]));
        // Exactly what followed from it: its order's stream, and what any of that caused.
        let taken: FxHashSet<EventId> = source
            .store()
            .events()
            .iter()
            .filter(|event| out.contains(&event.position))
            .map(|event| event.id)
            .collect();
        for event in source.store().events().iter().filter(|e| e.position > at) {
            let follows = event.stream == stream
                || event
                    .causation_id
                    .is_some_and(|cause| taken.contains(&cause));
            assert_eq!(
                out.contains(&event.position),
                follows,
                "#{} {:?}",
                event.position.0,
                event.event
            );
        }
        assert!(taken.contains(&id));
        assert!(out.len() > 1, "an order has consequences: {out:?}");
        let orders: FxHashSet<ShopStream> = out
            .iter()
            .filter_map(|at| source.store().get(*at))
            .filter(|event| matches!(event.stream, ShopStream::Order(_)))
            .map(|event| event.stream)
            .collect();
        assert_eq!(orders.len(), 1, "no other order goes with it: {orders:?}");
    }

    #[test]
    fn a_chunk_out_of_place_is_refused_and_named() {
        let mut source = Shop::new();
        generate_orders(&mut source, GeneratorConfig::new(3, Timestamp(0)), 5).expect("runs");
        let mut copy = Shop::new();
        let error = copy
            .replay(source.recorded().slice(2..4))
            .expect_err("the first two are missing");
        assert_eq!(error.index, 0);
        assert!(copy.store().is_empty());
    }
}
