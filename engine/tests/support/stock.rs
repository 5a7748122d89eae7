//! A one-event domain: stock received per product. The kernel knows no real domain, so its
//! unit tests bring this one (serialised like any domain event: adjacently tagged, the fields
//! under `payload`, ids as their display strings). It is written against the kernel's public API
//! alone (`eventide_engine::…`) and compiled as part of the integration tests too, which proves
//! it: the kernel's unit tests include this very file (`lib.rs`).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use eventide_engine::envelope::{DomainEvent, Named, StreamKey};
use eventide_engine::query::{FieldValue, IdValue, PayloadFields};

/// A product: `SKU-03`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sku(pub u16);

impl fmt::Display for Sku {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SKU-{:02}", self.0)
    }
}

impl Serialize for Sku {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Sku {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.strip_prefix("SKU-")
            .and_then(|n| n.parse().ok())
            .map(Sku)
            .ok_or_else(|| serde::de::Error::custom("expected SKU-nn"))
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "payload")]
pub enum StockEvent {
    StockReceived { sku: Sku, quantity: u32 },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StockEventKind {
    StockReceived,
}

impl Named for StockEventKind {
    const ALL: &'static [Self] = &[StockEventKind::StockReceived];

    fn name(self) -> &'static str {
        "StockReceived"
    }

    fn index(self) -> usize {
        0
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StockStream {
    Inventory(Sku),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StockCategory {
    Inventory,
}

impl Named for StockCategory {
    const ALL: &'static [Self] = &[StockCategory::Inventory];

    fn name(self) -> &'static str {
        "Inventory"
    }

    fn index(self) -> usize {
        0
    }
}

impl StreamKey for StockStream {
    type Category = StockCategory;

    fn category(&self) -> StockCategory {
        StockCategory::Inventory
    }
}

impl fmt::Display for StockStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let StockStream::Inventory(sku) = self;
        write!(f, "{sku}")
    }
}

impl DomainEvent for StockEvent {
    type Kind = StockEventKind;
    type Stream = StockStream;

    fn kind(&self) -> StockEventKind {
        StockEventKind::StockReceived
    }
}

impl PayloadFields for StockEvent {
    fn field_slot(_: StockEventKind, name: &str) -> Option<usize> {
        ["sku", "quantity"].iter().position(|field| *field == name)
    }

    fn field(&self, slot: usize) -> Option<FieldValue<'_>> {
        let StockEvent::StockReceived { sku, quantity } = self;
        match slot {
            0 => Some(FieldValue::Id(IdValue {
                prefix: "SKU",
                number: u64::from(sku.0),
                width: 2,
            })),
            1 => Some(FieldValue::Int(i64::from(*quantity))),
            _ => None,
        }
    }
}
