//! Test fixtures: a log of stock receipts and two small read models over it, small enough to
//! say which event changed which field.

// The test domain has one event type, so matching it is irrefutable.
#![allow(irrefutable_let_patterns)]

use std::collections::BTreeMap;
use std::ops::Range;

use uuid::Uuid;

use crate::envelope::{NewEvent, Recorded};
use crate::history::History;
use crate::ids::{EventId, Position, Timestamp};
use crate::projection::{Cell, ChangeSet, Projection, Row};
use crate::store::{EventStore, ExpectedVersion};
use crate::test_domain::StockStream as ShopStream;
use crate::test_domain::{Sku, StockEvent as ShopEvent, StockEventKind as ShopEventKind};

/// Per product: the last quantity received and whether it was odd. Receiving nothing
/// removes the product. Small enough to say which event changed which field.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct Receipts(BTreeMap<u16, (u32, Position)>);

impl Projection<ShopEvent> for Receipts {
    const NAME: &'static str = "Receipts";
    const QUESTION: &'static str = "What did each product last receive?";
    const COLUMNS: &'static [&'static str] = &["SKU", "Last", "Parity", "Last event"];
    const CONSUMES: &'static [ShopEventKind] = &[ShopEventKind::StockReceived];
    const READS: crate::PayloadReads<ShopEventKind> =
        &[(ShopEventKind::StockReceived, &["sku", "quantity"])];
    type Key = Sku;

    fn apply(&mut self, event: &Recorded<ShopEvent>, changes: &mut impl ChangeSet<Sku>) {
        if let ShopEvent::StockReceived { sku, quantity } = event.event {
            changes.touched(sku);
            if quantity == 0 {
                self.0.remove(&sku.0);
            } else {
                self.0.insert(sku.0, (quantity, event.position));
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
            .map(|(sku, (quantity, at))| Row {
                key: Sku(*sku).to_string(),
                cells: vec![
                    Cell::Text(Sku(*sku).to_string()),
                    Cell::Count(i64::from(*quantity)),
                    Cell::Text(if quantity % 2 == 1 { "odd" } else { "even" }.into()),
                    Cell::Event(*at),
                ],
            })
            .collect()
    }
    fn unshared_bytes(&self, _earlier: &Self) -> usize {
        0
    }
}

/// Units received per product, with no `Event` column: nothing says what touched a row.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct Units(BTreeMap<u16, i64>);

impl Projection<ShopEvent> for Units {
    const NAME: &'static str = "Units";
    const QUESTION: &'static str = "How many units did each product receive?";
    const COLUMNS: &'static [&'static str] = &["SKU", "Units"];
    const CONSUMES: &'static [ShopEventKind] = &[ShopEventKind::StockReceived];
    const READS: crate::PayloadReads<ShopEventKind> =
        &[(ShopEventKind::StockReceived, &["sku", "quantity"])];
    type Key = Sku;

    fn apply(&mut self, event: &Recorded<ShopEvent>, changes: &mut impl ChangeSet<Sku>) {
        if let ShopEvent::StockReceived { sku, quantity } = event.event {
            changes.touched(sku);
            *self.0.entry(sku.0).or_default() += i64::from(quantity);
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
            .map(|(sku, units)| Row {
                key: Sku(*sku).to_string(),
                cells: vec![Cell::Text(Sku(*sku).to_string()), Cell::Count(*units)],
            })
            .collect()
    }
    fn unshared_bytes(&self, _earlier: &Self) -> usize {
        0
    }
}

/// A log of receipts `(sku, quantity)`, event n at position n, with both models registered.
pub(super) fn log(
    receipts: &[(u16, u32)],
    interval: u64,
) -> (EventStore<ShopEvent>, History<ShopEvent>) {
    let mut store = EventStore::new();
    for (n, &(sku, quantity)) in receipts.iter().enumerate() {
        let event = ShopEvent::StockReceived {
            sku: Sku(sku),
            quantity,
        };
        let id = EventId(Uuid::from_u128(n as u128 + 1));
        store
            .append(
                ShopStream::Inventory(Sku(sku)),
                ExpectedVersion::Any,
                vec![NewEvent::new(id, event)],
                Timestamp::from_millis(n as i64 * 1000),
            )
            .expect("appended");
    }
    let mut history = History::new(interval);
    history.register(Box::new(Receipts::default()), &store);
    history.register(Box::new(Units::default()), &store);
    (store, history)
}
