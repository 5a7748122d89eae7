//! Activity per minute: "how busy was the shop, minute by minute?", newest minute first.
//! Recorded time never runs backwards, so buckets are only ever appended or updated at the end.

use std::ops::Range;

use crate::events::{ShopEvent, ShopEventKind, ShopEventKind as K};
use crate::ids::Money;
use eventide_engine::envelope::{PayloadReads, Recorded};
use eventide_engine::ids::{Position, Timestamp};
use eventide_engine::persistent::ChunkedVec;
use eventide_engine::projection::{
    differences_by_index, Cell, ChangeSet, ColumnSet, Projection, Refreshed, Row, RowDifference,
    Wanted,
};

const MINUTE_MS: i64 = 60_000;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MinuteBucket {
    /// The bucket's start.
    pub minute: Timestamp,
    pub events: u32,
    pub orders_placed: u32,
    pub revenue: Money,
    pub last_event: Position,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ActivityPerMinute {
    buckets: ChunkedVec<MinuteBucket>,
}

impl ActivityPerMinute {
    /// Newest first.
    pub fn iter(&self) -> impl Iterator<Item = &MinuteBucket> {
        self.buckets.iter().rev()
    }

    pub fn len(&self) -> usize {
        self.buckets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.buckets.is_empty()
    }

    /// Where this minute's bucket is: buckets are in minute order, so a binary search.
    fn buckets_index(&self, minute: Timestamp) -> Option<usize> {
        let (mut low, mut high) = (0, self.buckets.len());
        while low < high {
            let middle = low + (high - low) / 2;
            match self.buckets.get(middle)?.minute.cmp(&minute) {
                std::cmp::Ordering::Less => low = middle + 1,
                std::cmp::Ordering::Greater => high = middle,
                std::cmp::Ordering::Equal => return Some(middle),
            }
        }
        None
    }
}

fn bucket_row(bucket: &MinuteBucket) -> Row {
    Row {
        key: bucket.minute.to_rfc3339(),
        cells: vec![
            Cell::Time(bucket.minute),
            Cell::Count(i64::from(bucket.events)),
            Cell::Count(i64::from(bucket.orders_placed)),
            Cell::Cents(bucket.revenue.cents()),
            Cell::Event(bucket.last_event),
        ],
    }
}

impl Projection<ShopEvent> for ActivityPerMinute {
    const NAME: &'static str = "Activity";
    const QUESTION: &'static str = "How many events, orders and how much revenue each minute?";
    const COLUMNS: &'static [&'static str] =
        &["Minute", "Events", "Orders placed", "Revenue", "Last event"];
    const CONSUMES: &'static [ShopEventKind] =
        &[K::OrderPlaced, K::PaymentProcessed, K::OrderCancelled];
    // An order placed is counted, whatever it holds; money comes from payments and refunds.
    const READS: PayloadReads<ShopEventKind> = &[
        (K::OrderPlaced, &[]),
        (K::PaymentProcessed, &["amount"]),
        (K::OrderCancelled, &["refunded"]),
    ];
    // Every event counts in its minute's bucket, whatever its type: the time is the envelope's.
    const FOLDS_EVERY_TYPE: bool = true;
    /// A bucket is keyed by its minute's start.
    type Key = Timestamp;

    fn apply(&mut self, event: &Recorded<ShopEvent>, changes: &mut impl ChangeSet<Timestamp>) {
        // In the last bucket's minute iff less than a minute after its (aligned) start: no
        // division for the events of a minute but its first.
        let at = event.recorded_at.0;
        let current = self.buckets.last_mut().filter(|bucket| {
            at.checked_sub(bucket.minute.0)
                .is_some_and(|since| (0..MINUTE_MS).contains(&since))
        });
        let bucket = match current {
            Some(bucket) => bucket,
            None => {
                self.buckets.push(MinuteBucket {
                    minute: Timestamp(at.div_euclid(MINUTE_MS) * MINUTE_MS),
                    events: 0,
                    orders_placed: 0,
                    revenue: Money::ZERO,
                    last_event: event.position,
                });
                match self.buckets.last_mut() {
                    Some(bucket) => bucket,
                    None => return,
                }
            }
        };
        changes.touched(bucket.minute);
        bucket.events += 1;
        bucket.last_event = event.position;
        match &event.event {
            ShopEvent::OrderPlaced { .. } => bucket.orders_placed += 1,
            ShopEvent::PaymentProcessed { amount, .. } => bucket.revenue = bucket.revenue + *amount,
            ShopEvent::OrderCancelled { refunded, .. } => {
                bucket.revenue = bucket.revenue - *refunded
            }
            _ => {}
        }
    }

    fn row_count(&self) -> usize {
        self.buckets.len()
    }

    fn rows(&self, range: Range<usize>) -> Vec<Row> {
        self.iter()
            .skip(range.start)
            .take(range.len())
            .map(bucket_row)
            .collect()
    }

    /// Buckets are in ascending minutes, so a binary search finds one (a diff's blame asks
    /// for rows one at a time, at many positions).
    fn row(&self, key: &str) -> Option<Row> {
        self.row_by_key(&Timestamp::parse(key)?)
            .filter(|row| row.key == key)
    }

    fn row_by_key(&self, minute: &Timestamp) -> Option<Row> {
        self.buckets
            .get(self.buckets_index(*minute)?)
            .map(bucket_row)
    }

    fn settles(&self, column: &str, wanted: &Wanted) -> bool {
        matches!(wanted, Wanted::AtLeast(_))
            && ["Events", "Orders placed"]
                .iter()
                .any(|c| c.eq_ignore_ascii_case(column))
    }

    fn unshared_bytes(&self, earlier: &Self) -> usize {
        self.buckets.unshared_bytes(&earlier.buckets)
    }

    fn refresh(&self, minute: &Timestamp, row: &mut Row) -> Option<Refreshed> {
        let index = self.buckets_index(*minute);
        let Some(bucket) = index.and_then(|index| self.buckets.get(index)) else {
            return Some(Refreshed::Gone);
        };
        let [_, events, orders, revenue, ..] = row.cells.as_mut_slice() else {
            return None;
        };
        let mut changed = ColumnSet::EMPTY;
        changed.write(1, events, Cell::Count(i64::from(bucket.events)));
        changed.write(2, orders, Cell::Count(i64::from(bucket.orders_placed)));
        changed.write(3, revenue, Cell::Cents(bucket.revenue.cents()));
        Some(Refreshed::Columns(changed))
    }

    /// Buckets are only ever appended (recorded time never decreases): the two states side
    /// by side, comparing what a row shows (all but the last event).
    fn differences(&self, earlier: &Self) -> Option<Vec<(Timestamp, RowDifference)>> {
        let at = |model: &Self, index: usize| {
            let bucket = model.buckets.get(index)?;
            let shown = (bucket.events, bucket.orders_placed, bucket.revenue);
            Some((bucket.minute, shown))
        };
        differences_by_index(
            self.buckets.len().max(earlier.buckets.len()),
            |index| at(earlier, index),
            |index| at(self, index),
        )
    }
}
