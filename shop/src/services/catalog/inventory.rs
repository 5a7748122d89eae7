use rustc_hash::FxHashMap;

use super::units;
use crate::commands::ShopCommand;
use crate::events::{OrderLine, ShopEvent, ShopEventKind as K};
use crate::ids::OrderId;
use crate::services::{Declaration, Mode, Reaction, Service, ServiceName};
use crate::ShopRecorded;
use eventide_engine::envelope::PayloadReads;

/// Reserves stock for every placed order and releases it when the order is cancelled.
#[derive(Clone, Default)]
pub(super) struct InventoryService {
    mode: Mode,
    units_reserved: i64,
    units_released: i64,
    reservations: FxHashMap<OrderId, Vec<OrderLine>>,
}

impl InventoryService {
    pub(super) fn new(mode: Mode) -> Self {
        Self {
            mode,
            ..Default::default()
        }
    }
}

impl InventoryService {
    fn reserve(&mut self, order: OrderId, lines: &[OrderLine]) -> Vec<Reaction> {
        self.units_reserved += units(lines);
        self.reservations
            .entry(order)
            .or_default()
            .extend(lines.iter().copied());
        lines
            .iter()
            .map(|line| {
                Reaction::Command(ShopCommand::ReserveInventory {
                    order,
                    sku: line.sku,
                    quantity: line.quantity,
                })
            })
            .collect()
    }

    fn release(&mut self, order: OrderId) -> Vec<Reaction> {
        let lines = self.reservations.remove(&order).unwrap_or_default();
        self.units_released += units(&lines);
        lines
            .iter()
            .map(|line| {
                Reaction::Command(ShopCommand::ReleaseInventory {
                    order,
                    sku: line.sku,
                    quantity: line.quantity,
                })
            })
            .collect()
    }
}

impl Service for InventoryService {
    fn name(&self) -> ServiceName {
        ServiceName::Inventory
    }
    fn reads(&self) -> PayloadReads<K> {
        // A release looks up what was reserved for the order: only its number is read.
        &[
            (K::OrderPlaced, &["order", "lines"]),
            (K::StockReservationRequested, &["order", "lines"]),
            (K::OrderCancelled, &["order"]),
            (K::StockReleaseRequested, &["order"]),
            (K::ChaosModeEnabled, &[]),
            (K::ChaosModeDisabled, &[]),
        ]
    }
    fn declaration(&self) -> Declaration {
        match self.mode {
            Mode::Choreography => Declaration {
                consumes: &[
                    K::OrderPlaced,
                    K::OrderCancelled,
                    K::ChaosModeEnabled,
                    K::ChaosModeDisabled,
                ],
                publishes: &[K::InventoryReserved, K::InventoryReleased],
            },
            Mode::Orchestration => Declaration {
                consumes: &[
                    K::StockReservationRequested,
                    K::StockReleaseRequested,
                    K::ChaosModeEnabled,
                    K::ChaosModeDisabled,
                ],
                publishes: &[K::InventoryReserved, K::InventoryReleased],
            },
        }
    }
    fn react(&mut self, event: &ShopRecorded, _seed: u64) -> Vec<Reaction> {
        match &event.event {
            ShopEvent::OrderPlaced { order, lines, .. }
            | ShopEvent::StockReservationRequested { order, lines } => self.reserve(*order, lines),
            ShopEvent::OrderCancelled { order, .. }
            | ShopEvent::StockReleaseRequested { order, .. } => self.release(*order),
            _ => Vec::new(),
        }
    }
    fn state(&self) -> Vec<(&'static str, i64)> {
        vec![
            ("units reserved", self.units_reserved),
            ("units released", self.units_released),
            ("orders holding stock", self.reservations.len() as i64),
        ]
    }
    fn clone_boxed(&self) -> Box<dyn Service> {
        Box::new(self.clone())
    }
}
