//! A second domain on the kernel alone: the counter domain (`support::counter`) exercises the
//! store, a projection, history and seek, a temporal diff with blame and delivery, depending
//! only on `eventide-engine`. Nothing here names the shop.

mod support;

use std::collections::BTreeMap;
use std::ops::Range;

use eventide_engine::delivery::{Bus, DeliverySettings, Outcome};
use eventide_engine::history::History;
use eventide_engine::projection::{Cell, ChangeSet, NoRows, Projection, Row};
use eventide_engine::temporal::{diff_between, BlameLimits, RowChange};
use eventide_engine::{Named, PayloadReads, Position, Recorded};
use support::counter::*;

/// Each meter's running total: increments add, a reset empties it.
#[derive(Clone, Debug, Default, PartialEq)]
struct Totals(BTreeMap<String, (u64, Position)>);

impl Projection<Tally> for Totals {
    const NAME: &'static str = "Totals";
    const QUESTION: &'static str = "What does each meter read?";
    const COLUMNS: &'static [&'static str] = &["Meter", "Total", "Last event"];
    const CONSUMES: &'static [TallyKind] = TallyKind::ALL;
    const READS: PayloadReads<TallyKind> = &[(TallyKind::Incremented, &["by"])];
    /// A meter's name.
    type Key = String;

    fn apply(&mut self, event: &Recorded<Tally>, changes: &mut impl ChangeSet<String>) {
        let meter = event.stream.to_string();
        changes.touched(meter.clone());
        match event.event {
            Tally::Incremented { by } => {
                let entry = self.0.entry(meter).or_default();
                entry.0 += u64::from(by);
                entry.1 = event.position;
            }
            Tally::Reset {} => {
                self.0.insert(meter, (0, event.position));
            }
        }
    }

    fn row_count(&self) -> usize {
        self.0.len()
    }

    fn rows(&self, range: Range<usize>) -> Vec<Row> {
        self.0
            .iter()
            .skip(range.start)
            .take(range.len())
            .map(|(meter, (total, at))| Row {
                key: meter.clone(),
                cells: vec![
                    Cell::Text(meter.clone()),
                    Cell::Count(i64::try_from(*total).unwrap_or(i64::MAX)),
                    Cell::Event(*at),
                ],
            })
            .collect()
    }

    fn unshared_bytes(&self, _earlier: &Self) -> usize {
        0
    }
}

/// counter-1 += 2, counter-2 += 5, counter-1 += 3, counter-1 reset, gauge-1 += 7.
fn log() -> TallyStore {
    store_with([
        (Meter::Counter(1), incremented(1, 2)),
        (Meter::Counter(2), incremented(2, 5)),
        (Meter::Counter(1), incremented(3, 3)),
        (Meter::Counter(1), reset(4)),
        (Meter::Gauge(1), incremented(5, 7)),
    ])
}

fn total(history: &History<Tally>, meter: &str) -> Option<u64> {
    let totals = history.at_cursor().get::<Totals>()?;
    totals.0.get(meter).map(|(total, _)| *total)
}

#[test]
fn a_second_domain_folds_seeks_and_diffs_on_the_kernel_alone() {
    let store = log();
    let mut history = History::new(2);
    history.register(Box::new(Totals::default()), &store);
    assert_eq!(total(&history, "counter-1"), Some(0));
    assert_eq!(total(&history, "gauge-1"), Some(7));

    history.seek(&store, Position(3));
    assert_eq!(total(&history, "counter-1"), Some(5));
    assert_eq!(total(&history, "gauge-1"), None);
    history.go_live();
    assert_eq!(
        history.live().get::<Totals>(),
        history.rebuild(&store).get::<Totals>()
    );

    let diffs = diff_between(
        &history,
        &store,
        Position(3),
        Position(5),
        BlameLimits::default(),
    );
    let totals = diffs
        .iter()
        .find(|diff| diff.model == "Totals")
        .expect("Totals diffs");
    assert!(totals
        .changes
        .iter()
        .any(|change| matches!(change, RowChange::Added(row) if row.key == "gauge-1")));
    let blame = totals
        .field_blame
        .get("counter-1")
        .and_then(|row| row.field("Total"));
    assert_eq!(blame.map(|blame| blame.position()), Some(Position(4)));
}

#[test]
fn a_second_domain_is_delivered_exactly_once_when_asked() {
    let store = log();
    let mut bus: Bus<Tally> = Bus::new(7);
    let resets = bus.subscribe(
        "resets",
        &[TallyKind::Reset],
        DeliverySettings::exactly_once(),
    );
    for event in store.events() {
        bus.publish(event, event.recorded_at);
    }
    let mut handled = Vec::new();
    while let Some(due) = bus.next_due() {
        let attempt = bus.pop_due(due).expect("a delivery is due");
        assert_eq!(attempt.delivery().subscription, resets);
        handled.push(attempt.delivery().position);
        bus.complete(attempt, Outcome::Handled, due);
    }
    assert_eq!(handled, [Position(4)]);
}

/// The positions of the events a model was handed: what a set routes to it.
#[derive(Clone, Debug, Default, PartialEq)]
struct Seen<const EVERY: bool>(Vec<u64>);

impl<const EVERY: bool> Projection<Tally> for Seen<EVERY> {
    const NAME: &'static str = if EVERY { "Everything" } else { "Resets" };
    const QUESTION: &'static str = "Which events was it handed?";
    const COLUMNS: &'static [&'static str] = &[];
    const CONSUMES: &'static [TallyKind] = &[TallyKind::Reset];
    const READS: PayloadReads<TallyKind> = &[(TallyKind::Reset, &[])];
    const FOLDS_EVERY_TYPE: bool = EVERY;
    type Key = NoRows;

    fn apply(&mut self, event: &Recorded<Tally>, _changes: &mut impl ChangeSet<NoRows>) {
        self.0.push(event.position.0);
    }
    fn row_count(&self) -> usize {
        0
    }
    fn rows(&self, _range: Range<usize>) -> Vec<Row> {
        Vec::new()
    }
    fn unshared_bytes(&self, _earlier: &Self) -> usize {
        0
    }
}

#[test]
fn a_model_is_handed_only_the_types_it_consumes_unless_it_folds_every_type() {
    let store = log();
    let mut history = History::new(2);
    history.register(Box::new(Seen::<false>::default()), &store);
    history.register(Box::new(Seen::<true>::default()), &store);

    let live = history.live();
    assert_eq!(
        live.get::<Seen<false>>().map(|s| s.0.clone()),
        Some(vec![4])
    );
    assert_eq!(
        live.get::<Seen<true>>().map(|s| s.0.clone()),
        Some(vec![1, 2, 3, 4, 5])
    );
    // Seeks fold from a checkpoint through the same routes.
    history.seek(&store, Position(3));
    let past = history.at_cursor();
    assert_eq!(past.get::<Seen<false>>().map(|s| s.0.len()), Some(0));
    assert_eq!(past.get::<Seen<true>>().map(|s| s.0.len()), Some(3));
}

/// Reads every event as recorded, counting how often it was asked to: resets never evolved.
#[derive(Default)]
struct CountingUpcasting(std::sync::atomic::AtomicUsize);

impl eventide_engine::envelope::Upcasting<Tally> for CountingUpcasting {
    fn read(&self, _event: &Recorded<Tally>) -> Option<Recorded<Tally>> {
        self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        None
    }
    fn evolves(&self, kind: TallyKind) -> bool {
        kind == TallyKind::Incremented
    }
}

#[test]
fn events_of_a_type_that_never_evolved_are_not_upcast() {
    let store = log();
    let mut history = History::new(100);
    history.register(Box::new(Totals::default()), &store);
    let upcasting = std::sync::Arc::new(CountingUpcasting::default());

    history.set_upcasting(Some(upcasting.clone()), &store);

    // The four increments were asked about once each; the reset not at all.
    assert_eq!(upcasting.0.load(std::sync::atomic::Ordering::Relaxed), 4);
    assert_eq!(total(&history, "counter-1"), Some(0));
    assert_eq!(total(&history, "gauge-1"), Some(7));
}

#[test]
fn a_second_domain_keeps_the_payload_contract_under_its_own_tag() {
    for event in [Tally::Incremented { by: 3 }, Tally::Reset {}] {
        assert_eq!(eventide_engine::check_payload_contract(&event), Ok(()));
    }
    let store = log();
    assert_eq!(
        store.events()[0].to_json()["payload"],
        serde_json::json!({"by": 2})
    );
}
