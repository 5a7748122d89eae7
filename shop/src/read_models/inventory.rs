//! Inventory levels: "how much of each product is on hand, promised and free to sell?"

use std::ops::Range;
use std::rc::Rc;

use crate::catalog;
use crate::events::{ShopEvent, ShopEventKind, ShopEventKind as K};
use crate::ids::Sku;
use eventide_engine::envelope::{PayloadReads, Recorded};
use eventide_engine::ids::Position;
use eventide_engine::projection::{Cell, ChangeSet, ColumnSet, Projection, Refreshed, Row, Wanted};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StockLevel {
    pub sku: Sku,
    pub on_hand: i64,
    pub reserved: i64,
    pub shipped: i64,
    pub last_event: Position,
}

impl StockLevel {
    /// What can still be promised to a new order.
    pub fn available(&self) -> i64 {
        self.on_hand - self.reserved
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct InventoryLevels {
    /// Sorted by SKU. The catalog is small, so a shared vector copied on write is cheapest.
    levels: Rc<Vec<StockLevel>>,
}

impl InventoryLevels {
    pub fn get(&self, sku: Sku) -> Option<&StockLevel> {
        let index = self
            .levels
            .binary_search_by_key(&sku, |level| level.sku)
            .ok()?;
        self.levels.get(index)
    }

    pub fn iter(&self) -> impl Iterator<Item = &StockLevel> {
        self.levels.iter()
    }

    /// The levels to write to, copied first if a checkpoint still shares them: once an event,
    /// however many lines it touches.
    fn levels_mut(&mut self) -> &mut Vec<StockLevel> {
        Rc::make_mut(&mut self.levels)
    }
}

/// The level of `sku` in `levels` (sorted by SKU), added if it is new, marked as changed `at`.
fn level(levels: &mut Vec<StockLevel>, sku: Sku, at: Position) -> &mut StockLevel {
    // The catalog's SKUs run 1, 2, 3, ...: SKU n is usually at n - 1, with no search.
    let direct = usize::from(sku.0)
        .checked_sub(1)
        .filter(|&index| levels.get(index).is_some_and(|level| level.sku == sku));
    let found = match direct {
        Some(index) => Ok(index),
        None => levels.binary_search_by_key(&sku, |level| level.sku),
    };
    let index = match found {
        Ok(index) => index,
        Err(index) => {
            levels.insert(
                index,
                StockLevel {
                    sku,
                    on_hand: 0,
                    reserved: 0,
                    shipped: 0,
                    last_event: at,
                },
            );
            index
        }
    };
    let level = &mut levels[index];
    level.last_event = at;
    level
}

fn level_row(level: &StockLevel) -> Row {
    Row {
        key: level.sku.to_string(),
        cells: vec![
            Cell::Text(level.sku.to_string()),
            Cell::Text(
                catalog::product(level.sku)
                    .map_or("?", |p| p.name)
                    .to_string(),
            ),
            Cell::Count(level.on_hand),
            Cell::Count(level.reserved),
            Cell::Count(level.available()),
            Cell::Count(level.shipped),
            Cell::Event(level.last_event),
        ],
    }
}

impl Projection<ShopEvent> for InventoryLevels {
    const NAME: &'static str = "Inventory";
    const QUESTION: &'static str = "How much of each product is on hand, reserved and available?";
    const COLUMNS: &'static [&'static str] = &[
        "SKU",
        "Product",
        "On hand",
        "Reserved",
        "Available",
        "Shipped",
        "Last event",
    ];
    const CONSUMES: &'static [ShopEventKind] = &[
        K::StockReceived,
        K::InventoryReserved,
        K::InventoryReleased,
        K::ShipmentDispatched,
    ];
    const READS: PayloadReads<ShopEventKind> = &[
        (K::StockReceived, &["sku", "quantity"]),
        (K::InventoryReserved, &["sku", "quantity"]),
        (K::InventoryReleased, &["sku", "quantity"]),
        // The units that left, line by line.
        (K::ShipmentDispatched, &["lines"]),
    ];
    type Key = Sku;

    fn apply(&mut self, event: &Recorded<ShopEvent>, changes: &mut impl ChangeSet<Sku>) {
        let at = event.position;
        match &event.event {
            ShopEvent::StockReceived { sku, quantity } => {
                changes.touched(*sku);
                level(self.levels_mut(), *sku, at).on_hand += i64::from(*quantity);
            }
            ShopEvent::InventoryReserved { sku, quantity, .. } => {
                changes.touched(*sku);
                level(self.levels_mut(), *sku, at).reserved += i64::from(*quantity);
            }
            ShopEvent::InventoryReleased { sku, quantity, .. } => {
                changes.touched(*sku);
                level(self.levels_mut(), *sku, at).reserved -= i64::from(*quantity);
            }
            ShopEvent::ShipmentDispatched { lines, .. } if !lines.is_empty() => {
                let levels = self.levels_mut();
                for line in lines {
                    changes.touched(line.sku);
                    let level = level(levels, line.sku, at);
                    let quantity = i64::from(line.quantity);
                    level.on_hand -= quantity;
                    level.reserved -= quantity;
                    level.shipped += quantity;
                }
            }
            _ => {}
        }
    }

    fn row_count(&self) -> usize {
        self.levels.len()
    }

    fn rows(&self, range: Range<usize>) -> Vec<Row> {
        self.levels
            .iter()
            .skip(range.start)
            .take(range.len())
            .map(level_row)
            .collect()
    }

    fn row_by_key(&self, sku: &Sku) -> Option<Row> {
        self.get(*sku).map(level_row)
    }

    fn row(&self, key: &str) -> Option<Row> {
        self.row_by_key(&key.parse().ok()?)
            .filter(|row| row.key == key)
    }

    /// A product's SKU and name never change: only the counts are compared and written.
    fn refresh(&self, sku: &Sku, row: &mut Row) -> Option<Refreshed> {
        let Some(level) = self.get(*sku) else {
            return Some(Refreshed::Gone);
        };
        let counts = [
            level.on_hand,
            level.reserved,
            level.available(),
            level.shipped,
        ];
        let cells = row.cells.get_mut(2..6)?;
        let mut changed = ColumnSet::EMPTY;
        for (offset, (cell, count)) in cells.iter_mut().zip(counts).enumerate() {
            changed.write(2 + offset, cell, Cell::Count(count));
        }
        Some(Refreshed::Columns(changed))
    }

    fn parse_key(text: &str) -> Option<Sku> {
        text.parse().ok()
    }

    fn settles(&self, column: &str, wanted: &Wanted) -> bool {
        // Units shipped only ever grow.
        matches!(wanted, Wanted::AtLeast(_)) && column.eq_ignore_ascii_case("Shipped")
    }

    fn unshared_bytes(&self, earlier: &Self) -> usize {
        if Rc::ptr_eq(&self.levels, &earlier.levels) {
            0
        } else {
            self.levels.capacity() * std::mem::size_of::<StockLevel>()
        }
    }
}
